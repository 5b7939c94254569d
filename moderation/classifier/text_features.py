"""TF-IDF over hashed character and word n-grams of NORMALISED text, with term positions.

One estimator turns raw comments into features for training and for serving. It keeps, for
each n-gram occurrence, where it sits in the normalised text, which is what lets explanations
point back at original characters. The vocabulary is pruned by document frequency and stored
as a sorted array of 64-bit n-gram hashes (see :mod:`moderation.classifier.ngram_hashing`),
which keeps the artifact small and lookups vectorised.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from moderation.classifier.ngram_hashing import (
    WORD,
    char_ngrams,
    word_bounded,
    word_ngrams,
    word_unigram_hashes,
)
from moderation.classifier.normalise import Normalised, normalise

MAX_CHARS = 1500  # the service rejects longer comments; training truncates C3 to the same
BUCKET_BITS = 20  # 1M buckets (4 MB): most hashes are settled by the first vocabulary entry
PRESENT_BITS = 21  # the presence table: 2M bits (256 KB), small enough to stay in cache
_ONE, _63 = np.uint64(1), np.uint64(63)
PARAMETERS = ("char_sizes", "word_sizes", "min_df", "max_char_terms", "max_word_terms", "max_chars")


@dataclass(frozen=True)
class Vectorised:
    """One comment's feature row plus where each used occurrence sits in the normalised text."""

    normalised: Normalised
    indices: np.ndarray  # feature ids, sorted and unique
    values: np.ndarray  # tf-idf weights, l2-normalised
    occurrence_ids: np.ndarray  # feature id of each in-vocabulary occurrence
    occurrence_centres: np.ndarray  # normalised character index at each occurrence's centre

    @cached_property
    def words(self) -> tuple[np.ndarray, np.ndarray]:
        """Start and end of each word of the normalised text (shared by all explanations)."""
        return word_spans_of(self.normalised.text)


def prefix_end(length: int, limit: int, word_starts: np.ndarray, word_ends: np.ndarray) -> int:
    """Where a text of ``length`` characters is cut to keep at most ``limit`` of them without
    splitting a word (``word_starts``/``word_ends``: its :data:`WORD` spans, in order): at
    ``limit``, or else at the start of the word running across it (at its end when that word
    is the first: a text is never cut to nothing). Both scoring paths and training cut here.
    """
    if length <= limit:
        return length
    k = int(np.searchsorted(word_ends, limit, side="right"))  # the first word ending after
    if k < len(word_starts) and word_starts[k] < limit:
        return int(word_starts[k]) if word_starts[k] > 0 else int(word_ends[k])
    return limit


