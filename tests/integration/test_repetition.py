"""Copies of a text posted before, counted in real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from flask import Flask
from sqlalchemy import select, update

from moderation import intake
from moderation.classify import copies_before
from moderation.domain.policy import Repetition
from moderation.domain.repetition import fingerprint
from moderation.storage.database import alembic_config
from moderation.storage.tables import Comment, utcnow

SPAM = "Earn $500 a day from home, visit my profile to learn how!!"


def _submit(app: Flask, comment_id: str, text: str, article_id: str = "a1") -> None:
    payload: dict[str, Any] = {
        "id": comment_id,
        "article_id": article_id,
        "article": {"title": f"Article {article_id}", "body": "Body."},
        "author": {"name": "Reader"},
        "text": text,
    }
    with app.extensions["moderation"].db.session() as session:
        intake.submit_comment(session, payload)
        session.commit()


def _count(app: Flask, ids: list[str], rule: Repetition | None = None) -> dict[str, int]:
    with app.extensions["moderation"].db.session() as session:
        comments = [session.get(Comment, i) for i in ids]
        assert all(c is not None for c in comments)
        counts = copies_before(session, comments, rule or Repetition())  # type: ignore[arg-type]
        return dict(zip(ids, counts, strict=True))


def _received(app: Flask, comment_id: str, hours_ago: float) -> None:
    with app.extensions["moderation"].db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == comment_id)
            .values(received_at=utcnow() - timedelta(hours=hours_ago))
        )
        session.commit()


def test_the_stored_comment_carries_its_text_fingerprint(app: Flask) -> None:
    _submit(app, "c1", SPAM)
    with app.extensions["moderation"].db.session() as session:
        stored = session.get(Comment, "c1")
        assert stored is not None and stored.text_fingerprint == fingerprint(SPAM)


def test_copies_under_any_article_and_in_any_spelling_are_counted_in_order(app: Flask) -> None:
    _submit(app, "c1", SPAM, "a1")
    _submit(app, "c2", SPAM.upper(), "a2")
    _submit(app, "c3", SPAM.replace(" ", "  ").rstrip("!"), "a3")
    _submit(app, "c4", "A different comment about the water agreement.", "a1")
    assert _count(app, ["c1", "c2", "c3", "c4"]) == {"c1": 0, "c2": 1, "c3": 2, "c4": 0}


def test_copies_older_than_the_window_do_not_count(app: Flask) -> None:
    for cid in ("c1", "c2", "c3"):
        _submit(app, cid, SPAM)
    _received(app, "c1", hours_ago=200)  # outside a 168-hour window
    _received(app, "c2", hours_ago=100)
    assert _count(app, ["c3"]) == {"c3": 1}
    assert _count(app, ["c3"], Repetition(window_hours=300)) == {"c3": 2}


def test_short_texts_and_a_rule_turned_off_count_nothing(app: Flask) -> None:
    for cid in ("c1", "c2", "c3"):
        _submit(app, cid, "Well said!")  # 8 letters: readers repeat that on their own
    assert _count(app, ["c3"]) == {"c3": 0}
    assert _count(app, ["c3"], Repetition(min_chars=5)) == {"c3": 2}
    for cid in ("c4", "c5"):
        _submit(app, cid, SPAM)
    assert _count(app, ["c5"], Repetition(hold_at=None, reject_at=None)) == {"c5": 0}


def test_the_upgrade_fingerprints_comments_stored_before_it(app: Flask) -> None:
    db = app.extensions["moderation"].db
    config = alembic_config(db.url)
    command.downgrade(config, "0002")
    comments = sa.table("comments", sa.column("id"), sa.column("text"))
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO articles (id, title, created_at, updated_at) "
                "VALUES ('a1', 'T', :now, :now)"
            ),
            {"now": utcnow()},
        )
        for i in range(3):
            connection.execute(
                sa.text(
                    "INSERT INTO comments (id, article_id, author_name, text, content_hash, "
                    "status, received_at, enqueue_count) "
                    "VALUES (:id, 'a1', 'R', :text, 'h', 'approved', :now, 1)"
                ),
                {"id": f"old{i}", "text": SPAM if i < 2 else "!!!", "now": utcnow()},
            )
        assert len(connection.execute(select(comments.c.id)).all()) == 3
    db.upgrade()
    with db.session() as session:
        stored = {c.id: c.text_fingerprint for c in session.scalars(select(Comment))}
    assert stored == {"old0": fingerprint(SPAM), "old1": fingerprint(SPAM), "old2": None}
    _submit(app, "new", SPAM)
    assert _count(app, ["new"]) == {"new": 2}
