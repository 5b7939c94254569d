"""Tell waiting web requests that a decision exists (Redis pub/sub), with a polling fallback."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)
CHANNEL = "moderation:decided:{}"


def announce(client: redis.Redis, comment_ids: list[str]) -> None:
    """Tell waiters these comments are decided, in one round trip.

    Best effort: a waiter that misses this still sees the decision when it re-reads.
    """
    if not comment_ids:
        return
    try:
        with client.pipeline(transaction=False) as pipe:
            for comment_id in comment_ids:
                pipe.publish(CHANNEL.format(comment_id), "decided")
            pipe.execute()
    except redis.RedisError as exc:
        log.warning(
            "could not announce decisions", extra={"comments": len(comment_ids), "error": str(exc)}
        )


def wait_until(
    client: redis.Redis, comment_id: str, timeout: float, is_decided: Callable[[], bool]
) -> bool:
    """Block up to ``timeout`` seconds until ``is_decided()``; subscribe first so nothing is missed."""
    deadline = time.monotonic() + timeout
    try:
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL.format(comment_id))
    except redis.RedisError:
        return _poll(deadline, is_decided)
    try:
        while True:
            if is_decided():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            # Wake at least every half second to re-check the database (a missed message).
            pubsub.get_message(timeout=min(remaining, 0.5))
    except redis.RedisError:
        return _poll(deadline, is_decided)
    finally:
        with contextlib.suppress(redis.RedisError):
            pubsub.close()


def _poll(deadline: float, is_decided: Callable[[], bool]) -> bool:
    while time.monotonic() < deadline:
        if is_decided():
            return True
        time.sleep(0.05)
    return is_decided()