def word_spans_of(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each :data:`WORD` of ``text``."""
    spans = [m.span() for m in WORD.finditer(text)]
    return (
        np.array([s for s, _ in spans], dtype=np.int64),
        np.array([e for _, e in spans], dtype=np.int64),
    )


class TextFeatures:
    """Sublinear TF-IDF of char n-grams and word n-grams of :func:`normalise`-d text."""

    # Subclasses may keep only the char n-grams inside one word (ngram_hashing.word_bounded);
    # a class attribute, not a parameter, so the fitted objects' saved state is unchanged.
    word_bounded: ClassVar[bool] = False

    def __init__(
        self,
        *,
        char_sizes: tuple[int, int] = (2, 5),
        word_sizes: tuple[int, int] = (1, 2),
        min_df: int = 3,
        max_char_terms: int = 200_000,
        max_word_terms: int = 60_000,
        max_chars: int = MAX_CHARS,
    ) -> None:
        self.char_sizes = char_sizes
        self.word_sizes = word_sizes
        self.min_df = min_df
        self.max_char_terms = max_char_terms
        self.max_word_terms = max_word_terms
        self.max_chars = max_chars

    def hashes(self, normalised_text: str) -> tuple[np.ndarray, np.ndarray, int]:
        """All n-gram hashes of normalised text, their centres, and how many are char n-grams."""
        chars, char_centres = char_ngrams(normalised_text, self.char_sizes)
        if self.word_bounded:
            inside = word_bounded(normalised_text, self.char_sizes)
            chars, char_centres = chars[inside], char_centres[inside]
        words, word_centres = word_ngrams(normalised_text, self.word_sizes)
        return (
            np.concatenate([chars, words]),
            np.concatenate([char_centres, word_centres]),
            len(chars),
        )

    def fit(self, X: Iterable[str], y: object = None) -> TextFeatures:
        char_parts: list[np.ndarray] = []
        word_parts: list[np.ndarray] = []
        n_docs = 0
        for text in X:
            hashes, _, n_chars = self.hashes(self.normalise(text).text)
            char_parts.append(np.unique(hashes[:n_chars]))
            word_parts.append(np.unique(hashes[n_chars:]))
            n_docs += 1
        kept = [
            _frequent(char_parts, self.min_df, self.max_char_terms),
            _frequent(word_parts, self.min_df, self.max_word_terms),
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

    def same_vocabulary(self, other: TextFeatures) -> bool:
        """Whether ``other`` gives every text the same features as this one: the same
        normaliser, n-gram sizes and limits, and the same n-grams with the same IDF."""
        return (
            type(self).normalise is type(other).normalise
            and self.word_bounded == other.word_bounded
            and all(getattr(self, p) == getattr(other, p) for p in PARAMETERS)
            and np.array_equal(self.hashes_, other.hashes_)
            and np.array_equal(self.idf_, other.idf_)
        )

    def known_words(self, words: list[str]) -> np.ndarray:
        """Which of ``words`` (lower-case letters, as normalised text has them) are word
        unigrams of this vocabulary: language detection asks whether a short text is English."""
        if not words or self.word_sizes[0] > 1 or not len(self.hashes_):
            return np.zeros(len(words), dtype=bool)
        if not all(map(WORD.fullmatch, words)):
            hashes, _ = word_ngrams(" ".join(words), (1, 1))
            return self.lookup(hashes) >= 0
        # Each is one word as word_ngrams finds them: its unigram hash, computed word by word
        # (for the few words of a short comment, far cheaper than the array passes).
        wanted = np.array(word_unigram_hashes(words), dtype=np.uint64)
        at = np.minimum(self.hashes_.searchsorted(wanted), len(self.hashes_) - 1)
        return self.hashes_[at] == wanted

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Feature id of each hash, or -1 when it is not in the vocabulary.

        The top bits of a hash pick a bucket; buckets index the sorted vocabulary. Most
        hashes are settled by comparing with their bucket's first entry (two gathers for the
        whole array); only the misses in buckets with more entries take a second look.
        """
        starts = self.bucket_starts()
        bucket = (hashes >> np.uint64(64 - BUCKET_BITS)).astype(np.intp)
        pos = starts[bucket].astype(np.intp)
        vocabulary = self._padded_hashes()
        # Most buckets hold one vocabulary hash or none: one gather settles nearly every hash.
        ids = np.where(vocabulary[pos] == hashes, pos, -1)
        missed = np.flatnonzero(ids < 0)
        if len(missed):
            end = starts[bucket[missed] + 1]
            at = pos[missed] + 1
            todo = np.flatnonzero(at < end)
            while len(todo):
                where = at[todo]
                hit = vocabulary[where] == hashes[missed[todo]]
                ids[missed[todo[hit]]] = where[hit]
                at[todo] += 1
                todo = todo[~hit & (at[todo] < end[todo])]
        return ids

    def _padded_hashes(self) -> np.ndarray:
        """``hashes_`` plus one entry, so ``pos == len(hashes_)`` can be gathered too."""
        cached: np.ndarray | None = self.__dict__.get("_padded")
        if cached is None:
            cached = np.append(self.hashes_, np.uint64(0)).astype(np.uint64)
            self.__dict__["_padded"] = cached
        return cached

    def bucket_starts(self) -> np.ndarray:
        """Where each bucket of hashes (their top :data:`BUCKET_BITS` bits) starts in
        ``hashes_``; :meth:`lookup` and the compiled core share it."""
        cached: np.ndarray | None = self.__dict__.get("_starts")
        if cached is None:
            # hashes_ is sorted, so bucket b starts after all hashes of buckets < b: a count
            # and a cumulative sum (the same array as searchsorted over bucket edges, faster).
            buckets = (self.hashes_ >> np.uint64(64 - BUCKET_BITS)).astype(np.intp)
            cached = np.zeros(2**BUCKET_BITS + 1, dtype=np.int32)
            np.cumsum(np.bincount(buckets, minlength=2**BUCKET_BITS), out=cached[1:])
            self.__dict__["_starts"] = cached
        return cached

    def presence(self) -> np.ndarray:
        """Bit t (of word t // 64, from the low end) is set when some vocabulary hash has t
        as its top :data:`PRESENT_BITS` bits: a clear bit rules a hash out. The compiled core
        reads it before the far larger bucket table (see ``_ngrams.c``, ``Vocabulary``)."""
        cached: np.ndarray | None = self.__dict__.get("_present")
        if cached is None:
            top = self.hashes_ >> np.uint64(64 - PRESENT_BITS)
            cached = np.zeros(2 ** (PRESENT_BITS - 6), dtype=np.uint64)
            np.bitwise_or.at(cached, (top >> np.uint64(6)).astype(np.intp), _ONE << (top & _63))
            self.__dict__["_present"] = cached
        return cached

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_starts", None)
        state.pop("_padded", None)
        state.pop("_present", None)
        return state

    def normalise(self, text: str) -> Normalised:
        """The de-obfuscated, bounded text the n-grams are taken from (per-language hook)."""
        return normalise(text[: self.max_chars])

    def vectorise(self, text: str, *, within: int | None = None) -> Vectorised:
        """Features of one raw comment (the serving hot path). ``within``: only the first
        that many characters of the normalised text count, cut between words
        (:func:`prefix_end`); the result's ``normalised`` is then that prefix."""
        normalised = self.normalise(text)
        if within is not None and len(normalised.text) > within:
            starts, ends = word_spans_of(normalised.text)
            normalised = normalised.prefix(prefix_end(len(normalised.text), within, starts, ends))
        hashes, centres, _ = self.hashes(normalised.text)
        ids = self.lookup(hashes)
        found = ids >= 0
        occurrence_ids = ids[found]
        indices, counts = np.unique(occurrence_ids, return_counts=True)
        values = tfidf_row(counts, self.idf_[indices])
        return Vectorised(normalised, indices, values, occurrence_ids, centres[found])

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        rows = [self.vectorise(text) for text in X]
        indptr = np.cumsum([0] + [len(r.indices) for r in rows])
        indices = np.concatenate([r.indices for r in rows]) if rows else np.zeros(0, np.int64)
        data = np.concatenate([r.values for r in rows]) if rows else np.zeros(0)
        return sp.csr_matrix((data, indices, indptr), shape=(len(rows), self.n_features_out_))


_LOG_TF = np.zeros(0)


def log_tf(size: int) -> np.ndarray:
    """A table of at least ``size`` entries: 1 + log k at k (numpy's log; 0 at k = 0).

    Every path (this module, the batch path and the compiled core) takes the sublinear term
    frequency from this table, so they all use the same bits whatever log each has.
    """
    global _LOG_TF
    table = _LOG_TF
    if len(table) < size:  # grown here, and kept if no other thread kept a larger one
        table = np.arange(1 << max(size - 1, 1).bit_length(), dtype=np.float64)
        table[1:] = 1.0 + np.log(table[1:])
        if len(table) > len(_LOG_TF):
            _LOG_TF = table
    return table


def tfidf_row(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """One comment's sublinear TF-IDF values, l2-normalised.

    The squares are summed in order (a cumulative sum), as the compiled core's ``tfidf``
    sums them: the two give the same bits, which explanations need (they break ties between
    equal words by the last bits).
    """
    if not len(counts):
        return np.zeros(0)
    values = log_tf(int(counts.max()) + 1)[counts] * idf
    norm = math.sqrt(float(np.cumsum(values * values)[-1])) or 1.0
    return values / norm


def _frequent(parts: list[np.ndarray], min_df: int, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``limit`` hashes with the highest document frequency (at least ``min_df``)."""
    if not parts or limit <= 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    hashes, counts = np.unique(np.concatenate(parts), return_counts=True)
    keep = counts >= min_df
    hashes, counts = hashes[keep], counts[keep]
    best = np.lexsort((hashes, -counts))[:limit]  # ties broken by hash: deterministic
    return hashes[best], counts[best]
