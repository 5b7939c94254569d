"""Use cases for what the CMS sends: article context and new comments."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from moderation.domain.repetition import fingerprint as text_fingerprint
from moderation.storage.tables import Article, Comment, utcnow

ARTICLE_FIELDS = ("title", "body", "url", "section", "language")


class UnknownArticle(Exception):
    """The comment names an article we have never seen and brings no inline article."""


class ConflictingComment(Exception):
    """A comment with this CMS id already exists with different content."""


@dataclass(frozen=True)
class Submission:
    comment: Comment
    created: bool


def register_article(
    session: Session, article_id: str, fields: dict[str, Any]
) -> tuple[Article, bool]:
    """Create or update an article's context; return it and whether it was created."""
    article = session.get(Article, article_id)
    created = article is None
    if article is None:
        article = Article(id=article_id)
        session.add(article)
    for name in ARTICLE_FIELDS:
        setattr(article, name, fields.get(name))
    return article, created


def content_hash(payload: dict[str, Any]) -> str:
    """A fingerprint of what makes a comment the same comment (inline article context excluded)."""
    relevant = {k: v for k, v in payload.items() if k != "article"}
    canonical = json.dumps(relevant, sort_keys=True, ensure_ascii=False, default=_json_default)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


_INSERT_COMMENT = insert(Comment.__table__)  # type: ignore[arg-type]


def insert_new_comment(connection: Connection, payload: dict[str, Any]) -> Submission:
    """The common case in one statement: a new comment under an article we know.

    Raises ``IntegrityError`` when the database refuses it (the id exists, or the article is
    unknown); the caller rolls back and takes :func:`submit_comment`, which tells those apart.
    """
    values = _new_comment_values(payload, content_hash(payload))
    connection.execute(_INSERT_COMMENT, values)  # Core, not a Session: the hot path
    return Submission(Comment(**values), created=True)


def submit_comment(session: Session, payload: dict[str, Any]) -> Submission:
    """Store a new comment as pending (or return the identical one already stored).

    The caller commits, then enqueues classification: commit-then-enqueue.
    """
    fingerprint = content_hash(payload)
    existing = session.get(Comment, payload["id"])
    if existing is not None:
        if existing.content_hash != fingerprint:
            raise ConflictingComment(payload["id"])
        return Submission(existing, created=False)
    article = session.get(Article, payload["article_id"])
    if article is None:
        if payload.get("article") is None:
            raise UnknownArticle(payload["article_id"])
        register_article(session, payload["article_id"], payload["article"])
    comment = Comment(**_new_comment_values(payload, fingerprint))
    session.add(comment)
    return Submission(comment, created=True)


def _new_comment_values(payload: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    author = payload["author"]
    ip = payload.get("ip")
    now = utcnow()
    return {
        "id": payload["id"],
        "article_id": payload["article_id"],
        "author_name": author["name"],
        "author_email": author.get("email"),
        "author_id": author.get("id"),
        "text": payload["text"],
        "parent_id": payload.get("parent_id"),
        "submitted_at": payload.get("submitted_at"),
        "ip": str(ip) if ip is not None else None,
        "user_agent": payload.get("user_agent"),
        "content_hash": fingerprint,
        "text_fingerprint": text_fingerprint(payload["text"]),
        "status": "pending",
        "language": None,
        "received_at": now,
        "enqueued_at": now,
        "enqueue_count": 1,
        "decided_at": None,
        "decision_id": None,
    }
