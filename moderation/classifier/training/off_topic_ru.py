"""Train the Russian off-topic model: the English pairs teach the decision, Russian n-grams
measure the fit.

There is no Russian set of articles with their comments, so no Russian pairs to learn from.
What carries over between languages is how the features relate to "this comment does not
belong here": a low cosine to the article, few of the comment's informative words or names in
it, chit-chat, questions. So the logistic regression is fitted on the English pairs' features
with the background-article features held at their no-background constants (there are no
Russian background articles), and served over :class:`RussianOffTopicFeatures`, whose IDF
comes from Russian training text.

Validated two ways (docs/russian.md): leave-one-article-out on the English pairs without the
background features (what dropping them costs), and a hand-written Russian check set
(``ru_off_topic_check.json``: 12 articles, 68 comments) paired like the English data, with a
random other article and with the most similar one as the off-topic side.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

import numpy as np
from sklearn.pipeline import Pipeline

from moderation.classifier.off_topic_features import FEATURE_NAMES, NO_BACKGROUND_PERCENTILE
from moderation.classifier.off_topic_features_ru import RussianOffTopicFeatures
from moderation.classifier.training import off_topic_data as od
from moderation.classifier.training.estimators import RussianOffTopicFeaturesEstimator
from moderation.classifier.training.off_topic import (
    OffTopicResult,
    fit_leave_one_article_out,
    pair_features,
)
from moderation.classifier.training.sources import Progress, tick

CHECK_SET = pathlib.Path(__file__).with_name("ru_off_topic_check.json")
NO_BACKGROUND = {
    "background_z": 0.0,
    "background_percentile": NO_BACKGROUND_PERCENTILE,
    "z_x_log_words": 0.0,
}


@dataclass
class RussianOffTopicResult:
    model: Pipeline
    english_oof: np.ndarray  # calibrated leave-one-article-out probabilities, English pairs
    english_labels: list[int]
    english_per_article_auc: dict[str, float]
    check: od.Pairs  # the hand-written Russian pairs, random other article
    check_probabilities: np.ndarray
    nearest_check: od.Pairs  # the same comments, the most similar article as off-topic
    nearest_check_probabilities: np.ndarray


def without_background(x: np.ndarray) -> np.ndarray:
    """``x`` with the background-article columns set to what a model without them sees."""
    out = x.copy()
    for name, value in NO_BACKGROUND.items():
        out[:, FEATURE_NAMES.index(name)] = value
    return out


def _check_set() -> tuple[dict[str, od.Article], dict[str, list[str]]]:
    raw = json.loads(CHECK_SET.read_text(encoding="utf-8"))
    articles = {a["id"]: od.Article(a["id"], a["title"], a["body"]) for a in raw["articles"]}
    threads: dict[str, list[str]] = {}
    for comment in raw["comments"]:
        threads.setdefault(comment["article"], []).append(comment["text"])
    return articles, threads


def load_check_pairs(*, seed: int) -> od.Pairs:
    """Each hand-written comment under its own article and under a random other one."""
    articles, threads = _check_set()
    return od.build_pairs(articles, threads, seed=seed)


def load_nearest_check_pairs(features: RussianOffTopicFeatures) -> od.Pairs:
    """Each hand-written comment under its own article and under the article most similar to
    its own (cosine of ``features``' article vectors): the harder check."""
    articles, threads = _check_set()
    ids = sorted(articles)
    vectors = features.ngrams_.transform([f"{articles[a].title}\n{articles[a].body}" for a in ids])
    similarity = (vectors @ vectors.T).toarray()
    np.fill_diagonal(similarity, -1.0)
    nearest = {a: ids[int(np.argmax(similarity[i]))] for i, a in enumerate(ids)}
    return od.pair_up(articles, threads, nearest.__getitem__)


def check_scores(model: Pipeline, pairs: od.Pairs) -> np.ndarray:
    scores: np.ndarray = model.predict_proba(pairs.rows())[:, 1]
    return scores


def train_russian_off_topic(
    english: OffTopicResult,
    russian_texts: list[str],
    *,
    seed: int,
    progress: Progress = None,
    newsroom: od.Pairs | None = None,
) -> RussianOffTopicResult:
    """``newsroom``: Russian pairs from the newsroom's own labels (``train --labels``), added
    to every fit next to the English pairs."""
    tick(progress, "off_topic_ru: Russian n-grams")
    features = RussianOffTopicFeaturesEstimator()
    features.fit(russian_texts)
    y = np.array(english.pairs.labels)
    groups = np.array(english.pairs.groups)
    model, oof, per_article, _ = fit_leave_one_article_out(
        features,
        without_background(english.x),
        y,
        groups,
        progress,
        extra=pair_features(features, newsroom),
    )
    tick(progress, "off_topic_ru: hand-written Russian check")
    check = load_check_pairs(seed=seed)
    nearest = load_nearest_check_pairs(features)
    return RussianOffTopicResult(
        model,
        oof,
        list(y),
        per_article,
        check,
        check_scores(model, check),
        nearest,
        check_scores(model, nearest),
    )
