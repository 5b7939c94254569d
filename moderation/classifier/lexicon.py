"""A toxic-word lexicon learned from human-marked toxic spans (Civil Comments Toxic Spans).

For each word, the lexicon stores how often annotators put it inside a toxic span when it
occurred in a post. Insults transfer across sites far better than whole-comment n-grams do
(those also learn each site's topics), so this is a strong, portable cue for news comments.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from moderation.classifier.normalise import normalise
from moderation.classifier.text_features import MAX_CHARS

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
LEXICON_FEATURES = ("lexicon_max", "lexicon_top3", "lexicon_hits")
HIT_AT = 0.3  # a word with at least this span rate counts as a hit


class ToxicLexicon(TransformerMixin, BaseEstimator):
    """Word -> share of occurrences inside annotated toxic spans; three dense features."""

    def __init__(
        self, *, min_count: int = 5, prior: float = 5.0, exclude: tuple[str, ...] = ()
    ) -> None:
        self.min_count = min_count
        self.prior = prior
        self.exclude = exclude

    def fit(self, X: Sequence[str], y: Sequence[Sequence[tuple[int, int]]]) -> ToxicLexicon:
        """``X`` are posts, ``y`` the toxic (start, end) spans marked in each, by any rater.

        ``raters`` per post is not known here, so a word's rate is the number of span marks
        over (3 x occurrences + prior): three raters annotated most posts.
        """
        marked: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        for text, spans in zip(X, y, strict=True):
            lowered = text.lower()
            seen.update(set(WORD.findall(lowered)))
            for start, end in spans:
                marked.update(set(WORD.findall(lowered[start:end])))
        excluded = set(self.exclude)  # identity words: often attacked, never toxic by themselves
        rates = {
            w: marked[w] / (3 * seen[w] + self.prior)
            for w in marked
            if seen[w] >= self.min_count and w not in excluded
        }
        words = sorted(rates)
        self.words_ = "\n".join(words)
        self.rates_ = np.array([rates[w] for w in words], dtype=np.float64)
        return self

    @property
    def rate_of(self) -> dict[str, float]:
        cached: dict[str, float] | None = self.__dict__.get("_rate_of")
        if cached is None:
            cached = dict(zip(self.words_.split("\n"), self.rates_.tolist(), strict=True))
            self.__dict__["_rate_of"] = cached
        return cached

    def __getstate__(self) -> dict[str, object]:
        state = dict(super().__getstate__())
        state.pop("_rate_of", None)
        return state

    def word_rates(self, normalised_text: str) -> list[tuple[float, int, int]]:
        """(rate, start, end) of each lexicon word in already-normalised text."""
        get = self.rate_of.get
        return [
            (rate, m.start(), m.end())
            for m in WORD.finditer(normalised_text)
            if (rate := get(m.group(), 0.0)) > 0.0
        ]

    def features_of(self, normalised_text: str) -> np.ndarray:
        return summarise([r for r, _, _ in self.word_rates(normalised_text)])

    def transform(self, X: Sequence[str]) -> np.ndarray:
        rows = [self.features_of(normalise(text[:MAX_CHARS]).text) for text in X]
        return np.vstack(rows) if rows else np.zeros((0, len(LEXICON_FEATURES)))


def summarise(rates: list[float]) -> np.ndarray:
    """The features in :data:`LEXICON_FEATURES` from the rates of a comment's lexicon words."""
    ordered = sorted(rates, reverse=True)
    top = ordered[0] if ordered else 0.0
    return np.array([top, sum(ordered[:3]), float(sum(r >= HIT_AT for r in ordered))])
