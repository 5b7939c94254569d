"""Train the off-topic model on honest pairs, validated leaving one home article out.

See :mod:`moderation.classifier.training.off_topic_data` for how pairs are built. The
background articles the features compare against are the GNM articles; while building a
pair's features we drop its home article and its paired article from the background, so
validation never gets to compare a comment with the article it was really written under.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from moderation.classifier.off_topic_features import OffTopicFeatures
from moderation.classifier.training import off_topic_data as od
from moderation.classifier.training.linear import calibrated, platt
from moderation.classifier.training.sources import DataDir, Progress, tick


@dataclass
class OffTopicResult:
    model: Pipeline
    pairs: od.Pairs
    oof_probabilities: np.ndarray
    per_article_auc: dict[str, float]
    x: np.ndarray  # the pairs' features, one row per pair


def train_off_topic(
    data: DataDir, idf_texts: list[str], *, seed: int, progress: Progress = None
) -> OffTopicResult:
    articles = od.load_articles(data)
    threads = od.load_comments(data)
    pairs = od.build_pairs(articles, threads, seed=seed)
    tick(progress, "off-topic: features")
    background = [("", a.title, a.body) for a in articles.values()]
    article_texts = [f"{a.title}\n{a.body}" for a in articles.values()]
    features = OffTopicFeatures().fit(article_texts + idf_texts, background=background)
    home_title = {a: articles[a].title for a in threads}
    x = np.vstack(
        [
            features.features(c, t, b, exclude=frozenset({home_title[g]}))
            for c, t, b, g in zip(
                pairs.comments, pairs.titles, pairs.bodies, pairs.groups, strict=True
            )
        ]
    )
    y = np.array(pairs.labels)
    groups = np.array(pairs.groups)
    model, probabilities, per_article = fit_leave_one_article_out(features, x, y, groups, progress)
    return OffTopicResult(model, pairs, probabilities, per_article, x)


def fit_leave_one_article_out(
    features: OffTopicFeatures,
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    progress: Progress = None,
) -> tuple[Pipeline, np.ndarray, dict[str, float]]:
    """Scaled logistic regression on ``x``, Platt-calibrated on leave-one-home-article-out
    scores; returns (model over ``features``, calibrated out-of-fold probabilities, per-article
    ROC-AUC)."""
    oof = np.zeros(len(y))
    per_article: dict[str, float] = {}
    for home in sorted(set(groups.tolist())):
        tick(progress, f"off-topic: leave out article {home}")
        held = groups == home
        fold = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(max_iter=2000))])
        fold.fit(x[~held], y[~held])
        oof[held] = fold.decision_function(x[held])
        per_article[home] = float(roc_auc_score(y[held], oof[held]))
    final = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(max_iter=2000))]).fit(
        x, y
    )
    slope, offset = platt(oof, y)
    head = calibrated(final.named_steps["lr"], slope, offset)
    model = Pipeline(
        [("features", features), ("scale", final.named_steps["scale"]), ("classifier", head)]
    )
    probabilities = 1.0 / (1.0 + np.exp(-(slope * oof + offset)))
    return model, probabilities, per_article
