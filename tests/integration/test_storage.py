"""Storage and use cases against real SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect, select

from moderation import callbacks, intake
from moderation.callbacks import Outcome, RetryPolicy
from moderation.decisions import record_first_decision, record_first_decisions
from moderation.domain.policy import Action, Decision, Reason
from moderation.domain.scores import Span
from moderation.storage import moderators  # noqa: F401  (registers the workspace tables)
from moderation.storage.database import Database, alembic_config
from moderation.storage.tables import Base, CallbackAttempt, CallbackDelivery, Comment, utcnow
from moderation.storage.tables import Decision as DecisionRow

PAYLOAD: dict[str, Any] = {
    "id": "c1",
    "article_id": "a1",
    "article": {"title": "T", "body": "B"},
    "author": {"name": "R"},
    "text": "Hello",
}
DECISION = Decision(
    Action.HOLD,
    (Reason("toxicity", Action.HOLD, 0.5, "toxicity 0.50", (Span(0, 5, "Hello", 0.7),)),),
    {"toxicity": 0.5, "off_topic": None, "spam": 0.1},
    "en",
    "p1",
)


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    config = alembic_config(db.url)
    command.downgrade(config, "base")
    assert "comments" not in inspect(db.engine).get_table_names()
    db.upgrade()
    assert "comments" in inspect(Database(database_url).engine).get_table_names()


def test_the_migrations_build_exactly_the_tables_the_code_declares(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def _submit(app: Flask) -> None:
    with app.extensions["moderation"].db.session() as session:
        intake.submit_comment(session, PAYLOAD)
        session.commit()


def test_a_decision_round_trips_with_spans_and_utc_times(app: Flask) -> None:
    _submit(app)
    db = app.extensions["moderation"].db
    with db.session() as session:
        row = record_first_decision(
            session, "c1", DECISION, model_version="m1", callback_url="http://cms/"
        )
        session.commit()
        assert row is not None
    with db.session() as session:
        comment = session.get(Comment, "c1")
        assert comment is not None and comment.status == "held" and comment.decision_id == row.id
        assert comment.received_at.tzinfo is not None and comment.decided_at is not None
        delivery = session.scalars(select(CallbackDelivery)).one()
        assert delivery.payload["decision"]["reasons"][0]["spans"][0] == {
            "start": 0,
            "end": 5,
            "text": "Hello",
            "weight": 0.7,
        }
        assert delivery.payload["status"] == "held"


def test_only_one_of_two_racing_decisions_wins(app: Flask) -> None:
    _submit(app)
    db = app.extensions["moderation"].db
    results: list[object] = []
    barrier = threading.Barrier(2)

    def decide_once() -> None:
        with db.session() as session:
            barrier.wait()
            results.append(record_first_decision(session, "c1", DECISION, model_version="m"))
            session.commit()

    threads = [threading.Thread(target=decide_once) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    with db.session() as session:
        assert len(session.scalars(select(Comment)).all()) == 1


def test_a_decided_comment_cannot_be_decided_again(app: Flask) -> None:
    _submit(app)
    with app.extensions["moderation"].db.session() as session:
        assert record_first_decision(session, "c1", DECISION, model_version="m") is not None
        session.commit()
        assert record_first_decision(session, "c1", DECISION, model_version="m") is None


def test_callback_attempts_are_recorded_and_a_delivery_gives_up_after_its_window(
    app: Flask,
) -> None:
    _submit(app)
    db = app.extensions["moderation"].db
    with db.session() as session:
        record_first_decision(
            session, "c1", DECISION, model_version="m", callback_url="http://cms/"
        )
        session.commit()
        delivery_id = session.scalars(select(CallbackDelivery.id)).one()
    retry = RetryPolicy(base=1, maximum=2, give_up_after=3600)
    with db.session() as session:
        delivery = callbacks.claim(session, delivery_id, lease_seconds=30)
        assert delivery is not None
        assert callbacks.claim(session, delivery_id, lease_seconds=30) is None  # leased
        callbacks.record(session, delivery, Outcome(503, "HTTP 503", 3.0), retry)
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.next_attempt_at > utcnow()
        assert callbacks.due(session, utcnow()) == []
        assert callbacks.due(session, utcnow() + timedelta(seconds=5)) == [delivery_id]
        delivery.created_at = utcnow() - timedelta(hours=2)
        session.commit()
        again = callbacks.claim(session, delivery_id, lease_seconds=30)
        assert again is not None
        callbacks.record(session, again, Outcome(None, "ConnectionError", 1.0), retry)
        assert again.status == "failed"
        attempts = session.scalars(select(CallbackAttempt).order_by(CallbackAttempt.id)).all()
        assert [(a.status_code, a.error) for a in attempts] == [
            (503, "HTTP 503"),
            (None, "ConnectionError"),
        ]
        assert callbacks.replay(session) == 1
        assert callbacks.due(session, utcnow() + timedelta(seconds=1)) == [delivery_id]


def test_a_batch_of_decisions_skips_the_comment_another_writer_decided_first(app: Flask) -> None:
    db = app.extensions["moderation"].db
    with db.session() as session:
        for comment_id in ("c1", "c2", "c3"):
            intake.submit_comment(session, {**PAYLOAD, "id": comment_id})
            session.flush()
        session.commit()
    with db.session() as session:  # a moderator (or a racing task) decides c2 first
        assert record_first_decision(session, "c2", DECISION, model_version="m0") is not None
        session.commit()
    with db.session() as session:
        recorded = record_first_decisions(
            session,
            [(c, DECISION) for c in ("c1", "c2", "c3")],
            model_version="m1",
            callback_url="http://cms/",
        )
        session.commit()
        assert [r is not None for r in recorded] == [True, False, True]
        # c2 keeps its first decision and only that one; the others got a delivery each.
        rows = session.execute(select(DecisionRow.comment_id, DecisionRow.model_version)).all()
        assert sorted(rows) == [("c1", "m1"), ("c2", "m0"), ("c3", "m1")]
        deliveries = session.scalars(select(CallbackDelivery.comment_id)).all()
        assert sorted(deliveries) == ["c1", "c3"]
        for comment_id, entry in zip(("c1", "c3"), [recorded[0], recorded[2]], strict=True):
            assert entry is not None
            comment = session.get(Comment, comment_id)
            assert comment is not None and comment.decision_id == entry[0].id
            assert entry[1] is not None and entry[1].payload["decision_id"] == entry[0].id


def test_sqlite_commits_use_the_configured_synchronous_level(tmp_path: Path) -> None:
    for level, expected in (("NORMAL", 1), ("FULL", 2)):
        db = Database(f"sqlite:///{tmp_path / level}.db", sqlite_synchronous=level)
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == expected
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        db.dispose()
