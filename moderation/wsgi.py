"""Web entry point: ``gunicorn moderation.wsgi:app``."""

from moderation import create_app

app = create_app()
