"""Train the spam model: n-grams plus hand-written cues, validated leaving one video out.

YouTube ham is music-video chatter, not news discussion, so we add news comments from C3
training articles as extra ham: otherwise ordinary news words (money, invest, offer) would be
learned as spam by default. Calibration is Platt scaling on the leave-one-video-out decision
values, folded into the final head.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import FeatureUnion, Pipeline

from moderation.classifier.text_features import TextFeatures
from moderation.classifier.training.estimators import SpamCuesEstimator
from moderation.classifier.training.linear import calibrated, platt
from moderation.classifier.training.sources import Labelled, Progress, tick

NEWS_HAM = 1500


@dataclass
class SpamResult:
    model: Pipeline
    oof_scores: np.ndarray  # leave-one-video-out decision values, YouTube rows only
    oof_probabilities: np.ndarray
    youtube: Labelled
    per_video_auc: dict[str, float]


def features(ngrams: TextFeatures, texts: list[str]) -> sp.csr_matrix:
    """[n-grams | cues], the columns :class:`~moderation.classifier.heads.SpamHead` reads."""
    return sp.hstack(
        [ngrams.transform(texts), SpamCuesEstimator().fit(texts).transform(texts)]
    ).tocsr()


def _classifier() -> LogisticRegression:
    return LogisticRegression(C=10.0, max_iter=5000)


def news_ham(c3_train: Labelled, *, seed: int) -> list[str]:
    texts = sorted(set(c3_train.texts))
    return random.Random(seed).sample(texts, min(NEWS_HAM, len(texts)))


def train_spam(
    youtube: Labelled,
    ham: list[str],
    ngrams: TextFeatures,
    *,
    progress: Progress = None,
    newsroom: Labelled | None = None,
) -> SpamResult:
    """Fit on YouTube + news ham over the (already fitted, shared) toxicity n-grams.

    Sharing the n-gram vocabulary means a comment is featurised once for both scores.
    ``newsroom`` (``train --labels``): the newsroom's own labelled comments, in every fit
    next to the news ham, with their own labels.
    """
    x_youtube = features(ngrams, youtube.texts)
    own = newsroom if newsroom is not None and len(newsroom) else None
    x_ham = features(ngrams, ham + (own.texts if own is not None else []))
    y_ham = np.concatenate(
        [np.zeros(len(ham), dtype=int), np.asarray(own.labels if own is not None else [], int)]
    )
    groups = np.array(youtube.groups)
    labels = np.array(youtube.labels)
    oof = np.zeros(len(youtube))
    per_video: dict[str, float] = {}
    for video in sorted(set(youtube.groups)):
        tick(progress, f"spam: leave out {video}")
        held = groups == video
        y = np.concatenate([labels[~held], y_ham])
        model = _classifier().fit(sp.vstack([x_youtube[~held], x_ham]), y)
        oof[held] = model.decision_function(x_youtube[held])
        per_video[video] = float(roc_auc_score(labels[held], oof[held]))
    tick(progress, "spam: final fit")
    y_all = np.concatenate([labels, y_ham])
    head = _classifier().fit(sp.vstack([x_youtube, x_ham]), y_all)
    slope, offset = platt(oof, labels)
    final = Pipeline(
        [
            (
                "features",
                FeatureUnion([("ngrams", ngrams), ("cues", SpamCuesEstimator().fit(ham))]),
            ),
            ("classifier", calibrated(head, slope, offset)),
        ]
    )
    probabilities = 1.0 / (1.0 + np.exp(-(slope * oof + offset)))
    return SpamResult(final, oof, probabilities, youtube, per_video)
