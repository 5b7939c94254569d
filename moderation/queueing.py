"""Sending work to Celery by task name, so the web process never imports the worker code.

Comments to classify go on a Redis list (``PENDING_KEY``) by id, and a ``classify_pending``
task is sent only when none is queued or running (the ``KICK_KEY`` flag, which a running
drain task keeps renewing). The task drains the list in batches of up to ``CLASSIFY_BATCH``:
one model call and one transaction per batch, and a Celery message per busy spell instead of
per comment (the message, not the model, was most of a worker's time per comment). While
more than a batch waits, drain tasks call in other classify processes (``call_for_help``).

Publishing never blocks intake for long: if Redis is down the comment is already committed
and the sweeper enqueues it once Redis is back. Ids taken by a worker that dies are not lost
either: the comments are still pending in the database and the sweeper enqueues them again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from celery import Celery

from moderation import metrics

log = logging.getLogger(__name__)

CLASSIFY = "moderation.classify_comment"  # one comment (tools; the metrics' label)
CLASSIFY_PENDING = "moderation.classify_pending"  # drain the pending list
PENDING_KEY = "moderation:classify:pending"
KICK_KEY = "moderation:classify:kick"
KICK_TTL_MS = 2000  # a lost task blocks new ones for at most this long
HELP_KEY = "moderation:classify:help"
HELP_INTERVAL_MS = 200
CLASSIFY_BATCH = 64
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
    return _publish(
        celery, name, lambda: celery.send_task(name, args=[arg], retry=False), log_extra
    )


def _publish(
    celery: Celery, name: str, publish: Callable[[], object], log_extra: dict[str, object]
) -> bool:
    _pause = publish_pause(celery)
    if not _pause.allow():
        metrics.record_enqueue_failure(name)
        return False
    try:
        publish()
    except Exception as exc:  # kombu and redis raise several types for "broker unreachable"
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


def enqueue_classification(celery: Celery, client: redis.Redis, *comment_ids: str) -> bool:
    """Put comments on the pending list and make sure a drain task is on its way."""
    if not comment_ids:
        return True

    def publish() -> None:
        with client.pipeline(transaction=False) as pipe:
            pipe.rpush(PENDING_KEY, *comment_ids)
            pipe.set(KICK_KEY, 1, nx=True, px=KICK_TTL_MS)
            _, kicked = pipe.execute()
        if kicked:
            celery.send_task(CLASSIFY_PENDING, retry=False)

    extra: dict[str, object] = {"comment_id": comment_ids[0]} if len(comment_ids) == 1 else {}
    return _publish(celery, CLASSIFY, publish, extra)


def kick_classification(celery: Celery, client: redis.Redis) -> bool:
    """Send a drain task unless one is on its way (the sweeper, for ids left on the list).

    True when a task was sent.
    """
    return _drain_task_unless(celery, client, KICK_KEY, KICK_TTL_MS)


def take_pending(client: redis.Redis, count: int = CLASSIFY_BATCH) -> tuple[list[str], int]:
    """Take up to ``count`` comment ids off the pending list; also how many are left.

    Taking is atomic (no id goes to two workers) and renews the kick flag: while a drain
    task keeps taking, intake sends no more tasks.
    """
    with client.pipeline(transaction=False) as pipe:
        pipe.set(KICK_KEY, 1, px=KICK_TTL_MS)
        pipe.lpop(PENDING_KEY, count)
        pipe.llen(PENDING_KEY)
        _, taken, left = pipe.execute()
    return _ids(taken), int(left)


def release_pending(client: redis.Redis, count: int = CLASSIFY_BATCH) -> list[str]:
    """A drain task found the list empty and stops: clear the flag, then look once more.

    In that order, a comment added after this last look finds no flag and sends a new task;
    one added before it is returned here, and the caller goes on draining.
    """
    with client.pipeline(transaction=False) as pipe:
        pipe.delete(KICK_KEY)
        pipe.lpop(PENDING_KEY, count)
        _, taken = pipe.execute()
    return _ids(taken)


def call_for_help(celery: Celery, client: redis.Redis) -> bool:
    """A long backlog: send one more drain task so another classify process joins in.

    At most one such call per ``HELP_INTERVAL_MS`` across all workers, so a spike brings in
    the idle processes one after another instead of flooding the queue with tasks.
    """
    return _drain_task_unless(celery, client, HELP_KEY, HELP_INTERVAL_MS)


def _drain_task_unless(celery: Celery, client: redis.Redis, flag: str, ttl_ms: int) -> bool:
    """Send a drain task if ``flag`` was not set, and set it for ``ttl_ms``; True if sent."""
    sent = False

    def publish() -> None:
        nonlocal sent
        if client.set(flag, 1, nx=True, px=ttl_ms):
            celery.send_task(CLASSIFY_PENDING, retry=False)
            sent = True

    _publish(celery, CLASSIFY, publish, {})
    return sent


def _ids(taken: object) -> list[str]:
    if not taken:
        return []
    assert isinstance(taken, list)
    return [i.decode() if isinstance(i, bytes) else str(i) for i in taken]


def pending_length(client: redis.Redis) -> int:
    return int(client.llen(PENDING_KEY))


def enqueue_delivery(celery: Celery, delivery_id: int) -> bool:
    return _send(celery, DELIVER, delivery_id, delivery_id=delivery_id)
