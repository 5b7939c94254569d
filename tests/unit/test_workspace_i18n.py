"""The workspace re-words every reason detail the service writes, in English and Russian.

English must come out exactly as stored (the same words the API and the CMS get); Russian
must come out without any English left. Runs under a bare Flask app: no database, no server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

import pytest
from flask import Flask
from flask_babel import force_locale

from moderation.domain.policy import Action, Decision, Policy, Repetition, Threshold, decide
from moderation.domain.scores import CommentScores
from moderation.sweeper import deadline_detail
from moderation.workspace.i18n import describe, init_i18n, score_text

POLICY = Policy(
    version="t",
    thresholds={
        "toxicity": Threshold(approve_below=0.3, reject_at_or_above=0.9),
        "off_topic": Threshold(approve_below=0.2, when_missing=Action.HOLD),
        "spam": Threshold(approve_below=0.5, reject_at_or_above=0.95),
    },
    repetition=Repetition(hold_at=1, window_hours=168, similarity=1.0),
)
EXACT_FOR_90_MINUTES = Repetition(hold_at=1, window_hours=1.5, similarity=1.0)
NEAR_UNBOUNDED = Repetition(hold_at=1, window_hours=float("inf"))


def _repeated(language: str, rule: Repetition, copies: int) -> Decision:
    """A low-scoring comment decided only by the repetition ``rule``."""
    policy = Policy("t", POLICY.thresholds, repetition=rule)
    return decide(CommentScores(0.1, 0.1, 0.1, language, True), policy, earlier_copies=copies)


def _details() -> list[str]:
    """One of every detail the decision policy and the failure policy write."""
    decisions = [
        decide(CommentScores(0.95, None, 0.6, "en", True), POLICY, earlier_copies=1),
        decide(CommentScores(0.5, 0.25, 0.97, "en", True), POLICY, earlier_copies=21),
        decide(CommentScores(None, None, None, "kk", False), POLICY, earlier_copies=3),
        _repeated("ru-Latn", Repetition(hold_at=1), 1),
        _repeated("en", EXACT_FOR_90_MINUTES, 5),
        _repeated("en", Repetition(hold_at=1), 3),
        *(_repeated("en", NEAR_UNBOUNDED, n) for n in (1, 2)),
    ]
    details = [r.detail for d in decisions for r in d.reasons]
    return [*details, deadline_detail(120.0)]


DETAILS = _details()


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    app = Flask(__name__)
    init_i18n(app)
    with app.test_request_context():
        yield app


def test_the_details_cover_every_kind() -> None:
    kinds = {
        "reject threshold", "approve threshold", "could not be scored", "once before",
        "times before in the last", "not one the models", "no model decision", "1.5 hours",
        "nearly identical text was posted once before in the last",
        "nearly identical text was posted 3 times before in the last",
        "nearly identical text was posted once before", "nearly identical text was posted 2 times before",
    }  # fmt: skip
    assert all(any(kind in d for d in DETAILS) for kind in kinds), DETAILS


@pytest.mark.usefixtures("app")
@pytest.mark.parametrize("detail", DETAILS)
def test_english_details_come_out_as_stored(detail: str) -> None:
    with force_locale("en"):
        assert describe({"code": "x", "detail": detail}) == detail


@pytest.mark.usefixtures("app")
@pytest.mark.parametrize("detail", DETAILS)
def test_russian_details_leave_no_english(detail: str) -> None:
    with force_locale("ru"):
        russian = describe({"code": "x", "detail": detail})
    english_words = {"threshold", "scored", "posted", "before", "hours", "models", "decision"}
    assert not english_words & set(russian.replace(",", " ").split()), russian
    assert any("а" <= c <= "я" for c in russian), russian


@pytest.mark.usefixtures("app")
def test_russian_wording_numbers_and_plurals() -> None:
    with force_locale("ru"):
        said = {d: describe({"detail": d}) for d in DETAILS}
        assert score_text(0.934) == "0,93" and score_text(None) == "—"
    assert said["toxicity 0.95 is at or above the reject threshold 0.90"] == (
        "токсичность 0,95: не ниже порога отклонения 0,90"
    )
    assert said["off_topic could not be scored"] == "не по теме: оценить не удалось"
    assert said["the same text was posted once before in the last 168 hours"] == (
        "тот же текст уже публиковался один раз за последние 168 ч"
    )
    assert said["the same text was posted 21 times before in the last 168 hours"] == (
        "тот же текст уже публиковался 21 раз за последние 168 ч"
    )
    assert said["the same text was posted 3 times before in the last 168 hours"] == (
        "тот же текст уже публиковался 3 раза за последние 168 ч"
    )
    assert said["the same text was posted 5 times before in the last 1.5 hours"] == (
        "тот же текст уже публиковался 5 раз за последние 1,5 ч"
    )
    near = "тот же или почти такой же текст уже публиковался"
    assert said[
        "the same or a nearly identical text was posted once before in the last 168 hours"
    ] == (f"{near} один раз за последние 168 ч")
    assert said[
        "the same or a nearly identical text was posted 3 times before in the last 168 hours"
    ] == (f"{near} 3 раза за последние 168 ч")
    assert said["the same or a nearly identical text was posted once before"] == f"{near} один раз"
    assert said["the same or a nearly identical text was posted 2 times before"] == f"{near} 2 раза"
    assert said["language 'kk' is not one the models were trained for"] == (
        "язык 'kk' не из тех, на которых обучены модели"
    )


@pytest.mark.usefixtures("app")
@pytest.mark.parametrize(
    "detail",
    [
        "",
        "something the service never wrote",
        "toxicity 0.95 is at or above the reject threshold 0.90 and more",
        "<b>toxicity</b> 0.95 is at or above the reject threshold 0.90",
    ],
)
def test_unknown_details_are_shown_as_stored(detail: str) -> None:
    with force_locale("ru"):
        assert describe({"detail": detail}) == detail
    assert describe({}) == ""


def test_reasons_as_stored_are_what_describe_reads() -> None:
    """describe takes the stored JSON of a reason: the domain Reason's fields."""
    reason = decide(CommentScores(0.95, 0.1, 0.1, "en", True), POLICY).reasons[0]
    assert {"code", "detail", "score"} <= set(asdict(reason))
