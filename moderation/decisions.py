"""Use cases around decisions: record one (once), describe it, queue it for the CMS."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from moderation.domain.policy import Decision as PolicyDecision
from moderation.schemas import DecisionSchema
from moderation.storage.tables import CallbackDelivery, Comment, Decision, utcnow

STATUS_FOR_ACTION = {"approve": "approved", "hold": "held", "reject": "rejected"}
MODEL = "model"


def reasons_document(decision: PolicyDecision) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "score": r.score,
            "detail": r.detail,
            "spans": [asdict(s) for s in r.spans],
        }
        for r in decision.reasons
    ]


def record_first_decision(
    session: Session,
    comment_id: str,
    decision: PolicyDecision,
    *,
    model_version: str | None,
    decided_by: str = MODEL,
    callback_url: str = "",
) -> Decision | None:
    """Store the first decision on a pending comment; ``None`` if it was already decided.

    The conditional update makes a re-delivered or duplicated task harmless: only one
    writer moves the comment out of ``pending``.
    """
    row = Decision(
        comment_id=comment_id,
        action=decision.action.value,
        reasons=reasons_document(decision),
        scores=dict(decision.scores),
        language=decision.language,
        model_version=model_version,
        policy_version=decision.policy_version,
        decided_by=decided_by,
        decided_at=utcnow(),
    )
    session.add(row)
    session.flush()
    moved = session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.status == "pending")
        .values(
            status=STATUS_FOR_ACTION[row.action],
            decision_id=row.id,
            decided_at=row.decided_at,
            language=decision.language,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return None
    if callback_url:
        queue_callback(session, comment_id, row, callback_url)
    return row


def queue_callback(
    session: Session, comment_id: str, decision: Decision, url: str
) -> CallbackDelivery:
    """Write the CMS notification for a decision in the same transaction as the decision."""
    comment = session.get(Comment, comment_id)
    assert comment is not None
    delivery = CallbackDelivery(
        comment_id=comment_id,
        decision_id=decision.id,
        url=url,
        payload=callback_payload(comment, decision),
        status="pending",
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    session.flush()
    return delivery


def decision_document(decision: Decision) -> dict[str, Any]:
    return {
        "action": decision.action,
        "reasons": decision.reasons,
        "scores": decision.scores,
        "language": decision.language,
        "model_version": decision.model_version,
        "policy_version": decision.policy_version,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
    }


def callback_payload(comment: Comment, decision: Decision) -> dict[str, Any]:
    return {
        "event": "comment.decided",
        "comment_id": comment.id,
        "article_id": comment.article_id,
        "status": STATUS_FOR_ACTION[decision.action],
        "decision_id": decision.id,
        "decision": DecisionSchema().dump(decision_document(decision)),
    }


def comment_document(session: Session, comment: Comment) -> dict[str, Any]:
    decision = session.get(Decision, comment.decision_id) if comment.decision_id else None
    return {
        "id": comment.id,
        "article_id": comment.article_id,
        "status": comment.status,
        "language": comment.language,
        "received_at": comment.received_at,
        "decided_at": comment.decided_at,
        "decision": decision_document(decision) if decision else None,
    }
