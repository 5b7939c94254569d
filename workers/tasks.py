"""Thin Celery tasks: take an id, call the use case, enqueue what follows.

Every task is idempotent and acknowledged late (see ``moderation.celery_app``), so a worker
killed mid-task only means the task runs again, and running again changes nothing.
"""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from moderation import callbacks, metrics, notify, sweeper
from moderation.classify import classify
from moderation.queueing import (
    CLASSIFY_BATCH,
    CLASSIFY_PENDING,
    call_for_help,
    enqueue_classification,
    enqueue_delivery,
    kick_classification,
    release_pending,
    take_pending,
)
from moderation.services import Services

log = logging.getLogger(__name__)


def _services() -> Services:
    return current_app.extensions["moderation"]


# One drain task takes at most this many batches, then hands over to a fresh task, so a
# long backlog never pins one task (or one process) for long.
DRAIN_ROUNDS = 20


@shared_task(name="moderation.classify_pending")
def classify_pending() -> None:
    """Classify the comments on the pending list, a batch at a time (moderation.queueing)."""
    svc = _services()
    celery = current_app.extensions["celery"]
    for _ in range(DRAIN_ROUNDS):
        comment_ids, left = take_pending(svc.redis)
        if not comment_ids:
            comment_ids = release_pending(svc.redis)
            if not comment_ids:
                return
        if left >= CLASSIFY_BATCH:
            call_for_help(celery, svc.redis)
        _classify_batch(comment_ids)
    celery.send_task(CLASSIFY_PENDING, retry=False)  # still busy: go on in a fresh task


@shared_task(name="moderation.classify_comment")
def classify_comment(comment_id: str) -> None:
    """Score one comment and record its decision, unless it already has one."""
    _classify_batch([comment_id])


def _classify_batch(comment_ids: list[str]) -> None:
    """Decide a batch of comments (one model call, one transaction), then tell everyone."""
    svc = _services()
    with svc.db.session() as session:
        decided = classify(session, comment_ids, svc.scorer, svc.policy, svc.config["CALLBACK_URL"])
    for item in decided:
        decision = item.decision
        metrics.record_decision(
            decision.action,
            decision.reasons,
            decision.decided_by,
            item.received_at,
            decision.decided_at,
            decision.language,
            decision.model_version,
        )
        if decision.decided_by == "model":
            metrics.record_scores(decision.scores, decision.language, decision.model_version)
        log.info(
            "comment decided",
            extra={
                "comment_id": item.comment_id,
                "action": decision.action,
                "decided_by": decision.decided_by,
                "batch_size": len(comment_ids),
            },
        )
    notify.announce(svc.redis, [item.comment_id for item in decided])
    celery = current_app.extensions["celery"]
    for item in decided:
        if item.delivery_id is not None:
            enqueue_delivery(celery, item.delivery_id)
    done = {item.comment_id for item in decided}
    for comment_id in comment_ids:
        if comment_id not in done:
            log.info("nothing to classify", extra={"comment_id": comment_id})


@shared_task(name="moderation.deliver_callback")
def deliver_callback(delivery_id: int) -> None:
    """Make one attempt to deliver a decision to the CMS; the sweeper schedules the next."""
    svc = _services()
    timeout = svc.config["CALLBACK_TIMEOUT"]
    with svc.db.session() as session:
        delivery = callbacks.claim(session, delivery_id, lease_seconds=timeout * 3 + 30)
        if delivery is None:
            return
        outcome = callbacks.post(delivery, svc.config["CALLBACK_SECRET"], timeout)
        callbacks.record(session, delivery, outcome, svc.retry_policy)
        metrics.record_callback_attempt(
            outcome.status_code, outcome.delivered, gave_up=delivery.status == "failed"
        )
        log.info(
            "callback attempt",
            extra={
                "comment_id": delivery.comment_id,
                "delivery_id": delivery_id,
                "status_code": outcome.status_code,
                "delivery_status": delivery.status,
                "attempts": delivery.attempts,
            },
        )


@shared_task(name="moderation.sweep")
def sweep() -> None:
    """Re-enqueue stale pending comments, hold overdue ones, and send due callbacks."""
    svc = _services()
    celery = current_app.extensions["celery"]
    with svc.db.session() as session:
        report = sweeper.sweep(session, svc)
    metrics.record_sweep(len(report.requeue), len(report.held), len(report.deliveries))
    enqueue_classification(celery, svc.redis, *report.requeue)
    if report.pending_listed:  # ids on the list and perhaps no task coming: send one
        kick_classification(celery, svc.redis)
    notify.announce(svc.redis, report.held)
    for delivery_id in report.deliveries:
        enqueue_delivery(celery, delivery_id)
    if report.requeue or report.held:
        log.warning(
            "sweeper acted", extra={"requeued": len(report.requeue), "held": len(report.held)}
        )
