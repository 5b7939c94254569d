"""Train the Russian toxicity model: two linear experts on shared n-grams, stacked and folded.

Same family as the English model, so :class:`~moderation.classifier.heads.ToxicityHead`
serves it unchanged: a ``Pipeline`` of ``FeatureUnion([("ngrams",
RussianWordBoundedFeatures), ("lexicon", RussianLexicon)])`` and one ``LogisticRegression``
head. The n-grams are the character 1-6-grams inside each word (none bridging two words).

* expert "all": logistic regression on [n-grams | lexicon] over the forum training split plus
  ParaDetox (rewrites weighted down): profanity and insults in general;
* expert "forum": logistic regression on the n-grams of the forum rows only: the forum's own
  notion of toxicity (which also counts aggression without swearing).

Stacking weights come from a logistic regression over both experts' decision values on the
validation sets given (forum validation and held-out ParaDetox pairs, each weighted to half).
That fit tends to give the forum expert no weight, so its share is then raised to what serves
forum validation best while ParaDetox validation loses at most ``PARADETOX_TOLERANCE``
ROC-AUC. Then Platt scaling on the forum validation split alone. Both fold into one head.
Positive weights of identity words (казах, узбек, еврей...) are clipped to zero, as for English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

from moderation.classifier.fairness_terms import neutralise
from moderation.classifier.fairness_terms_ru import identity_feature_mask_ru
from moderation.classifier.lexicon import LEXICON_FEATURES
from moderation.classifier.training.estimators import (
    RussianLexiconEstimator,
    RussianWordBoundedFeaturesEstimator,
)
from moderation.classifier.training.linear import linear_head, platt, sigmoid
from moderation.classifier.training.sources import Labelled, Progress, tick

NGRAMS: dict[str, Any] = {
    "char_sizes": (1, 6),  # inside words only (RussianWordBoundedFeatures)
    "word_sizes": (1, 1),
    "min_df": 3,
    "max_char_terms": 300_000,
    "max_word_terms": 0,  # word n-grams did not help on top of char n-grams (docs/russian.md)
}
PARADETOX_TOLERANCE = 0.0025  # ParaDetox validation ROC-AUC the forum expert may cost
FORUM_SHARES = np.arange(0.0, 0.8001, 0.01)  # the forum expert's shares tried
C = 8.0
LEXICON_SCALE = 0.1  # the lexicon's 3 dense features are shrunk harder than the n-grams
FORUM = "forum"


@dataclass
class RussianToxicityResult:
    model: Pipeline
    subtypes: dict[str, LogisticRegression]  # none: the Russian data has no sub-type labels
    validation: Labelled
    validation_oof: np.ndarray  # cross-fitted calibrated probabilities on ``validation``
    expert_weights: tuple[float, float]  # ("all", "forum")


def _expert() -> LogisticRegression:
    return LogisticRegression(C=C, solver="liblinear", max_iter=3000, random_state=0)


def train_russian_toxicity(
    train: Labelled,
    weights: Sequence[float],
    validation: Labelled,
    *,
    extra_validation: Labelled | None = None,
    progress: Progress = None,
) -> RussianToxicityResult:
    """Fit on ``train`` (groups: "forum" or ParaDetox), calibrate on forum ``validation``."""
    tick(progress, "toxicity_ru: n-gram vocabulary")
    features = RussianWordBoundedFeaturesEstimator(**NGRAMS).fit(train.texts)
    forum = np.array([g == FORUM for g in train.groups])
    y = np.asarray(train.labels)
    lexicon = RussianLexiconEstimator().fit(
        [t for t, f in zip(train.texts, forum, strict=True) if f], y[forum].tolist()
    )
    tick(progress, "toxicity_ru: featurising")
    ngrams = features.transform(train.texts)
    x_all = sp.hstack([ngrams, LEXICON_SCALE * lexicon.transform(train.texts)]).tocsr()
    tick(progress, "toxicity_ru: experts")
    everything = _expert().fit(x_all, y, sample_weight=np.asarray(weights))
    forum_only = _expert().fit(ngrams[forum], y[forum])
    mask = identity_feature_mask_ru(features)
    n_lex = len(LEXICON_FEATURES)
    coef_all = neutralise(everything.coef_[0], mask)
    coef_all[-n_lex:] *= LEXICON_SCALE  # back to unscaled lexicon features
    coef_forum = np.concatenate([neutralise(forum_only.coef_[0], mask), np.zeros(n_lex)])
    experts = np.column_stack([coef_all, coef_forum])
    intercepts = np.array([everything.intercept_[0], forum_only.intercept_[0]])

    def decisions(texts: list[str]) -> np.ndarray:
        x = sp.hstack([features.transform(texts), lexicon.transform(texts)]).tocsr()
        return np.asarray(x @ experts) + intercepts

    tick(progress, "toxicity_ru: stacking and calibration")
    z_val = decisions(validation.texts)
    y_val = np.asarray(validation.labels)
    z_meta, y_meta, w_meta = z_val, y_val, np.full(len(y_val), 0.5 / len(y_val))
    if extra_validation is not None and len(extra_validation):
        z_extra = decisions(extra_validation.texts)
        n = len(extra_validation)
        z_meta = np.vstack([z_val, z_extra])
        y_meta = np.r_[y_val, extra_validation.labels]
        w_meta = np.r_[w_meta, np.full(n, 0.5 / n)]
    meta = LogisticRegression(C=1e4, max_iter=1000).fit(
        z_meta, y_meta, sample_weight=w_meta * len(y_meta)
    )
    stack = np.clip(meta.coef_[0], 0.0, None)
    stack = stack / stack.sum() if stack.sum() > 0 else np.array([0.5, 0.5])
    if extra_validation is not None and len(extra_validation):
        stack = _more_forum(stack, z_val, y_val, z_extra, np.asarray(extra_validation.labels))
    combined = z_val @ stack
    oof = np.zeros(len(y_val))
    for fit_rows, held in StratifiedKFold(5, shuffle=True, random_state=0).split(combined, y_val):
        slope, offset = platt(combined[fit_rows], y_val[fit_rows])
        oof[held] = sigmoid(slope * combined[held] + offset)
    slope, offset = platt(combined, y_val)
    coef = slope * (experts @ stack)
    intercept = slope * float(intercepts @ stack) + offset
    model = Pipeline(
        [
            ("features", FeatureUnion([("ngrams", features), ("lexicon", lexicon)])),
            ("classifier", linear_head(coef, intercept)),
        ]
    )
    weights_out = (round(float(stack[0]), 4), round(float(stack[1]), 4))
    return RussianToxicityResult(model, {}, validation, oof, weights_out)


def _more_forum(
    stack: np.ndarray,
    z_val: np.ndarray,
    y_val: np.ndarray,
    z_extra: np.ndarray,
    y_extra: np.ndarray,
) -> np.ndarray:
    """Stacking weights [all, forum] with the forum expert's share (of decisions standardised
    on forum validation) that gives the best forum-validation ROC-AUC among the shares keeping
    ParaDetox-validation ROC-AUC within ``PARADETOX_TOLERANCE`` of ``stack``'s."""
    floor = roc_auc_score(y_extra, z_extra @ stack) - PARADETOX_TOLERANCE
    scale = z_val.std(axis=0)
    best, chosen = roc_auc_score(y_val, z_val @ stack), stack
    for share in FORUM_SHARES:
        weights = np.array([1.0 - share, share]) / scale
        if roc_auc_score(y_extra, z_extra @ weights) < floor:
            continue
        score = roc_auc_score(y_val, z_val @ weights)
        if score > best:
            best, chosen = score, weights / weights.sum()
    return chosen
