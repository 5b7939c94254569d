"""Sending work to Celery by task name, so the web process never imports the worker code.

Publishing never blocks intake for long: if Redis is down the comment is already committed
and the sweeper enqueues it once Redis is back.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from celery import Celery

from moderation import metrics

log = logging.getLogger(__name__)

CLASSIFY = "moderation.classify_comment"
DELIVER = "moderation.deliver_callback"
SWEEP = "moderation.sweep"


class PublishPause:
    """After a failed publish, stop trying for a few seconds, then let one request probe.

    A Redis that hangs (rather than refusing connections) makes every publish wait for the
    socket timeout; without this pause every intake thread would wait too. Skipped comments
    are stored as pending and the sweeper enqueues them, so skipping loses nothing.
    """

    def __init__(self, seconds: float = 5.0) -> None:
        self.seconds = seconds
        self._until = 0.0
        self._probing = False
        self._lock = threading.Lock()

    def allow(self) -> bool:
        with self._lock:
            if self._until == 0.0:
                return True
            if self._probing or time.monotonic() < self._until:
                return False
            self._probing = True  # the pause is over: one caller tries, the others still skip
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._until, self._probing = 0.0, False

    def failed(self) -> None:
        with self._lock:
            self._until, self._probing = time.monotonic() + self.seconds, False


def publish_pause(celery: Celery) -> PublishPause:
    """The pause of this Celery app (one per process in production, one per app in tests)."""
    pause: PublishPause | None = getattr(celery, "_moderation_publish_pause", None)
    if pause is None:
        pause = PublishPause()
        celery._moderation_publish_pause = pause
    return pause


def _send(celery: Celery, name: str, arg: object, **log_extra: object) -> bool:
    _pause = publish_pause(celery)
    if not _pause.allow():
        metrics.record_enqueue_failure(name)
        return False
    try:
        celery.send_task(name, args=[arg], retry=False)
    except Exception as exc:  # kombu raises several types for "broker unreachable"
        _pause.failed()
        log.warning(
            "could not enqueue %s: %s; not trying again for %.0f s (the sweeper catches up)",
            name,
            exc,
            _pause.seconds,
            extra=log_extra,
        )
        metrics.record_enqueue_failure(name)
        return False
    _pause.succeeded()
    return True


# kombu's Redis transport keeps one list per queue and priority step ("classify",
# "classify\x06\x163", ...); the depth of a queue is the sum of their lengths.
PRIORITY_STEPS = (0, 3, 6, 9)


def queue_keys(queue: str) -> list[str]:
    return [queue if step == 0 else f"{queue}\x06\x16{step}" for step in PRIORITY_STEPS]


def queue_depths(client: redis.Redis, queues: tuple[str, ...]) -> dict[str, int]:
    """Messages waiting in each Celery queue, in one round trip."""
    with client.pipeline(transaction=False) as pipe:
        for queue in queues:
            for key in queue_keys(queue):
                pipe.llen(key)
        lengths = pipe.execute()
    steps = len(PRIORITY_STEPS)
    return {q: sum(lengths[i * steps : (i + 1) * steps]) for i, q in enumerate(queues)}


def enqueue_classification(celery: Celery, comment_id: str) -> bool:
    return _send(celery, CLASSIFY, comment_id, comment_id=comment_id)


def enqueue_delivery(celery: Celery, delivery_id: int) -> bool:
    return _send(celery, DELIVER, delivery_id, delivery_id=delivery_id)
