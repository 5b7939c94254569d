"""The classification use case: score stored comments and record the policy's decisions."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from moderation import metrics
from moderation.classifier import Scorer
from moderation.copies import copies_before, store_near_copy_keys
from moderation.decisions import record_first_decisions
from moderation.domain.policy import Decision as PolicyDecision
from moderation.domain.policy import Policy, decide
from moderation.domain.scores import CommentInput
from moderation.storage.tables import Article, Comment, Decision

THREAD_CONTEXT = 20


@dataclass(frozen=True)
class Classified:
    """One comment decided by this call: what to count, announce and deliver after commit."""

    comment_id: str
    decision: Decision
    received_at: datetime
    delivery_id: int | None


# Built once: constructing SQLAlchemy statements costs more than running these queries.
_PENDING = select(Comment).where(
    Comment.id.in_(bindparam("ids", expanding=True)), Comment.status == "pending"
)
_ARTICLES = select(Article).where(Article.id.in_(bindparam("ids", expanding=True)))
_RECENT = (
    select(
        Comment.article_id,
        Comment.id,
        Comment.text,
        func.row_number()
        .over(partition_by=Comment.article_id, order_by=Comment.received_at.desc())
        .label("n"),
    )
    .where(Comment.article_id.in_(bindparam("ids", expanding=True)), Comment.status == "approved")
    .subquery()
)
_THREADS = (
    select(_RECENT.c.article_id, _RECENT.c.id, _RECENT.c.text)
    .where(_RECENT.c.n <= THREAD_CONTEXT + 1)  # +1: a comment is not its own context
    .order_by(_RECENT.c.article_id, _RECENT.c.n)
)
_PARENTS = select(Comment.id, Comment.text).where(Comment.id.in_(bindparam("ids", expanding=True)))


def comment_inputs(
    session: Session, comments: Sequence[Comment], *, with_thread: bool = True
) -> list[CommentInput]:
    """What the model sees for each comment: its text, its article, the comment it replies
    to (when the CMS sent that one too) and the recent thread.

    One query for the articles, one for the parents of replies (none without replies) and,
    when ``with_thread``, one for the latest approved comments of each article, whatever the
    number of comments.
    """
    article_ids = sorted({c.article_id for c in comments})
    articles = {a.id: a for a in session.scalars(_ARTICLES, {"ids": article_ids})}
    parent_ids = sorted({c.parent_id for c in comments if c.parent_id})
    parents: dict[str, str] = {}
    if parent_ids:
        parents = {i: text for i, text in session.execute(_PARENTS, {"ids": parent_ids})}
    threads: dict[str, list[tuple[str, str]]] = {}
    if with_thread:
        for article_id, comment_id, text in session.execute(_THREADS, {"ids": article_ids}):
            threads.setdefault(article_id, []).append((comment_id, text))
    inputs = []
    for comment in comments:
        article = articles.get(comment.article_id)
        thread = [t for cid, t in threads.get(comment.article_id, []) if cid != comment.id]
        inputs.append(
            CommentInput(
                text=comment.text,
                article_title=article.title if article else None,
                article_body=article.body if article else None,
                article_language=article.language if article else None,
                thread=tuple(thread[:THREAD_CONTEXT]),
                parent=parents.get(comment.parent_id) if comment.parent_id else None,
            )
        )
    return inputs


def score_and_decide(
    scorer: Scorer,
    policy: Policy,
    inputs: Sequence[CommentInput],
    copies: Sequence[int] | None = None,
) -> list[PolicyDecision]:
    """The one code path from comments to decisions, shared by the worker and ``moderation score``.

    ``copies``: for each input, the earlier comments with the same or a nearly identical text
    (:func:`~moderation.copies.copies_before`).
    """
    counts = copies if copies is not None else [0] * len(inputs)
    # Spans only for scores that can give a reason (in the comment's language's policy): the
    # others' would be dropped by decide.
    scored = scorer.score(inputs, explain_from=policy.approve_points)
    return [
        decide(scores, policy, earlier_copies=n) for scores, n in zip(scored, counts, strict=True)
    ]


def classify(
    session: Session,
    comment_ids: Sequence[str],
    scorer: Scorer,
    policy: Policy,
    callback_url: str,
) -> list[Classified]:
    """Decide the pending comments among ``comment_ids`` in one batch and one transaction.

    Unknown ids, comments already decided and comments another worker decides first are
    skipped, so running this twice for the same ids changes nothing. Returns what was
    decided, after committing.
    """
    wanted = list(dict.fromkeys(comment_ids))
    found = {c.id: c for c in session.scalars(_PENDING, {"ids": wanted})}
    pending = [found[i] for i in wanted if i in found]
    if not pending:
        return []
    # The thread costs a query per batch; only a model that reads it gets it.
    with_thread = bool(getattr(scorer, "uses_thread", False))
    inputs = comment_inputs(session, pending, with_thread=with_thread)
    rule = policy.repetition
    # Stored before counting, so the batch's comments see each other; not at all while the
    # policy counts exact copies only (turned on later, comments from then on are found).
    keys = store_near_copy_keys(session, pending) if rule.enabled and rule.near_copies else None
    copies = copies_before(session, pending, rule, keys)
    started = time.perf_counter()
    decisions = score_and_decide(scorer, policy, inputs, copies)
    metrics.record_scoring(time.perf_counter() - started, len(inputs))
    recorded = record_first_decisions(
        session,
        [(c.id, d) for c, d in zip(pending, decisions, strict=True)],
        model_version=scorer.model_version,
        callback_url=callback_url,
    )
    out = [
        Classified(c.id, r[0], c.received_at, r[1].id if r[1] is not None else None)
        for c, r in zip(pending, recorded, strict=True)
        if r is not None
    ]
    session.commit()
    return out
