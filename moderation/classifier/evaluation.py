"""Measure the committed models on validation data, side by side with alt-profanity-check.

Toxicity is measured live on the held-out sets. Spam and off-topic final models were fitted
on all their data, so live numbers would be in-sample; we report the cross-validated
figures the training run recorded in the model card instead, and say so. The Russian
toxicity model is measured live on its held-out forum test split and cross-source sets
(:func:`moderation.classifier.evaluation_ru.russian_measured`, ``russian_rows``).
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from moderation.classifier import DEFAULT_MODELS_DIR
from moderation.classifier.artifacts import load_artifact, read_card
from moderation.classifier.comparison import (
    AucDifference,
    AucInterval,
    auc_interval,
    paired_auc_difference,
)
from moderation.classifier.evaluation_ru import (
    russian_measured,
    russian_off_topic_rows,
    russian_rows,
    russian_spam_recorded_rows,
    russian_spam_row,
    translit_routing_row,
)
from moderation.classifier.newsroom_labels import LabelFile
from moderation.classifier.training import span_check
from moderation.classifier.training.operating_points import metrics
from moderation.classifier.training.sources import DataDir, Labelled
from moderation.classifier.training.validation_sets import toxicity_validation_sets
from moderation.domain.policy import Policy

_WORD = re.compile(r"\w+(?:['’]\w+)*")


class _Models:
    """The card's artifacts for one evaluation run, each read (and checked) once."""

    def __init__(self, directory: pathlib.Path, card: dict[str, Any]) -> None:
        self.directory = directory
        self.card = card
        self._loaded: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._loaded:
            self._loaded[name] = load_artifact(self.directory, name, self.card)
        return self._loaded[name]


def profanity_check_scores() -> Any | None:
    """alt-profanity-check's ``predict_prob``, or None when the dev dependency is missing."""
    try:
        from profanity_check import predict_prob
    except ImportError:
        return None
    return predict_prob


