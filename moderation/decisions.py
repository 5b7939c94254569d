"""Use cases around decisions: record one (once), describe it, queue it for the CMS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import bindparam, update
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
    row = _decision_row(comment_id, decision, model_version, decided_by)
    session.add(row)
    session.flush()
    if not _move_out_of_pending(session, row):
        session.rollback()
        return None
    if callback_url:
        queue_callback(session, comment_id, row, callback_url)
    return row


def record_first_decisions(
    session: Session,
    decisions: Sequence[tuple[str, PolicyDecision]],
    *,
    model_version: str | None,
    callback_url: str = "",
) -> list[tuple[Decision, CallbackDelivery | None] | None]:
    """:func:`record_first_decision` for many comments in one transaction (the caller commits).

    Each entry is the stored decision and its callback delivery, or ``None`` for a comment
    another writer decided first: its decision row is removed again, the others stand.
    """
    rows = [_decision_row(cid, d, model_version, MODEL) for cid, d in decisions]
    session.add_all(rows)
    session.flush()  # one multi-row INSERT; the rows get their ids
    results: list[tuple[Decision, CallbackDelivery | None] | None] = []
    lost = []
    for row in rows:
        if not _move_out_of_pending(session, row):
            lost.append(row)
            results.append(None)
            continue
        delivery = (
            queue_callback(session, row.comment_id, row, callback_url, flush=False)
            if callback_url
            else None
        )
        results.append((row, delivery))
    for row in lost:
        session.delete(row)
    session.flush()
    return results


def _decision_row(
    comment_id: str, decision: PolicyDecision, model_version: str | None, decided_by: str
) -> Decision:
    return Decision(
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


# Built once: constructing the statement costs more than running it.
_MOVE = (
    update(Comment)
    .where(Comment.id == bindparam("target_id"), Comment.status == "pending")
    .values(
        status=bindparam("new_status"),
        decision_id=bindparam("new_decision_id"),
        decided_at=bindparam("new_decided_at"),
        language=bindparam("new_language"),
    )
    .execution_options(synchronize_session=False)
)


def _move_out_of_pending(session: Session, row: Decision) -> bool:
    """Point a still-pending comment at ``row``; False when it was no longer pending."""
    moved = session.execute(
        _MOVE,
        {
            "target_id": row.comment_id,
            "new_status": STATUS_FOR_ACTION[row.action],
            "new_decision_id": row.id,
            "new_decided_at": row.decided_at,
            "new_language": row.language,
        },
    )
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]


def queue_callback(
    session: Session, comment_id: str, decision: Decision, url: str, *, flush: bool = True
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
    if flush:
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


def comment_document(session: Session | None, comment: Comment) -> dict[str, Any]:
    """The API's view of a comment; ``session`` is needed only once it has a decision."""
    decision = None
    if comment.decision_id is not None:
        assert session is not None, "a decided comment needs a session to read its decision"
        decision = session.get(Decision, comment.decision_id)
    return {
        "id": comment.id,
        "article_id": comment.article_id,
        "status": comment.status,
        "language": comment.language,
        "received_at": comment.received_at,
        "decided_at": comment.decided_at,
        "decision": decision_document(decision) if decision else None,
    }
