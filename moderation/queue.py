"""Queue queries for moderators: filters, sort orders, keyset pagination, counts, author history.

Pages are cut with an opaque keyset cursor (the last row's sort key and id), so a queue that
changes while a moderator works through it never repeats or skips a comment.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from moderation.copies import near_texts_of
from moderation.domain.policy import Repetition
from moderation.domain.scores import SCORE_NAMES
from moderation.review import MACHINES
from moderation.storage.tables import Article, Comment, Decision, utcnow

SORTS = ("oldest", "newest", "score")
STATUSES = ("held", "approved", "rejected")
DECIDERS = ("model", "moderator")
MAX_LIMIT = 200


class BadCursor(ValueError):
    """The cursor was not one this service handed out (or belongs to another sort order)."""


@dataclass(frozen=True)
class QueueFilter:
    status: str = "held"
    reason: str | None = None
    article_id: str | None = None
    section: str | None = None
    language: str | None = None
    author: str | None = None
    same_text_as: str | None = None  # a comment id: only comments with the same text
    near_texts: tuple[str, ...] = ()  # with same_text_as: fingerprints of its near texts
    decided_by: str | None = None
    sort: str = "oldest"
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True)
class AuthorHistory:
    approved: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class Parent:
    """The comment being replied to: moderators judge a reply in its thread."""

    id: str
    author: str
    text: str


@dataclass(frozen=True)
class QueueItem:
    comment: Comment
    article: Article
    decision: Decision
    history: AuthorHistory
    waiting_seconds: float
    top_score: float | None
    parent: Parent | None = None


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None


def top_score_expr() -> ColumnElement[Any]:
    """The highest of the decision's scores in SQL (missing scores count as -1)."""
    a, b, c = (func.coalesce(Decision.scores[name].as_float(), -1.0) for name in SCORE_NAMES)
    return case((and_(a >= b, a >= c), a), (b >= c, b), else_=c)


