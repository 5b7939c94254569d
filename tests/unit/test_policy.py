"""The decision policy is a pure function: table-driven tests."""

from dataclasses import replace

import pytest

from moderation.domain.policy import (
    Action,
    Policy,
    Repetition,
    Threshold,
    decide,
    fallback_hold,
)
from moderation.domain.scores import CommentScores, Span

POLICY = Policy(
    version="test-1",
    thresholds={
        "toxicity": Threshold(approve_below=0.3, reject_at_or_above=0.9),
        "off_topic": Threshold(approve_below=0.8, when_missing=Action.APPROVE),
        "spam": Threshold(approve_below=0.5, reject_at_or_above=0.95, when_missing=Action.HOLD),
    },
    per_language={"ru": {"toxicity": Threshold(approve_below=0.2, reject_at_or_above=0.8)}},
)


def scores(
    tox: float | None = 0.0,
    off: float | None = 0.0,
    spam: float | None = 0.0,
    language: str = "en",
    supported: bool = True,
) -> CommentScores:
    return CommentScores(
        toxicity=tox, off_topic=off, spam=spam, language=language, language_supported=supported
    )


@pytest.mark.parametrize(
    ("given", "action", "codes"),
    [
        (scores(), Action.APPROVE, []),
        (scores(tox=0.29), Action.APPROVE, []),
        (scores(tox=0.3), Action.HOLD, ["toxicity"]),
        (scores(tox=0.89), Action.HOLD, ["toxicity"]),
        (scores(tox=0.9), Action.REJECT, ["toxicity"]),
        (scores(off=0.99), Action.HOLD, ["off_topic"]),  # off-topic never auto-rejects here
        (scores(off=None), Action.APPROVE, []),  # no article text: no objection
        (scores(spam=None), Action.HOLD, ["spam"]),  # when_missing = hold
        (
            scores(spam=0.97, tox=0.5),
            Action.REJECT,
            ["spam", "toxicity"],
        ),  # strictest wins, reject first
        (scores(tox=0.5, off=0.85), Action.HOLD, ["off_topic", "toxicity"]),  # higher score first
        (scores(tox=0.25, language="ru"), Action.HOLD, ["toxicity"]),  # per-language thresholds
        (scores(tox=0.85, language="ru"), Action.REJECT, ["toxicity"]),
        (scores(None, None, None, "kk", supported=False), Action.HOLD, ["unsupported_language"]),
    ],
)
def test_decide(given: CommentScores, action: Action, codes: list[str]) -> None:
    decision = decide(given, POLICY)
    assert decision.action is action
    assert [r.code for r in decision.reasons] == codes
    assert decision.policy_version == "test-1"
    assert decision.scores == given.as_dict()


def test_reasons_carry_the_spans_that_drove_them_and_a_readable_detail() -> None:
    span = Span(0, 5, "idiot", 1.2)
    given = CommentScores(
        toxicity=0.95,
        off_topic=0.1,
        spam=0.1,
        language="en",
        language_supported=True,
        spans={"toxicity": (span,)},
    )
    (reason,) = decide(given, POLICY).reasons
    assert reason.spans == (span,)
    assert reason.score == 0.95
    assert "0.95" in reason.detail and "reject" in reason.detail


def test_unsupported_language_follows_the_policy_setting() -> None:
    policy = Policy(version="x", thresholds=POLICY.thresholds, unsupported_language=Action.REJECT)
    assert decide(scores(None, None, None, "uz", False), policy).action is Action.REJECT


def test_the_failure_policy_holds_and_never_approves() -> None:
    decision = fallback_hold("no_decision", "workers down", "v")
    assert decision.action is Action.HOLD
    assert decision.reasons[0].code == "no_decision"
    assert set(decision.scores.values()) == {None}


