"""Featurise and explain many comments at once: one hashing pass, one lookup, one sparse matrix.

The per-comment path (:meth:`TextFeatures.vectorise`) pays numpy's per-call overhead a few
dozen times per comment. Here all normalised texts are laid end to end (each padded with a
space on both sides, as :func:`~moderation.classifier.ngram_hashing.char_ngrams` does), the
rolling hashes run once over the whole batch, n-grams that cross from one comment into the
next are dropped, and the rest go through the vocabulary lookup together. The result is the
same TF-IDF rows (to the last bit but for the order of summation in the l2 norm) and the
same per-occurrence data the explanations need.

Occurrences are kept in the per-comment order (n-gram size first, then position), because
word contributions are summed in that order: the explanation weights come out bit-identical.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from moderation.classifier import compiled as compiled_core
from moderation.classifier.explain import MIN_WEIGHT, TOP_SPANS, pick_spans
from moderation.classifier.ngram_hashing import _P, _P_INV, _WORD_SALT, WORD, _mix
from moderation.classifier.normalise import Normalised
from moderation.classifier.text_features import (
    BUCKET_BITS,
    PRESENT_BITS,
    TextFeatures,
    log_tf,
    prefix_end,
    tfidf_row,
)
from moderation.domain.scores import Span

_U = np.uint64
_ONE = _U(1)
_PRIME = _U(_P)
_PRIME_INV = _U(_P_INV)


@dataclass(frozen=True)
class HashedBatch:
    """A batch of normalised texts laid end to end, with their words.

    ``groups`` (every n-gram occurrence, by kind and size) is what the numpy featuriser works
    from; it is computed on first use, so the compiled featuriser never pays for it.
    """

    texts: list[str]
    char_sizes: range
    word_sizes: range
    word_starts: np.ndarray  # global (text_offsets-based) start of every word, in doc order
    word_ends: np.ndarray
    word_ptr: np.ndarray  # words of doc i are word_ptr[i]:word_ptr[i + 1]
    text_offsets: np.ndarray  # where each text starts in the global coordinates
    local_word_starts: np.ndarray  # the same words, counted from the start of their text
    local_word_ends: np.ndarray
    utf32: bytes  # the texts end to end, unpadded, as UTF-32 (what the compiled core reads)
    starts: np.ndarray  # where each text starts in ``utf32``, in code points
    lengths: np.ndarray  # of each text, in code points
    _cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def codes(self) -> np.ndarray:
        """The padded texts end to end, as code points + 1 (global coordinates)."""
        if "codes" not in self._cache:
            joined = "".join(f" {t} " for t in self.texts)
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            self._cache["codes"] = codes.astype(np.uint64) + _ONE
        return self._cache["codes"]  # type: ignore[return-value]

    @property
    def groups(self) -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Hash, text and centre of every n-gram occurrence, grouped by (kind, size)."""
        if "groups" not in self._cache:
            self._cache["groups"] = _hash_groups(self)
        return self._cache["groups"]  # type: ignore[return-value]


def hash_batch(texts: Sequence[str], char_sizes: range, word_sizes: range) -> HashedBatch:
    """Lay ``texts`` end to end and find their words, for n-grams of the given sizes.

    Each text is padded with a space on both sides, as
    :func:`~moderation.classifier.ngram_hashing.char_ngrams` does.
    """
    texts = list(texts)
    n = len(texts)
    lengths = np.fromiter((len(t) for t in texts), np.int64, n)
    starts = np.zeros(n, dtype=np.int64)
    if n > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    padded = lengths + 2
    padded_starts = np.zeros(n, dtype=np.int64)
    if n > 1:
        np.cumsum(padded[:-1], out=padded_starts[1:])
    text_offsets = padded_starts + 1  # the text itself starts after the leading space
    utf32 = "".join(texts).encode("utf-32-le", "surrogatepass")
    # Words, found in each normalised text (the same spans Vectorised.words uses).
    word_ptr, local_starts, local_ends = _words(texts, utf32, starts, lengths)
    if n == 1:  # one comment, the worker's case: its text starts at 1 (after the space)
        word_starts, word_ends = local_starts + 1, local_ends + 1
    else:
        shift = np.repeat(text_offsets, np.diff(word_ptr))
        word_starts, word_ends = local_starts + shift, local_ends + shift
    return HashedBatch(
        texts, char_sizes, word_sizes, word_starts, word_ends, word_ptr, text_offsets,
        local_starts, local_ends, utf32, starts, lengths,
    )  # fmt: skip


