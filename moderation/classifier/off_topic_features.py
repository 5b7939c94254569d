"""Features saying how well a comment fits its article: relative similarity plus comment cues.

Raw similarity misleads: a comment full of common political words looks similar to every
article. So besides the cosine between comment and article (TF-IDF of character and word
n-grams) we compare it with the comment's similarity to a fixed background of other news
articles (z-score and percentile). Overlap of informative words and of capitalised names, and
cues that change how much overlap to expect (length, chit-chat, questions) complete the set.
The article side is cached per article text: every comment under one article shares it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeGuard

import numpy as np
import scipy.sparse as sp

from moderation.classifier import compiled as compiled_core
from moderation.classifier.batch import clip_batch, featurise, hash_batch
from moderation.classifier.text_features import TextFeatures, Vectorised

FEATURE_NAMES = (
    "cosine", "background_z", "background_percentile", "cosine_title", "informative_overlap",
    "name_overlap", "log_words", "chit_chat", "question", "z_x_log_words",
)  # fmt: skip
# A reply answers the comment above it as much as the article: how close it is to that comment
# (cosine, 0 without one) and whether it has one. After FEATURE_NAMES, in models fitted since
# 2026.11.29.1 (``uses_parent_``); earlier models have FEATURE_NAMES alone.
PARENT_FEATURE_NAMES = ("parent_cosine", "has_parent")
PARENTS_KEPT = 512  # parent vectors remembered (about 9.5 KB each for a comment of 300 characters)
ARTICLE_CHARS = 20_000  # enough for any opinion piece; longer bodies are cut
# A comment's (and its parent's) n-grams are taken from its first 700 normalised characters,
# cut between words: a long comment costs no more than one of 700 characters to compare with
# the article, and what it is about is plain by then (validation did not move; docs/models.md,
# "Off-topic"). The text cues (names, length, chit-chat, question) still read all of it.
COMMENT_CHARS = 700
NO_BACKGROUND_PERCENTILE = 0.5  # what a model without background articles uses instead
INFORMATIVE_IDF = 3.0  # words rarer than this (idf) count as informative
# A capitalised word not starting the text or a sentence: the matches of
# ``(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b``, written to start with [A-Z] so the regex engine
# skips to capitals at C speed and checks what precedes one only there.
_NAME = re.compile(r"[A-Z](?<=\W[A-Z])(?<![.!?]\s[A-Z])[a-z]{2,}\b")
_CHIT_CHAT = re.compile(
    r"\b(?:lol|lmao|haha\w*|thanks?|thank you|you|your|u|agree|disagree|wow|nice|great|"
    r"ok|okay|yes|no|indeed|exactly|right|wrong)\b",
    re.I,
)
# For ASCII text: every match is a whole word (each alternative is word characters between
# \b's, and "thanks?" always wins over "thank you"), so the count is the number of word
# starts where an alternative and \b match. In the lower-cased text with a space in front,
# that is the number of non-word characters ([^a-z0-9_] in ASCII) followed by one: the
# engine skips to those at C speed, instead of trying \b at every position. The words are
# grouped by first letter (same strings), so most starts are rejected after one letter.
_CHIT_CHAT_STARTS = re.compile(
    r"[^a-z0-9_](?=(?:l(?:ol|mao)|h(?:aha\w*)|t(?:hanks?|hank you)|y(?:ou|our|es)|u"
    r"|a(?:gree)|d(?:isagree)|w(?:ow|rong)|n(?:ice|o)|g(?:reat)|o(?:k|kay)"
    r"|i(?:ndeed)|e(?:xactly)|r(?:ight))\b)"
)

# (comment, article title, article body[, the text of the comment it replies to])
Pair = tuple[str, str | None, str | None] | tuple[str, str | None, str | None, str | None]


@dataclass(frozen=True)
class SparseVector:
    """Sorted feature ids and their weights."""

    indices: np.ndarray
    values: np.ndarray

    def dot(self, indices: np.ndarray, values: np.ndarray) -> float:
        return float(values @ self.lookup(indices))

    def lookup(self, indices: np.ndarray) -> np.ndarray:
        """This vector's weight at each of ``indices`` (0 where absent)."""
        if not len(self.indices):
            return np.zeros(len(indices))
        pos = np.minimum(np.searchsorted(self.indices, indices), len(self.indices) - 1)
        return np.where(self.indices[pos] == indices, self.values[pos], 0.0)


