"""TF-IDF over character and word n-grams of NORMALISED text, with term positions.

One estimator turns raw comments into features for training and for serving. It keeps, for
each n-gram occurrence, where it sits in the normalised text, which is what lets explanations
point back at original characters. The vocabulary is pruned by document frequency so the
artifact stays small, and it is stored as one newline-joined string (fast to save and load).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from moderation.classifier.normalise import Normalised, normalise

MAX_CHARS = 1500  # the service rejects longer comments; training truncates C3 to the same
WORD_MARK = "\x01"  # prefix of word terms; normalisation deletes \x01, so no char n-gram has it
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


@dataclass(frozen=True)
class Vectorised:
    """One comment's feature row plus where each used occurrence sits in the normalised text."""

    normalised: Normalised
    indices: np.ndarray  # feature ids, unique
    values: np.ndarray  # tf-idf weights, l2-normalised
    occurrence_ids: np.ndarray  # feature id of each in-vocabulary occurrence
    occurrence_centres: np.ndarray  # normalised character index at each occurrence's centre


class TextFeatures(TransformerMixin, BaseEstimator):
    """Sublinear TF-IDF of char n-grams and word n-grams of :func:`normalise`-d text."""

    def __init__(
        self,
        *,
        char_sizes: tuple[int, int] = (2, 5),
        word_sizes: tuple[int, int] = (1, 2),
        min_df: int = 3,
        max_char_terms: int = 200_000,
        max_word_terms: int = 60_000,
    ) -> None:
        self.char_sizes = char_sizes
        self.word_sizes = word_sizes
        self.min_df = min_df
        self.max_char_terms = max_char_terms
        self.max_word_terms = max_word_terms

    def analyse(self, text: str) -> tuple[list[str], list[int]]:
        """All n-grams of normalised ``text`` and the centre position of each."""
        padded = f" {text} "
        terms: list[str] = []
        centres: list[int] = []
        low, high = self.char_sizes
        for size in range(low, high + 1):
            count = len(padded) - size + 1
            terms += [padded[i : i + size] for i in range(count)]
            half = (size - 1) // 2 - 1  # -1 undoes the padding space
            centres += range(half, half + count)
        words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
        low, high = self.word_sizes
        for size in range(low, high + 1):
            for i in range(len(words) - size + 1):
                chunk = words[i : i + size]
                terms.append(WORD_MARK + " ".join(w for w, _, _ in chunk))
                centres.append((chunk[0][1] + chunk[-1][2] - 1) // 2)
        return terms, centres

    def fit(self, X: Iterable[str], y: object = None) -> TextFeatures:
        df: Counter[str] = Counter()
        n_docs = 0
        for text in X:
            df.update(set(self.analyse(normalise(text[:MAX_CHARS]).text)[0]))
            n_docs += 1
        frequent = [(t, c) for t, c in df.items() if c >= self.min_df]
        words = sorted((p for p in frequent if p[0][0] == WORD_MARK), key=_by_df)
        chars = sorted((p for p in frequent if p[0][0] != WORD_MARK), key=_by_df)
        kept = sorted(words[: self.max_word_terms] + chars[: self.max_char_terms])
        self.terms_ = "\n".join(t for t, _ in kept)
        counts = np.array([c for _, c in kept], dtype=np.float64)
        self.idf_ = (np.log((1 + n_docs) / (1 + counts)) + 1).astype(np.float32)
        self.n_features_out_ = len(kept)
        return self

    @property
    def index(self) -> dict[str, int]:
        """Term to feature id; rebuilt after loading rather than stored (it is big)."""
        cached: dict[str, int] | None = self.__dict__.get("_index")
        if cached is None:
            cached = {t: i for i, t in enumerate(self.terms_.split("\n"))}
            self.__dict__["_index"] = cached
        return cached

    def __getstate__(self) -> dict[str, object]:
        state = dict(super().__getstate__())
        state.pop("_index", None)
        return state

    def vectorise(self, text: str) -> Vectorised:
        """Features of one raw comment (the serving hot path)."""
        normalised = normalise(text[:MAX_CHARS])
        terms, centres = self.analyse(normalised.text)
        get = self.index.get
        ids = np.fromiter((get(t, -1) for t in terms), dtype=np.int64, count=len(terms))
        found = ids >= 0
        occurrence_ids = ids[found]
        unique, counts = np.unique(occurrence_ids, return_counts=True)
        values = (1.0 + np.log(counts)) * self.idf_[unique]
        norm = math.sqrt(float(values @ values)) or 1.0
        return Vectorised(
            normalised=normalised,
            indices=unique,
            values=values / norm,
            occurrence_ids=occurrence_ids,
            occurrence_centres=np.asarray(centres, dtype=np.int64)[found],
        )

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        rows = [self.vectorise(text) for text in X]
        indptr = np.cumsum([0] + [len(r.indices) for r in rows])
        indices = np.concatenate([r.indices for r in rows]) if rows else np.zeros(0, np.int64)
        data = np.concatenate([r.values for r in rows]) if rows else np.zeros(0)
        shape = (len(rows), self.n_features_out_)
        return sp.csr_matrix((data, indices, indptr), shape=shape)

    def feature_names(self) -> list[str]:
        return self.terms_.split("\n")


def _by_df(pair: tuple[str, int]) -> tuple[int, str]:
    return -pair[1], pair[0]
