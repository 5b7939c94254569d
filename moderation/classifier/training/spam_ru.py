"""Train the Russian spam head: the Russian toxicity n-grams plus the spam cues.

The shared (English) spam head knows links, contacts and money signs, which carry over to any
language, but not a Russian advert that names none of them ("Продам гараж, недорого"). No
labelled Russian spam exists in the data, so this head learns from a hand-written seed set
(``ru_spam_seed.json``: 16 kinds of spam, and civil comments on the same 16 subjects as hard
negatives) against the real forum training comments (no spam among them). It reads the
Russian toxicity model's n-grams, so a Russian comment is featurised once for both.

Validation, all out of fold:

* leave one kind of spam out: each kind's spam, and the civil comments on its subject, are
  scored by a head trained without them (a kind of spam the head never saw), the forum
  comments in 16 random folds at the same time;
* the forum validation split and ParaDetox dev (never trained on): how many real comments it
  would hold or reject.

Calibration is Platt scaling on the out-of-fold decision values, folded into the head: a
probability for a comment stream that is about 3 % spam (the training mix).
"""

from __future__ import annotations

import json
import pathlib
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from moderation.classifier.artifacts import sha256_of
from moderation.classifier.text_features import TextFeatures
from moderation.classifier.training.linear import calibrated, platt, sigmoid
from moderation.classifier.training.sources import DataError, Labelled, Progress, tick
from moderation.classifier.training.spam import features

SEED_SET = pathlib.Path(__file__).with_name("ru_spam_seed.json")
ARTIFACT = "spam_ru.skops"
C = 16.0
METHOD = (
    f"LogisticRegression(C={C}, class_weight='balanced') on [the Russian toxicity model's "
    "n-grams | the 8 spam cues], negative cue weights clipped to 0, Platt-scaled on the "
    "leave-one-kind-out decision values; trained on the hand-written seed set (spam of 16 "
    "kinds, civil comments on the same subjects) and the forum training comments (no spam); "
    "saved as the head alone, served over toxicity_ru's n-grams"
)


@dataclass(frozen=True)
class Seed:
    """The hand-written seed set: spam with its kind, civil comments with their subject."""

    spam: list[str]
    kinds: list[str]
    civil: list[str]
    subjects: list[str]


@dataclass
class RussianSpamResult:
    head: LogisticRegression  # calibrated, over [Russian toxicity n-grams | spam cues]
    labels: np.ndarray  # out-of-fold rows: seed spam, seed civil, forum train
    oof_probabilities: np.ndarray
    sources: list[str]  # "spam", "civil" or "forum", per out-of-fold row
    per_kind: dict[str, dict[str, float]]


def load_seed(path: pathlib.Path = SEED_SET) -> Seed:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        spam = [(str(r["category"]), str(r["text"])) for r in raw["spam"]]
        civil = [(str(r["topic"]), str(r["text"])) for r in raw["civil"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataError(f"{path}: not a Russian spam seed set ({error})") from error
    return Seed(
        [t for _, t in spam], [k for k, _ in spam], [t for _, t in civil], [k for k, _ in civil]
    )


def _classifier() -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000)


def _fit(x: sp.csr_matrix, y: np.ndarray, n_ngrams: int) -> LogisticRegression:
    """Fit, then clip negative cue weights to 0: a link, a phone number or a run of "!!!!!"
    may make a comment look more like spam, never less (the forum's shouting would teach
    the head otherwise, and a spammer could use it)."""
    model = _classifier().fit(x, y)
    model.coef_[0, n_ngrams:] = np.maximum(model.coef_[0, n_ngrams:], 0.0)
    return model


def train_russian_spam(
    ngrams: TextFeatures,
    forum_train: list[str],
    *,
    seed: int,
    seed_set: Seed | None = None,
    progress: Progress = None,
    newsroom: Labelled | None = None,
) -> RussianSpamResult:
    """Fit on the seed set and the forum training comments over the (fitted) Russian n-grams.

    ``newsroom`` (``train --labels``): the newsroom's labelled Russian comments, in every fit
    with their own labels (validated on the articles held out from them, by the caller).
    """
    data = seed_set if seed_set is not None else load_seed()
    texts = [*data.spam, *data.civil, *forum_train]
    labels = np.r_[np.ones(len(data.spam)), np.zeros(len(data.civil) + len(forum_train))]
    sources = ["spam"] * len(data.spam) + ["civil"] * len(data.civil) + ["forum"] * len(forum_train)
    kinds = sorted(set(data.kinds))
    rng = random.Random(seed)
    fold = np.array(
        [kinds.index(k) for k in data.kinds]
        + [kinds.index(s) if s in kinds else rng.randrange(len(kinds)) for s in data.subjects]
        + [rng.randrange(len(kinds)) for _ in forum_train]
    )
    n_oof = len(texts)
    if newsroom is not None and len(newsroom):
        texts += newsroom.texts
        labels = np.r_[labels, np.asarray(newsroom.labels, dtype=float)]
        fold = np.r_[fold, np.full(len(newsroom), -1)]  # in every fit
    x = features(ngrams, texts)
    n_ngrams = ngrams.n_features_out_
    oof = np.zeros(n_oof)
    for k, kind in enumerate(kinds):
        tick(progress, f"spam_ru: leave out {kind}")
        held = fold == k
        model = _fit(x[~held], labels[~held], n_ngrams)
        oof[held[:n_oof]] = model.decision_function(x[held])
    tick(progress, "spam_ru: final fit")
    head = _fit(x, labels, n_ngrams)
    y = labels[:n_oof].astype(int)
    slope, offset = platt(oof, y)
    per_kind = {}
    seeded = np.array(sources) != "forum"
    for k, kind in enumerate(kinds):
        rows = (fold[:n_oof] == k) & seeded
        if 0 < y[rows].sum() < rows.sum():
            per_kind[kind] = {
                "spam": int(y[rows].sum()),
                "civil": int((y[rows] == 0).sum()),
                "roc_auc_against_civil_on_its_subject": round(
                    float(roc_auc_score(y[rows], oof[rows])), 4
                ),
            }
    return RussianSpamResult(
        calibrated(head, slope, offset), y, sigmoid(slope * oof + offset), sources, per_kind
    )


def recall_by_kind(
    result: RussianSpamResult, kinds: list[str], approve_below: float
) -> dict[str, float]:
    """Share of each kind's spam the head would not approve, out of fold."""
    spam = result.oof_probabilities[: len(kinds)]
    counts = Counter(kinds)
    held = Counter(k for k, p in zip(kinds, spam, strict=True) if p >= approve_below)
    return {k: round(held[k] / counts[k], 4) for k in sorted(counts)}


def shares(probabilities: np.ndarray, point: dict[str, Any]) -> dict[str, Any]:
    """How many of some comments (none of them spam) the head would hold or reject."""
    return {
        "n": len(probabilities),
        "share_not_approved": round(float(np.mean(probabilities >= point["approve_below"])), 4),
        "share_rejected": round(float(np.mean(probabilities >= point["reject_at_or_above"])), 4),
    }


def section_extras(data: Seed, path: pathlib.Path = SEED_SET) -> dict[str, Any]:
    return {
        "file": f"moderation/classifier/training/{path.name}",
        "sha256": sha256_of(path),
        "spam": len(data.spam),
        "civil": len(data.civil),
        "kinds": sorted(set(data.kinds)),
    }
