"""The decision policy: a pure function from scores and a policy document to a decision.

Each score has two thresholds. Below ``approve_below`` it says nothing; from there up to
``reject_at_or_above`` it asks for a human (hold); at or above that it rejects. The strictest
outcome over all scores wins: reject > hold > approve. A score that could not be computed
(``None``) follows the policy's ``when_missing`` rule for that score. A text posted again and
again (:mod:`moderation.domain.repetition`) is held, or rejected, by the :class:`Repetition`
rule, whatever its scores and language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from moderation.domain.scores import SCORE_NAMES, CommentScores, Span


class Action(StrEnum):
    APPROVE = "approve"
    HOLD = "hold"
    REJECT = "reject"


_SEVERITY = {Action.APPROVE: 0, Action.HOLD: 1, Action.REJECT: 2}


@dataclass(frozen=True)
class Threshold:
    """Operating points for one score; ``reject_at_or_above=None`` means never reject on it."""

    approve_below: float
    reject_at_or_above: float | None = None
    when_missing: Action = Action.APPROVE


@dataclass(frozen=True)
class Repetition:
    """What to do with a comment whose text was posted before (copy-paste spam).

    Counts are of *earlier* copies received within ``window_hours``: ``hold_at = 2`` holds the
    third posting of a text. ``None`` turns that action off. Texts with fewer than
    ``min_chars`` letters and digits ("Thank you!", "+1") are never counted: readers repeat
    those on their own. A near copy counts too: an earlier text whose 5-character pieces
    overlap this one's by at least ``similarity`` (Jaccard; 1.0 counts exact copies only).
    """

    hold_at: int | None = 2
    reject_at: int | None = None
    window_hours: float = 168.0
    min_chars: int = 20
    similarity: float = 0.7

    @property
    def near_copies(self) -> bool:
        """Whether texts that are nearly, not exactly, the same count as copies."""
        return self.similarity < 1.0

    @property
    def enabled(self) -> bool:
        return self.hold_at is not None or self.reject_at is not None

    def action(self, copies: int) -> Action | None:
        if self.reject_at is not None and copies >= self.reject_at:
            return Action.REJECT
        if self.hold_at is not None and copies >= self.hold_at:
            return Action.HOLD
        return None


@dataclass(frozen=True)
class Policy:
    version: str
    thresholds: dict[str, Threshold]
    unsupported_language: Action = Action.HOLD
    per_language: dict[str, dict[str, Threshold]] = field(default_factory=dict)
    repetition: Repetition = field(default_factory=Repetition)

    def approve_points(self, language: str) -> dict[str, float]:
        """Each score's ``approve_below`` for comments in ``language``: below it the score
        gives such a comment no reason, so its words are never shown (the worker's
        ``explain_from``)."""
        return {name: t.approve_below for name, t in self.thresholds_for(language).items()}

    def thresholds_for(self, language: str) -> dict[str, Threshold]:
        """The thresholds for ``language``: the language's own over those of its primary
        subtag (``ru-Latn`` falls back to ``ru``) over the defaults."""
        primary = language.split("-", 1)[0]
        return {
            **self.thresholds,
            **self.per_language.get(primary, {}),
            **self.per_language.get(language, {}),
        }


@dataclass(frozen=True)
class Reason:
    code: str
    action: Action
    score: float | None
    detail: str
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[Reason, ...]
    scores: dict[str, float | None]
    language: str
    policy_version: str


def _judge(
    name: str, score: float | None, threshold: Threshold, spans: tuple[Span, ...]
) -> Reason | None:
    if score is None:
        if threshold.when_missing is Action.APPROVE:
            return None
        return Reason(name, threshold.when_missing, None, f"{name} could not be scored")
    if threshold.reject_at_or_above is not None and score >= threshold.reject_at_or_above:
        return Reason(
            name,
            Action.REJECT,
            score,
            f"{name} {score:.2f} is at or above the reject threshold {threshold.reject_at_or_above:.2f}",
            spans,
        )
    if score >= threshold.approve_below:
        return Reason(
            name,
            Action.HOLD,
            score,
            f"{name} {score:.2f} is at or above the approve threshold {threshold.approve_below:.2f}",
            spans,
        )
    return None


def _repeated(copies: int, rule: Repetition) -> Reason | None:
    action = rule.action(copies)
    if action is None:
        return None
    times = "once" if copies == 1 else f"{copies} times"
    window = f" in the last {rule.window_hours:g} hours" if math.isfinite(rule.window_hours) else ""
    text = "the same or a nearly identical text" if rule.near_copies else "the same text"
    return Reason("repeated", action, None, f"{text} was posted {times} before{window}")


def decide(scores: CommentScores, policy: Policy, *, earlier_copies: int = 0) -> Decision:
    """Turn one comment's scores into approve, hold or reject, with the reasons why.

    ``earlier_copies``: how many comments with the same (or, with the rule's ``similarity``
    below 1, a nearly identical) text came before this one within the policy's repetition window (see :mod:`moderation.domain.repetition`).
    """
    reasons: list[Reason] = []
    repeated = _repeated(earlier_copies, policy.repetition)
    if repeated is not None:
        reasons.append(repeated)
    if not scores.language_supported:
        reasons.append(
            Reason(
                "unsupported_language",
                policy.unsupported_language,
                None,
                f"language {scores.language!r} is not one the models were trained for",
            )
        )
    else:
        thresholds = policy.thresholds_for(scores.language)
        for name in SCORE_NAMES:
            reason = _judge(
                name, getattr(scores, name), thresholds[name], scores.spans.get(name, ())
            )
            if reason is not None:
                reasons.append(reason)
    flagged = [r for r in reasons if r.action is not Action.APPROVE]
    action = max((r.action for r in flagged), key=_SEVERITY.__getitem__, default=Action.APPROVE)
    flagged.sort(key=lambda r: (-_SEVERITY[r.action], -(r.score or 0.0)))
    return Decision(action, tuple(flagged), scores.as_dict(), scores.language, policy.version)


def fallback_hold(reason_code: str, detail: str, policy_version: str) -> Decision:
    """The failure policy: when no model decision can be made, hold for a human, never approve."""
    return Decision(
        Action.HOLD,
        (Reason(reason_code, Action.HOLD, None, detail),),
        dict.fromkeys(SCORE_NAMES),
        "und",
        policy_version,
    )
