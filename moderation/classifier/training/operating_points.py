"""Choose approve/reject thresholds from validation scores and describe what they will do.

``approve_below``: the highest threshold that still sends at least (1 - max_miss) of the
positive (toxic, spam, off-topic) validation comments to hold or reject.
``reject_at_or_above``: the lowest threshold whose band reaches ``min_precision`` with at
least ``min_support`` comments; when no such band exists we never auto-reject (1.0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

TARGETS = {  # score -> (max share of positives approved, precision required to auto-reject)
    "toxicity": (0.10, 0.80),
    "spam": (0.02, 0.97),
    "off_topic": (0.05, 0.90),
}
MIN_SUPPORT = 10


def choose(
    labels: ArrayLike, scores: ArrayLike, *, max_miss: float, min_precision: float
) -> dict[str, Any]:
    y = np.asarray(labels)
    p = np.asarray(scores, dtype=np.float64)
    positives = np.sort(p[y == 1])
    approve_below = float(positives[int(np.floor(max_miss * len(positives)))])
    reject_at = 1.0
    for threshold in np.unique(p)[::-1]:
        band = p >= threshold
        if band.sum() >= MIN_SUPPORT and y[band].mean() >= min_precision:
            reject_at = float(threshold)  # keep lowering while precision holds
        elif band.sum() >= MIN_SUPPORT:
            break
    # Round outwards to 4 decimals so rounding never moves a comment into a riskier band.
    approve_below = math.floor(approve_below * 1e4) / 1e4
    reject_at = max(math.ceil(reject_at * 1e4) / 1e4, approve_below)
    return {
        "approve_below": approve_below,
        "reject_at_or_above": reject_at,
        "targets": {"max_positive_share_approved": max_miss, "min_reject_precision": min_precision},
        "expected": bands(y, p, approve_below, reject_at),
    }


def tradeoff(
    labels: ArrayLike, scores: ArrayLike, misses: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3)
) -> dict[str, dict[str, float]]:
    """approve_below and the resulting hold share for several miss targets, so the product
    owner can pick a different point without retraining."""
    out = {}
    for miss in misses:
        point = choose(labels, scores, max_miss=miss, min_precision=1.0)
        out[f"max_miss_{miss}"] = {
            "approve_below": point["approve_below"],
            "approved_share": point["expected"]["approve"]["share_of_comments"],
        }
    return out


def bands(y: np.ndarray, p: np.ndarray, approve_below: float, reject_at: float) -> dict[str, Any]:
    """Share of comments, positive rate and share of all positives in each band."""
    out: dict[str, Any] = {}
    n_pos = max(int(y.sum()), 1)
    for name, mask in (
        ("approve", p < approve_below),
        ("hold", (p >= approve_below) & (p < reject_at)),
        ("reject", p >= reject_at),
    ):
        count = int(mask.sum())
        out[name] = {
            "share_of_comments": round(count / len(y), 4),
            "positive_rate": round(float(y[mask].mean()), 4) if count else None,
            "share_of_positives": round(float(y[mask].sum()) / n_pos, 4),
        }
    return out


def metrics(labels: ArrayLike, scores: ArrayLike, point: dict[str, Any] | None) -> dict[str, Any]:
    """ROC-AUC, PR-AUC, calibration (Brier score, ECE) and F1 when flagging at each
    operating point."""
    y = np.asarray(labels)
    p = np.asarray(scores, dtype=np.float64)
    out: dict[str, Any] = {
        "n": len(y),
        "positives": int(y.sum()),
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if 0 < y.sum() < len(y) else None,
        "pr_auc": round(float(average_precision_score(y, p)), 4) if y.sum() else None,
        "brier": round(float(np.mean((p - y) ** 2)), 4) if len(y) else None,
        "ece": round(expected_calibration_error(y, p), 4) if len(y) else None,
    }
    if point is not None:
        out["f1_flag_at_approve_below"] = round(
            float(f1_score(y, p >= point["approve_below"], zero_division=0)), 4
        )
        out["f1_reject_at"] = round(
            float(f1_score(y, p >= point["reject_at_or_above"], zero_division=0)), 4
        )
    return out


CALIBRATION_BINS = 10


def reliability(labels: ArrayLike, scores: ArrayLike) -> list[dict[str, Any]]:
    """Predicted probability against the observed positive rate, in equal-width bins of the
    probability (empty bins left out): what "calibrated" means, in numbers."""
    return [
        {
            "bin": f"{k / CALIBRATION_BINS:.1f}-{(k + 1) / CALIBRATION_BINS:.1f}",
            "n": n,
            "mean_probability": round(predicted, 4),
            "observed_rate": round(observed, 4),
        }
        for k, n, predicted, observed in _bins(labels, scores)
    ]


def expected_calibration_error(labels: ArrayLike, scores: ArrayLike) -> float:
    """Mean |predicted - observed| over the :func:`reliability` bins, weighted by their size."""
    bins = _bins(labels, scores)
    total = sum(n for _, n, _, _ in bins)
    return sum(n * abs(predicted - observed) for _, n, predicted, observed in bins) / total


def _bins(labels: ArrayLike, scores: ArrayLike) -> list[tuple[int, int, float, float]]:
    y = np.asarray(labels, dtype=np.float64)
    p = np.asarray(scores, dtype=np.float64)
    which = np.minimum((p * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    return [
        (k, int(member.sum()), float(p[member].mean()), float(y[member].mean()))
        for k in range(CALIBRATION_BINS)
        if (member := which == k).any()
    ]
