"""Train the toxicity model: two linear experts on shared n-grams plus a span lexicon, stacked.

* a ridge regression on C3's graded toxicity (1-4) over training articles: the news domain;
* a logistic regression on the out-of-domain sets (Wikipedia talk, OLID tweets, Davidson
  tweets, Civil Comments toxic posts): what abuse looks like in general;
* the Toxic Spans lexicon (:mod:`moderation.classifier.lexicon`).

A meta logistic regression over the three, fitted on held-out C3 articles, weighs them and
calibrates the result (it is Platt scaling with three inputs). All of it folds into a single
linear head over [n-grams, lexicon features].
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline

from moderation.classifier.fairness_terms import (
    IDENTITY_TERMS,
    civil_identity_sentences,
    identity_feature_mask,
    neutralise,
)
from moderation.classifier.lexicon import ToxicLexicon
from moderation.classifier.text_features import TextFeatures
from moderation.classifier.training import toxicity_data as td
from moderation.classifier.training.linear import linear_head
from moderation.classifier.training.sources import DataDir, Labelled, Progress, tick

VALIDATION_ARTICLE_SHARE = 0.3


@dataclass
class ToxicityResult:
    model: Pipeline
    subtypes: dict[str, LogisticRegression]
    validation: Labelled  # held-out C3 articles
    stacked_oof: np.ndarray  # cross-fitted probabilities on the held-out articles
    training_sets: list[str]


def split_articles(c3: Labelled, *, seed: int) -> tuple[Labelled, Labelled]:
    articles = sorted(set(c3.groups))
    random.Random(seed).shuffle(articles)
    held = set(articles[: int(len(articles) * VALIDATION_ARTICLE_SHARE)])
    return (
        c3.subset([g not in held for g in c3.groups], "socc_c3_train"),
        c3.subset([g in held for g in c3.groups], "socc_c3_validation"),
    )


def train_toxicity(data: DataDir, *, seed: int, progress: Progress = None) -> ToxicityResult:
    c3, levels = td.load_c3(data)
    train, validation = split_articles(c3, seed=seed)
    held = set(validation.groups)
    train_levels = [lv for lv, g in zip(levels, c3.groups, strict=True) if g not in held]
    civil, civil_subtypes = td.load_civil_spans(data)
    augmented = civil_identity_sentences()
    identity = Labelled(
        "civil_identity_sentences", augmented, [0] * len(augmented), ["aug"] * len(augmented)
    )
    extras = [
        identity,
        td.load_wiki(data),
        td.load_tweeteval(data, "offensive", "train"),
        td.load_davidson(data),
        civil,
    ]
    tick(progress, "toxicity: n-gram vocabulary")
    texts = train.texts + [t for e in extras for t in e.texts]
    features = TextFeatures().fit(texts)
    tick(progress, "toxicity: featurising")
    x_train = features.transform(train.texts)
    x_extra = features.transform([t for e in extras for t in e.texts])
    x_val = features.transform(validation.texts)
    y_extra = np.array([y for e in extras for y in e.labels])

    tick(progress, "toxicity: experts")
    x_identity = x_extra[: len(identity)]
    news = Ridge(alpha=1.0).fit(
        sp.vstack([x_train, x_identity]), train_levels + [1.0] * len(identity)
    )
    general = LogisticRegression(C=1.0, solver="liblinear", max_iter=3000, random_state=0).fit(
        x_extra, y_extra
    )
    lexicon = ToxicLexicon(exclude=IDENTITY_TERMS).fit(*_civil_spans(data))

    mask = identity_feature_mask(features)
    news_coef = neutralise(news.coef_, mask)
    general_coef = neutralise(general.coef_[0], mask)
    stack = np.column_stack(
        [
            x_val @ news_coef + news.intercept_,
            x_val @ general_coef + general.intercept_[0],
            lexicon.transform(validation.texts),
        ]
    )
    meta = LogisticRegression(max_iter=1000)
    oof = cross_val_predict(
        meta, stack, validation.labels, groups=validation.groups, cv=GroupKFold(5),
        method="predict_proba",
    )[:, 1]  # fmt: skip
    meta.fit(stack, validation.labels)
    w = meta.coef_[0]
    coef = np.concatenate([w[0] * news_coef + w[1] * general_coef, w[2:]])
    intercept = w[0] * news.intercept_ + w[1] * general.intercept_[0] + meta.intercept_[0]
    model = Pipeline(
        [
            ("features", FeatureUnion([("ngrams", features), ("lexicon", lexicon)])),
            ("classifier", linear_head(coef, float(intercept))),
        ]
    )
    tick(progress, "toxicity: sub-types")
    x_civil = x_extra[-len(civil) :]
    subtypes = {
        name: LogisticRegression(C=1.0, solver="liblinear", max_iter=2000, random_state=0).fit(
            x_civil, labels
        )
        for name, labels in civil_subtypes.items()
    }
    names = [train.name] + [e.name for e in extras]
    return ToxicityResult(model, subtypes, validation, oof, names)


def _civil_spans(data: DataDir) -> tuple[list[str], list[list[tuple[int, int]]]]:
    comments = {
        r["comment_id"]: r["comment_text"]
        for r in data.read_csv("civil_toxic_spans/data/comments.csv")
    }
    post_of = {
        r["annotation"]: r["comment_id"]
        for r in data.read_csv("civil_toxic_spans/data/annotations.csv")
    }
    spans: dict[str, list[tuple[int, int]]] = {c: [] for c in comments}
    for row in data.read_csv("civil_toxic_spans/data/spans.csv"):
        post = post_of.get(row["annotation"])
        if post in spans and row["start"].isdigit() and row["end"].isdigit():
            spans[post].append((int(row["start"]), int(row["end"])))
    ids = sorted(comments)
    return [comments[i] for i in ids], [spans[i] for i in ids]
