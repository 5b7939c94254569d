"""The fitted pipelines, unpacked into arrays for a fast single-comment path.

``Pipeline.predict_proba`` on one comment spends most of its time in sklearn's validation
and sparse-matrix construction. Every served model ends in a linear head, so we read its
coefficients once and score with a dot product over the comment's nonzero features; the same
products give the explanations. Tests check these heads agree with ``predict_proba``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from moderation.classifier.explain import occurrence_contributions, word_spans
from moderation.classifier.lexicon import HIT_AT, ToxicLexicon, summarise
from moderation.classifier.off_topic_features import FEATURE_NAMES, OffTopicFeatures
from moderation.classifier.spam_cues import CUE_NAMES, cue_matches, cue_values
from moderation.classifier.text_features import TextFeatures, Vectorised
from moderation.domain.scores import Span


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 35.0), -35.0)))


@dataclass(frozen=True)
class Scored:
    probability: float
    spans: tuple[Span, ...]
    subscores: dict[str, float]


class ToxicityHead:
    """[n-grams | lexicon] -> toxicity, plus sub-type models on the same n-grams."""

    def __init__(self, model: Pipeline, subtypes: dict[str, LogisticRegression]) -> None:
        union = model.named_steps["features"]
        self.ngrams: TextFeatures = union.transformer_list[0][1]
        self.lexicon: ToxicLexicon = union.transformer_list[1][1]
        coef = model.named_steps["classifier"].coef_[0]
        n = self.ngrams.n_features_out_
        self.coef, self.lexicon_coef = coef[:n], coef[n:]
        self.intercept = float(model.named_steps["classifier"].intercept_[0])
        self.subtype_names = tuple(subtypes)
        self.subtype_coef = np.vstack([m.coef_[0] for m in subtypes.values()]).T.copy()
        self.subtype_intercept = np.array([m.intercept_[0] for m in subtypes.values()])

    def score(self, vec: Vectorised, original: str) -> Scored:
        lexicon_rates = self.lexicon.word_rates(vec.normalised.text)
        lexicon_features = summarise([r for r, _, _ in lexicon_rates])
        coef = self.coef[vec.indices]
        z = float(coef @ vec.values + self.lexicon_coef @ lexicon_features) + self.intercept
        probability = _sigmoid(z)
        contributions = occurrence_contributions(vec, coef)
        extra = []
        for rate, start, end in lexicon_rates[:10]:
            weight = rate * self.lexicon_coef[1] + (self.lexicon_coef[2] if rate >= HIT_AT else 0.0)
            if rate == lexicon_features[0]:
                weight += rate * self.lexicon_coef[0]
            original_start, original_end = vec.normalised.original_span(start, end)
            extra.append((original_start, original_end, float(weight)))
        spans = word_spans(vec, contributions, original, extra=extra)
        sub_z = vec.values @ self.subtype_coef[vec.indices] + self.subtype_intercept
        subscores = {
            name: round(probability * _sigmoid(float(s)), 6)
            for name, s in zip(self.subtype_names, sub_z, strict=True)
        }
        return Scored(probability, spans, subscores)


class SpamHead:
    """[n-grams | cues] -> spam; cue matches become spans too."""

    def __init__(self, model: Pipeline) -> None:
        union = model.named_steps["features"]
        self.ngrams: TextFeatures = union.transformer_list[0][1]
        coef = model.named_steps["classifier"].coef_[0]
        n = self.ngrams.n_features_out_
        self.coef, self.cue_coef = coef[:n], coef[n:]
        self.intercept = float(model.named_steps["classifier"].intercept_[0])

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


class OffTopicHead:
    """(comment, article) features -> scaled -> off-topic; spans are article-foreign words."""

    def __init__(self, model: Pipeline) -> None:
        self.features: OffTopicFeatures = model.named_steps["features"]
        scale = model.named_steps["scale"]
        head = model.named_steps["classifier"]
        self.coef = head.coef_[0] / scale.scale_
        self.intercept = float(head.intercept_[0] - self.coef @ scale.mean_)
        self.overlap_coef = self.coef[FEATURE_NAMES.index("informative_overlap")]

    def score(self, original: str, title: str | None, body: str | None) -> Scored:
        row = self.features.ngrams_.vectorise(original)
        values = self.features.features(original, title, body, row=row)
        probability = _sigmoid(float(self.coef @ values) + self.intercept)
        spans: tuple[Span, ...] = ()
        if probability >= 0.5:
            article = self.features.article_side(title, body)
            informative = self.features.informative_[row.indices]
            foreign = informative & (article.vector.lookup(row.indices) == 0)
            if foreign.any():
                # Informative words the article lacks share the (negative) overlap coefficient.
                share = -self.overlap_coef / foreign.sum()
                coef = np.where(foreign, share, 0.0) / np.maximum(row.values, 1e-9)
                spans = word_spans(row, occurrence_contributions(row, coef), original)
        return Scored(probability, spans, {})
