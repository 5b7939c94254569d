"""The fitted pipelines, unpacked into arrays for a fast single-comment path.

``Pipeline.predict_proba`` on one comment spends most of its time in sklearn's validation
and sparse-matrix construction. Every served model ends in a linear head, so we read its
coefficients once and score with a dot product over the comment's nonzero features; the same
products give the explanations. Tests check these heads agree with ``predict_proba``.

The ``score_*_batch`` functions do the same for many comments at once over the sparse matrix
built by :mod:`moderation.classifier.batch` (one product per head); serving uses them, and
tests check they give exactly what the per-comment ``score`` methods give.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from moderation.classifier import compiled as compiled_core
from moderation.classifier.batch import (
    BatchRows,
    HashedBatch,
    SparseRows,
    TopWords,
    sigmoid,
    spans_of,
    word_sums,
)
from moderation.classifier.explain import (
    TOXICITY_RELATIVE_WEIGHT,
    occurrence_contributions,
    word_spans,
)
from moderation.classifier.lexicon import HIT_AT, KEPT, ToxicLexicon, summarise
from moderation.classifier.normalise import Normalised
from moderation.classifier.off_topic_features import (
    FEATURE_NAMES,
    NO_BACKGROUND_PERCENTILE,
    ArticleSide,
    OffTopicFeatures,
    answers,
    background_scores,
)
from moderation.classifier.spam_cues import CUE_NAMES, cue_matches, cue_values
from moderation.classifier.text_features import TextFeatures, Vectorised
from moderation.domain.scores import Span

# A fitted Pipeline or LogisticRegression: loaded by skops (training, tests), or its saved
# attributes as serving reads them (artifact_reader.Fitted). Heads read only its attributes.
FittedModel = Any


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))


@dataclass(frozen=True)
class Scored:
    probability: float
    spans: tuple[Span, ...]
    subscores: dict[str, float]


class ToxicityHead:
    """[n-grams | lexicon] -> toxicity, plus sub-type models on the same n-grams."""

    def __init__(
        self,
        model: FittedModel,
        subtypes: dict[str, FittedModel],
        plain_words: frozenset[str] = frozenset(),
    ) -> None:
        self.plain_words = plain_words  # never shown as the words behind the score
        union = model.named_steps["features"]
        self.ngrams: TextFeatures = union.transformer_list[0][1]
        self.lexicon: ToxicLexicon = union.transformer_list[1][1]
        coef = model.named_steps["classifier"].coef_[0]
        n = self.ngrams.n_features_out_
        self.coef, self.lexicon_coef = coef[:n], coef[n:]
        self.intercept = float(model.named_steps["classifier"].intercept_[0])
        self.subtype_names = tuple(subtypes)
        # The toxicity weights next to the sub-types' (a language without sub-type labels has
        # none): a batch reads each feature's weights from one place, in one sparse product.
        self.stacked_coef = (
            np.column_stack([self.coef] + [m.coef_[0] for m in subtypes.values()])
            if subtypes
            else self.coef[:, None]
        )
        self.subtype_coef = self.stacked_coef[:, 1:]
        self.subtype_intercept = np.array([m.intercept_[0] for m in subtypes.values()])

    def score(self, vec: Vectorised, original: str) -> Scored:
        lexicon_rates = self.lexicon.word_rates(vec.normalised.text)
        lexicon_features = summarise([r for r, _, _ in lexicon_rates])
        coef = self.coef[vec.indices]
        z = float(coef @ vec.values + self.lexicon_coef @ lexicon_features) + self.intercept
        probability = _sigmoid(z)
        contributions = occurrence_contributions(vec, coef)
        extra = []
        for rate, start, end in lexicon_rates[:KEPT]:
            weight = rate * self.lexicon_coef[1] + (self.lexicon_coef[2] if rate >= HIT_AT else 0.0)
            if rate == lexicon_features[0]:
                weight += rate * self.lexicon_coef[0]
            original_start, original_end = vec.normalised.original_span(start, end)
            extra.append((original_start, original_end, float(weight)))
        spans = word_spans(
            vec,
            contributions,
            original,
            extra=extra,
            relative=TOXICITY_RELATIVE_WEIGHT,
            plain=self.plain_words,
        )
        sub_z = vec.values @ self.subtype_coef[vec.indices] + self.subtype_intercept
        subscores = {
            name: round(probability * _sigmoid(float(s)), 6)
            for name, s in zip(self.subtype_names, sub_z, strict=True)
        }
        return Scored(probability, spans, subscores)


class SpamHead:
    """[n-grams | cues] -> spam; cue matches become spans too."""

    def __init__(self, model: FittedModel) -> None:
        union = model.named_steps["features"]
        self._take(union.transformer_list[0][1], model.named_steps["classifier"])

    @classmethod
    def over(cls, ngrams: TextFeatures, classifier: FittedModel) -> SpamHead:
        """A head saved without its n-grams (the Russian one reads the toxicity model's)."""
        head = cls.__new__(cls)
        head._take(ngrams, classifier)
        return head

    def _take(self, ngrams: TextFeatures, classifier: FittedModel) -> None:
        self.ngrams = ngrams
        coef = classifier.coef_[0]
        n = ngrams.n_features_out_
        if len(coef) != n + len(CUE_NAMES):
            raise ValueError(f"a spam head needs {n} n-gram and {len(CUE_NAMES)} cue weights")
        self.coef, self.cue_coef = coef[:n], coef[n:]
        self.intercept = float(classifier.intercept_[0])

    def score(self, vec: Vectorised, original: str) -> Scored:
        matches = cue_matches(original)
        cues = cue_values(original, matches)
        coef = self.coef[vec.indices]
        z = float(coef @ vec.values + self.cue_coef @ cues) + self.intercept
        extra: list[tuple[int, int, float]] = []
        for k, name in enumerate(CUE_NAMES):
            found = matches.get(name, [])
            push = float(self.cue_coef[k] * cues[k])
            extra += [(s, e, push / len(found)) for s, e in found if push > 0]
        spans = word_spans(vec, occurrence_contributions(vec, coef), original, extra=extra)
        return Scored(_sigmoid(z), spans, {})


EXPLAIN_OFF_TOPIC_FROM = 0.5  # without an operating point to explain from (see OffTopicHead)


class OffTopicHead:
    """(comment, article) features -> scaled -> off-topic; spans are article-foreign words.

    Spans are found for scores at or above ``explain_from``: the model card's approve point
    for off-topic in the head's language (``build_scorer``), so every comment the shipped
    policy holds for off-topic names the words behind it; 0.5 without one.
    """

    def __init__(self, model: FittedModel, explain_from: float = EXPLAIN_OFF_TOPIC_FROM) -> None:
        self.explain_from = explain_from
        self.features: OffTopicFeatures = model.named_steps["features"]
        scale = model.named_steps["scale"]
        head = model.named_steps["classifier"]
        self.coef = head.coef_[0] / scale.scale_
        self.intercept = float(head.intercept_[0] - self.coef @ scale.mean_)
        self.overlap_coef = self.coef[FEATURE_NAMES.index("informative_overlap")]

    def score(
        self, original: str, title: str | None, body: str | None, parent: str | None = None
    ) -> Scored:
        row = self.features.comment_vector(original)
        values = self.features.features(original, title, body, parent, row=row)
        probability = _sigmoid(float(self.coef @ values) + self.intercept)
        spans: tuple[Span, ...] = ()
        if probability >= self.explain_from:
            article = self.features.article_side(title, body)
            informative = self.features.informative_[row.indices]
            foreign = informative & (article.vector.lookup(row.indices) == 0)
            if foreign.any():
                # Informative words the article lacks share the (negative) overlap coefficient.
                share = -self.overlap_coef / foreign.sum()
                coef = np.where(foreign, share, 0.0) / np.maximum(row.values, 1e-9)
                spans = word_spans(row, occurrence_contributions(row, coef), original)
        return Scored(probability, spans, {})


def score_toxicity_batch(
    head: ToxicityHead,
    hashed: HashedBatch,
    rows: BatchRows,
    normalised: Sequence[Normalised],
    originals: Sequence[str],
    explain_from: float = 0.0,
) -> list[Scored]:
    """:meth:`ToxicityHead.score` for every comment of a batch, with one sparse product.

    Spans only for probabilities at or above ``explain_from`` (the others get none)."""
    matrix = rows.matrix
    if isinstance(head.lexicon, ToxicLexicon) and compiled_core.enabled():
        # ``hashed`` holds the texts the lexicon reads (this head's normalised texts).
        lexicon_features, first = head.lexicon.scan(hashed.utf32, hashed.starts, hashed.lengths)
    else:
        rates = [head.lexicon.word_rates(nz.text) for nz in normalised]
        lexicon_features = np.array([summarise([r for r, _, _ in found]) for found in rates])
        lexicon_features = lexicon_features.reshape(len(originals), -1)
        first = [found[:KEPT] for found in rates]
    products = matrix @ head.stacked_coef  # column 0: toxicity, then the sub-types
    z = (products[:, 0] + lexicon_features @ head.lexicon_coef) + head.intercept
    probabilities = sigmoid(z)
    sub_z = products[:, 1:] + head.subtype_intercept
    sub_p = [[_sigmoid(s) for s in row] for row in sub_z.tolist()]
    every_probability = probabilities.tolist()
    top = _top_words(hashed, rows, head.coef, every_probability, explain_from)
    lexicon_coef = head.lexicon_coef.tolist()
    every_strongest = lexicon_features[:, 0].tolist()
    out = []
    for i, (nz, original) in enumerate(zip(normalised, originals, strict=True)):
        probability = every_probability[i]
        subscores = {
            name: round(probability * p, 6)
            for name, p in zip(head.subtype_names, sub_p[i], strict=True)
        }
        if top is None or probability < explain_from:
            out.append(Scored(probability, (), subscores))
            continue
        strongest = every_strongest[i]
        extra = []
        for rate, start, end in first[i]:
            weight = rate * lexicon_coef[1] + (lexicon_coef[2] if rate >= HIT_AT else 0.0)
            if rate == strongest:
                weight += rate * lexicon_coef[0]
            original_start, original_end = nz.original_span(start, end)
            extra.append((original_start, original_end, float(weight)))
        spans = spans_of(
            top,
            i,
            nz,
            original,
            extra,
            relative=TOXICITY_RELATIVE_WEIGHT,
            plain=head.plain_words,
        )
        out.append(Scored(probability, spans, subscores))
    return out


def _top_words(
    hashed: HashedBatch,
    rows: BatchRows,
    coef: np.ndarray,
    probabilities: list[float],
    explain_from: float,
) -> TopWords | None:
    """The candidate words of a batch's comments, or None when none is to be explained."""
    if not any(p >= explain_from for p in probabilities):
        return None
    return TopWords(hashed, word_sums(hashed, rows, coef, by_feature=True))


def score_spam_batch(
    head: SpamHead,
    hashed: HashedBatch,
    rows: BatchRows,
    normalised: Sequence[Normalised],
    originals: Sequence[str],
    explain_from: float = 0.0,
) -> list[Scored]:
    """:meth:`SpamHead.score` for every comment of a batch (spans as in
    :func:`score_toxicity_batch`)."""
    matrix = rows.matrix
    matches = [cue_matches(text) for text in originals]
    cues = np.array([cue_values(t, m) for t, m in zip(originals, matches, strict=True)])
    cues = cues.reshape(len(originals), len(CUE_NAMES))
    z = (matrix @ head.coef + cues @ head.cue_coef) + head.intercept
    every_probability = sigmoid(z).tolist()
    top = _top_words(hashed, rows, head.coef, every_probability, explain_from)
    cue_coef = head.cue_coef.tolist()
    out = []
    for i, (nz, original) in enumerate(zip(normalised, originals, strict=True)):
        if top is None or every_probability[i] < explain_from:
            out.append(Scored(every_probability[i], (), {}))
            continue
        extra: list[tuple[int, int, float]] = []
        if any(matches[i].values()):
            values = cues[i].tolist()
            for k, name in enumerate(CUE_NAMES):
                found = matches[i].get(name, [])
                if not found:
                    continue
                push = cue_coef[k] * values[k]
                extra += [(s, e, push / len(found)) for s, e in found if push > 0]
        spans = spans_of(top, i, nz, original, extra)
        out.append(Scored(every_probability[i], spans, {}))
    return out


def score_off_topic_batch(
    head: OffTopicHead,
    hashed: HashedBatch,
    rows: BatchRows,
    normalised: Sequence[Normalised],
    originals: Sequence[str],
    articles: Sequence[tuple[str | None, str | None] | None],
    parents: Sequence[str | None] | None = None,
    explain_from: float | None = None,
) -> list[Scored | None]:
    """:meth:`OffTopicHead.score` for every comment of a batch, each under its own article.

    Spans from ``explain_from`` on (None: the head's own ``explain_from``).

    ``articles[i]`` is comment i's (title, body), or None for no article (its entry is None
    too); ``parents[i]`` is the text of the comment it replies to, when known. Every quantity
    is per comment or per n-gram occurrence, so comments under different articles share one
    pass: the article only decides which vector each occurrence is looked up in and which
    background articles a comment is compared with.
    """
    features = head.features
    matrix = rows.matrix
    n = matrix.shape[0]
    indices, data = matrix.indices, matrix.data
    by_article: dict[tuple[str | None, str | None], list[int]] = {}
    for i, article in enumerate(articles):
        if article is not None:
            by_article.setdefault(article, []).append(i)
    sides = {key: features.article_side(*key) for key in by_article}
    overlap_with = _article_overlap if compiled_core.enabled() else _article_overlap_numpy
    in_article, cosine, cosine_title, n_informative, hits = overlap_with(
        features, matrix, by_article, sides
    )
    z = np.zeros(n)
    percentile = np.full(n, NO_BACKGROUND_PERCENTILE)  # stays for a model without background
    if features.has_background and by_article:
        # Every comment's similarity to each background article in one pass (the bits
        # OffTopicFeatures.background_similarities gives one comment), then where its own
        # cosine stands among them (the bits OffTopicFeatures.features gives).
        all_sims = features.background_dot(matrix.indptr, indices, data)
        for (title, _), members in by_article.items():
            keep = features._background_mask(frozenset({title or ""}))
            z_all, percentile_all = background_scores(all_sims, keep, cosine, members)
            z[members] = z_all[members]
            percentile[members] = percentile_all[members]
    overlap = np.divide(hits, n_informative, out=np.zeros(n), where=n_informative > 0)
    # The text cues, comment by comment (regular expressions), then the rows all at once.
    order: list[int] = []
    cues: list[tuple[float, float, float, float]] = []
    for key, members in by_article.items():
        article_names = sides[key].names
        order += members
        cues += [features.comment_cues(originals[i], article_names) for i in members]
    scored = np.zeros(n, dtype=bool)
    scored[order] = True
    # name_overlap, log_words, chit_chat, question
    text_cues = np.zeros((n, 4))
    text_cues[order] = np.array(cues).reshape(len(order), 4)
    # The columns: cosine, z, percentile, cosine_title, overlap, the four text cues, z x
    # log_words, then (a model that reads replies) parent_cosine and has_parent
    # (OffTopicFeatures.parent_features), which stay 0 for a comment answering nothing.
    dense = np.zeros((n, 12 if features.uses_parent else 10))
    dense[:, 0], dense[:, 1], dense[:, 2], dense[:, 3], dense[:, 4] = (
        cosine, z, percentile, cosine_title, overlap,
    )  # fmt: skip
    dense[:, 5:9] = text_cues
    dense[:, 9] = z * text_cues[:, 1]
    if features.uses_parent:
        answering = {
            i: parent for i, parent in enumerate(parents or ()) if answers(parent) and scored[i]
        }
        if answering:
            vectors = features.parent_vectors(list(answering.values()))
            for i, vector in zip(answering, vectors, strict=True):
                dense[i, 10:12] = (vector.dot(*matrix.row(i)), 1.0)
    if len(order) < n:
        dense[~scored] = 0.0  # rows without an article are not scored
    probabilities = sigmoid(dense @ head.coef + head.intercept)
    explain_at = head.explain_from if explain_from is None else explain_from
    explain = scored & (probabilities >= explain_at)
    spans: list[tuple[Span, ...]] = [()] * n
    if explain.any():
        coef, n_foreign = foreign_weights(features, matrix, in_article, explain, head.overlap_coef)
        top = TopWords(hashed, word_sums(hashed, rows, coef))
        for i in np.flatnonzero(explain & (n_foreign > 0)).tolist():
            spans[i] = spans_of(top, i, normalised[i], originals[i])
    return [
        Scored(float(p), s, {}) if ok else None
        for p, s, ok in zip(probabilities, spans, scored, strict=True)
    ]


def foreign_weights(
    features: OffTopicFeatures,
    matrix: SparseRows,
    in_article: np.ndarray,
    explain: np.ndarray,
    overlap_coef: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The off-topic explanation's weight for each stored value of ``matrix``, and each row's
    count of foreign terms: in the rows ``explain`` marks, the informative terms the article
    lacks (``in_article`` 0) share the (negative) overlap coefficient, each divided by its
    value so that the word sums give the shares. In the compiled core when it is on (the
    same bits)."""
    n = matrix.shape[0]
    if compiled_core.enabled():
        weights, n_foreign = np.empty(matrix.nnz), np.empty(n, dtype=np.int64)
        compiled_core.foreign_weights(
            matrix.indptr, matrix.indices, matrix.data, in_article,
            features.informative_.view(np.uint8), explain.view(np.uint8), float(overlap_coef),
            weights, n_foreign,
        )  # fmt: skip
        return weights, n_foreign
    nnz_rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
    informative = features.informative_[matrix.indices]
    foreign = informative & (in_article == 0) & explain[nnz_rows]
    n_foreign = _row_counts(matrix.indptr, foreign)
    share = np.divide(-overlap_coef, n_foreign, out=np.zeros(n), where=n_foreign > 0)
    weights = np.where(foreign, share[nnz_rows], 0.0) / np.maximum(matrix.data, 1e-9)
    return weights, n_foreign


_Overlap = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _article_overlap(
    features: OffTopicFeatures,
    matrix: SparseRows,
    by_article: dict[tuple[str | None, str | None], list[int]],
    sides: dict[tuple[str | None, str | None], ArticleSide],
) -> _Overlap:
    """Each stored value's weight in its comment's article, and per comment: the cosine
    with the article and with its title, informative terms and how many the article has.
    In the compiled core, one pass over each article's comments."""
    n = matrix.shape[0]
    in_article = np.zeros(len(matrix.indices))
    out = np.zeros((n, 4))
    informative = features.informative_.view(np.uint8)
    scratch = features.scatter_buffer(copies=2)
    for key, members in by_article.items():
        side = sides[key]
        compiled_core.article_overlap(
            matrix.indptr, matrix.indices, matrix.data, np.array(members, dtype=np.int64),
            side.vector.indices, side.vector.values, side.title_vector.indices,
            side.title_vector.values, informative, scratch, in_article, out,
        )  # fmt: skip
    return in_article, out[:, 0], out[:, 1], out[:, 2], out[:, 3]


def _article_overlap_numpy(
    features: OffTopicFeatures,
    matrix: SparseRows,
    by_article: dict[tuple[str | None, str | None], list[int]],
    sides: dict[tuple[str | None, str | None], ArticleSide],
) -> _Overlap:
    """:func:`_article_overlap` in numpy (the same bits)."""
    n = matrix.shape[0]
    indices, data = matrix.indices, matrix.data
    nnz_rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
    # Each occurrence's weight in its comment's article (and title): SparseVector.lookup's
    # values, got by scattering the article's weights into one dense array, gathering them
    # at the comments' terms and clearing them again (no binary search per occurrence).
    # A few comments (one, in a single call) look their terms up by binary search instead.
    in_article = np.zeros(len(indices))
    in_title = np.zeros(len(indices))
    weights = features.scatter_buffer()
    for key, members in by_article.items():
        at = _occurrences(matrix.indptr, members)
        terms = indices[at]
        for vector, found in ((sides[key].vector, in_article), (sides[key].title_vector, in_title)):
            if 8 * len(terms) < len(vector.indices):
                found[at] = vector.lookup(terms)
                continue
            weights[vector.indices] = vector.values
            found[at] = weights[terms]
            weights[vector.indices] = 0.0
    cosine = np.bincount(nnz_rows, weights=data * in_article, minlength=n)
    cosine_title = np.bincount(nnz_rows, weights=data * in_title, minlength=n)
    informative = features.informative_[indices]
    n_informative = _row_counts(matrix.indptr, informative)
    hits = _row_counts(matrix.indptr, informative & (in_article > 0))
    return in_article, cosine, cosine_title, n_informative, hits


def _occurrences(indptr: np.ndarray, members: list[int]) -> slice | np.ndarray:
    """Positions in a CSR matrix's data of the stored values of rows ``members``."""
    if len(members) == len(indptr) - 1:
        return slice(None)  # every row (one article for the whole batch)
    rows = np.array(members)
    starts, lengths = indptr[rows], indptr[rows + 1] - indptr[rows]
    skipped = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(int(lengths.sum())) + skipped


def _row_counts(indptr: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """How many of each CSR row's stored values ``flags`` marks (a bincount, but faster)."""
    running = np.zeros(len(flags) + 1, dtype=np.int64)
    np.cumsum(flags, out=running[1:])
    return np.diff(running[indptr])
