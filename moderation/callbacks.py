"""Pushing decisions back to the CMS: signed POSTs, every attempt recorded, backoff with jitter.

Retries are scheduled in the database (``next_attempt_at``) and picked up by the sweeper, not
held as long Celery countdowns: a countdown longer than Redis' visibility timeout would be
re-delivered, and a restart would forget it. A delivery that keeps failing past the give-up
age becomes ``failed`` (the dead-letter list) and can be replayed.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from urllib3.exceptions import HTTPError as Urllib3Error

from moderation import signing
from moderation.storage.tables import CallbackAttempt, CallbackDelivery, utcnow

USER_AGENT = "moderation-callback/1"
EXCERPT_BYTES = 800  # of a failed answer's body: enough for 200 characters of any script


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 10.0
    maximum: float = 900.0
    give_up_after: float = 21600.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Exponential backoff with full jitter between half and the whole step."""
        step = min(self.maximum, self.base * 2 ** max(0, attempts - 1))
        return step * (0.5 + 0.5 * (rng or random).random())


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: float

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def claim(session: Session, delivery_id: int, lease_seconds: float) -> CallbackDelivery | None:
    """Take a pending delivery for one attempt; ``None`` if done or someone else holds it."""
    now = utcnow()
    taken = session.execute(
        update(CallbackDelivery)
        .where(
            CallbackDelivery.id == delivery_id,
            CallbackDelivery.status == "pending",
            or_(CallbackDelivery.claimed_until.is_(None), CallbackDelivery.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(CallbackDelivery, delivery_id)


def post(delivery: CallbackDelivery, secret: str, timeout: float) -> Outcome:
    """Send one signed POST; never raises for network trouble."""
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Idempotency-Key": f"{delivery.comment_id}:{delivery.decision_id}",
        signing.HEADER: signing.sign(secret, body),
    }
    started = time.perf_counter()
    try:
        # Streamed: the CMS's answer is read only as far as the excerpt kept of a failure, so
        # an endless or huge body costs neither memory nor time.
        with requests.post(
            delivery.url, data=body, headers=headers, timeout=timeout, stream=True
        ) as response:
            error = None if response.ok else f"HTTP {response.status_code}: {_excerpt(response)}"
        return Outcome(response.status_code, error, (time.perf_counter() - started) * 1000)
    except requests.RequestException as exc:
        return Outcome(
            None, f"{type(exc).__name__}: {exc}"[:500], (time.perf_counter() - started) * 1000
        )


def _excerpt(response: requests.Response) -> str:
    """The first 200 characters of a failed answer's body, as text any database stores (no
    NUL, undecodable bytes replaced); read no further than that."""
    try:
        start = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
    except (requests.RequestException, Urllib3Error, OSError, ValueError):  # broken, garbled
        return ""
    return start.decode("utf-8", "replace").replace("\x00", "")[:200]


def record(
    session: Session, delivery: CallbackDelivery, outcome: Outcome, retry: RetryPolicy
) -> None:
    """Store the attempt and move the delivery to delivered, back to pending later, or failed."""
    now = utcnow()
    session.add(
        CallbackAttempt(
            delivery_id=delivery.id,
            attempted_at=now,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
    )
    delivery.attempts += 1
    delivery.claimed_until = None
    delivery.last_error = outcome.error
    if outcome.delivered:
        delivery.status = "delivered"
        delivery.delivered_at = now
    elif (now - delivery.created_at).total_seconds() >= retry.give_up_after:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = now + timedelta(seconds=retry.delay(delivery.attempts))
    session.commit()


def due(session: Session, now: datetime, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due and that nobody holds."""
    rows = session.scalars(
        select(CallbackDelivery.id)
        .where(
            CallbackDelivery.status == "pending",
            CallbackDelivery.next_attempt_at <= now,
            or_(CallbackDelivery.claimed_until.is_(None), CallbackDelivery.claimed_until < now),
        )
        .order_by(CallbackDelivery.next_attempt_at)
        .limit(limit)
    )
    return list(rows)


def replay(session: Session, delivery_ids: list[int] | None = None) -> int:
    """Put failed (dead-letter) deliveries back in line; return how many."""
    query = update(CallbackDelivery).where(CallbackDelivery.status == "failed")
    if delivery_ids:
        query = query.where(CallbackDelivery.id.in_(delivery_ids))
    now = utcnow()
    result = session.execute(
        query.values(
            status="pending", next_attempt_at=now, created_at=now, claimed_until=None
        ).execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