def clip_batch(hashed: HashedBatch, limit: int | None) -> HashedBatch:
    """``hashed`` with each text cut to at most ``limit`` characters between words
    (:func:`~moderation.classifier.text_features.prefix_end`), as :func:`hash_batch` of the
    cut texts would give it; ``hashed`` itself when no text is longer (or ``limit`` is None).

    The texts keep their places in ``utf32`` (the compiled core reads each one's first
    ``lengths`` code points) and their first words; only the padded layout moves.
    """
    every = hashed.lengths.tolist()
    if limit is None or not every or max(every) <= limit:
        return hashed
    ptr = hashed.word_ptr
    if len(every) == 1:  # a single comment: the same, in fewer numpy calls
        ends = hashed.local_word_ends
        cut = prefix_end(every[0], limit, hashed.local_word_starts, ends)
        k = int(ends.searchsorted(cut, side="right"))  # the words ending by the cut
        starts, ends = hashed.local_word_starts[:k], ends[:k]
        return HashedBatch(
            [hashed.texts[0][:cut]], hashed.char_sizes, hashed.word_sizes, starts + 1, ends + 1,
            np.array([0, k], dtype=ptr.dtype), hashed.text_offsets, starts, ends, hashed.utf32,
            hashed.starts, np.array([cut], dtype=hashed.lengths.dtype),
        )  # fmt: skip
    lengths = hashed.lengths.copy()
    words = np.diff(ptr)  # each text's words, then those kept
    keep = np.ones(len(hashed.local_word_ends), dtype=bool)
    for i in np.flatnonzero(lengths > limit).tolist():
        a, b = int(ptr[i]), int(ptr[i + 1])
        ends = hashed.local_word_ends[a:b]
        cut = prefix_end(every[i], limit, hashed.local_word_starts[a:b], ends)
        lengths[i] = cut
        words[i] = int(ends.searchsorted(cut, side="right"))
        keep[a + int(words[i]) : b] = False
    text_offsets = np.ones(len(lengths), dtype=np.int64)  # after each padded text before
    np.cumsum(lengths[:-1] + 2, out=text_offsets[1:])
    text_offsets[1:] += 1
    word_ptr = np.zeros_like(ptr)
    np.cumsum(words, out=word_ptr[1:])
    shift = np.repeat(text_offsets, words)
    local_starts, local_ends = hashed.local_word_starts[keep], hashed.local_word_ends[keep]
    return HashedBatch(
        [t[:n] for t, n in zip(hashed.texts, lengths.tolist(), strict=True)],
        hashed.char_sizes, hashed.word_sizes, local_starts + shift, local_ends + shift,
        word_ptr, text_offsets, local_starts, local_ends, hashed.utf32, hashed.starts, lengths,
    )  # fmt: skip


