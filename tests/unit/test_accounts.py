"""Accounts without a database: password hashing, the lockout rule, token digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation import accounts
from moderation.storage.moderators import LoginThrottle

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the pure rule; SQL twin in integration tests
POLICY = accounts.LockoutPolicy(max_failures=3, window_seconds=600, lockout_seconds=900)


def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    stored = accounts.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert accounts.verify_password(stored, "correct horse battery")
    assert not accounts.verify_password(stored, "correct horse batterY")
    assert not accounts.verify_password("not a hash", "anything")


def test_short_passwords_are_refused() -> None:
    with pytest.raises(accounts.AccountError, match="at least 12"):
        accounts.check_new_password("short")


def test_too_many_failures_in_the_window_lock_the_username() -> None:
    throttle = LoginThrottle(username="alice", failures=0)
    for minute in range(2):
        accounts.locked_until_after_failure(throttle, NOW + timedelta(minutes=minute), POLICY)
        assert throttle.locked_until is None
    accounts.locked_until_after_failure(throttle, NOW + timedelta(minutes=2), POLICY)
    assert throttle.locked_until == NOW + timedelta(minutes=2, seconds=900)


def test_failures_outside_the_window_start_counting_again() -> None:
    throttle = LoginThrottle(username="alice", failures=0)
    accounts.locked_until_after_failure(throttle, NOW, POLICY)
    accounts.locked_until_after_failure(throttle, NOW + timedelta(minutes=1), POLICY)
    accounts.locked_until_after_failure(throttle, NOW + timedelta(minutes=11), POLICY)
    assert throttle.locked_until is None and throttle.failures == 1


def test_token_digests_are_stable_sha256() -> None:
    assert accounts.token_digest("mod_abc") == accounts.token_digest("mod_abc")
    assert len(accounts.token_digest("mod_abc")) == 64
    assert accounts.token_digest("mod_abc") != accounts.token_digest("mod_abd")
