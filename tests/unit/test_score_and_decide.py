"""The one path from comments to decisions asks the scorer for spans only where they count."""

from __future__ import annotations

from collections.abc import Sequence

from moderation.classifier import ExplainFrom
from moderation.classify import score_and_decide
from moderation.domain.policy import Action, Policy, Threshold
from moderation.domain.scores import CommentInput, CommentScores, Span

POLICY = Policy(
    version="t",
    thresholds={
        "toxicity": Threshold(0.3),
        "off_topic": Threshold(0.8),
        "spam": Threshold(0.5, reject_at_or_above=0.9),
    },
    per_language={"ru": {"toxicity": Threshold(0.2)}},
)


class RecordingScorer:
    """A stand-in scorer: fixed scores, and what it was asked to explain."""

    model_version = "fake"

    def __init__(self) -> None:
        self.asked: list[ExplainFrom | None] = []

    def score(
        self,
        comments: Sequence[CommentInput],
        *,
        explain_from: ExplainFrom | None = None,
    ) -> list[CommentScores]:
        self.asked.append(explain_from)
        word = Span(0, 5, comments[0].text[:5], 1.0)
        return [
            CommentScores(0.4, None, 0.95, "en", True, spans={"toxicity": (word,)})
            for _ in comments
        ]


def test_the_policy_s_approve_points_per_language_are_passed_to_the_scorer() -> None:
    scorer = RecordingScorer()
    decisions = score_and_decide(scorer, POLICY, [CommentInput("idiot!"), CommentInput("x")])
    (asked,) = scorer.asked
    assert callable(asked)
    assert asked("en") == {"toxicity": 0.3, "off_topic": 0.8, "spam": 0.5}
    assert asked("ru") == asked("ru-Latn") == {"toxicity": 0.2, "off_topic": 0.8, "spam": 0.5}
    assert [d.action for d in decisions] == [Action.REJECT, Action.REJECT]
    assert decisions[0].reasons[1].code == "toxicity"
    assert decisions[0].reasons[1].spans[0].text == "idiot"
