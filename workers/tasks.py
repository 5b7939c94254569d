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
from moderation.queueing import enqueue_classification, enqueue_delivery
from moderation.services import Services
from moderation.storage.tables import Comment

log = logging.getLogger(__name__)


def _services() -> Services:
    return current_app.extensions["moderation"]


@shared_task(name="moderation.classify_comment")
def classify_comment(comment_id: str) -> None:
    """Score one comment and record its decision, unless it already has one."""
    svc = _services()
    with svc.db.session() as session:
        outcome = classify(session, comment_id, svc.scorer, svc.policy, svc.config["CALLBACK_URL"])
        comment = session.get(Comment, comment_id)  # already in the session: no query
    if outcome is None or comment is None:
        log.info("nothing to classify", extra={"comment_id": comment_id})
        return
    decision, delivery_id = outcome
    metrics.record_decision(
        decision.action,
        decision.reasons,
        decision.decided_by,
        comment.received_at,
        decision.decided_at,
    )
    log.info(
        "comment decided",
        extra={
            "comment_id": comment_id,
            "action": decision.action,
            "decided_by": decision.decided_by,
        },
    )
    notify.announce(svc.redis, comment_id)
    if delivery_id is not None:
        enqueue_delivery(current_app.extensions["celery"], delivery_id)


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
    for comment_id in report.requeue:
        enqueue_classification(celery, comment_id)
    for comment_id in report.held:
        notify.announce(svc.redis, comment_id)
    for delivery_id in report.deliveries:
        enqueue_delivery(celery, delivery_id)
    if report.requeue or report.held:
        log.warning(
            "sweeper acted", extra={"requeued": len(report.requeue), "held": len(report.held)}
        )