@dataclass
class _SharedRows:
    """What the shared validation sets give ``moderation evaluate``."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    comparisons: list[dict[str, Any]] = field(default_factory=list)  # with the peer, paired
    intervals: list[dict[str, Any]] = field(default_factory=list)  # ours, on each live set
    notes: list[str] = field(default_factory=list)


def evaluate_models(
    data_dir: pathlib.Path | None,
    models_dir: pathlib.Path | None,
    labels: LabelFile | None = None,
    policy: Policy | None = None,
) -> dict[str, Any]:
    """Rows for every validation set under ``data_dir`` (None: skip them) and, with
    ``labels``, for the newsroom's own decisions (and, with ``policy``, the decisions the
    service would have made against theirs)."""
    directory = models_dir or DEFAULT_MODELS_DIR
    card = read_card(directory)
    models = _Models(directory, card)
    baseline = profanity_check_scores()
    shared = _SharedRows()
    explanations: list[dict[str, Any]] = []
    if data_dir is not None:
        shared = _shared_data_rows(data_dir, models, baseline)
        explanations = explanation_rows(DataDir(data_dir), models, baseline)
    agreement: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    if labels is not None:
        from moderation.classifier import load_scorer
        from moderation.classifier.evaluation_newsroom import newsroom_report

        report = newsroom_report(labels, load_scorer(directory), card, policy, baseline)
        shared.rows += report.rows
        shared.notes += report.notes
        agreement = report.agreement
        points = report.points
    return {
        "rows": shared.rows,
        "baseline_missing": baseline is None,
        "notes": shared.notes,
        "agreement": agreement,
        "points": points,
        "explanations": explanations,
        "comparisons": shared.comparisons,
        "intervals": shared.intervals,
        "mentions": mention_rows(models, baseline),
    }


def mention_rows(models: _Models, baseline: Any) -> list[dict[str, Any]]:
    """Civil sentences naming a country, a city or a public figure against the same sentences
    naming no one (:mod:`~moderation.classifier.training.fairness_mentions`), scored now by the served
    toxicity models at their approve points, and by alt-profanity-check at 0.5."""
    from moderation.classifier.training.fairness_mentions import CHECKS, mentions_table

    card, version = models.card, models.card["model_version"]
    scored: list[tuple[str, str, Any, float]] = [
        ("en", version, models.get("toxicity")["model"],
         card["operating_points"]["toxicity"]["approve_below"]),
    ]  # fmt: skip
    if baseline is not None:
        scored.append(("en", "alt-profanity-check (held: >= 0.5)", None, 0.5))
    if "russian" in card:
        scored.append(
            ("ru", version, models.get("toxicity_ru")["model"],
             card["russian"]["operating_points"]["toxicity"]["approve_below"])
        )  # fmt: skip
    rows: list[dict[str, Any]] = []
    for language, name, model, point in scored:

        def score(texts: Sequence[str], model: Any = model) -> np.ndarray:
            if model is None:
                return np.asarray(baseline(list(texts)), dtype=np.float64)
            return np.asarray(model.predict_proba(list(texts))[:, 1], dtype=np.float64)

        for check in CHECKS[language]:
            table = mentions_table(check, score, point)
            for group, row in table["groups"].items():
                rows.append(
                    {"language": language, "check": check.name, "model": name,
                     "sentences naming": group, **row}
                )  # fmt: skip
    return rows


def explanation_rows(data: DataDir, models: _Models, baseline: Any) -> list[dict[str, Any]]:
    """How the toxicity spans compare with what people marked as toxic
    (:mod:`~moderation.classifier.training.span_check`). English: the Toxic Spans test posts,
    our head as recorded by ``moderation train`` (a twin that never saw these posts) and
    alt-profanity-check asked word by word, measured now on the same posts. Russian: the
    served model on ParaDetox dev (never trained on), against the words its rewrites took out
    (alt-profanity-check knows no Russian)."""
    card = models.card
    rows: list[dict[str, Any]] = []
    english = "en: Toxic Spans test posts, marked by raters"
    recorded = card["validation"].get("explanations", {}).get(span_check.RECORDED)
    if recorded is not None:
        model = f"{card['model_version']} (recorded; twin without these posts)"
        rows.append({"set": english, "model": model, **recorded})
    if baseline is not None and (data.root / span_check.TEST_FILE).is_file():
        texts, gold = span_check.semeval_test(data)
        predicted = word_probe_spans(baseline, texts)
        model = "alt-profanity-check, word by word"
        rows.append({"set": english, "model": model, **span_check.span_metrics(predicted, gold)})
    if "russian" in card:
        model_ru = models.get("toxicity_ru")["model"]
        texts, gold = span_check.paradetox_dev(data)
        predicted = span_check.toxicity_spans(model_ru, texts, "ru")
        rows.append(
            {
                "set": "ru: ParaDetox dev, words the rewrites took out",
                "model": card["model_version"],
                **span_check.span_metrics(predicted, gold),
            }
        )
    return rows


def word_probe_spans(predict_prob: Any, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """Spans from a model that only scores whole texts: every word it scores 0.5 or more
    on its own, strongest first (how a profanity filter would highlight words)."""
    found = [[(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(t)] for t in texts]
    words = sorted({w for spans in found for _, _, w in spans})
    probability = dict(zip(words, np.asarray(predict_prob(words)).tolist(), strict=True))
    return [
        [
            (a, b)
            for a, b, w in sorted(spans, key=lambda x: -probability[x[2]])
            if probability[w] >= 0.5
        ]
        for spans in found
    ]


def _shared_data_rows(data_dir: pathlib.Path, models: _Models, baseline: Any) -> _SharedRows:
    """The rows of every shared validation set; on the toxicity sets measured now, each
    ROC-AUC's bootstrap interval (:func:`interval_row`) and the paired comparison with
    alt-profanity-check (:func:`comparison_row`)."""
    card, directory = models.card, models.directory
    toxicity = models.get("toxicity")["model"]
    point = card["operating_points"]["toxicity"]
    seed = int(card["seed"])
    shared = _SharedRows()
    rows, comparisons, intervals = shared.rows, shared.comparisons, shared.intervals
    notes = shared.notes
    for labelled in toxicity_validation_sets(DataDir(data_dir), seed=seed):
        ours = toxicity.predict_proba(labelled.texts)[:, 1]
        intervals.append(
            interval_row("toxicity", labelled.name, card["model_version"],
                         auc_interval(labelled.labels, ours, labelled.groups, seed=seed))
        )  # fmt: skip
        rows.append(
            {
                "score": "toxicity",
                "set": labelled.name,
                "model": card["model_version"],
                **metrics(labelled.labels, ours, point),
            }
        )
        if baseline is not None:
            theirs = np.asarray(baseline(list(labelled.texts)))
            rows.append(
                {
                    "score": "toxicity",
                    "set": labelled.name,
                    "model": "alt-profanity-check",
                    **_baseline_metrics(labelled.labels, theirs),
                }
            )
            comparisons.append(comparison_row(labelled, ours, theirs, seed=seed))
    for score, name in (
        ("spam", "youtube_leave_one_video_out"),
        ("off_topic", "gnm_pairs_leave_one_article_out"),
        ("off_topic", "gnm_pairs_nearest_article_leave_one_article_out"),
    ):
        recorded = card["validation"][score].get(name)
        if recorded is None:  # a card from before this check was recorded
            continue
        rows.append(
            {
                "score": score,
                "set": f"{name} (recorded)",
                "model": card["model_version"],
                **recorded,
            }
        )
    if "russian" in card:
        model_ru = models.get("toxicity_ru")["model"]
        measured = russian_measured(pathlib.Path(data_dir), model_ru, card["russian"])
        rows += russian_rows(measured, card["russian"], card["model_version"])
        for name, labels, scores in measured:
            found = auc_interval(labels, scores, seed=seed)
            intervals.append(interval_row("toxicity_ru", name, card["model_version"], found))
        if "off_topic" in card["russian"]:
            off_topic_ru = models.get("off_topic_ru")
            rows += russian_off_topic_rows(off_topic_ru, card["russian"], card["model_version"])
        rows += russian_spam_recorded_rows(card["russian"], card["model_version"])
    if "russian" in card:
        from moderation.classifier import load_scorer

        scorer = load_scorer(directory)
        rows.append(russian_spam_row(pathlib.Path(data_dir), scorer, card))
        row, note = translit_routing_row(
            pathlib.Path(data_dir), scorer, card["russian"], card["model_version"]
        )
        rows.append(row)
        notes.append(note)
    notes += [
        "toxicity: our F1 columns flag at our operating points; alt-profanity-check rows use "
        "0.5 for both (it has no calibrated operating points).",
        "spam / off_topic rows are cross-validated figures recorded by `moderation train`.",
        "toxicity_ru rows flag at the Russian operating points; '(recorded; trained without "
        "ParaDetox)' rows are the cross-source check recorded by `moderation train`.",
        "off_topic_ru: no Russian article/comment data exists; the model learned from English "
        "pairs and is checked on hand-written Russian pairs (docs/russian.md).",
        "spam_ru: no Russian spam data exists; the Russian spam head learned from a "
        "hand-written seed set (recorded rows: leave one kind of spam out) and is checked on 60 "
        "other hand-written Russian spam comments, never trained on, against real forum "
        "comments (docs/russian.md).",
    ]
    return shared


def _resampled(found: AucInterval | AucDifference) -> str:
    """What each bootstrap draw took: the validation sets' groups are C3's articles."""
    return f"{found.units} {'articles' if found.resampled == 'groups' else 'comments'}"


def interval_row(score: str, name: str, model: str, found: AucInterval) -> dict[str, Any]:
    """One model's ROC-AUC on one set with its 95 % bootstrap interval; C3 by article."""
    return {
        "score": score,
        "set": name,
        "model": model,
        "resampled": _resampled(found),
        "roc_auc": round(found.auc, 4),
        "ci95_low": round(found.low, 4),
        "ci95_high": round(found.high, 4),
    }


def comparison_row(
    labelled: Labelled, ours: np.ndarray, theirs: np.ndarray, *, seed: int
) -> dict[str, Any]:
    """Ours minus alt-profanity-check in ROC-AUC on one set, with its paired bootstrap
    interval (:mod:`~moderation.classifier.comparison`): C3 resampled by article."""
    found = paired_auc_difference(labelled.labels, ours, theirs, labelled.groups, seed=seed)
    return {
        "set": labelled.name,
        "resampled": _resampled(found),
        "ours": round(found.ours, 4),
        "alt-profanity-check": round(found.theirs, 4),
        "difference": round(found.difference, 4),
        "ci95_low": round(found.low, 4),
        "ci95_high": round(found.high, 4),
        "resamples_ours_higher": round(found.share_higher, 3),
    }


def _baseline_metrics(labels: Sequence[int], scores: np.ndarray) -> dict[str, Any]:
    return metrics(labels, scores, {"approve_below": 0.5, "reject_at_or_above": 0.5})
