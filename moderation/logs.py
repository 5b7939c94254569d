"""Structured logs: one JSON object per line, with the comment id where one is known."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

_configured = False


def configure_logging(level: str = "INFO") -> None:
    """Send JSON lines to stderr once per process; repeated app factories do not stack handlers."""
    global _configured
    root = logging.getLogger()
    root.setLevel(level.upper())
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root.handlers = [handler]
    _configured = True
