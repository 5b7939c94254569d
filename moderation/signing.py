"""HMAC request signatures shared by the CMS webhook and our callbacks to the CMS.

Header: ``X-Moderation-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.
Several ``v1=`` entries are accepted so a CMS can sign with an old and a new secret while
rotating.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Moderation-Signature"
MAX_HEADER_LENGTH = 1024


class SignatureError(Exception):
    """The request is not signed, or not signed by someone who knows the secret."""


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """Return the header value that signs ``body`` now (or at ``timestamp``)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={compute(secret, t, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    if len(header) > MAX_HEADER_LENGTH:
        raise SignatureError("signature header is too long")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(
                "signature header is malformed: expected t=<unix seconds>,v1=<hex>"
            )
        if key == "t":
            if not value.isdigit():
                raise SignatureError("signature timestamp is not a unix time in seconds")
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureError("signature header must carry both t= and v1=")
    return timestamp, signatures


def verify(
    secret: str, header: str | None, body: bytes, tolerance: int = 300, now: float | None = None
) -> int:
    """Check a signature header; return its timestamp or raise :class:`SignatureError`."""
    if not secret:
        raise SignatureError("the service has no webhook secret configured")
    if not header:
        raise SignatureError(f"missing {HEADER} header")
    timestamp, signatures = _parse(header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError(f"signature timestamp is outside the {tolerance}-second tolerance")
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise SignatureError("signature does not match the request body")
    return timestamp
