"""Moderator accounts: users, Argon2 password hashes, logging in, and API tokens.

Everything here works on a caller's session and never commits: the caller decides when.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation.login_throttle import LockoutPolicy, active_lock, clear_lock, record_failure
from moderation.storage.moderators import ApiToken, User
from moderation.storage.tables import utcnow

ROLES = ("moderator", "admin")
# Decisions are attributed by name; these mean "not a person" and must never be one.
RESERVED_USERNAMES = frozenset({"model", "system"})
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "mod_"
# Failures allowed per client address, as a multiple of the per-username limit: generous, so a
# newsroom behind one NAT address is not locked out together by a few typos.
IP_FACTOR = 10

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both answers take the same time."""
    return _hasher.hash(secrets.token_urlsafe(16))


class AccountError(Exception):
    """A request about accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked_until: datetime | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_user(session: Session, username: str, password: str, role: str = "moderator") -> User:
    name = normalise_username(username)
    if not USERNAME.match(name):
        raise AccountError(
            "a username is 2-64 characters: lowercase letters, digits, '.', '_' or '-'"
        )
    if name in RESERVED_USERNAMES:
        raise AccountError(f"the username {name!r} is reserved")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    check_new_password(password)
    if find_user(session, name) is not None:
        raise AccountError(f"a user named {name!r} already exists")
    user = User(username=name, password_hash=hash_password(password), role=role, active=True)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def require_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"no user named {normalise_username(username)!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def disable_user(session: Session, username: str) -> User:
    """Disable an account: no login, no API token, and live sessions end on the next request."""
    user = require_user(session, username)
    user.active = False
    return user


def authenticate(
    session: Session,
    username: str,
    password: str,
    policy: LockoutPolicy,
    ip: str | None = None,
) -> LoginResult:
    """Check a login; refuse while locked; count failures per username (known or not) and per IP.

    The IP counter allows more failures than the username one; it stops one address from
    trying a few passwords on every account (which no per-username lock would notice).
    """
    now = utcnow()
    name = normalise_username(username)[:64]
    limits = {name: policy}
    if ip:
        limits[f"ip:{ip}"[:64]] = replace(policy, max_failures=policy.max_failures * IP_FACTOR)
    locked_until = active_lock(session, list(limits), now)
    if locked_until is not None:
        return LoginResult(None, locked_until)
    user = find_user(session, name)
    valid = verify_password(user.password_hash if user else _dummy_hash(), password)
    if user is not None and valid and user.active:
        clear_lock(session, name)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = now
        return LoginResult(user)
    # Only reads so far: end that transaction so SQLite's writes start from a fresh snapshot.
    session.rollback()
    ends = [record_failure(session, key, now, limit) for key, limit in limits.items()]
    locked = [end for end in ends if end is not None]
    return LoginResult(None, max(locked) if locked else None)


def set_password(session: Session, username: str, password: str) -> User:
    user = require_user(session, username)
    check_new_password(password)
    user.password_hash = hash_password(password)
    return user


def enable_user(session: Session, username: str) -> User:
    user = require_user(session, username)
    user.active = True
    return user


def revoke_tokens(session: Session, username: str) -> int:
    """Revoke every API token of a user; returns how many were still valid."""
    user = require_user(session, username)
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = utcnow()
    return len(tokens)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, username: str, label: str | None = None) -> tuple[ApiToken, str]:
    """Make an API token for an active user; the plain token is returned once, only its hash kept."""
    user = require_user(session, username)
    if not user.active:
        raise AccountError(f"the user {user.username!r} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=token_digest(token), prefix=token[:12], label=label)
    session.add(row)
    session.flush()
    return row, token


def token_counts(session: Session) -> dict[int, int]:
    """Valid (unrevoked) API tokens per user id."""
    query = (
        select(ApiToken.user_id, func.count())
        .where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.user_id)
    )
    return {user_id: n for user_id, n in session.execute(query)}


def user_for_token(session: Session, token: str) -> User | None:
    """The active user an unrevoked token belongs to, or ``None``."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    # Recorded at most once a minute: a busy tool should not turn every read into a write.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return user
