"""A small factory for comments the model already decided (held by default), written directly.

The real path (signed CMS request, real worker, real model) is exercised elsewhere; these rows
look exactly like what ``record_first_decision`` stores, spans included.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from moderation.copies import store_near_copy_keys
from moderation.decisions import STATUS_FOR_ACTION
from moderation.domain.repetition import fingerprint
from moderation.storage.tables import Article, Comment, Decision, utcnow


def spans_of(text: str, *words: str) -> list[dict[str, Any]]:
    """Spans (character offsets into ``text``) for every occurrence of each word."""
    spans = []
    for word in words:
        for match in re.finditer(re.escape(word), text):
            spans.append({"start": match.start(), "end": match.end(), "text": word, "weight": 0.5})
    return spans


def ensure_article(
    session: Session, article_id: str = "a1", title: str = "Water deal signed", **fields: Any
) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        article = Article(id=article_id, title=title, **fields)
        session.add(article)
        session.flush()
    return article


def add_decided_comment(
    sessions: sessionmaker[Session],
    comment_id: str,
    text: str,
    *,
    action: str = "hold",
    reason: str = "toxicity",
    words: tuple[str, ...] = (),
    score: float = 0.7,
    article_id: str = "a1",
    article_title: str = "Water deal signed",
    section: str | None = "Politics",
    author: str = "Reader",
    author_id: str | None = None,
    age_minutes: float = 10.0,
    decided_by: str = "model",
    parent_id: str | None = None,
    language: str = "en",
) -> str:
    """Store an article (if new), a comment and the model's decision on it; return the id."""
    with sessions() as session:
        ensure_article(session, article_id, article_title, section=section, url=None)
        received = utcnow() - timedelta(minutes=age_minutes)
        comment = Comment(
            id=comment_id,
            article_id=article_id,
            author_name=author,
            author_id=author_id,
            parent_id=parent_id,
            text=text,
            content_hash=comment_id,
            text_fingerprint=fingerprint(text),
            status=STATUS_FOR_ACTION[action],
            received_at=received,
            enqueue_count=1,
            language=language,
        )
        session.add(comment)
        session.flush()
        store_near_copy_keys(session, [comment])  # as the worker does when it decides
        scores = {"toxicity": 0.1, "off_topic": 0.1, "spam": 0.05}
        scores[reason if reason in scores else "toxicity"] = score
        reasons = []
        if reason == "repeated":  # the policy's copy-paste rule: no score, no spans
            detail = "the same text was posted 2 times before in the last 168 hours"
            reasons = [{"code": reason, "score": None, "detail": detail, "spans": []}]
        elif reason == "unsupported_language":  # no scores at all
            scores = dict.fromkeys(scores)
            detail = f"language {language!r} is not one the models were trained for"
            reasons = [{"code": reason, "score": None, "detail": detail, "spans": []}]
        elif action != "approve":
            reasons = [
                {
                    "code": reason,
                    "score": score,
                    "detail": f"{reason} {score:.2f} is at or above the approve threshold 0.50",
                    "spans": spans_of(text, *words),
                }
            ]
        decision = Decision(
            comment_id=comment_id,
            action=action,
            reasons=reasons,
            scores=scores,
            language=language,
            model_version="test-model",
            policy_version="test-policy",
            decided_by=decided_by,
            decided_at=received + timedelta(seconds=2),
        )
        session.add(decision)
        session.flush()
        comment.decision_id = decision.id
        comment.decided_at = decision.decided_at
        session.commit()
    return comment_id
