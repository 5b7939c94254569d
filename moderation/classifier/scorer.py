"""The real scorer: detect the language, route to that language's models, explain each score.

Only English has models today. A comment in any other language gets ``language_supported =
False`` and no scores: scoring Russian with an English n-gram model would produce confident
nonsense. Adding a language means adding an entry to ``routes`` (see :func:`build_scorer`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moderation.classifier.heads import OffTopicHead, SpamHead, ToxicityHead
from moderation.classifier.language import LanguageDetector
from moderation.domain.scores import CommentInput, CommentScores


@dataclass(frozen=True)
class LanguageModels:
    """The models for one language. Spam shares the toxicity n-grams when they are equal."""

    toxicity: ToxicityHead
    spam: SpamHead
    off_topic: OffTopicHead

    def score(self, comment: CommentInput, language: str) -> CommentScores:
        text = comment.text
        vec = self.toxicity.ngrams.vectorise(text)
        spam_vec = (
            vec if self.spam.ngrams is self.toxicity.ngrams else self.spam.ngrams.vectorise(text)
        )
        toxicity = self.toxicity.score(vec, text)
        spam = self.spam.score(spam_vec, text)
        spans = {"toxicity": toxicity.spans, "spam": spam.spans}
        off_topic: float | None = None
        if comment.article_title or comment.article_body:
            fit = self.off_topic.score(text, comment.article_title, comment.article_body)
            off_topic = round(fit.probability, 6)
            spans["off_topic"] = fit.spans
        return CommentScores(
            toxicity=round(toxicity.probability, 6),
            off_topic=off_topic,
            spam=round(spam.probability, 6),
            language=language,
            language_supported=True,
            spans=spans,
            subscores=toxicity.subscores,
        )


class ModerationScorer:
    """Implements :class:`moderation.classifier.Scorer` over per-language models."""

    def __init__(
        self,
        *,
        model_version: str,
        routes: Mapping[str, LanguageModels],
        detector: LanguageDetector,
        card: dict[str, Any],
    ) -> None:
        self.model_version = model_version
        self.routes = dict(routes)
        self.detector = detector
        self.card = card

    def score(self, comments: Sequence[CommentInput]) -> list[CommentScores]:
        return [self.score_one(c) for c in comments]

    def score_one(self, comment: CommentInput) -> CommentScores:
        language = self.detector.detect(comment.text).language
        models = self.routes.get(language)
        if models is None:
            return CommentScores(
                toxicity=None,
                off_topic=None,
                spam=None,
                language=language,
                language_supported=False,
            )
        return models.score(comment, language)


def build_scorer(artifacts: Mapping[str, Any], card: dict[str, Any]) -> ModerationScorer:
    """Wire loaded artifacts into a scorer; the one place that knows which language has what."""
    toxicity = ToxicityHead(artifacts["toxicity"]["model"], artifacts["toxicity"]["subtypes"])
    spam = SpamHead(artifacts["spam"])
    if _same_vocabulary(spam.ngrams, toxicity.ngrams):
        spam.ngrams = toxicity.ngrams  # featurise once per comment
    english = LanguageModels(toxicity, spam, OffTopicHead(artifacts["off_topic"]))
    scorer = ModerationScorer(
        model_version=str(card["model_version"]),
        routes={"en": english},
        detector=LanguageDetector(),
        card=card,
    )
    # Build the lazy lookup tables now, so loading pays for them and the first comment does not.
    scorer.score([CommentInput("Warm up the models, please.", "Warm up", "Warm up the models.")])
    return scorer


def _same_vocabulary(a: Any, b: Any) -> bool:
    import numpy as np

    return a.get_params() == b.get_params() and np.array_equal(a.hashes_, b.hashes_)
