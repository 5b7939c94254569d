"""The review use case on SQLite and PostgreSQL: one winner, full audit, labels, callbacks."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from moderation import review
from moderation.storage.moderators import AuditEntry, TrainingLabel
from moderation.storage.tables import CallbackDelivery, Comment, Decision
from tests.support.held import add_decided_comment


@pytest.fixture
def sessions(app: Flask) -> Any:
    return app.extensions["moderation"].db.session


def test_a_rejection_is_recorded_audited_labelled_and_queued_for_the_cms(sessions: Any) -> None:
    add_decided_comment(sessions, "c1", "you idiot", words=("idiot",), score=0.72)
    outcome = review.submit_review(
        sessions,
        "c1",
        review.make_review("reject", "abusive", "repeat offender"),
        "alice",
        callback_url="http://cms.invalid/hook",
    )
    with sessions() as s:
        comment = s.get(Comment, "c1")
        assert comment.status == "rejected" and comment.decision_id == outcome.decision.id
        decision = s.get(Decision, comment.decision_id)
        assert decision.decided_by == "alice" and decision.action == "reject"
        assert decision.reasons[0]["code"] == "abusive"
        assert decision.scores["toxicity"] == pytest.approx(0.72)  # the scores travel on
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.event == "review")).all()
        assert (entry.actor, entry.action, entry.reason_code, entry.note) == (
            "alice",
            "reject",
            "abusive",
            "repeat offender",
        )
        assert (entry.previous_status, entry.previous_action, entry.previous_decided_by) == (
            "held",
            "hold",
            "model",
        )
        assert entry.scores["toxicity"] == pytest.approx(0.72)
        (label,) = s.scalars(select(TrainingLabel)).all()
        assert (label.text, label.label, label.reason_code, label.model_action) == (
            "you idiot",
            "reject",
            "abusive",
            "hold",
        )
        delivery = s.get(CallbackDelivery, outcome.delivery_id)
        assert delivery.payload["status"] == "rejected"
        assert delivery.payload["decision"]["decided_by"] == "alice"
        assert "repeat offender" not in str(delivery.payload)  # notes stay internal


def test_the_second_moderator_is_told_who_decided_and_nothing_is_overwritten(sessions: Any) -> None:
    add_decided_comment(sessions, "c1", "hmm")
    first = review.submit_review(sessions, "c1", review.make_review("approve"), "alice")
    with pytest.raises(review.AlreadyDecided, match="Already decided by alice") as caught:
        review.submit_review(sessions, "c1", review.make_review("reject", "spam"), "bob")
    assert caught.value.decided_by == "alice"
    with sessions() as s:
        assert s.get(Comment, "c1").decision_id == first.decision.id
        assert s.get(Comment, "c1").status == "approved"
        assert s.scalar(select(func.count()).select_from(Decision)) == 2  # model's and alice's
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_two_moderators_at_the_same_moment_make_exactly_one_decision(sessions: Any) -> None:
    add_decided_comment(sessions, "c1", "borderline")
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def decide(name: str, action: str) -> None:
        barrier.wait()
        try:
            results[name] = review.submit_review(
                sessions,
                "c1",
                review.make_review(action, "spam" if action == "reject" else None),
                name,
            )
        except review.ReviewError as exc:
            results[name] = exc

    threads = [
        threading.Thread(target=decide, args=a) for a in (("alice", "approve"), ("bob", "reject"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [n for n, r in results.items() if isinstance(r, review.ReviewOutcome)]
    losers = [r for r in results.values() if isinstance(r, review.AlreadyDecided)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].decided_by == winners[0]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 1
        assert s.scalar(select(func.count()).select_from(TrainingLabel)) == 1


def test_a_model_approval_can_be_overturned(sessions: Any) -> None:
    add_decided_comment(sessions, "c1", "subtle slur", action="approve")
    review.submit_review(sessions, "c1", review.make_review("reject", "hate_speech"), "alice")
    with sessions() as s:
        assert s.get(Comment, "c1").status == "rejected"
        label = s.scalar(select(TrainingLabel))
        assert (label.label, label.model_action) == ("reject", "approve")


def test_pending_and_unknown_comments_cannot_be_reviewed(sessions: Any) -> None:
    add_decided_comment(sessions, "c1", "x")
    with sessions() as s:
        s.get(Comment, "c1").status = "pending"
        s.commit()
    with pytest.raises(review.NotReviewable):
        review.submit_review(sessions, "c1", review.make_review("approve"), "alice")
    with pytest.raises(review.CommentNotFound):
        review.submit_review(sessions, "nope", review.make_review("approve"), "alice")
