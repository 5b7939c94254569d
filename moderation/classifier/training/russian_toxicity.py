"""Train the Russian toxicity model: one calibrated linear head over [n-grams | lexicon].

Same family as the English model, so :class:`~moderation.classifier.heads.ToxicityHead`
serves it unchanged: a ``Pipeline`` of ``FeatureUnion([("ngrams", RussianTextFeatures),
("lexicon", RussianLexicon)])`` and a ``LogisticRegression`` head. The head is fitted on the
forum training split plus ParaDetox (rewrites weighted down), then Platt-scaled on the forum
validation split and the scaling folded into its coefficients. Positive weights of identity
words (казах, узбек, еврей...) are clipped to zero, as for English.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

from moderation.classifier.fairness_terms import neutralise
from moderation.classifier.fairness_terms_ru import identity_feature_mask_ru
from moderation.classifier.lexicon_ru import RussianLexicon
from moderation.classifier.text_features_ru import RussianTextFeatures
from moderation.classifier.training.linear import linear_head, platt, sigmoid
from moderation.classifier.training.sources import Labelled, Progress, tick

NGRAMS = {"min_df": 3, "max_char_terms": 120_000, "max_word_terms": 40_000}
C = 4.0


@dataclass
class RussianToxicityResult:
    model: Pipeline
    subtypes: dict[str, LogisticRegression]  # none: the Russian data has no sub-type labels
    validation: Labelled
    validation_oof: np.ndarray  # cross-fitted calibrated probabilities on ``validation``


def train_russian_toxicity(
    train: Labelled,
    weights: list[float],
    validation: Labelled,
    *,
    c: float = C,
    progress: Progress = None,
) -> RussianToxicityResult:
    tick(progress, "toxicity_ru: n-gram vocabulary")
    features = RussianTextFeatures(**NGRAMS).fit(train.texts)
    tick(progress, "toxicity_ru: featurising")
    lexicon = RussianLexicon().fit(train.texts, train.labels)
    x_train = sp.hstack([features.transform(train.texts), lexicon.transform(train.texts)]).tocsr()
    x_val = sp.hstack(
        [features.transform(validation.texts), lexicon.transform(validation.texts)]
    ).tocsr()
    tick(progress, "toxicity_ru: head")
    head = LogisticRegression(C=c, solver="liblinear", max_iter=3000, random_state=0)
    head.fit(x_train, train.labels, sample_weight=np.asarray(weights))
    coef = neutralise(head.coef_[0], identity_feature_mask_ru(features))
    decision = x_val @ coef + head.intercept_[0]
    y_val = np.asarray(validation.labels)
    oof = np.zeros(len(y_val))
    for fit_rows, held in StratifiedKFold(5, shuffle=True, random_state=0).split(decision, y_val):
        slope, offset = platt(decision[fit_rows], y_val[fit_rows])
        oof[held] = sigmoid(slope * decision[held] + offset)
    slope, offset = platt(decision, y_val)
    model = Pipeline(
        [
            ("features", FeatureUnion([("ngrams", features), ("lexicon", lexicon)])),
            ("classifier", linear_head(coef * slope, float(head.intercept_[0]) * slope + offset)),
        ]
    )
    return RussianToxicityResult(model, {}, validation, oof)
