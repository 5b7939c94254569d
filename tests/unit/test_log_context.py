"""The comment id reaches Celery's own log lines about a classification."""

from __future__ import annotations

import logging

from moderation.log_context import CommentIdFilter, _current


def record(**extra: object) -> logging.LogRecord:
    rec = logging.LogRecord(
        "celery.app.trace", logging.INFO, __file__, 1, "Task received", (), None
    )
    rec.__dict__.update(extra)
    return rec


def test_celery_lines_about_a_classification_get_the_comment_id() -> None:
    rec = record(data={"name": "moderation.classify_comment", "args": "['c42']", "id": "t"})
    assert CommentIdFilter().filter(rec)
    assert rec.comment_id == "c42"  # type: ignore[attr-defined]


def test_lines_logged_while_a_task_runs_get_its_comment_id() -> None:
    token = _current.set("c7")
    try:
        rec = record()
        CommentIdFilter().filter(rec)
        assert rec.comment_id == "c7"  # type: ignore[attr-defined]
    finally:
        _current.reset(token)


def test_our_own_comment_id_is_kept_and_other_tasks_are_left_alone() -> None:
    own = record(comment_id="mine", data={"name": "moderation.classify_comment", "args": "['x']"})
    CommentIdFilter().filter(own)
    assert own.comment_id == "mine"  # type: ignore[attr-defined]
    other = record(data={"name": "moderation.deliver_callback", "args": "[3]"})
    CommentIdFilter().filter(other)
    assert not hasattr(other, "comment_id")
