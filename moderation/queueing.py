"""Sending work to Celery by task name, so the web process never imports the worker code.

Publishing never blocks intake for long: if Redis is down the comment is already committed
and the sweeper enqueues it once Redis is back.
"""

from __future__ import annotations

import logging

from celery import Celery

from moderation import metrics

log = logging.getLogger(__name__)

CLASSIFY = "moderation.classify_comment"
DELIVER = "moderation.deliver_callback"
SWEEP = "moderation.sweep"


def _send(celery: Celery, name: str, arg: object, **log_extra: object) -> bool:
    try:
        celery.send_task(name, args=[arg], retry=False)
    except Exception as exc:  # kombu raises several types for "broker unreachable"
        log.warning("could not enqueue %s: %s", name, exc, extra=log_extra)
        metrics.record_enqueue_failure(name)
        return False
    return True


def enqueue_classification(celery: Celery, comment_id: str) -> bool:
    return _send(celery, CLASSIFY, comment_id, comment_id=comment_id)


def enqueue_delivery(celery: Celery, delivery_id: int) -> bool:
    return _send(celery, DELIVER, delivery_id, delivery_id=delivery_id)
