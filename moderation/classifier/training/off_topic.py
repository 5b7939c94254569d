"""Train the off-topic model on honest pairs, validated leaving one home article out.

See :mod:`moderation.classifier.training.off_topic_data` for how pairs are built. The
background articles the features compare against are the GNM articles; while building a
pair's features we drop its home article and its paired article from the background, so
validation never gets to compare a comment with the article it was really written under.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from moderation.classifier.off_topic_features import OffTopicFeatures
from moderation.classifier.training import off_topic_data as od
from moderation.classifier.training.estimators import OffTopicFeaturesEstimator
from moderation.classifier.training.linear import calibrated, platt
from moderation.classifier.training.sources import DataDir, Progress, tick

NEAREST = 3  # a comment's "hard" off-topic article is one of the 3 most similar to its own


@dataclass
class OffTopicResult:
    model: Pipeline
    pairs: od.Pairs
    oof_probabilities: np.ndarray
    per_article_auc: dict[str, float]
    x: np.ndarray  # the pairs' features, one row per pair
    # The same comments on-topic (under their own article, out-of-fold) and off-topic under
    # one of the most similar articles instead of a random one: the harder check.
    near_labels: list[int]
    near_probabilities: np.ndarray


def train_off_topic(
    data: DataDir,
    idf_texts: list[str],
    *,
    seed: int,
    progress: Progress = None,
    newsroom: od.Pairs | None = None,
) -> OffTopicResult:
    """``newsroom``: pairs from the newsroom's own labels (``train --labels``), added to every
    fit; validation and calibration stay on the public pairs."""
    articles = od.load_articles(data)
    threads, parents = od.load_threads(data)
    pairs = od.build_pairs(articles, threads, seed=seed, parents=parents)
    tick(progress, "off-topic: features")
    background = [("", a.title, a.body) for a in articles.values()]
    article_texts = [f"{a.title}\n{a.body}" for a in articles.values()]
    features = OffTopicFeaturesEstimator().fit(article_texts + idf_texts, background=background)
    home_title = {a: articles[a].title for a in threads}
    x = np.vstack(
        [
            features.features(*row, exclude=frozenset({home_title[g]}))
            for row, g in zip(pairs.rows(), pairs.groups, strict=True)
        ]
    )
    y = np.array(pairs.labels)
    groups = np.array(pairs.groups)
    tick(progress, "off-topic: pairs with the most similar articles")
    near_groups, x_near = _nearest_article_pairs(
        features, articles, threads, home_title, parents, seed=seed
    )
    model, probabilities, per_article, near = fit_leave_one_article_out(
        features,
        x,
        y,
        groups,
        progress,
        also=(x_near, near_groups),
        extra=pair_features(features, newsroom),
    )
    on_topic = y == 0
    return OffTopicResult(
        model,
        pairs,
        probabilities,
        per_article,
        x,
        near_labels=[0] * int(on_topic.sum()) + [1] * len(near),
        near_probabilities=np.r_[probabilities[on_topic], near],
    )


def _nearest_article_pairs(
    features: OffTopicFeatures,
    articles: dict[str, od.Article],
    threads: dict[str, list[str]],
    home_title: dict[str, str],
    parents: od.Parents,
    *,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each comment under one of the NEAREST articles most similar to its own (cycling through
    them): off-topic pairs much harder than a random other article, since the article is
    often on the same subject. A reply answers a comment from another article's thread, as
    in :func:`~moderation.classifier.training.off_topic_data.pair_up`. Returns (home article
    per row, features per row)."""
    foreign = random.Random(seed + 2)
    ids = sorted(articles)
    vectors = features.ngrams_.transform([f"{articles[a].title}\n{articles[a].body}" for a in ids])
    similarity = (vectors @ vectors.T).toarray()
    groups, rows = [], []
    for home in sorted(threads):
        h = ids.index(home)
        ranked = [ids[j] for j in np.argsort(-similarity[h], kind="stable") if j != h][:NEAREST]
        for k, comment in enumerate(threads[home]):
            other = articles[ranked[k % len(ranked)]]
            exclude = frozenset({home_title[home]})
            parent = None
            if comment in parents.get(home, {}):
                parent = od.foreign_parent(threads, home, foreign)
            rows.append(
                features.features(comment, other.title, other.body, parent, exclude=exclude)
            )
            groups.append(home)
    return np.array(groups), np.vstack(rows)


def pair_features(
    features: OffTopicFeatures, pairs: od.Pairs | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """(features, labels) of ``pairs``, or None without pairs."""
    if pairs is None or not pairs.labels:
        return None
    return np.vstack([features.features(*row) for row in pairs.rows()]), np.array(pairs.labels)


def fit_leave_one_article_out(
    features: OffTopicFeatures,
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    progress: Progress = None,
    *,
    also: tuple[np.ndarray, np.ndarray] | None = None,
    extra: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[Pipeline, np.ndarray, dict[str, float], np.ndarray]:
    """Scaled logistic regression on ``x``, Platt-calibrated on leave-one-home-article-out
    scores; returns (model over ``features``, calibrated out-of-fold probabilities, per-article
    ROC-AUC, calibrated out-of-fold probabilities of the extra rows ``also`` = (features,
    home article per row), scored by the fold that left their home article out). ``extra`` =
    (features, labels) are training rows added to every fit (never scored out of fold)."""
    x_extra, y_extra = extra if extra is not None else (np.zeros((0, x.shape[1])), np.zeros(0))
    oof = np.zeros(len(y))
    x_also, groups_also = also if also is not None else (np.zeros((0, x.shape[1])), np.zeros(0))
    oof_also = np.zeros(len(x_also))
    per_article: dict[str, float] = {}
    for home in sorted(set(groups.tolist())):
        tick(progress, f"off-topic: leave out article {home}")
        held = groups == home
        fold = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(max_iter=2000))])
        fold.fit(np.vstack([x[~held], x_extra]), np.r_[y[~held], y_extra])
        oof[held] = fold.decision_function(x[held])
        if (held_also := groups_also == home).any():
            oof_also[held_also] = fold.decision_function(x_also[held_also])
        per_article[home] = float(roc_auc_score(y[held], oof[held]))
    final = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(max_iter=2000))]).fit(
        np.vstack([x, x_extra]), np.r_[y, y_extra]
    )
    slope, offset = platt(oof, y)
    head = calibrated(final.named_steps["lr"], slope, offset)
    model = Pipeline(
        [("features", features), ("scale", final.named_steps["scale"]), ("classifier", head)]
    )

    def calibrate(z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(slope * z + offset)))

    return model, calibrate(oof), per_article, calibrate(oof_also)
