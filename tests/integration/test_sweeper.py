"""The sweeper re-enqueues stale comments, but does not pile repeats onto a deep queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from moderation import sweeper
from moderation.domain.repetition import folded, near_copy_keys
from moderation.queueing import PENDING_KEY
from moderation.storage.tables import Comment, NearCopyKey, utcnow

ARTICLE = {"title": "Water-sharing agreement signed", "body": "Irrigation.", "language": "en"}


@pytest.fixture
def stale(app: Flask, cms: Callable[..., Any], redis_url: str) -> list[str]:
    """Three comments enqueued long ago whose messages are gone from Redis."""
    assert cms("PUT", "/api/v1/articles/a1", ARTICLE).status_code == 201
    ids = [f"s{n}" for n in range(3)]
    for comment_id in ids:
        body = {"id": comment_id, "article_id": "a1", "author": {"name": "R"}, "text": "Fine."}
        assert cms("POST", "/api/v1/comments", body).status_code == 202
    svc = app.extensions["moderation"]
    svc.redis.delete("classify", PENDING_KEY)
    with svc.db.session() as session:
        session.execute(update(Comment).values(enqueued_at=utcnow() - timedelta(seconds=300)))
        session.commit()
    return ids


def sweep(app: Flask) -> sweeper.SweepReport:
    svc = app.extensions["moderation"]
    with svc.db.session() as session:
        return sweeper.sweep(session, svc)


def test_stale_pending_comments_are_enqueued_again(app: Flask, stale: list[str]) -> None:
    assert sweep(app).requeue == stale
    assert sweep(app).requeue == []  # enqueued_at moved on: not again at the next sweep


def test_a_deep_classify_queue_is_not_given_repeats(app: Flask, stale: list[str]) -> None:
    client = app.extensions["moderation"].redis
    client.rpush("classify", *[b"queued"] * sweeper.BATCH)  # the workers are simply behind
    assert sweep(app).requeue == []
    client.delete("classify")  # the backlog is gone and the comments are still pending
    assert sweep(app).requeue == stale


def test_a_long_pending_list_counts_as_backlog_too(app: Flask, stale: list[str]) -> None:
    client = app.extensions["moderation"].redis
    client.rpush(PENDING_KEY, *[f"other-{n}" for n in range(sweeper.BATCH)])
    report = sweep(app)
    assert report.requeue == [] and report.pending_listed == sweeper.BATCH


def test_a_comment_held_without_a_model_decision_still_gets_its_near_copy_keys(
    app: Flask, stale: list[str]
) -> None:
    """It is never classified, so the sweeper writes the keys a later near copy looks for."""
    svc = app.extensions["moderation"]
    deadline = svc.config["DECISION_DEADLINE"]
    with svc.db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == stale[0])
            .values(received_at=utcnow() - timedelta(seconds=deadline + 60))
        )
        session.commit()
    assert sweep(app).held == [stale[0]]
    with svc.db.session() as session:
        keys = set(
            session.scalars(select(NearCopyKey.key).where(NearCopyKey.comment_id == stale[0]))
        )
        other = session.scalars(select(NearCopyKey).where(NearCopyKey.comment_id == stale[1]))
        assert keys == set(near_copy_keys(folded("Fine."))) and len(keys) == 10
        assert other.first() is None  # still pending: the worker will write its keys