def encode_cursor(sort: str, key: Any, comment_id: str) -> str:
    raw = json.dumps([sort, key, comment_id]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, key, comment_id = json.loads(raw)
    except (ValueError, binascii.Error, TypeError, RecursionError) as exc:
        raise BadCursor("The cursor is not valid; start again without it.") from exc
    if cursor_sort != sort or not isinstance(comment_id, str):
        raise BadCursor("The cursor belongs to another sort order; start again without it.")
    if sort == "score":
        if not isinstance(key, int | float):
            raise BadCursor("The cursor is not valid; start again without it.")
        return float(key), comment_id
    try:
        return datetime.fromisoformat(key), comment_id
    except (TypeError, ValueError) as exc:
        raise BadCursor("The cursor is not valid; start again without it.") from exc


def with_near_copies(session: Session, spec: QueueFilter, rule: Repetition) -> QueueFilter:
    """``spec`` with the near copies of ``same_text_as`` filled in (the policy's ``rule`` says
    how similar a near copy is), so the "copies" filter shows them next to exact copies."""
    if not spec.same_text_as:
        return spec
    return replace(spec, near_texts=tuple(near_texts_of(session, spec.same_text_as, rule)))


def _filtered(query: Select[Any], spec: QueueFilter, *, with_reason: bool = True) -> Select[Any]:
    query = query.where(Comment.status == spec.status)
    if spec.article_id:
        query = query.where(Comment.article_id == spec.article_id)
    if spec.section:
        query = query.where(Article.section == spec.section)
    if spec.language:  # a language takes in its script variants: "ru" shows "ru-Latn" too
        query = query.where(
            or_(
                Comment.language == spec.language,
                Comment.language.startswith(f"{spec.language}-", autoescape=True),
            )
        )
    if spec.same_text_as:  # the copies of a text (moderation.domain.repetition)
        same = select(Comment.text_fingerprint).where(Comment.id == spec.same_text_as)
        exact = Comment.text_fingerprint == same.scalar_subquery()
        query = query.where(
            or_(exact, Comment.text_fingerprint.in_(spec.near_texts)) if spec.near_texts else exact
        )
    if spec.author:  # the CMS's author id, or the display name of authors without one
        query = query.where(
            or_(
                Comment.author_id == spec.author,
                and_(Comment.author_id.is_(None), Comment.author_name == spec.author),
            )
        )
    if spec.decided_by == "model":
        query = query.where(Decision.decided_by.in_(MACHINES))
    elif spec.decided_by == "moderator":
        query = query.where(Decision.decided_by.not_in(MACHINES))
    if with_reason and spec.reason:
        # Reasons are a JSON list; matching the serialised code works on SQLite and PostgreSQL.
        pattern = '%"code": "' + spec.reason.replace("_", "\\_") + '"%'
        query = query.where(cast(Decision.reasons, String).like(pattern, escape="\\"))
    return query


def _base() -> Select[Any]:
    return (
        select(Comment, Article, Decision, top_score_expr().label("top"))
        .join(Article, Article.id == Comment.article_id)
        .join(Decision, Decision.id == Comment.decision_id)
    )


def list_queue(session: Session, spec: QueueFilter) -> QueuePage:
    """One page of comments in ``spec.status``, filtered and sorted; with each author's history."""
    query = _filtered(_base(), spec)
    top = top_score_expr()
    if spec.sort == "score":
        query = query.order_by(top.desc(), Comment.id)
    elif spec.sort == "newest":
        query = query.order_by(Comment.received_at.desc(), Comment.id.desc())
    else:
        query = query.order_by(Comment.received_at, Comment.id)
    if spec.cursor:
        key, last_id = decode_cursor(spec.cursor, spec.sort)
        if spec.sort == "score":
            query = query.where(or_(top < key, and_(top == key, Comment.id > last_id)))
        elif spec.sort == "newest":
            query = query.where(
                or_(
                    Comment.received_at < key,
                    and_(Comment.received_at == key, Comment.id < last_id),
                )
            )
        else:
            query = query.where(
                or_(
                    Comment.received_at > key,
                    and_(Comment.received_at == key, Comment.id > last_id),
                )
            )
    rows = session.execute(query.limit(spec.limit + 1)).all()
    more = len(rows) > spec.limit
    rows = rows[: spec.limit]
    histories = author_histories(session, [row[0] for row in rows])
    parents = parent_comments(session, [row[0] for row in rows])
    now = utcnow()
    items = [
        QueueItem(
            comment=comment,
            article=article,
            decision=decision,
            history=histories.get(comment.id, AuthorHistory()),
            waiting_seconds=max(0.0, (now - comment.received_at).total_seconds()),
            top_score=top_value if top_value is not None and top_value >= 0 else None,
            parent=parents.get(comment.parent_id or ""),
        )
        for comment, article, decision, top_value in rows
    ]
    next_cursor = None
    if more and items:
        last = items[-1]
        key = last.top_score if spec.sort == "score" else last.comment.received_at.isoformat()
        if spec.sort == "score" and key is None:
            key = -1.0
        next_cursor = encode_cursor(spec.sort, key, last.comment.id)
    return QueuePage(items, next_cursor)


def count_queue(session: Session, spec: QueueFilter) -> int:
    """How many comments match the filters (all pages)."""
    query = _filtered(
        select(func.count())
        .select_from(Comment)
        .join(Article, Article.id == Comment.article_id)
        .join(Decision, Decision.id == Comment.decision_id),
        spec,
    )
    return int(session.scalar(query) or 0)


def reason_counts(session: Session, spec: QueueFilter) -> dict[str, int]:
    """How many comments in the (otherwise filtered) queue carry each reason code."""
    query = _filtered(
        select(Decision.reasons)
        .select_from(Comment)
        .join(Article, Article.id == Comment.article_id)
        .join(Decision, Decision.id == Comment.decision_id),
        spec,
        with_reason=False,
    )
    counts: Counter[str] = Counter()
    for reasons in session.scalars(query):
        counts.update({str(r.get("code")) for r in reasons or [] if isinstance(r, dict)})
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def sections(session: Session, status: str) -> list[str]:
    query = (
        select(Article.section)
        .join(Comment, Comment.article_id == Article.id)
        .where(Comment.status == status, Article.section.is_not(None))
        .distinct()
    )
    return sorted(s for s in session.scalars(query) if s)


def languages(session: Session, status: str) -> list[str]:
    """Detected languages among comments with this status (for the language filter)."""
    query = select(Comment.language).where(Comment.status == status).distinct()
    return sorted(code for code in session.scalars(query) if code)


def parent_comments(session: Session, comments: list[Comment]) -> dict[str, Parent]:
    wanted = {c.parent_id for c in comments if c.parent_id}
    if not wanted:
        return {}
    query = select(Comment.id, Comment.author_name, Comment.text).where(Comment.id.in_(wanted))
    return {i: Parent(i, author, text) for i, author, text in session.execute(query)}


def author_histories(session: Session, comments: list[Comment]) -> dict[str, AuthorHistory]:
    """Per comment: how many of the same author's other comments were approved or rejected.

    The author is the CMS's author id when it sent one, otherwise the display name.
    """
    by_id = {c.author_id for c in comments if c.author_id}
    by_name = {c.author_name for c in comments if not c.author_id}
    counts: Counter[tuple[str, str | None, str]] = Counter()
    decided = Comment.status.in_(("approved", "rejected"))
    if by_id:
        query = (
            select(Comment.author_id, Comment.status, func.count())
            .where(Comment.author_id.in_(by_id), decided)
            .group_by(Comment.author_id, Comment.status)
        )
        for author, status, n in session.execute(query):
            counts[("id", author, status)] = n
    if by_name:
        query = (
            select(Comment.author_name, Comment.status, func.count())
            .where(Comment.author_id.is_(None), Comment.author_name.in_(by_name), decided)
            .group_by(Comment.author_name, Comment.status)
        )
        for author, status, n in session.execute(query):
            counts[("name", author, status)] = n
    result = {}
    for c in comments:
        key = ("id", c.author_id) if c.author_id else ("name", c.author_name)
        own = {s: int(c.status == s) for s in ("approved", "rejected")}
        result[c.id] = AuthorHistory(
            approved=counts[(*key, "approved")] - own["approved"],
            rejected=counts[(*key, "rejected")] - own["rejected"],
        )
    return result
