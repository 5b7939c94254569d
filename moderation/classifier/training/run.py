"""Train every model, validate it, choose operating points, and write artifacts + model card.

Deterministic: fixed seeds, sorted inputs and byte-stable artifact files, so re-running
``moderation train`` on the same data reproduces the committed ``models/`` directory.

BLAS threads and kernels: the fitted coefficients move in the 7th digit with the BLAS thread
count and the CPU's SIMD kernels, which changes the artifacts' bytes (not their rounded
figures). ``moderation train`` runs :func:`train_all` with two BLAS threads and the AVX2
kernels on every x86-64 machine that has them (:mod:`~moderation.classifier.training.kernels`),
which is how the committed files were made; the Russian model is trained on one BLAS thread.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from moderation.classifier.artifacts import ARTIFACTS, save_artifact
from moderation.classifier.newsroom_labels import LabelFile
from moderation.classifier.training import off_topic_data, spam_data, span_check, toxicity_data
from moderation.classifier.training.card import write_card
from moderation.classifier.training.fairness import fairness_table, load_nontoxic_templates
from moderation.classifier.training.fairness_mentions import mention_tables
from moderation.classifier.training.newsroom_sets import NewsroomSets, newsroom_version
from moderation.classifier.training.off_topic import train_off_topic
from moderation.classifier.training.off_topic_ru import check_scores
from moderation.classifier.training.operating_points import (
    TARGETS,
    choose,
    metrics,
    reliability,
    tradeoff,
)
from moderation.classifier.training.sources import DataDir, Progress, tick
from moderation.classifier.training.spam import news_ham, train_spam
from moderation.classifier.training.toxicity import split_articles, train_toxicity
from moderation.classifier.training.train_russian import train_russian, write_russian
from moderation.classifier.training.validation_sets import toxicity_validation_sets

SEED = 20261128
MODEL_VERSION = "2026.11.30.6"


def train_all(
    data_dir: pathlib.Path,
    output_dir: pathlib.Path,
    *,
    progress: Progress = None,
    labels: LabelFile | None = None,
) -> dict[str, Any]:
    """``labels``: the newsroom's own moderators' decisions (``train --labels``), learned from
    except for the articles held out to validate on (:mod:`~moderation.classifier.newsroom_labels`)."""
    data = DataDir(data_dir)
    own = NewsroomSets.of(labels, seed=SEED)
    toxicity = train_toxicity(data, seed=SEED, progress=progress, newsroom=own.toxicity_en[0])
    tox_model = toxicity.model
    points = {
        "toxicity": choose(toxicity.validation.labels, toxicity.stacked_oof, **_targets("toxicity"))
    }
    points["toxicity"]["tradeoff"] = tradeoff(toxicity.validation.labels, toxicity.stacked_oof)

    tick(progress, "spam")
    c3, _ = toxicity_data.load_c3(data)
    c3_train, _ = split_articles(c3, seed=SEED)
    ngrams = tox_model.named_steps["features"].transformer_list[0][1]
    spam = train_spam(
        spam_data.load_youtube(data),
        news_ham(c3_train, seed=SEED),
        ngrams,
        progress=progress,
        newsroom=own.spam[0],
    )
    points["spam"] = choose(spam.youtube.labels, spam.oof_probabilities, **_targets("spam"))

    off_topic = train_off_topic(
        data, c3_train.texts, seed=SEED, progress=progress, newsroom=own.off_topic_en[0]
    )
    points["off_topic"] = choose(
        off_topic.pairs.labels, off_topic.oof_probabilities, **_targets("off_topic")
    )

    tick(progress, "validation sets")
    validation: dict[str, Any] = {"toxicity": {}, "spam": {}, "off_topic": {}}
    for labelled in toxicity_validation_sets(data, seed=SEED):
        scores = tox_model.predict_proba(labelled.texts)[:, 1]
        if labelled.name == "socc_c3_validation":
            validation["toxicity"]["socc_c3_validation_cross_fitted"] = metrics(
                labelled.labels, toxicity.stacked_oof, points["toxicity"]
            )
        validation["toxicity"][labelled.name] = metrics(labelled.labels, scores, points["toxicity"])
    validation["spam"]["youtube_leave_one_video_out"] = metrics(
        spam.youtube.labels, spam.oof_probabilities, points["spam"]
    )
    validation["spam"]["per_video_roc_auc"] = {
        k: round(v, 4) for k, v in spam.per_video_auc.items()
    }
    _, c3_validation = split_articles(c3, seed=SEED)
    news_spam = spam.model.predict_proba(c3_validation.texts)[:, 1]
    validation["spam"]["news_ham_c3_validation"] = {
        "n": len(news_spam),
        "share_not_approved": round(
            float(np.mean(news_spam >= points["spam"]["approve_below"])), 4
        ),
        "share_rejected": round(
            float(np.mean(news_spam >= points["spam"]["reject_at_or_above"])), 4
        ),
    }
    for score, model, held in (
        ("toxicity", tox_model, own.toxicity_en[1]),
        ("spam", spam.model, own.spam[1]),
    ):
        if held is not None and len(held):
            scores = model.predict_proba(held.texts)[:, 1]
            validation[score]["newsroom_labels_validation"] = metrics(
                held.labels, scores, points[score]
            )
    if (held_pairs := own.off_topic_en[1]) is not None:
        validation["off_topic"]["newsroom_labels_validation"] = metrics(
            held_pairs.labels, check_scores(off_topic.model, held_pairs), points["off_topic"]
        )
    validation["off_topic"]["gnm_pairs_leave_one_article_out"] = metrics(
        off_topic.pairs.labels, off_topic.oof_probabilities, points["off_topic"]
    )
    validation["off_topic"]["gnm_pairs_nearest_article_leave_one_article_out"] = metrics(
        off_topic.near_labels, off_topic.near_probabilities, points["off_topic"]
    )
    validation["off_topic"]["per_article_roc_auc"] = {
        k: round(v, 4) for k, v in off_topic.per_article_auc.items()
    }
    tick(progress, "explanations")
    validation["explanations"] = {
        span_check.RECORDED: span_check.check(toxicity.span_twin, data),
    }

    calibration = {
        "toxicity/socc_c3_validation_cross_fitted": reliability(
            toxicity.validation.labels, toxicity.stacked_oof
        ),
        "spam/youtube_leave_one_video_out": reliability(
            spam.youtube.labels, spam.oof_probabilities
        ),
        "off_topic/gnm_pairs_leave_one_article_out": reliability(
            off_topic.pairs.labels, off_topic.oof_probabilities
        ),
    }

    tick(progress, "fairness")
    texts, terms = load_nontoxic_templates(data)

    def toxic(t: Sequence[str]) -> np.ndarray:
        return tox_model.predict_proba(list(t))[:, 1]

    fairness = fairness_table(texts, terms, toxic, points["toxicity"])
    fairness["mentions"] = mention_tables("en", toxic, points["toxicity"]["approve_below"])

    tick(progress, "toxicity_ru")
    with threadpool_limits(limits=1):  # one BLAS thread: reproducible bytes (see above)
        russian_objects, russian = train_russian(
            data_dir,
            progress,
            english_off_topic=off_topic,
            newsroom=own.toxicity_ru,
            newsroom_off_topic=own.off_topic_ru,
            newsroom_spam=own.spam_ru,
        )

    tick(progress, "saving artifacts")
    objects = {
        "toxicity": {"model": tox_model, "subtypes": toxicity.subtypes},
        "spam": spam.model,
        "off_topic": off_topic.model,
    }
    artifacts = {}
    for name, obj in objects.items():
        path = output_dir / ARTIFACTS[name]
        artifacts[name] = {
            "file": ARTIFACTS[name],
            "sha256": save_artifact(obj, path),
            "bytes": path.stat().st_size,
        }
    artifacts.update(write_russian(russian_objects, output_dir))
    label_mappings = dict(toxicity_data.LABEL_MAPPINGS)
    label_mappings["youtube_spam"] = spam_data.LABEL_MAPPING
    label_mappings["gnm_article_comment_pairs"] = off_topic_data.LABEL_MAPPING
    label_mappings.update(own.label_mappings())
    return write_card(
        output_dir,
        model_version=MODEL_VERSION if labels is None else newsroom_version(MODEL_VERSION, labels),
        newsroom_labels=own.card_section(),
        seed=SEED,
        data_files=dict(sorted(data.used.items())),
        label_mappings=label_mappings,
        training_sets={"toxicity": toxicity.training_sets},
        validation=validation,
        calibration=calibration,
        operating_points=points,
        fairness=fairness,
        artifacts=artifacts,
        russian=russian,
    )


def _targets(score: str) -> dict[str, float]:
    max_miss, min_precision = TARGETS[score]
    return {"max_miss": max_miss, "min_precision": min_precision}
