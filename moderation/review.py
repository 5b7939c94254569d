"""The review use case: a moderator decides a comment the model held (or overturns the model).

One conditional update decides who wins when two moderators act on one comment at once: the
comment moves only if its decision in force is still the machine's one the moderator saw. The
loser gets :class:`AlreadyDecided` naming the winner, and nothing is overwritten. The new
decision, its audit entry, the training label and the CMS callback share one transaction; the
caller commits, then enqueues the callback (commit, then enqueue).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from moderation import metrics
from moderation.decisions import STATUS_FOR_ACTION, queue_callback
from moderation.schemas import storable_problem
from moderation.storage.moderators import AuditEntry, TrainingLabel
from moderation.storage.tables import Comment, Decision, utcnow

REVIEW_ACTIONS = ("approve", "reject")
REJECT_REASONS = (
    "offensive",
    "abusive",
    "spam",
    "off_topic",
    "hate_speech",
    "harassment",
    "misinformation",
    "other",
)
MACHINES = frozenset({"model", "system"})
MAX_NOTE = 2000


class ReviewError(Exception):
    """A review that cannot be done; ``str(error)`` is the message for the moderator."""


class InvalidReview(ReviewError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The review is not valid; see errors for each field.")
        self.errors = errors


class CommentNotFound(ReviewError):
    pass


class NotReviewable(ReviewError):
    pass


class AlreadyDecided(ReviewError):
    def __init__(self, decision: Decision) -> None:
        when = decision.decided_at.strftime("%Y-%m-%d %H:%M UTC")
        verb = STATUS_FOR_ACTION.get(decision.action, decision.action)
        super().__init__(f"Already decided by {decision.decided_by} ({verb}, {when}).")
        self.decided_by = decision.decided_by
        self.action = decision.action
        self.decided_at = decision.decided_at


@dataclass(frozen=True)
class Review:
    action: str
    reason_code: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ReviewOutcome:
    comment_id: str
    decision: Decision
    delivery_id: int | None
    previous_action: str | None = None


def make_review(action: str, reason_code: str | None = None, note: str | None = None) -> Review:
    """Validate what the moderator chose (pure): approve, or reject with one of our reason codes."""
    errors: dict[str, list[str]] = {}
    note = (note or "").strip() or None
    reason_code = (reason_code or "").strip() or None
    if action not in REVIEW_ACTIONS:
        errors["action"] = ["Must be 'approve' or 'reject'."]
    if action == "reject" and reason_code is None:
        errors["reason_code"] = ["A rejection needs a reason code."]
    if reason_code is not None and reason_code not in REJECT_REASONS:
        errors["reason_code"] = [f"Must be one of: {', '.join(REJECT_REASONS)}."]
    if note is not None and len(note) > MAX_NOTE:
        errors["note"] = [f"At most {MAX_NOTE} characters."]
    elif note is not None and (problem := storable_problem(note)) is not None:
        errors["note"] = [problem]
    if errors:
        raise InvalidReview(errors)
    return Review(action, reason_code if action == "reject" else None, note)


def _moderator_reasons(review: Review) -> list[dict[str, Any]]:
    if review.action != "reject":
        return []
    label = (review.reason_code or "other").replace("_", " ")
    # The note stays internal (audit log, labels); the CMS gets the reason code.
    return [
        {
            "code": review.reason_code,
            "score": None,
            "detail": f"rejected by a moderator: {label}",
            "spans": [],
        }
    ]


def review_comment(
    session: Session,
    comment_id: str,
    review: Review,
    moderator: str,
    *,
    callback_url: str = "",
    via: str = "workspace",
) -> ReviewOutcome:
    """Record a moderator's decision on a comment whose decision in force is the machine's."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise CommentNotFound(f"No comment with id {comment_id!r}.")
    previous = session.get(Decision, comment.decision_id) if comment.decision_id else None
    if previous is None or comment.status == "pending":
        raise NotReviewable("The comment is still waiting for the model's decision.")
    if previous.decided_by not in MACHINES:
        raise AlreadyDecided(previous)
    now = utcnow()
    row = Decision(
        comment_id=comment_id,
        action=review.action,
        reasons=_moderator_reasons(review),
        scores=dict(previous.scores or {}),
        language=previous.language,
        model_version=previous.model_version,
        policy_version=previous.policy_version,
        decided_by=moderator,
        decided_at=now,
    )
    session.add(row)
    session.flush()
    moved = session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.decision_id == previous.id)
        .values(status=STATUS_FOR_ACTION[review.action], decision_id=row.id, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise _winner(session, comment_id)
    _record(session, comment, previous, row, review, moderator, via)
    delivery = queue_callback(session, comment_id, row, callback_url) if callback_url else None
    return ReviewOutcome(comment_id, row, delivery.id if delivery else None, previous.action)


def _winner(session: Session, comment_id: str) -> ReviewError:
    current = session.scalar(
        select(Decision)
        .join(Comment, Comment.decision_id == Decision.id)
        .where(Comment.id == comment_id)
    )
    if current is None:
        return NotReviewable("The comment changed while you were deciding; reload it.")
    return AlreadyDecided(current)


def _record(
    session: Session,
    comment: Comment,
    previous: Decision,
    row: Decision,
    review: Review,
    moderator: str,
    via: str,
) -> None:
    session.add(
        AuditEntry(
            at=row.decided_at,
            actor=moderator,
            event="review",
            comment_id=comment.id,
            action=review.action,
            reason_code=review.reason_code,
            note=review.note,
            previous_status=comment.status,
            previous_action=previous.action,
            previous_decided_by=previous.decided_by,
            decision_id=row.id,
            scores=dict(previous.scores or {}),
            detail={"via": via, "previous_decision_id": previous.id},
        )
    )
    session.add(
        TrainingLabel(
            comment_id=comment.id,
            decision_id=row.id,
            text=comment.text,
            article_id=comment.article_id,
            language=previous.language,
            label=review.action,
            reason_code=review.reason_code,
            model_action=previous.action,
            model_scores=dict(previous.scores or {}),
            model_version=previous.model_version,
            labelled_by=moderator,
            labelled_at=row.decided_at,
        )
    )


def submit_review(
    sessions: sessionmaker[Session],
    comment_id: str,
    review: Review,
    moderator: str,
    *,
    callback_url: str = "",
    via: str = "workspace",
) -> ReviewOutcome:
    """Run :func:`review_comment` in its own transaction and commit it.

    SQLite refuses to upgrade a stale read snapshot to a write ("database is locked") when
    another moderator committed first; one retry then sees their decision and says so.
    """
    for attempt in (1, 2):
        with sessions() as session:
            try:
                outcome = review_comment(
                    session, comment_id, review, moderator, callback_url=callback_url, via=via
                )
                session.commit()
                metrics.record_review(
                    outcome.previous_action, outcome.decision.action, outcome.decision.language
                )
                return outcome
            except OperationalError:
                session.rollback()
                if attempt == 2:
                    raise
    raise AssertionError("unreachable")
