"""Accounts without a database: password hashing, password rules, token digests."""

from __future__ import annotations

import pytest

from moderation import accounts


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


def test_token_digests_are_stable_sha256() -> None:
    assert accounts.token_digest("mod_abc") == accounts.token_digest("mod_abc")
    assert len(accounts.token_digest("mod_abc")) == 64
    assert accounts.token_digest("mod_abc") != accounts.token_digest("mod_abd")
