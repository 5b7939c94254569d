"""Train the toxicity model: four linear experts on shared n-grams plus a span lexicon, stacked.

* three ridge regressions on C3's graded toxicity (1-4) over training articles, the news
  domain: on every n-gram; on the word n-grams alone (what is said, not how it is spelled);
  on n-grams scaled by their naive-Bayes log-count ratio (toxic vs civil presence);
* a logistic regression on the out-of-domain sets (Wikipedia talk, OLID tweets, Davidson
  tweets, Civil Comments toxic posts): what abuse looks like in general;
* the Toxic Spans lexicon (:mod:`moderation.classifier.lexicon`).

A meta logistic regression over them, fitted on held-out C3 articles, weighs them and
calibrates the result (Platt scaling with several inputs). All of it folds into a single
linear head over [n-grams, lexicon features].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline

from moderation.classifier.fairness_terms import (
    PROTECTED_TERMS,
    civil_identity_sentences,
    identity_feature_mask,
    neutralise,
)
from moderation.classifier.lexicon import ToxicLexicon
from moderation.classifier.text_features import TextFeatures
from moderation.classifier.training import span_check
from moderation.classifier.training import toxicity_data as td
from moderation.classifier.training.estimators import TextFeaturesEstimator, ToxicLexiconEstimator
from moderation.classifier.training.linear import linear_head
from moderation.classifier.training.sources import (
    DataDir,
    Labelled,
    Progress,
    split_by_article,
    tick,
)

VALIDATION_ARTICLE_SHARE = 0.3


@dataclass
class ToxicityResult:
    model: Pipeline
    subtypes: dict[str, LogisticRegression]
    validation: Labelled  # held-out C3 articles
    stacked_oof: np.ndarray  # cross-fitted probabilities on the held-out articles
    training_sets: list[str]
    span_twin: Pipeline  # the head learned without the Toxic Spans trial/test posts (span_check)


def split_articles(c3: Labelled, *, seed: int) -> tuple[Labelled, Labelled]:
    """(socc_c3_train, socc_c3_validation): whole articles, 30% held out, seeded."""
    return split_by_article(c3, seed=seed, share=VALIDATION_ARTICLE_SHARE)


def train_toxicity(
    data: DataDir, *, seed: int, progress: Progress = None, newsroom: Labelled | None = None
) -> ToxicityResult:
    """``newsroom``: the newsroom's own labelled English comments (``train --labels``); they
    join the news experts with the mean C3 level of toxic or civil training comments."""
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
    own = newsroom if newsroom is not None and len(newsroom) else None
    own_texts = own.texts if own is not None else []
    tick(progress, "toxicity: n-gram vocabulary")
    texts = train.texts + [t for e in extras for t in e.texts] + own_texts
    features = TextFeaturesEstimator().fit(texts)
    tick(progress, "toxicity: featurising")
    x_train = features.transform(train.texts)
    x_extra = features.transform([t for e in extras for t in e.texts])
    x_val = features.transform(validation.texts)
    y_extra = np.array([y for e in extras for y in e.labels])

    tick(progress, "toxicity: experts")
    x_news = sp.vstack([x_train, x_extra[: len(identity)]]).tocsr()
    y_news = np.array(train_levels + [1.0] * len(identity))
    if own is not None:
        x_news = sp.vstack([x_news, features.transform(own.texts)]).tocsr()
        y_news = np.concatenate([y_news, newsroom_levels(own.labels, train_levels)])
    mask = identity_feature_mask(features)
    # (coefficients over the n-grams, intercept) of each linear expert, identity words neutralised
    experts = [
        _ridge(x_news, y_news, alpha=1.0),  # news: every n-gram
        _ridge(x_news, y_news, alpha=0.3, scale=features.is_word_.astype(np.float64)),  # words
        _ridge(x_news, y_news, alpha=1.0, scale=_nb_log_ratio(x_train, train_levels)),  # NB
    ]
    experts.append(_general(x_extra, y_extra))
    experts = [(neutralise(coef, mask), intercept) for coef, intercept in experts]
    span_posts, span_marks = _civil_spans(data)
    lexicon = ToxicLexiconEstimator(exclude=PROTECTED_TERMS).fit(span_posts, span_marks)

    stack = np.column_stack(
        [x_val @ coef + intercept for coef, intercept in experts]
        + [lexicon.transform(validation.texts)]
    )
    meta = LogisticRegression(max_iter=1000)
    oof = cross_val_predict(
        meta, stack, validation.labels, groups=validation.groups, cv=GroupKFold(5),
        method="predict_proba",
    )[:, 1]  # fmt: skip
    meta.fit(stack, validation.labels)
    model = _folded(features, lexicon, experts, meta)

    tick(progress, "toxicity: explanation check (without the Toxic Spans trial and test posts)")
    held_posts = span_check.held_out(data)
    kept = np.ones(len(y_extra), dtype=bool)
    kept[-len(civil) :] = span_check.learnable(civil.texts, held_posts)
    general_twin = _general(x_extra[kept], y_extra[kept])
    learn = span_check.learnable(span_posts, held_posts)
    lexicon_twin = ToxicLexiconEstimator(exclude=PROTECTED_TERMS).fit(
        [t for t, ok in zip(span_posts, learn, strict=True) if ok],
        [m for m, ok in zip(span_marks, learn, strict=True) if ok],
    )
    twin_experts = [*experts[:-1], (neutralise(general_twin[0], mask), general_twin[1])]
    span_twin = _folded(features, lexicon_twin, twin_experts, meta)
    tick(progress, "toxicity: sub-types")
    x_civil = x_extra[-len(civil) :]
    subtypes = {
        name: LogisticRegression(C=1.0, solver="liblinear", max_iter=2000, random_state=0).fit(
            x_civil, labels
        )
        for name, labels in civil_subtypes.items()
    }
    names = [train.name] + [e.name for e in extras] + ([own.name] if own is not None else [])
    return ToxicityResult(model, subtypes, validation, oof, names, span_twin)


def _general(x: sp.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float]:
    """The general expert: what abuse looks like in the out-of-domain sets."""
    general = LogisticRegression(C=1.0, solver="liblinear", max_iter=3000, random_state=0)
    general.fit(x, y)
    return general.coef_[0], float(general.intercept_[0])


def _folded(
    features: TextFeatures,
    lexicon: ToxicLexicon,
    experts: list[tuple[np.ndarray, float]],
    meta: LogisticRegression,
) -> Pipeline:
    """The experts and the lexicon, weighed by ``meta``, as one linear head."""
    w = meta.coef_[0]
    k = len(experts)
    coef = np.concatenate([sum(w[i] * experts[i][0] for i in range(k)), w[k:]])
    intercept = sum(w[i] * experts[i][1] for i in range(k)) + meta.intercept_[0]
    return Pipeline(
        [
            ("features", FeatureUnion([("ngrams", features), ("lexicon", lexicon)])),
            ("classifier", linear_head(coef, float(intercept))),
        ]
    )


def newsroom_levels(labels: list[int], c3_levels: list[float]) -> np.ndarray:
    """C3-scale levels for 0/1 newsroom labels: the mean level of the C3 training comments
    on the same side of the toxic threshold (a moderator's rejection is as toxic as the
    average toxic C3 comment, an approval as civil as the average civil one)."""
    level = np.asarray(c3_levels)
    toxic = level >= td.C3_TOXIC_AT
    means = (float(level[~toxic].mean()), float(level[toxic].mean()))
    return np.array([means[y] for y in labels])


def _ridge(
    x: sp.csr_matrix, y: np.ndarray, *, alpha: float, scale: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """A ridge regression on the columns of ``x`` multiplied by ``scale``, returned as
    coefficients over the unscaled columns (so it folds into the shared linear head)."""
    if scale is None:
        model = Ridge(alpha=alpha).fit(x, y)
        return model.coef_, float(model.intercept_)
    model = Ridge(alpha=alpha).fit(x @ sp.diags(scale), y)
    return scale * model.coef_, float(model.intercept_)


def _nb_log_ratio(x: sp.csr_matrix, levels: list[float]) -> np.ndarray:
    """Naive-Bayes log-count ratio of each n-gram's presence in toxic (level >= 2) against
    civil comments, add-one smoothed: how much the n-gram's presence says about toxicity."""
    present = (x > 0).astype(np.float64)
    toxic = np.asarray(levels) >= td.C3_TOXIC_AT
    p = np.asarray(present[toxic].sum(axis=0)).ravel() + 1.0
    q = np.asarray(present[~toxic].sum(axis=0)).ravel() + 1.0
    ratio: np.ndarray = np.log((p / p.sum()) / (q / q.sum()))
    return ratio


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
