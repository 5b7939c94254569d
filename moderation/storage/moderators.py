"""Tables for the moderator workspace: accounts, API tokens, login throttling, audit, labels.

They share ``Base.metadata`` with :mod:`moderation.storage.tables`, so Alembic sees one schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from moderation.storage.tables import Base, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="moderator")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    # Flask-Login's user protocol, so the workspace can use this row directly.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class ApiToken(Base):
    """A moderator API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed logins per username, in the database so every web process sees the same count."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class AuditEntry(Base):
    """Who did what, when, to what, and what it was before (append-only)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(32))
    comment_id: Mapped[str | None] = mapped_column(String(128))
    action: Mapped[str | None] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    previous_status: Mapped[str | None] = mapped_column(String(16))
    previous_action: Mapped[str | None] = mapped_column(String(16))
    previous_decided_by: Mapped[str | None] = mapped_column(String(128))
    decision_id: Mapped[int | None] = mapped_column(Integer)
    scores: Mapped[dict[str, Any] | None]
    detail: Mapped[dict[str, Any] | None]

    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor_at", "actor", "at"),
        Index("ix_audit_log_comment_id", "comment_id"),
    )


class TrainingLabel(Base):
    """A human decision kept as a labelled example for retraining (text copied, self-contained)."""

    __tablename__ = "training_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(ForeignKey("comments.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    text: Mapped[str] = mapped_column(Text)
    article_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    model_action: Mapped[str | None] = mapped_column(String(16))
    model_scores: Mapped[dict[str, Any] | None]
    model_version: Mapped[str | None] = mapped_column(String(64))
    labelled_by: Mapped[str] = mapped_column(String(64))
    labelled_at: Mapped[datetime] = mapped_column(default=utcnow)
