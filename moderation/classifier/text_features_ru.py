"""The English n-gram features over Russian-normalised text.

:class:`~moderation.classifier.text_features.TextFeatures` calls the English normaliser
directly, which turns Cyrillic look-alikes in mixed words into Latin ("хyй" -> "xyй"): the
opposite of what a Russian model needs. This subclass swaps the normaliser in ``fit`` and
``vectorise`` (the only two places it is called; their bodies are otherwise the parent's), so
the fitted object has the same attributes and the heads, explanations and hashing reuse it.
If ``TextFeatures`` grows a normaliser hook, this class shrinks to one line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from moderation.classifier.normalise_ru import normalise_ru
from moderation.classifier.text_features import TextFeatures, Vectorised


class RussianTextFeatures(TextFeatures):
    """Sublinear TF-IDF of char and word n-grams of :func:`normalise_ru`-d text."""

    def fit(self, X: Iterable[str], y: object = None) -> RussianTextFeatures:
        char_parts: list[np.ndarray] = []
        word_parts: list[np.ndarray] = []
        n_docs = 0
        for text in X:
            hashes, _, n_chars = self.hashes(normalise_ru(text[: self.max_chars]).text)
            char_parts.append(np.unique(hashes[:n_chars]))
            word_parts.append(np.unique(hashes[n_chars:]))
            n_docs += 1
        kept = [
            _most_frequent(char_parts, self.min_df, self.max_char_terms),
            _most_frequent(word_parts, self.min_df, self.max_word_terms),
        ]
        hashes = np.concatenate([k[0] for k in kept])
        counts = np.concatenate([k[1] for k in kept])
        is_word = np.arange(len(hashes)) >= len(kept[0][0])
        order = np.argsort(hashes)
        self.hashes_ = hashes[order]
        self.is_word_ = is_word[order]
        self.idf_ = (np.log((1 + n_docs) / (1 + counts[order])) + 1).astype(np.float32)
        self.n_features_out_ = len(self.hashes_)
        return self

    def vectorise(self, text: str) -> Vectorised:
        """Features of one raw comment (the serving hot path)."""
        normalised = normalise_ru(text[: self.max_chars])
        hashes, centres, _ = self.hashes(normalised.text)
        ids = self.lookup(hashes)
        found = ids >= 0
        occurrence_ids = ids[found]
        indices, counts = np.unique(occurrence_ids, return_counts=True)
        values = (1.0 + np.log(counts)) * self.idf_[indices]
        norm = math.sqrt(float(values @ values)) or 1.0
        return Vectorised(normalised, indices, values / norm, occurrence_ids, centres[found])


def _most_frequent(
    parts: list[np.ndarray], min_df: int, limit: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``limit`` hashes with the highest document frequency (at least ``min_df``)."""
    if not parts or limit <= 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    hashes, counts = np.unique(np.concatenate(parts), return_counts=True)
    keep = counts >= min_df
    hashes, counts = hashes[keep], counts[keep]
    best = np.lexsort((hashes, -counts))[:limit]  # ties broken by hash: deterministic
    return hashes[best], counts[best]
