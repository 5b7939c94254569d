"""The classification use case: score a stored comment and record the policy's decision."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation.classifier import Scorer
from moderation.decisions import record_first_decision
from moderation.domain.policy import Decision as PolicyDecision
from moderation.domain.policy import Policy, decide
from moderation.domain.scores import CommentInput
from moderation.storage.tables import Article, CallbackDelivery, Comment, Decision

THREAD_CONTEXT = 20


def comment_input(session: Session, comment: Comment) -> CommentInput:
    """What the model sees: the text, the article context and the recent thread."""
    article = session.get(Article, comment.article_id)
    thread = session.scalars(
        select(Comment.text)
        .where(Comment.article_id == comment.article_id, Comment.id != comment.id)
        .where(Comment.status == "approved")
        .order_by(Comment.received_at.desc())
        .limit(THREAD_CONTEXT)
    ).all()
    return CommentInput(
        text=comment.text,
        article_title=article.title if article else None,
        article_body=article.body if article else None,
        article_language=article.language if article else None,
        thread=tuple(thread),
    )


def score_and_decide(
    scorer: Scorer, policy: Policy, inputs: Sequence[CommentInput]
) -> list[PolicyDecision]:
    """The one code path from comments to decisions, shared by the worker and ``moderation score``."""
    return [decide(scores, policy) for scores in scorer.score(inputs)]


def classify(
    session: Session, comment_id: str, scorer: Scorer, policy: Policy, callback_url: str
) -> tuple[Decision, int | None] | None:
    """Decide a pending comment; return the decision and its callback delivery id, or ``None``.

    ``None`` means there was nothing to do (unknown id, or already decided): safe to run twice.
    """
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != "pending":
        return None
    (decision,) = score_and_decide(scorer, policy, [comment_input(session, comment)])
    row = record_first_decision(
        session, comment_id, decision, model_version=scorer.model_version, callback_url=callback_url
    )
    if row is None:
        return None
    delivery_id = session.scalar(
        select(CallbackDelivery.id).where(CallbackDelivery.decision_id == row.id)
    )
    session.commit()
    return row, delivery_id
