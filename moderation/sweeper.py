"""The periodic sweep that makes lost messages and outages harmless.

- Comments still ``pending`` some time after their last enqueue are enqueued again (a lost
  message, a Redis outage at intake, a worker that died).
- Comments ``pending`` past the decision deadline get the failure policy: held for a human,
  never approved unchecked, and the CMS is told.
- Callback deliveries whose next attempt is due are enqueued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from moderation import callbacks, metrics
from moderation.copies import store_near_copy_keys
from moderation.decisions import record_first_decision
from moderation.domain.policy import fallback_hold
from moderation.queueing import pending_length, queue_depths
from moderation.services import Services
from moderation.storage.tables import CallbackDelivery, Comment, utcnow

BATCH = 500


@dataclass
class SweepReport:
    requeue: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)
    pending_listed: int = 0  # comment ids waiting on the pending list


def classify_backlog(svc: Services) -> tuple[int, int]:
    """Comments on the pending list and messages in the classify queue (0 when unknown)."""
    try:
        return pending_length(svc.redis), queue_depths(svc.redis, ("classify",))["classify"]
    except redis.RedisError:
        return 0, 0


def sweep(session: Session, svc: Services) -> SweepReport:
    now = utcnow()
    config = svc.config
    report = SweepReport()
    deadline = now - timedelta(seconds=config["DECISION_DEADLINE"])
    overdue = session.scalars(
        select(Comment.id)
        .where(Comment.status == "pending", Comment.received_at < deadline)
        .limit(BATCH)
    ).all()
    for comment_id in overdue:
        decision = fallback_hold(
            "no_decision",
            deadline_detail(config["DECISION_DEADLINE"]),
            svc.policy.version,
        )
        row = record_first_decision(
            session,
            comment_id,
            decision,
            model_version=None,
            decided_by="system",
            callback_url=config["CALLBACK_URL"],
        )
        if row is not None:
            comment = session.get(Comment, comment_id)
            rule = svc.policy.repetition
            if comment is not None and rule.enabled and rule.near_copies:
                # Never classified, so its text is found as a near copy only this way.
                store_near_copy_keys(session, [comment])
            session.commit()
            report.held.append(comment_id)
            if comment is not None:
                metrics.record_decision(
                    row.action, row.reasons, "system", comment.received_at, row.decided_at,
                    row.language,
                )  # fmt: skip

    stale = now - timedelta(seconds=config["SWEEP_PENDING_AGE"])
    # While the classify queue already holds plenty of work, "stale" comments are most likely
    # still waiting in it: sending them again would add load to a service already behind.
    # Lost messages are recovered once the backlog shrinks, or held at the deadline.
    report.pending_listed, messages = classify_backlog(svc)
    budget = BATCH - report.pending_listed - messages
    report.requeue = (
        list(
            session.scalars(
                select(Comment.id)
                .where(Comment.status == "pending", Comment.enqueued_at < stale)
                .order_by(Comment.received_at)
                .limit(budget)
            )
        )
        if budget > 0
        else []
    )
    if report.requeue:
        session.execute(
            update(Comment)
            .where(Comment.id.in_(report.requeue))
            .values(enqueued_at=now, enqueue_count=Comment.enqueue_count + 1)
            .execution_options(synchronize_session=False)
        )
    report.deliveries = callbacks.due(session, now)
    if report.deliveries:
        # Push the next look a little later so a slow queue is not flooded with repeats.
        session.execute(
            update(CallbackDelivery)
            .where(CallbackDelivery.id.in_(report.deliveries))
            .values(next_attempt_at=now + timedelta(seconds=60))
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return report


def deadline_detail(seconds: float) -> str:
    """The ``no_decision`` reason's detail (the workspace re-words it: workspace/i18n.py)."""
    return f"no model decision within {seconds:.0f} seconds; held for a moderator"
