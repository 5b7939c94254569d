"""Every setting comes from the environment through one helper, one line per setting.

Nothing is read at import time: :func:`from_environment` is called by ``create_app``.
The full list, with defaults and meaning, is in ``config/environment.md``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingError(ValueError):
    """An environment variable that cannot be used; the message names it and its value."""


def _setting(
    env: Mapping[str, str],
    name: str,
    default: T,
    cast: Callable[[str], T] | None = None,
    *,
    positive: bool = False,
) -> T:
    """``env[name]`` cast like ``default`` (or by ``cast``), or ``default`` when unset or empty.

    Numbers (durations, counts) must be finite and not negative; with ``positive``, above 0.
    """
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    caster = cast or type(default)
    try:
        value = caster(raw)  # type: ignore[call-arg]
    except ValueError as exc:
        raise SettingError(f"environment variable {name}={raw!r} is not valid: {exc}") from exc
    if isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(name, raw, value, positive)
    return value


def _check_number(name: str, raw: str, value: float, positive: bool) -> None:
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        wanted = "above 0" if positive else "0 or more"
        raise SettingError(
            f"environment variable {name}={raw!r} is not valid: use a number {wanted}"
        )


def _sqlite_synchronous(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"NORMAL", "FULL", "EXTRA"}:
        raise ValueError("use NORMAL, FULL or EXTRA")
    return value


def _database_url(raw: str) -> str:
    scheme = raw.strip().split(":", 1)[0].split("+", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise ValueError("use a sqlite:/// or postgresql:// URL")
    return raw


def _redis_url(raw: str) -> str:
    if not raw.strip().lower().startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("use a redis://, rediss:// or unix:// URL")
    return raw


def _log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def _language(raw: str) -> str:
    value = raw.strip()
    if value not in {"en", "ru"}:
        raise ValueError("use en or ru")
    return value


def _flag(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(
    env: Mapping[str, str] | None = None, instance_path: str = ""
) -> dict[str, Any]:
    """Read the service's configuration from environment variables."""
    e = os.environ if env is None else env
    default_db = f"sqlite:///{os.path.join(instance_path or str(REPO_ROOT / 'instance'), 'moderation.sqlite3')}"
    return {
        "SECRET_KEY": _setting(e, "MODERATION_SECRET_KEY", ""),
        "DATABASE_URL": _setting(e, "DATABASE_URL", default_db, _database_url),
        "SQLITE_SYNCHRONOUS": _setting(
            e, "MODERATION_SQLITE_SYNCHRONOUS", "NORMAL", _sqlite_synchronous
        ),
        "REDIS_URL": _setting(e, "REDIS_URL", "redis://127.0.0.1:6379/0", _redis_url),
        "WEBHOOK_SECRET": _setting(e, "MODERATION_WEBHOOK_SECRET", ""),
        "SIGNATURE_TOLERANCE": _setting(e, "MODERATION_SIGNATURE_TOLERANCE", 300, positive=True),
        "CALLBACK_URL": _setting(e, "MODERATION_CALLBACK_URL", ""),
        "CALLBACK_SECRET": _setting(e, "MODERATION_CALLBACK_SECRET", ""),
        "CALLBACK_TIMEOUT": _setting(e, "MODERATION_CALLBACK_TIMEOUT", 5.0, positive=True),
        "CALLBACK_BACKOFF_BASE": _setting(
            e, "MODERATION_CALLBACK_BACKOFF_BASE", 10.0, positive=True
        ),
        "CALLBACK_BACKOFF_MAX": _setting(
            e, "MODERATION_CALLBACK_BACKOFF_MAX", 900.0, positive=True
        ),
        "CALLBACK_GIVE_UP_AFTER": _setting(
            e, "MODERATION_CALLBACK_GIVE_UP_AFTER", 21600.0, positive=True
        ),
        "POLICY_FILE": _setting(
            e, "MODERATION_POLICY_FILE", str(REPO_ROOT / "config" / "policy.toml")
        ),
        "MODELS_DIR": _setting(e, "MODERATION_MODELS_DIR", str(REPO_ROOT / "models")),
        "SWEEP_INTERVAL": _setting(e, "MODERATION_SWEEP_INTERVAL", 10.0, positive=True),
        "SWEEP_PENDING_AGE": _setting(e, "MODERATION_SWEEP_PENDING_AGE", 30.0),
        "DECISION_DEADLINE": _setting(e, "MODERATION_DECISION_DEADLINE", 120.0, positive=True),
        "MAX_WAIT_MS": 10_000,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "LOG_LEVEL": _setting(e, "MODERATION_LOG_LEVEL", "INFO", _log_level),
        "SECURE_COOKIES": _setting(e, "MODERATION_SECURE_COOKIES", False, _flag),
        "LOGIN_MAX_FAILURES": _setting(e, "MODERATION_LOGIN_MAX_FAILURES", 5, positive=True),
        "LOGIN_LOCKOUT_SECONDS": _setting(
            e, "MODERATION_LOGIN_LOCKOUT_SECONDS", 900.0, positive=True
        ),
        "SESSION_HOURS": _setting(e, "MODERATION_SESSION_HOURS", 12.0, positive=True),
        "WORKSPACE_LANGUAGE": _setting(e, "MODERATION_WORKSPACE_LANGUAGE", "en", _language),
        "TRUSTED_PROXIES": _setting(e, "MODERATION_TRUSTED_PROXIES", 0),
        "METRICS_TOKEN": _setting(e, "MODERATION_METRICS_TOKEN", ""),
        "HEARTBEAT_INTERVAL": _setting(e, "MODERATION_HEARTBEAT_INTERVAL", 5.0, positive=True),
    }
