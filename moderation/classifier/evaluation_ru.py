"""Rows for ``moderation evaluate``: the Russian models on their held-out sets.

Re-measures the served model on the forum test split (random split) and on the two
cross-source sets, and adds the figures ``train_russian`` recorded for the model trained
without ParaDetox (the cross-source check), so one table shows every Russian figure.
"""

from __future__ import annotations

import json
import pathlib
from collections import Counter
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from moderation.classifier import Scorer
from moderation.classifier.evaluation_newsroom import operating_point
from moderation.classifier.language_routing import route
from moderation.classifier.text_features import MAX_CHARS
from moderation.classifier.training.off_topic_ru import (
    check_scores,
    load_check_pairs,
    load_nearest_check_pairs,
)
from moderation.classifier.training.operating_points import metrics
from moderation.classifier.training.russian_data import load_russian
from moderation.classifier.training.russian_evaluation import translit_all
from moderation.classifier.training.sources import DataDir
from moderation.domain.scores import CommentInput

Measured = list[tuple[str, np.ndarray, np.ndarray]]  # (set name, labels, scores)


def russian_measured(data_dir: pathlib.Path, model: Pipeline, section: dict[str, Any]) -> Measured:
    """The served Russian toxicity model's scores on the forum test split (random split) and
    the two cross-source sets."""
    ru = load_russian(DataDir(data_dir), seed=int(section["seed"]))
    test_y = np.asarray(ru.test.labels)
    test_scores = model.predict_proba(ru.test.texts)[:, 1]
    paradetox_test = model.predict_proba(ru.paradetox_test_toxic.texts)[:, 1]
    clean = test_scores[test_y == 0]
    return [
        ("ru_2ch_pikabu_test (random split)", test_y, test_scores),
        (
            "ru_paradetox_dev toxic vs rewrites",
            np.asarray(ru.paradetox_dev_pairs.labels),
            model.predict_proba(ru.paradetox_dev_pairs.texts)[:, 1],
        ),
        (
            "ru_paradetox_test toxic vs forum test clean",
            np.r_[np.ones(len(paradetox_test)), np.zeros(len(clean))],
            np.r_[paradetox_test, clean],
        ),
    ]


def russian_rows(
    measured: Measured, section: dict[str, Any], model_version: str
) -> list[dict[str, Any]]:
    """Rows for :func:`russian_measured`'s sets and the figures recorded for the model trained
    without ParaDetox. ``section`` is the model card's ``"russian"`` entry (``train_russian``'s
    output)."""
    point = section["operating_points"]["toxicity"]
    rows = [
        {"score": "toxicity_ru", "set": name, "model": model_version, **metrics(y, p, point)}
        for name, y, p in measured
    ]
    for name, recorded in section["validation"]["forum_only_model"].items():
        if isinstance(recorded, dict):
            rows.append(
                {
                    "score": "toxicity_ru",
                    "set": f"{name} (recorded; trained without ParaDetox)",
                    "model": model_version,
                    **recorded,
                }
            )
    return rows


def russian_off_topic_rows(
    model: Pipeline, section: dict[str, Any], model_version: str
) -> list[dict[str, Any]]:
    """The Russian off-topic model re-measured on the hand-written Russian pairs, and the
    recorded leave-one-article-out figures of the same model on the English pairs."""
    point = section["operating_points"]["off_topic"]
    check = load_check_pairs(seed=int(section["seed"]))
    nearest = load_nearest_check_pairs(model.named_steps["features"])
    recorded = section["off_topic"]["validation"]
    return [
        {
            "score": "off_topic_ru",
            "set": "hand-written Russian pairs (a check, not a data set)",
            "model": model_version,
            **metrics(check.labels, check_scores(model, check), point),
        },
        {
            "score": "off_topic_ru",
            "set": "hand-written Russian pairs, nearest article",
            "model": model_version,
            **metrics(nearest.labels, check_scores(model, nearest), point),
        },
        {
            "score": "off_topic_ru",
            "set": "gnm English pairs, no background features (recorded)",
            "model": model_version,
            **recorded["english_pairs_without_background_leave_one_article_out"],
        },
    ]


def russian_spam_recorded_rows(section: dict[str, Any], model_version: str) -> list[dict[str, Any]]:
    """The Russian spam head's out-of-fold figures recorded by ``moderation train`` (none for
    a card from before it)."""
    recorded = section.get("spam", {}).get("validation", {})
    sets = {
        "leave_one_kind_out": "seed spam vs seed civil + forum train, leave one kind out",
        "leave_one_kind_out_seed_spam_vs_seed_civil": "seed spam vs seed civil, leave one kind out",
    }
    return [
        {"score": "spam_ru", "set": f"{label} (recorded)", "model": model_version, **recorded[key]}
        for key, label in sets.items()
        if key in recorded
    ]


SPAM_CHECK = pathlib.Path(__file__).with_name("training") / "ru_spam_check.json"


def russian_spam_row(
    data_dir: pathlib.Path, scorer: Scorer, card: dict[str, Any]
) -> dict[str, Any]:
    """Spam on Russian comments, through the whole scorer (the Russian spam head): hand-written
    Russian spam (``training/ru_spam_check.json``, a check, not a data set, never trained on)
    against the real forum validation comments (no spam among them), at the Russian spam
    operating points (the English ones for a model set without a Russian spam head)."""
    spam = json.loads(SPAM_CHECK.read_text(encoding="utf-8"))["spam"]
    ru = load_russian(DataDir(data_dir), seed=int(card["russian"]["seed"]))
    clean = list(ru.validation.texts)
    scored = scorer.score([CommentInput(t[:MAX_CHARS]) for t in [*spam, *clean]])
    scores = np.asarray([0.0 if s.spam is None else s.spam for s in scored])
    labels = [1] * len(spam) + [0] * len(clean)
    return {
        "score": "spam_ru",
        "set": "hand-written Russian spam vs forum validation (a check, not a data set)",
        "model": card["model_version"],
        **metrics(labels, scores, operating_point(card, "spam", "ru")),
    }


def translit_routing_row(
    data_dir: pathlib.Path, scorer: Scorer, section: dict[str, Any], model_version: str
) -> tuple[dict[str, Any], str]:
    """The forum test split written in Latin letters (whole comments), through the whole
    scorer: the comments routed to the Russian models (``ru-Latn``) and their scores, and a
    note saying how many were routed and where the rest went (held as unsupported)."""
    point = section["operating_points"]["toxicity"]
    ru = load_russian(DataDir(data_dir), seed=int(section["seed"]))
    texts = [translit_all(t.lower())[:MAX_CHARS] for t in ru.test.texts]
    scored = scorer.score([CommentInput(t) for t in texts])
    routed = [
        i for i, s in enumerate(scored) if route(s.language) == "ru" and s.toxicity is not None
    ]
    labels = np.asarray(ru.test.labels)[routed]
    scores = np.asarray([scored[i].toxicity for i in routed])
    taken = set(routed)
    elsewhere = Counter(s.language for i, s in enumerate(scored) if i not in taken)
    row = {
        "score": "toxicity_ru",
        "set": "ru_2ch_pikabu_test in Latin letters, routed as ru-Latn",
        "model": model_version,
        **metrics(labels, scores, point),
    }
    note = (
        f"toxicity_ru in Latin letters: {len(routed)} of {len(texts)} forum test comments, "
        "transliterated letter by letter, were routed to the Russian models; the rest went to "
        f"{', '.join(f'{k} {v}' for k, v in elsewhere.most_common())} (the English model "
        "scores 'en'; the others are held as unsupported_language)."
    )
    return row, note
