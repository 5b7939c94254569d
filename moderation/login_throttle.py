"""Login throttling: failed logins counted per key (a username, or ``ip:<address>``) in the database.

The counters live in the database so every web process sees the same lock, and they grow
with atomic SQL updates so parallel guesses cannot undercount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from moderation.storage.moderators import LoginThrottle


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    window_seconds: float = 900.0
    lockout_seconds: float = 900.0


def active_lock(session: Session, keys: list[str], now: datetime) -> datetime | None:
    """The latest end of a lock in force on any of ``keys``, or ``None``."""
    ends = [
        end
        for end in session.scalars(
            select(LoginThrottle.locked_until).where(
                LoginThrottle.username.in_(keys), LoginThrottle.locked_until > now
            )
        )
        if end is not None
    ]
    return max(ends) if ends else None


def record_failure(
    session: Session, key: str, now: datetime, policy: LockoutPolicy
) -> datetime | None:
    """Count one failed login for ``key`` with atomic updates; the lock's end if now locked.

    Increments happen in SQL (``failures = failures + 1``), so parallel guesses from many
    threads or processes are all counted rather than overwriting each other.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(LoginThrottle)
        .values(username=key, failures=0)
        .on_conflict_do_nothing(index_elements=["username"])
    )
    t = LoginThrottle
    stale = or_(
        t.first_failure_at.is_(None),
        t.first_failure_at < now - timedelta(seconds=policy.window_seconds),
    )
    session.execute(
        update(t)
        .where(t.username == key)
        .values(
            failures=case((stale, 1), else_=t.failures + 1),
            first_failure_at=case((stale, now), else_=t.first_failure_at),
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(t)
        .where(t.username == key, t.failures >= policy.max_failures)
        .values(
            locked_until=now + timedelta(seconds=policy.lockout_seconds),
            failures=0,
            first_failure_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    until = session.scalar(select(t.locked_until).where(t.username == key))
    return until if until is not None and until > now else None


def clear_lock(session: Session, key: str) -> None:
    throttle = session.get(LoginThrottle, key)
    if throttle is not None:
        session.delete(throttle)
