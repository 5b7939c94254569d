"""Signed requests the way a CMS sends them."""

from __future__ import annotations

import json
from typing import Any

from moderation import signing

SECRET = "test-webhook-secret"
CALLBACK_SECRET = "test-callback-secret"


def signed_headers(
    body: bytes, secret: str = SECRET, timestamp: int | None = None
) -> dict[str, str]:
    return {
        signing.HEADER: signing.sign(secret, body, timestamp),
        "Content-Type": "application/json",
    }


def encode(payload: Any) -> bytes:
    return json.dumps(payload).encode("utf-8")
