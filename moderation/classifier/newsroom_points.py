"""Operating points from the newsroom's own decisions (``moderation evaluate --labels``).

The card's points were chosen on public validation data (C3's crowd labels for English
toxicity, which make the service hold about 70 % of news comments). A newsroom whose
moderators have decided enough comments can choose its own points with the same rule and the
same targets (:func:`~moderation.classifier.training.operating_points.choose`, ``TARGETS``):
``approve_below`` lets through at most the target share of the comments its moderators
rejected for that score, ``reject_at_or_above`` only where they rejected that often.

A point chosen on the comments it is then measured on looks better than it is, so each is also
checked out of sample: chosen on half of the newsroom's articles and measured on the other half
(both ways; the halves are fixed by a hash of ``article_id``). The service then suggests values
for ``config/policy.toml``; it never changes the policy by itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from moderation.classifier.training.operating_points import TARGETS, choose

MIN_POSITIVES = 30  # rejections for the score, per language: fewer say too little
MIN_NEGATIVES = 30  # approvals


@dataclass(frozen=True)
class Sample:
    """One score in one language: the moderators' 0/1 labels, the scores, the articles."""

    score: str
    language: str
    labels: np.ndarray
    scores: np.ndarray
    articles: Sequence[str]


def suggest(sample: Sample, current: dict[str, Any] | None) -> dict[str, Any] | None:
    """The point these labels choose, next to the current one; None when there are too few."""
    y, p = sample.labels, sample.scores
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives < MIN_POSITIVES or negatives < MIN_NEGATIVES:
        return None
    max_miss, min_precision = TARGETS[sample.score]
    chosen = choose(y, p, max_miss=max_miss, min_precision=min_precision)
    row: dict[str, Any] = {
        "score": sample.score,
        "language": sample.language,
        "n": len(y),
        "positives": positives,
        "target_missed": max_miss,
        "approve_below": chosen["approve_below"],
        "missed": _missed(y, p, chosen["approve_below"]),
        "held_or_rejected": _flagged(p, chosen["approve_below"]),
        "reject_at_or_above": chosen["reject_at_or_above"],
        "reject_precision": chosen["expected"]["reject"]["positive_rate"],
    }
    row.update(_out_of_sample(sample, max_miss, min_precision))
    if current is not None:
        now = float(current["approve_below"])
        row["current_approve_below"] = now
        row["current_missed"] = _missed(y, p, now)
        row["current_held_or_rejected"] = _flagged(p, now)
        row["rejected_below_current"] = int(((p < now) & (y == 1)).sum())
    return row


def policy_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """What to change in ``config/policy.toml`` to use the suggested points."""
    lines = []
    for row in rows:
        table = f"thresholds.{row['score']}"
        if row["language"] != "en":
            table = f"languages.{row['language']}.{table}"
        now = row.get("current_approve_below")
        lines.append(
            f"[{table}] approve_below = {row['approve_below']}"
            + (f"   (now {now})" if now is not None else "")
        )
        if row["reject_at_or_above"] < 1.0:
            lines.append(
                f"[{table}] reject_at_or_above = {row['reject_at_or_above']}   (optional: "
                f"{_percent(row['reject_precision'])} of the comments at or above it were "
                "rejected for this score)"
            )
    return lines


def notes(rows: Sequence[dict[str, Any]], skipped: Sequence[Sample]) -> list[str]:
    """Caveats a moderation lead needs before using the suggested points."""
    out = []
    for row in rows:
        if row.get("rejected_below_current") == 0:
            out.append(
                f"points: none of the {row['positives']} comments moderators rejected for "
                f"{row['score']} ({row['language']}) scored below the current approve point: the "
                "labels probably come from the held queue only, so the comments the service "
                "approved unseen are missing and the 'missed' shares are too low. Have "
                "moderators review a sample of approved comments (/moderate/queue?status="
                "approved; what they reject there becomes a label) before raising approve_below."
            )
    for sample in skipped:
        positives = int(sample.labels.sum())
        out.append(
            f"points: {sample.score} ({sample.language}) has {positives} rejections and "
            f"{len(sample.labels) - positives} approvals; at least {MIN_POSITIVES} and "
            f"{MIN_NEGATIVES} are needed to suggest an operating point."
        )
    return out


def _out_of_sample(sample: Sample, max_miss: float, min_precision: float) -> dict[str, Any]:
    """The approve point chosen on one half of the articles, measured on the other, both
    ways: the mean share of rejected comments it let through and of comments it flagged."""
    half = np.array([_half(a) for a in sample.articles], dtype=bool)
    missed, flagged = [], []
    for fit in (half, ~half):
        y_fit, y_check = sample.labels[fit], sample.labels[~fit]
        if y_fit.sum() < MIN_POSITIVES // 2 or y_check.sum() < MIN_POSITIVES // 2:
            return {"missed_other_half": None, "held_or_rejected_other_half": None}
        point = choose(y_fit, sample.scores[fit], max_miss=max_miss, min_precision=min_precision)
        missed.append(_missed(y_check, sample.scores[~fit], point["approve_below"]))
        flagged.append(_flagged(sample.scores[~fit], point["approve_below"]))
    return {
        "missed_other_half": round(float(np.mean(missed)), 4),
        "held_or_rejected_other_half": round(float(np.mean(flagged)), 4),
    }


def _half(article_id: str) -> bool:
    return hashlib.sha256(article_id.encode("utf-8")).digest()[0] % 2 == 0


def _missed(y: np.ndarray, p: np.ndarray, approve_below: float) -> float:
    """Share of the positives scored below ``approve_below`` (approved by this score)."""
    return round(float(np.mean(p[y == 1] < approve_below)), 4)


def _flagged(p: np.ndarray, approve_below: float) -> float:
    """Share of all comments at or above ``approve_below`` (held or rejected by this score)."""
    return round(float(np.mean(p >= approve_below)), 4)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"
