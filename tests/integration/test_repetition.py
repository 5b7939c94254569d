"""Copies of a text posted before, counted in real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask
from sqlalchemy import select, update

from moderation import intake
from moderation.copies import copies_before, near_texts_of, store_near_copy_keys
from moderation.domain.policy import Repetition
from moderation.domain.repetition import fingerprint, folded, near_copy_keys
from moderation.storage.database import alembic_config
from moderation.storage.tables import Comment, NearCopyKey, utcnow

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
    """Count as the worker does, every comment stored so far having been through it: store
    the comments' near-copy keys (again: idempotent), then count."""
    with app.extensions["moderation"].db.session() as session:
        keys = store_near_copy_keys(session, list(session.scalars(select(Comment))))
        comments = [session.get(Comment, i) for i in ids]
        assert all(c is not None for c in comments)
        counts = copies_before(session, comments, rule or Repetition(), keys)  # type: ignore[arg-type]
        session.commit()
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


def _insert_article(connection: sa.Connection) -> None:
    """Article a1, written with SQL: the tables are those of an older schema."""
    connection.execute(
        sa.text(
            "INSERT INTO articles (id, title, created_at, updated_at) "
            "VALUES ('a1', 'T', :now, :now)"
        ),
        {"now": utcnow()},
    )


def test_the_upgrade_fingerprints_comments_stored_before_it(app: Flask) -> None:
    db = app.extensions["moderation"].db
    config = alembic_config(db.url)
    command.downgrade(config, "0002")
    comments = sa.table("comments", sa.column("id"), sa.column("text"))
    with db.engine.begin() as connection:
        _insert_article(connection)
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


# Near copies: a campaign that changes a number, a name or a link.

CAMPAIGN = "Earn $500 a day from home! Call Aigerim on +7 701 555 12 34 or visit quick-cash.kz"


def _keys(app: Flask, comment_id: str) -> set[int]:
    with app.extensions["moderation"].db.session() as session:
        return set(
            session.scalars(select(NearCopyKey.key).where(NearCopyKey.comment_id == comment_id))
        )


def test_the_worker_stores_the_near_copy_keys_once_and_intake_none(app: Flask) -> None:
    _submit(app, "c1", CAMPAIGN)
    _submit(app, "c2", "!!!")
    assert _keys(app, "c1") == set()  # the webhook only stores the comment
    _count(app, ["c1", "c2"])
    _count(app, ["c1", "c2"])  # a duplicated task: the same keys, no error
    expected = set(near_copy_keys(folded(CAMPAIGN)))
    assert len(expected) == 10 and _keys(app, "c1") == expected
    assert _keys(app, "c2") == set()  # nothing to fold: no keys


def test_near_copies_count_with_exact_ones_and_unrelated_texts_do_not(app: Flask) -> None:
    _submit(app, "c1", CAMPAIGN, "a1")
    _submit(app, "c2", CAMPAIGN.replace("500", "700"), "a2")  # similarity 0.84 to c1
    _submit(app, "c3", CAMPAIGN.replace("quick-cash.kz", "fast-cash.kz"), "a3")  # 0.74 to c1
    _submit(app, "c4", CAMPAIGN, "a1")
    # two changes make a text less like the original (0.59) than the rule's 0.7
    _submit(app, "c5", CAMPAIGN.replace("500", "700").replace("Aigerim", "Dana"), "a2")
    _submit(app, "c6", "Earn money from home: the government's new tax rules explained.", "a1")
    counts = _count(app, ["c1", "c2", "c3", "c4", "c5", "c6"])
    # c3 is not like c2 (two changes apart); c5 is like c2 only (one change apart)
    assert counts == {"c1": 0, "c2": 1, "c3": 1, "c4": 3, "c5": 1, "c6": 0}
    exact_only = _count(app, ["c3", "c4"], Repetition(similarity=1.0))
    assert exact_only == {"c3": 0, "c4": 1}
    assert _count(app, ["c5"], Repetition(similarity=0.55)) == {"c5": 3}  # c1, c2, c4


def test_near_copies_older_than_the_window_do_not_count(app: Flask) -> None:
    _submit(app, "c1", CAMPAIGN.replace("500", "600"))
    _submit(app, "c2", CAMPAIGN.replace("500", "700"))
    _submit(app, "c3", CAMPAIGN)
    _received(app, "c1", hours_ago=200)
    _received(app, "c2", hours_ago=100)
    assert _count(app, ["c3"]) == {"c3": 1}
    assert _count(app, ["c3"], Repetition(window_hours=300)) == {"c3": 2}


def test_a_flood_of_varied_copies_checks_only_the_most_recent(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("moderation.copies.NEAR_CANDIDATES_CHECKED", 3)
    for n in range(6):
        _submit(app, f"v{n}", CAMPAIGN.replace("500", str(600 + n)))
    _submit(app, "exact1", CAMPAIGN)
    _submit(app, "exact2", CAMPAIGN)
    # exact copies are all counted; of the six varied ones, the three most recent are checked
    assert _count(app, ["exact2"]) == {"exact2": 1 + 3}


def test_the_upgrade_gives_comments_stored_before_it_their_near_copy_keys(app: Flask) -> None:
    db = app.extensions["moderation"].db
    command.downgrade(alembic_config(db.url), "0003")
    with db.engine.begin() as connection:
        _insert_article(connection)
        for i, text in enumerate([CAMPAIGN, CAMPAIGN.replace("500", "900"), "!!!"]):
            connection.execute(
                sa.text(
                    "INSERT INTO comments (id, article_id, author_name, text, content_hash, "
                    "text_fingerprint, status, received_at, enqueue_count) "
                    "VALUES (:id, 'a1', 'R', :text, 'h', :fp, 'approved', :now, 1)"
                ),
                {"id": f"old{i}", "text": text, "fp": fingerprint(text), "now": utcnow()},
            )
    db.upgrade()
    assert _keys(app, "old0") == set(near_copy_keys(folded(CAMPAIGN)))
    assert len(_keys(app, "old1")) == 10 and _keys(app, "old2") == set()
    _submit(app, "new", CAMPAIGN.replace("500", "800"))
    assert _count(app, ["new"]) == {"new": 2}


def test_the_near_texts_of_a_comment_are_found_at_any_time(app: Flask) -> None:
    _submit(app, "c1", CAMPAIGN.replace("500", "700"))
    _submit(app, "c2", CAMPAIGN.replace("500", "900"))
    _submit(app, "c3", CAMPAIGN)
    _submit(app, "c4", "A different comment about the water agreement, long enough.")
    _received(app, "c1", hours_ago=24 * 365)  # a year ago: the copies filter has no window
    _count(app, ["c1", "c2", "c3", "c4"])  # as classified: their keys are stored
    with app.extensions["moderation"].db.session() as session:
        near = near_texts_of(session, "c3", Repetition())
        assert near == sorted({fingerprint(CAMPAIGN.replace("500", n)) for n in ("700", "900")})
        assert near_texts_of(session, "c3", Repetition(similarity=1.0)) == []
        assert near_texts_of(session, "nope", Repetition()) == []
