"""Put the comment id on every log line about a comment, Celery's own lines included.

Our code passes ``comment_id`` in ``extra``. Celery's lines ("Task ... received",
"... succeeded", "... raised") and anything logged by libraries while a classification runs do
not; this filter adds it from the task's arguments, so ``grep '"comment_id": "c1"'`` finds the
whole story of a comment.
"""

from __future__ import annotations

import ast
import logging
from contextvars import ContextVar
from typing import Any

from celery import signals

CLASSIFY = "moderation.classify_comment"
_current: ContextVar[str | None] = ContextVar("moderation_comment_id", default=None)


class CommentIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "comment_id", None) is None:
            comment_id = _from_celery_record(getattr(record, "data", None)) or _current.get()
            if comment_id is not None:
                record.comment_id = comment_id
        return True


def _from_celery_record(data: Any) -> str | None:
    if not isinstance(data, dict) or data.get("name") != CLASSIFY:
        return None
    args = data.get("args")
    try:
        parsed = ast.literal_eval(args) if isinstance(args, str) else args
    except (ValueError, SyntaxError):
        return None
    if isinstance(parsed, (list, tuple)) and parsed:
        return str(parsed[0])
    return None


def _task_started(sender: Any = None, args: Any = None, **_: Any) -> None:
    if getattr(sender, "name", None) == CLASSIFY and args:
        _current.set(str(args[0]))


def _task_finished(**_: Any) -> None:
    _current.set(None)


def install() -> None:
    """Add the filter to the root handlers (JSON lines, see ``moderation.logs``); idempotent."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, CommentIdFilter) for f in handler.filters):
            handler.addFilter(CommentIdFilter())
    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="comment-id-start")
    signals.task_postrun.connect(_task_finished, weak=False, dispatch_uid="comment-id-end")
