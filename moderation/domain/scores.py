"""What the classifiers say about one comment, as plain values the policy can reason about."""

from __future__ import annotations

from dataclasses import dataclass, field

SCORE_NAMES = ("toxicity", "off_topic", "spam")


@dataclass(frozen=True)
class Span:
    """A stretch of the original comment text that drove a score (character offsets, end exclusive)."""

    start: int
    end: int
    text: str
    weight: float


@dataclass(frozen=True)
class CommentInput:
    """One comment to score, with whatever article context the CMS gave us."""

    text: str
    article_title: str | None = None
    article_body: str | None = None
    article_language: str | None = None
    thread: tuple[str, ...] = ()
    parent: str | None = None  # the text of the comment this one replies to, when known


@dataclass(frozen=True)
class CommentScores:
    """Scores in [0, 1] (None when not computed), the detected language and the spans behind each score."""

    toxicity: float | None
    off_topic: float | None
    spam: float | None
    language: str
    language_supported: bool
    spans: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    subscores: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in SCORE_NAMES}
