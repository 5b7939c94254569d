"""The audit log: append events, read them back newest first with filters (pages and JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation.storage.moderators import AuditEntry
from moderation.storage.tables import utcnow

EVENTS = (
    "review",
    "login",
    "login_failed",
    "login_locked",
    "logout",
    "user_created",
    "user_disabled",
    "user_enabled",
    "password_set",
    "token_created",
    "tokens_revoked",
)


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    event: str | None = None
    comment_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before: int | None = None
    limit: int = 100


def record(session: Session, actor: str, event: str, **detail: Any) -> None:
    """Append a non-review event (login, logout, account change) to the audit log."""
    session.add(AuditEntry(at=utcnow(), actor=actor, event=event, detail=detail or None))


def list_entries(session: Session, spec: AuditFilter) -> tuple[list[AuditEntry], int | None]:
    """Newest first; returns the page and the ``before`` id of the next page (or ``None``)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if spec.actor:
        query = query.where(AuditEntry.actor == spec.actor)
    if spec.event:
        query = query.where(AuditEntry.event == spec.event)
    if spec.comment_id:
        query = query.where(AuditEntry.comment_id == spec.comment_id)
    if spec.since:
        query = query.where(AuditEntry.at >= spec.since)
    if spec.until:
        query = query.where(AuditEntry.at < spec.until)
    if spec.before:
        query = query.where(AuditEntry.id < spec.before)
    rows = list(session.scalars(query.limit(spec.limit + 1)))
    more = len(rows) > spec.limit
    rows = rows[: spec.limit]
    return rows, (rows[-1].id if more and rows else None)


def entry_document(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at,
        "actor": entry.actor,
        "event": entry.event,
        "comment_id": entry.comment_id,
        "action": entry.action,
        "reason_code": entry.reason_code,
        "note": entry.note,
        "previous_status": entry.previous_status,
        "previous_action": entry.previous_action,
        "previous_decided_by": entry.previous_decided_by,
        "decision_id": entry.decision_id,
        "scores": entry.scores,
        "detail": entry.detail,
    }