@pytest.mark.parametrize(
    ("rule", "copies", "given", "action", "codes"),
    [
        (Repetition(), 0, scores(), Action.APPROVE, []),
        (Repetition(), 1, scores(), Action.APPROVE, []),  # a double post is not spam
        (Repetition(), 2, scores(), Action.HOLD, ["repeated"]),
        (Repetition(hold_at=2, reject_at=5), 4, scores(), Action.HOLD, ["repeated"]),
        (Repetition(hold_at=2, reject_at=5), 5, scores(), Action.REJECT, ["repeated"]),
        (Repetition(hold_at=None, reject_at=None), 50, scores(), Action.APPROVE, []),
        # whatever the language: copy-paste in Kazakh is still copy-paste
        (
            Repetition(hold_at=2, reject_at=3),
            3,
            scores(None, None, None, "kk", supported=False),
            Action.REJECT,
            ["repeated", "unsupported_language"],
        ),
        # with scores: the strictest outcome wins, scored reasons first within an action
        (Repetition(), 2, scores(spam=0.97), Action.REJECT, ["spam", "repeated"]),
        (Repetition(), 2, scores(tox=0.5), Action.HOLD, ["toxicity", "repeated"]),
    ],
)
def test_repeated_text(
    rule: Repetition, copies: int, given: CommentScores, action: Action, codes: list[str]
) -> None:
    policy = replace(POLICY, repetition=rule)
    decision = decide(given, policy, earlier_copies=copies)
    assert decision.action is action
    assert [r.code for r in decision.reasons] == codes


def test_the_repeated_reason_says_how_often_and_within_what_window() -> None:
    policy = replace(POLICY, repetition=Repetition(hold_at=1, window_hours=24))
    (reason,) = decide(scores(), policy, earlier_copies=1).reasons
    assert reason.detail == (
        "the same or a nearly identical text was posted once before in the last 24 hours"
    )
    assert reason.score is None and reason.spans == ()
    (reason,) = decide(scores(), policy, earlier_copies=3).reasons
    assert "posted 3 times before" in reason.detail
    unbounded = replace(POLICY, repetition=Repetition(window_hours=float("inf")))
    (reason,) = decide(scores(), unbounded, earlier_copies=2).reasons
    assert reason.detail == "the same or a nearly identical text was posted 2 times before"


def test_with_exact_copies_only_the_reason_says_the_same_text() -> None:
    exact = replace(POLICY, repetition=Repetition(similarity=1.0))
    (reason,) = decide(scores(), exact, earlier_copies=2).reasons
    assert reason.detail == "the same text was posted 2 times before in the last 168 hours"
    assert not exact.repetition.near_copies and POLICY.repetition.near_copies


def test_a_script_variant_falls_back_to_its_language_then_to_the_defaults() -> None:
    assert POLICY.thresholds_for("ru-Latn")["toxicity"].approve_below == 0.2  # ru's
    assert POLICY.thresholds_for("ru-Latn")["spam"].approve_below == 0.5  # the default
    own = replace(
        POLICY,
        per_language={**POLICY.per_language, "ru-Latn": {"toxicity": Threshold(0.1)}},
    )
    assert own.thresholds_for("ru-Latn")["toxicity"].approve_below == 0.1
    assert own.thresholds_for("ru")["toxicity"].approve_below == 0.2
    decision = decide(scores(tox=0.25, language="ru-Latn"), POLICY)
    assert decision.action is Action.HOLD and decision.language == "ru-Latn"


def test_approve_points_are_those_of_the_comment_s_language() -> None:
    assert POLICY.approve_points("en") == {"toxicity": 0.3, "off_topic": 0.8, "spam": 0.5}
    assert POLICY.approve_points("ru") == {"toxicity": 0.2, "off_topic": 0.8, "spam": 0.5}
    looser = replace(
        POLICY,
        per_language={"ru": {"toxicity": Threshold(0.6)}, "ru-Latn": {"spam": Threshold(0.05)}},
    )
    assert looser.approve_points("ru") == {"toxicity": 0.6, "off_topic": 0.8, "spam": 0.5}
    assert looser.approve_points("ru-Latn") == {"toxicity": 0.6, "off_topic": 0.8, "spam": 0.05}
    assert looser.approve_points("kk") == looser.approve_points("en")


def test_a_score_at_its_lowest_approve_point_can_give_a_reason() -> None:
    """What the scorer skips explaining (below the point) never gives a reason."""
    for language in ("en", "ru", "ru-Latn"):
        for name, point in POLICY.approve_points(language).items():
            below = scores(**{_ARG[name]: point - 1e-9}, language=language)
            assert name not in [r.code for r in decide(below, POLICY).reasons]
    assert decide(scores(tox=0.2, language="ru"), POLICY).action is Action.HOLD


_ARG = {"toxicity": "tox", "off_topic": "off", "spam": "spam"}