def background_dot_numpy(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    term_rows: np.ndarray,
    table: np.ndarray,
) -> np.ndarray:
    """:meth:`OffTopicFeatures.background_dot` in numpy: per row, the products of its terms
    found in the table, summed in order from 0.0 by a cumulative sum (sequential, unlike
    ``sum`` or a BLAS product), so the compiled core's loop gives exactly the same bits."""
    n, k = len(indptr) - 1, table.shape[1]
    out = np.zeros((n, k))
    rows = term_rows[indices]
    for i in range(n):
        a, b = int(indptr[i]), int(indptr[i + 1])
        found = np.flatnonzero(rows[a:b])
        if not len(found):
            continue
        products = np.zeros((len(found) + 1, k))
        products[1:] = data[a:b][found, None] * table.take(rows[a:b][found], axis=0)
        out[i] = np.cumsum(products, axis=0)[-1]
    return out


def background_scores(
    sims: np.ndarray,
    keep: np.ndarray,
    own: np.ndarray,
    members: Sequence[int] | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Where each row's own cosine (``own``) stands among its cosines with the background
    articles ``keep`` selects (none kept counts as one cosine of 0): the z-score
    ``(own - mean) / (std + 0.01)`` and the share of background cosines below it.

    Only rows ``members`` are computed (all by default; the others are left 0). Sums run
    in order from the first value, in the compiled core when it is on, else in
    :func:`background_scores_numpy`: the same bits, for training and serving alike.
    """
    sims = np.ascontiguousarray(sims, dtype=np.float64)
    own = np.ascontiguousarray(own, dtype=np.float64)
    rows = np.arange(len(own)) if members is None else np.asarray(members, dtype=np.int64)
    if not compiled_core.enabled():
        return background_scores_numpy(sims, keep, own, rows)
    z, percentile = np.zeros(len(own)), np.zeros(len(own))
    keep = np.ascontiguousarray(keep, dtype=np.bool_)
    compiled_core.background_scores(sims, keep, own, rows, z, percentile)
    return z, percentile


def background_scores_numpy(
    sims: np.ndarray, keep: np.ndarray, own: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`background_scores` in numpy, summing in order with cumulative sums."""
    z, percentile = np.zeros(len(own)), np.zeros(len(own))
    kept = sims[rows][:, keep] if keep.any() else np.zeros((len(rows), 1))
    if not len(rows):
        return z, percentile
    m = kept.shape[1]
    mean = np.cumsum(kept, axis=1)[:, -1] / m
    deviations = kept - mean[:, None]
    std = np.sqrt(np.cumsum(deviations * deviations, axis=1)[:, -1] / m)
    z[rows] = (own[rows] - mean) / (std + 0.01)
    percentile[rows] = (kept < own[rows, None]).sum(axis=1) / m
    return z, percentile


@dataclass(frozen=True)
class ArticleSide:
    """What we need from an article, computed once per distinct article text."""

    vector: SparseVector
    title_vector: SparseVector
    names: frozenset[str]


class OffTopicFeatures:
    """(comment, title, body[, parent]) -> the dense features in :attr:`feature_names`."""

    def __init__(
        self,
        *,
        min_df: int = 2,
        max_char_terms: int = 100_000,
        comment_chars: int | None = COMMENT_CHARS,
    ) -> None:
        self.min_df = min_df
        self.max_char_terms = max_char_terms
        self.comment_chars = comment_chars

    def fit(
        self,
        X: Sequence[str],
        y: object = None,
        *,
        background: Sequence[tuple[str, str | None, str | None]] = (),
        parent_features: bool = True,
    ) -> OffTopicFeatures:
        """Learn IDF from plain texts ``X``; keep ``background`` articles to compare against;
        ``parent_features``: also the :data:`PARENT_FEATURE_NAMES` of a reply."""
        self.ngrams_ = self._text_features(
            char_sizes=(3, 5), word_sizes=(1, 1), min_df=self.min_df,
            max_char_terms=self.max_char_terms, max_word_terms=40_000, max_chars=ARTICLE_CHARS,
        ).fit(X)  # fmt: skip
        self.informative_ = self.ngrams_.is_word_ & (self.ngrams_.idf_ >= INFORMATIVE_IDF)
        self.background_titles_ = [pair[1] or "" for pair in background]
        rows = self.ngrams_.transform([f"{pair[1]}\n{pair[2]}" for pair in background])
        self.background_by_term_ = sp.csr_matrix(rows.T)
        self.uses_parent_ = parent_features
        self.n_features_out_ = len(self.feature_names)
        return self

    @property
    def comment_limit(self) -> int | None:
        """How many normalised characters of a comment its n-grams come from (None: all, as
        in models fitted before the limit)."""
        limit = self.__dict__.get("comment_chars")
        return None if limit is None else int(limit)

    def comment_vector(self, comment: str) -> Vectorised:
        """The n-gram vector of a comment (or of a parent comment): of its first
        :attr:`comment_limit` characters."""
        return self.ngrams_.vectorise(comment, within=self.comment_limit)

    @property
    def uses_parent(self) -> bool:
        """The model reads the parent comment (False for models fitted before it could)."""
        return bool(self.__dict__.get("uses_parent_", False))

    @property
    def feature_names(self) -> tuple[str, ...]:
        return FEATURE_NAMES + (PARENT_FEATURE_NAMES if self.uses_parent else ())

    def parent_features(
        self, indices: np.ndarray, values: np.ndarray, parent: str | None
    ) -> tuple[float, float]:
        """(cosine with the parent comment, 1) for a comment (its vector's ``indices`` and
        ``values``) that replies to ``parent``; (0, 0) without one. Both scoring paths and
        training come through here."""
        if not answers(parent):
            return 0.0, 0.0
        return self.parent_vectors([parent])[0].dot(indices, values), 1.0

    def parent_vectors(self, parents: Sequence[str]) -> list[SparseVector]:
        """The n-gram vector of each of ``parents`` (of its first :attr:`comment_limit`
        characters, as for a comment): those not seen lately featurised together
        by the batch featuriser (a batch of one for a single comment, so both scoring paths
        get the same bits), and remembered per text (up to :data:`PARENTS_KEPT`): replies
        often answer the same few comments."""
        cache: dict[str, SparseVector] = self.__dict__.setdefault("_parents", {})
        missing = sorted({p for p in parents if p not in cache})
        if missing:
            if len(cache) + len(missing) > PARENTS_KEPT:
                cache.clear()
            ngrams = self.ngrams_
            (char_lo, char_hi), (word_lo, word_hi) = ngrams.char_sizes, ngrams.word_sizes
            hashed = hash_batch(
                [ngrams.normalise(p).text for p in missing],
                range(char_lo, char_hi + 1),
                range(word_lo, word_hi + 1),
            )
            hashed = clip_batch(hashed, self.comment_limit)
            rows = featurise(ngrams, hashed).matrix
            for i, parent in enumerate(missing):
                indices, values = rows.row(i)
                cache[parent] = SparseVector(indices.copy(), values.copy())
        return [cache[p] for p in parents]

    # Language hooks: a subclass for another language swaps these four (see
    # :mod:`moderation.classifier.off_topic_features_ru`).
    def _text_features(self, **params: Any) -> TextFeatures:
        return TextFeatures(**params)

    def names(self, text: str) -> set[str]:
        """Capitalised words of ``text`` not starting it or a sentence: likely names."""
        return set(_NAME.findall(text))

    def chit_chat(self, text: str) -> int:
        """How many chit-chat words ``text`` has."""
        return chit_chat_count(text)

    @property
    def has_background(self) -> bool:
        """False for a model fitted without background articles: the background features
        (z-score, percentile) are then the constants it was trained with (0 and 0.5)."""
        return bool(self.background_titles_)

    def article_side(self, title: str | None, body: str | None) -> ArticleSide:
        return _article_side(self, title or "", body or "")

    def background_similarities(self, values: np.ndarray, indices: np.ndarray) -> np.ndarray:
        """Cosine of one comment (``values`` at feature ``indices``) with each background
        article: :meth:`background_dot` of a one-row matrix (the batch path's bits)."""
        indptr = np.array([0, len(indices)], dtype=np.int32)
        return self.background_dot(indptr, np.asarray(indices, dtype=np.int32), values)[0]

    def background_dot(
        self, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray
    ) -> np.ndarray:
        """Cosine of every CSR row (int32 ``indptr`` and sorted ``indices``, float64 ``data``)
        with each background article, as an (n rows x n articles) array.

        Each cosine is the row's products with the article's float32 weights, summed in the
        row's order from 0.0, skipping terms no background article has: in the compiled
        core when it is on (no gathered block), else by :func:`background_dot_numpy`. Both
        give the same bits; training, single comments and batches all come through here.
        """
        term_rows, table = self._background_table()
        n = len(indptr) - 1
        if not compiled_core.enabled():
            return background_dot_numpy(indptr, indices, data, term_rows, table)
        out = np.empty((n, table.shape[1]))
        compiled_core.background_dot(indptr, indices, data, term_rows, table, table.shape[1], out)
        return out

    def scatter_buffer(self, copies: int = 1) -> np.ndarray:
        """A zeroed float array with ``copies`` entries per n-gram feature, kept for the life
        of the model: a caller may fill entries but must zero them again before returning."""
        buffers: dict[int, np.ndarray] = self.__dict__.setdefault("_scatter", {})
        if copies not in buffers:
            buffers[copies] = np.zeros(copies * int(self.ngrams_.n_features_out_))
        return buffers[copies]

    def _background_table(self) -> tuple[np.ndarray, np.ndarray]:
        """Background articles as a dense float32 (rows x articles) table, built once after
        loading, and each term's row in it: gathering rows of it is far cheaper than slicing
        the sparse matrix per comment. Only terms found in some background article get a
        row of their own; the others (nearly half) share the all-zero row 0, so a gather
        gives exactly the block a dense (terms x articles) array would, from a smaller table
        that stays in cache better."""
        cached: tuple[np.ndarray, np.ndarray] | None = self.__dict__.get("_background")
        if cached is None:
            by_term = sp.csr_matrix(self.background_by_term_)
            present = np.flatnonzero(np.diff(by_term.indptr))
            term_rows = np.zeros(by_term.shape[0], dtype=np.intp)
            term_rows[present] = np.arange(1, len(present) + 1)
            table = np.zeros((len(present) + 1, by_term.shape[1]), dtype=np.float32)
            table[1:] = by_term[present].toarray()  # rounded to float32 as astype would
            cached = (term_rows, table)
            self.__dict__["_background"] = cached
        return cached

    def _background_mask(self, skip: frozenset[str]) -> np.ndarray:
        """Which background articles to compare with: those not titled as in ``skip``.
        Remembered per ``skip`` (at most 1,024 of them): serving asks for the same few."""
        masks: dict[frozenset[str], np.ndarray] = self.__dict__.setdefault("_masks", {})
        mask = masks.get(skip)
        if mask is None:
            if len(masks) >= 1024:
                masks.clear()
            mask = np.array([t not in skip for t in self.background_titles_], dtype=bool)
            mask.flags.writeable = False
            masks[skip] = mask
        return mask

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_background", None)
        state.pop("_scatter", None)
        state.pop("_masks", None)
        state.pop("_parents", None)
        return state

    def transform(self, X: Sequence[Pair]) -> np.ndarray:
        rows = [self.features(*pair) for pair in X]
        return np.vstack(rows) if rows else np.zeros((0, len(self.feature_names)))

    def features(
        self,
        comment: str,
        title: str | None,
        body: str | None,
        parent: str | None = None,
        *,
        exclude: frozenset[str] = frozenset(),
        row: Vectorised | None = None,
    ) -> np.ndarray:
        """Features of one pair (and the comment it replies to, ``parent``); background
        articles titled like this one or in ``exclude`` are skipped. ``row`` is the comment's
        vector when the caller already has it."""
        row = row if row is not None else self.comment_vector(comment)
        article = self.article_side(title, body)
        in_article = article.vector.lookup(row.indices)
        cosine = float(row.values @ in_article)
        cosine_title = article.title_vector.dot(row.indices, row.values)
        if self.has_background:
            sims = self.background_similarities(row.values, row.indices)
            keep = self._background_mask(exclude | {title or ""})
            z_row, percentile_row = background_scores(sims[None, :], keep, np.array([cosine]))
            z, percentile = float(z_row[0]), float(percentile_row[0])
        else:
            z, percentile = 0.0, NO_BACKGROUND_PERCENTILE
        informative = self.informative_[row.indices]
        overlap = float((in_article[informative] > 0).mean()) if informative.any() else 0.0
        name_overlap, log_words, chit_chat, question = self.comment_cues(comment, article.names)
        values = [
            cosine,
            z,
            percentile,
            cosine_title,
            overlap,
            name_overlap,
            log_words,
            chit_chat,
            question,
            z * log_words,
        ]
        if self.uses_parent:
            values += self.parent_features(row.indices, row.values, parent)
        return np.array(values)

    def comment_cues(
        self, comment: str, article_names: frozenset[str]
    ) -> tuple[float, float, float, float]:
        """The features that need the comment's text rather than its vector: name overlap
        with the article, log word count, log chit-chat count and whether it asks."""
        names = self.names(comment)
        name_overlap = len(names & article_names) / len(names) if names else 0.5
        log_words = math.log1p(len(comment.split()))
        return name_overlap, log_words, math.log1p(self.chit_chat(comment)), float("?" in comment)


def answers(parent: str | None) -> TypeGuard[str]:
    """A comment with this ``parent`` is a reply the model reads with it (blank: it is not)."""
    return bool(parent and parent.strip())


def chit_chat_count(comment: str) -> int:
    """How many chit-chat words (``_CHIT_CHAT``) ``comment`` has."""
    if compiled_core.enabled():  # the same count, word by word in the compiled core
        return compiled_core.chit_chat(comment)
    if comment.isascii():
        return len(_CHIT_CHAT_STARTS.findall(" " + comment.lower()))
    return len(_CHIT_CHAT.findall(comment))


@lru_cache(maxsize=512)
def _article_side(features: OffTopicFeatures, title: str, body: str) -> ArticleSide:
    full = features.ngrams_.vectorise(f"{title}\n{body}")
    head = features.ngrams_.vectorise(title)
    return ArticleSide(
        vector=SparseVector(full.indices, full.values),
        title_vector=SparseVector(head.indices, head.values),
        names=frozenset(features.names(f"{title}\n{body}")),
    )
