"""Celery worker entry point and thin tasks."""