def _words(
    texts: list[str], utf32: bytes, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each text's words start in ``word_starts``/``word_ends`` (n + 1 entries), and
    the spans of :data:`~moderation.classifier.ngram_hashing.WORD` in each text."""
    n = len(texts)
    word_ptr = np.zeros(n + 1, dtype=np.int64)
    if compiled_core.enabled():
        capacity = int(((lengths + 1) // 2).sum())
        word_starts = np.empty(capacity, dtype=np.int64)
        word_ends = np.empty(capacity, dtype=np.int64)
        found = compiled_core.find_words(utf32, starts, lengths, word_ptr, word_starts, word_ends)
        return word_ptr, word_starts[:found], word_ends[:found]
    spans = [[m.span() for m in WORD.finditer(text)] for text in texts]
    np.cumsum([len(s) for s in spans], out=word_ptr[1:])
    flat = np.array([x for s in spans for x in s], dtype=np.int64).reshape(-1, 2)
    return word_ptr, flat[:, 0].copy(), flat[:, 1].copy()


def _hash_groups(
    hashed: HashedBatch,
) -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Hash every character n-gram (sizes ``char_sizes``) and word n-gram of the batch.

    Every n-gram's raw polynomial hash is collected first and mixed in one pass (mixing is
    element-wise, so the hashes are those of mixing each group alone). With one text no
    n-gram crosses into another, so the per-size filters are skipped.
    """
    texts, codes, char_sizes, word_sizes = (
        hashed.texts, hashed.codes, hashed.char_sizes, hashed.word_sizes,
    )  # fmt: skip
    n = len(texts)
    padded = hashed.lengths + 2
    padded_starts = hashed.text_offsets - 1
    single = n == 1
    if single:
        doc = np.zeros(len(codes), dtype=np.int64)
        local = np.arange(len(codes), dtype=np.int64)
    else:
        doc = np.repeat(np.arange(n, dtype=np.int64), padded)
        local = np.arange(len(codes), dtype=np.int64) - padded_starts[doc]
    keys: list[tuple[str, int]] = []
    raw: list[np.ndarray] = []
    docs: list[np.ndarray] = []
    centres: list[np.ndarray] = []
    h = codes
    high = max(char_sizes, default=0)
    low = min(char_sizes, default=2)
    if low <= 1 <= high:  # every position belongs to one text: no unigram crosses over
        keys.append(("char", 1))
        raw.append(codes ^ _U(1))
        docs.append(doc)
        centres.append(local - 1)
    for size in range(2, high + 1):
        if len(codes) < size:
            break
        h = h[:-1] * _PRIME + codes[size - 1 :]
        if size >= low:
            keys.append(("char", size))
            if single:
                raw.append(h ^ _U(size))
                docs.append(doc[: len(h)])
                centres.append(local[: len(h)] + ((size - 1) // 2 - 1))
            else:
                valid = np.flatnonzero(doc[: len(h)] == doc[size - 1 :])
                raw.append(h[valid] ^ _U(size))
                docs.append(doc[valid])
                centres.append(local[valid] + ((size - 1) // 2 - 1))
    word_starts, word_ends = hashed.word_starts, hashed.word_ends
    local_starts, local_ends = hashed.local_word_starts, hashed.local_word_ends
    word_doc = np.repeat(np.arange(n, dtype=np.int64), np.diff(hashed.word_ptr))
    if len(word_starts) and len(word_sizes) and max(word_sizes) >= 1:
        powers = np.cumprod(np.full(len(codes), _P, dtype=np.uint64))
        inverse = np.cumprod(np.full(len(codes), _P_INV, dtype=np.uint64)) * _PRIME
        prefix = np.concatenate([[_U(0)], np.cumsum(codes * inverse, dtype=np.uint64)])
        words = _mix(
            (prefix[word_ends] - prefix[word_starts]) * powers[word_ends - 1] * _PRIME_INV
            ^ _WORD_SALT
        )
        wh = words
        for size in range(1, max(word_sizes) + 1):
            if size > 1:
                wh = wh[:-1] * _PRIME + words[size - 1 :]
            if size >= min(word_sizes) and len(wh):
                keys.append(("word", size))
                if single:
                    raw.append(wh ^ _U(size << 8))
                    docs.append(word_doc[: len(wh)])
                    centres.append((local_starts[: len(wh)] + local_ends[size - 1 :] - 1) // 2)
                else:
                    valid = np.flatnonzero(word_doc[: len(wh)] == word_doc[size - 1 :])
                    raw.append(wh[valid] ^ _U(size << 8))
                    docs.append(word_doc[valid])
                    centres.append((local_starts[valid] + local_ends[valid + size - 1] - 1) // 2)
    groups: dict[tuple[str, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    if raw:
        mixed = _mix(np.concatenate(raw))
        at = 0
        for key, part, d, c in zip(keys, raw, docs, centres, strict=True):
            groups[key] = (mixed[at : at + len(part)], d, c)
            at += len(part)
    return groups


@dataclass(frozen=True)
class SparseRows:
    """Rows in CSR form (the batch's TF-IDF rows), without scipy's per-matrix checks.

    ``rows @ dense`` (dense: one coefficient per column, or a column of them per output) sums
    each row's stored values in order, as scipy's csr_matvec does, bit for bit: in the
    compiled core when it is on, else through scipy itself.
    """

    data: np.ndarray  # float64
    indices: np.ndarray  # int32, sorted within each row
    indptr: np.ndarray  # int32, n + 1
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        return len(self.data)

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ``i``'s (indices, values)."""
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        return self.indices[a:b], self.data[a:b]

    def scipy(self) -> sp.csr_matrix:
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)

    def __matmul__(self, dense: np.ndarray) -> np.ndarray:
        columns = 1 if dense.ndim == 1 else dense.shape[1]
        if columns == 0:  # e.g. the sub-types of a language that has none
            return np.zeros((self.shape[0], 0))
        if not compiled_core.enabled():
            return np.asarray(self.scipy() @ dense)
        out = np.empty((self.shape[0], columns))
        table = np.ascontiguousarray(dense, dtype=np.float64)
        compiled_core.csr_dot(self.indptr, self.indices, self.data, table, columns, out)
        return out.reshape(self.shape[0]) if dense.ndim == 1 else out


@dataclass(frozen=True)
class BatchRows:
    """TF-IDF rows of a batch for one :class:`TextFeatures`, plus each occurrence's word."""

    matrix: SparseRows  # l2-normalised rows, sorted indices
    counts: np.ndarray  # occurrences behind each stored value
    occurrence_nnz: np.ndarray  # position in matrix.data of each occurrence inside a word
    occurrence_word: np.ndarray  # global index of that word (see HashedBatch.word_starts)


def featurise(
    features: TextFeatures, hashed: HashedBatch, *, compiled: bool | None = None
) -> BatchRows:
    """The rows :meth:`TextFeatures.vectorise` would give, for every text of ``hashed``.

    ``compiled``: use the compiled core (:mod:`moderation.classifier.compiled`) or the numpy
    path; by default the core when it is available and not turned off. Both give the same
    rows, counts and word assignments, bit for bit (tests compare them).
    """
    if compiled if compiled is not None else compiled_core.enabled():
        return _featurise_compiled(features, hashed)
    return featurise_numpy(features, hashed)


def featurise_numpy(features: TextFeatures, hashed: HashedBatch) -> BatchRows:
    """:func:`featurise` with numpy alone: one pass per n-gram size over the whole batch."""
    parts = [("char", s) for s in range(features.char_sizes[0], features.char_sizes[1] + 1)]
    parts += [("word", s) for s in range(features.word_sizes[0], features.word_sizes[1] + 1)]
    present = [p for p in parts if p in hashed.groups]
    chosen = [hashed.groups[p] for p in present]
    if features.word_bounded:
        space = hashed.codes == _U(ord(" ") + 1)
        before = np.concatenate([[0], np.cumsum(space)])  # spaces before each position
        chosen = [
            _inside_words(hashed, size, group, space, before) if kind == "char" else group
            for (kind, size), group in zip(present, chosen, strict=True)
        ]
    n = len(hashed.texts)
    n_features = int(features.n_features_out_)
    if chosen:
        hashes = np.concatenate([g[0] for g in chosen])
        docs = np.concatenate([g[1] for g in chosen])
        centres = np.concatenate([g[2] for g in chosen])
    else:
        hashes, docs, centres = np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    ids = features.lookup(hashes)
    found = np.flatnonzero(ids >= 0)
    if n == 1:
        return _featurise_one(features, hashed, ids[found], centres[found])
    docs, ids, centres = docs[found], ids[found], centres[found]
    keys = docs * n_features + ids
    unique, inverse, counts = _unique(keys)
    rows, cols = np.divmod(unique, n_features)
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    matrix = _tfidf_rows(features, cols.astype(np.int32), counts, indptr)
    # Which word each occurrence's centre falls in (as explain.word_spans assigns them).
    if len(hashed.word_starts) and len(docs):
        lengths = np.fromiter((len(t) for t in hashed.texts), np.int64, n)
        centres = np.clip(centres, 0, np.maximum(lengths - 1, 0)[docs])
        centres += hashed.text_offsets[docs]
        first, last = hashed.word_ptr[docs], hashed.word_ptr[docs + 1] - 1
        token = np.minimum(np.searchsorted(hashed.word_ends, centres, side="right"), last)
        inside = np.flatnonzero(
            (last >= first) & (hashed.word_starts[np.maximum(token, 0)] <= centres)
        )
        # Comment by comment (each in n-gram size, then position order), as the core gives.
        inside = inside[np.argsort(docs[inside], kind="stable")]
        return BatchRows(matrix, counts, inverse[inside], token[inside])
    empty = np.zeros(0, dtype=np.int64)
    return BatchRows(matrix, counts, empty, empty)


def _tfidf_rows(
    features: TextFeatures,
    ids: np.ndarray,
    counts: np.ndarray,
    indptr: np.ndarray,
    *,
    compiled: bool = False,
) -> SparseRows:
    """Sublinear TF-IDF rows, each l2-normalised, from sorted feature ids and their counts:
    :func:`text_features.tfidf_row` for each row, or the compiled core's ``tfidf``."""
    n = len(indptr) - 1
    idf = features.idf_
    if compiled:
        table = log_tf(int(counts.max()) + 1 if len(counts) else 1)
        values = np.empty(len(ids))
        compiled_core.tfidf(indptr, ids, counts, idf, table, values)
    elif n == 1:
        values = tfidf_row(counts, idf[ids])
    else:
        bounds = indptr.tolist()
        values = np.concatenate(
            [np.zeros(0)]
            + [tfidf_row(counts[a:b], idf[ids[a:b]]) for a, b in itertools.pairwise(bounds)]
        )
    return SparseRows(values, ids, indptr, (n, int(features.n_features_out_)))


def _featurise_compiled(features: TextFeatures, hashed: HashedBatch) -> BatchRows:
    """:func:`featurise` in the compiled core: hashing, lookup, counting and word assignment
    in one pass per comment; the TF-IDF weights are computed here, as the numpy path does."""
    n = len(hashed.texts)
    (char_lo, char_hi), (word_lo, word_hi) = features.char_sizes, features.word_sizes
    # Room for every occurrence: at most one n-gram per size per padded character or word.
    characters = int(hashed.lengths.sum()) + 2 * n
    capacity = 1 + (char_hi - char_lo + 1) * characters
    capacity += max(word_hi - word_lo + 1, 0) * len(hashed.local_word_starts)
    indptr = np.empty(n + 1, dtype=np.int32)
    ids = np.empty(capacity, dtype=np.int32)
    counts = np.empty(capacity, dtype=np.int64)
    occurrence_nnz = np.empty(capacity, dtype=np.int64)
    occurrence_word = np.empty(capacity, dtype=np.int64)
    nnz, n_occurrences = compiled_core.featurise(
        hashed.utf32, hashed.starts, hashed.lengths, hashed.local_word_starts, hashed.local_word_ends,
        hashed.word_ptr, features.hashes_, features.bucket_starts(), char_lo, char_hi,
        word_lo, word_hi, int(features.word_bounded), BUCKET_BITS,
        indptr, ids, counts, occurrence_nnz, occurrence_word, features.presence(), PRESENT_BITS,
    )  # fmt: skip
    matrix = _tfidf_rows(features, ids[:nnz], counts[:nnz], indptr, compiled=True)
    return BatchRows(
        matrix, counts[:nnz], occurrence_nnz[:n_occurrences], occurrence_word[:n_occurrences]
    )


def _inside_words(
    hashed: HashedBatch,
    size: int,
    group: tuple[np.ndarray, np.ndarray, np.ndarray],
    space: np.ndarray,
    before: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The occurrences of char ``size``-grams that stay inside one word, as
    :func:`~moderation.classifier.ngram_hashing.word_bounded` keeps them. ``space`` marks the
    spaces of ``hashed.codes``; ``before`` counts the spaces before each position."""
    hashes, docs, centres = group
    # Where each n-gram starts in the global coordinates (padded texts end to end).
    start = hashed.text_offsets[docs] - 1 + centres - ((size - 1) // 2 - 1)
    if size == 1:
        keep = ~space[start]
    elif size == 2:
        keep = ~(space[start] & space[start + 1])
    else:
        keep = before[start + size - 1] == before[start + 1]
    return hashes[keep], docs[keep], centres[keep]


def _featurise_one(
    features: TextFeatures, hashed: HashedBatch, ids: np.ndarray, centres: np.ndarray
) -> BatchRows:
    """:func:`featurise_numpy` for a batch of one text: the same arrays with fewer numpy calls
    (every occurrence is in row 0, so keys are the feature ids and the norm is one number)."""
    unique, inverse, counts = _unique(ids)
    indptr = np.array([0, len(unique)], dtype=np.int32)
    matrix = _tfidf_rows(features, unique.astype(np.int32), counts, indptr)
    n_words = len(hashed.word_starts)
    if n_words and len(ids):
        centres = np.clip(centres, 0, max(len(hashed.texts[0]) - 1, 0)) + 1  # text offset 1
        token = hashed.word_ends.searchsorted(centres, side="right")
        np.minimum(token, n_words - 1, out=token)
        inside = np.flatnonzero(hashed.word_starts[token] <= centres)
        return BatchRows(matrix, counts, inverse[inside], token[inside])
    empty = np.zeros(0, dtype=np.int64)
    return BatchRows(matrix, counts, empty, empty)


def _unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True, return_counts=True)``, faster here: a stable
    sort (timsort) profits from the ascending runs the grouped occurrences form."""
    if not len(keys):
        empty = np.zeros(0, dtype=np.int64)
        return keys, empty, empty
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    boundary = np.empty(len(keys), dtype=bool)
    boundary[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=boundary[1:])
    firsts = np.flatnonzero(boundary)
    counts = np.diff(np.append(firsts, len(keys)))
    inverse = np.empty(len(keys), dtype=np.intp)
    inverse[order] = np.cumsum(boundary) - 1
    return ordered[firsts], inverse, counts


def word_sums(
    hashed: HashedBatch, rows: BatchRows, coef: np.ndarray, *, by_feature: bool = False
) -> np.ndarray:
    """Summed contribution of every word of the batch (see :func:`explain.word_spans`).

    ``coef`` holds a coefficient per stored value of ``rows``, or with ``by_feature`` one per
    feature (the model's). The compiled core adds the same terms in the same order.
    """
    n_words = len(hashed.word_starts)
    if not n_words or not len(rows.occurrence_nnz):
        return np.zeros(n_words)
    if compiled_core.enabled():
        out = np.empty(n_words)
        compiled_core.word_sums(
            np.ascontiguousarray(coef, dtype=np.float64), int(by_feature), rows.matrix.indices,
            rows.matrix.data, rows.counts, rows.occurrence_nnz, rows.occurrence_word, out,
        )  # fmt: skip
        return out
    coef_at_nnz = coef[rows.matrix.indices] if by_feature else coef
    per_nnz = coef_at_nnz * rows.matrix.data / rows.counts
    return np.bincount(
        rows.occurrence_word, weights=per_nnz[rows.occurrence_nnz], minlength=n_words
    )


class TopWords:
    """For each comment, the words :func:`explain.word_spans` would take as candidates.

    ``word_spans`` takes the top three words by ``np.argsort(-sums)`` and then drops those
    under :data:`MIN_WEIGHT`. Only words at or above it matter, and when there are at most
    three of them, or the third is strictly heavier than the fourth, the set is the same
    whatever order argsort leaves ties in; otherwise we call argsort on that comment's words,
    as ``word_spans`` does.
    """

    def __init__(self, hashed: HashedBatch, sums: np.ndarray) -> None:
        self.hashed = hashed
        self.sums = sums
        heavy = np.flatnonzero(sums >= MIN_WEIGHT)
        # (weight, start, end) of each heavy word, the offsets in its own normalised text,
        # as Python numbers: read a few at a time per comment, never as numpy scalars.
        self.words = list(
            zip(
                sums[heavy].tolist(),
                hashed.local_word_starts[heavy].tolist(),
                hashed.local_word_ends[heavy].tolist(),
                strict=True,
            )
        )
        self.ptr = np.searchsorted(heavy, hashed.word_ptr).tolist()

    def of(self, i: int) -> list[tuple[float, int, int]]:
        """(weight, start, end) of comment ``i``'s candidate words, in its normalised text."""
        found = self.words[self.ptr[i] : self.ptr[i + 1]]
        if len(found) <= TOP_SPANS:
            return found
        found.sort(key=lambda x: x[0], reverse=True)
        if found[TOP_SPANS - 1][0] > found[TOP_SPANS][0]:
            return found[:TOP_SPANS]
        hashed = self.hashed
        first = int(hashed.word_ptr[i])
        row = self.sums[first : int(hashed.word_ptr[i + 1])]
        return [
            (
                float(row[k]),
                int(hashed.local_word_starts[first + k]),
                int(hashed.local_word_ends[first + k]),
            )
            for k in np.argsort(-row)[:TOP_SPANS].tolist()
        ]


def spans_of(
    top: TopWords,
    i: int,
    normalised: Normalised,
    original: str,
    extra: Sequence[tuple[int, int, float]] = (),
    *,
    relative: float = 0.0,
    plain: frozenset[str] = frozenset(),
) -> tuple[Span, ...]:
    """Comment ``i``'s spans, exactly as :func:`explain.word_spans` builds them."""
    candidates: list[tuple[float, int, int]] = [(w, s, e) for s, e, w in extra]
    words = top.of(i)
    if words:
        if normalised.offsets is None:  # the identity mapping (Normalised.original_span)
            candidates += words
        else:
            for weight, start, end in words:
                candidates.append((weight, *normalised.original_span(start, end)))
    if not candidates:
        return ()
    return pick_spans(candidates, original, relative=relative, plain=plain)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Element-wise version of heads._sigmoid (same clipping, same formula)."""
    return np.array([1.0 / (1.0 + math.exp(-max(min(v, 35.0), -35.0))) for v in z.tolist()])
