"""The failed-login counter on SQLite and PostgreSQL: the window, the lock, and clearing it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from moderation.login_throttle import LockoutPolicy, active_lock, clear_lock, record_failure

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=3, window_seconds=600, lockout_seconds=900)


@pytest.fixture
def sessions(app: Flask) -> Any:
    return app.extensions["moderation"].db.session


def fail(sessions: Any, minute: float, key: str = "alice") -> datetime | None:
    with sessions() as s:
        locked = record_failure(s, key, NOW + timedelta(minutes=minute), POLICY)
        s.commit()
        return locked


def test_too_many_failures_in_the_window_lock_the_key(sessions: Any) -> None:
    assert fail(sessions, 0) is None
    assert fail(sessions, 1) is None
    assert fail(sessions, 2) == NOW + timedelta(minutes=2, seconds=900)
    with sessions() as s:
        assert active_lock(s, ["alice", "ip:1.2.3.4"], NOW + timedelta(minutes=3))
        assert active_lock(s, ["alice"], NOW + timedelta(minutes=18)) is None  # it expires
        assert active_lock(s, ["bob"], NOW + timedelta(minutes=3)) is None


def test_failures_outside_the_window_start_counting_again(sessions: Any) -> None:
    fail(sessions, 0)
    fail(sessions, 1)
    assert fail(sessions, 11) is None  # the first two are older than the 10-minute window
    assert fail(sessions, 12) is None
    assert fail(sessions, 13) is not None


def test_clearing_removes_the_lock(sessions: Any) -> None:
    for minute in range(3):
        fail(sessions, minute)
    with sessions() as s:
        clear_lock(s, "alice")
        s.commit()
        assert active_lock(s, ["alice"], NOW + timedelta(minutes=3)) is None
