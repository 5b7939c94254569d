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

from moderation.classifier import compiled as compiled_core
from moderation.classifier.ngram_hashing import word_hashes
from moderation.classifier.normalise import normalise
from moderation.classifier.text_features import MAX_CHARS

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
LEXICON_FEATURES = ("lexicon_max", "lexicon_top3", "lexicon_hits")
HIT_AT = 0.3  # a word with at least this span rate counts as a hit
KEPT = 10  # words :meth:`ToxicLexicon.scan` keeps per comment (_ngrams.c's LEXICON_KEPT)


class ToxicLexicon:
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
        state = dict(self.__dict__)
        state.pop("_rate_of", None)
        state.pop("_hash_table", None)
        return state

    def scan(
        self, text: bytes, starts: np.ndarray, lengths: np.ndarray
    ) -> tuple[np.ndarray, list[list[tuple[float, int, int]]]]:
        """For many normalised comments at once, in the compiled core: each one's
        :func:`summarise` features and the first :data:`KEPT` of its :meth:`word_rates`.

        ``text`` holds the comments end to end as UTF-32; ``starts`` and ``lengths`` locate
        each (in code points). Gives exactly what :meth:`word_rates` and :func:`summarise`
        give (tests compare them).
        """
        hashes, rates = self._by_hash()
        n = len(starts)
        features = np.empty((n, len(LEXICON_FEATURES)))
        kept = np.empty(n, dtype=np.int64)
        spans = np.empty((n, KEPT, 2), dtype=np.int64)
        kept_rates = np.empty((n, KEPT))
        compiled_core.lexicon_scan(
            text, starts, lengths, hashes, rates, HIT_AT, features, kept, spans, kept_rates
        )
        first = [
            [
                (rate, start, end)
                for rate, (start, end) in zip(
                    kept_rates[i, :k].tolist(), spans[i, :k].tolist(), strict=True
                )
            ]
            for i, k in enumerate(kept.tolist())
        ]
        return features, first

    def _by_hash(self) -> tuple[np.ndarray, np.ndarray]:
        """The words' hashes (:func:`ngram_hashing.word_hashes`), sorted, and their rates."""
        cached: tuple[np.ndarray, np.ndarray] | None = self.__dict__.get("_hash_table")
        if cached is None:
            hashes = word_hashes(self.words_.split("\n"))
            order = np.argsort(hashes)
            cached = (hashes[order], np.ascontiguousarray(self.rates_[order], dtype=np.float64))
            self.__dict__["_hash_table"] = cached
        return cached

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
