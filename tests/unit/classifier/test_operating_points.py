"""Operating points: approve_below keeps misses under target, reject band meets precision."""

from __future__ import annotations

import numpy as np

from moderation.classifier.training.operating_points import (
    bands,
    choose,
    expected_calibration_error,
    metrics,
    reliability,
)


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(900, int), np.ones(100, int)]
    p = np.r_[rng.uniform(0, 0.6, 900), rng.uniform(0.3, 1.0, 100)]
    return y, p


def test_approve_band_misses_at_most_the_target_share() -> None:
    y, p = _data()
    point = choose(y, p, max_miss=0.05, min_precision=0.9)
    approved = p < point["approve_below"]
    assert y[approved].sum() <= 0.05 * y.sum()


def test_reject_band_meets_the_precision_target() -> None:
    y, p = _data()
    point = choose(y, p, max_miss=0.05, min_precision=0.9)
    rejected = p >= point["reject_at_or_above"]
    assert rejected.sum() >= 10
    assert y[rejected].mean() >= 0.9
    assert point["approve_below"] <= point["reject_at_or_above"]


def test_unreachable_precision_means_never_reject() -> None:
    y = np.array([0, 1] * 50)
    p = np.linspace(0, 1, 100)
    assert choose(y, p, max_miss=0.05, min_precision=0.99)["reject_at_or_above"] == 1.0


def test_bands_add_up() -> None:
    y, p = _data()
    out = bands(y, p, 0.3, 0.7)
    assert sum(b["share_of_comments"] for b in out.values()) == 1.0
    assert abs(sum(b["share_of_positives"] for b in out.values()) - 1.0) < 1e-9


def test_metrics_report_auc_and_f1() -> None:
    y, p = _data()
    out = metrics(y, p, {"approve_below": 0.3, "reject_at_or_above": 0.7})
    assert 0.5 < out["roc_auc"] <= 1.0
    assert {"pr_auc", "f1_flag_at_approve_below", "f1_reject_at"} <= set(out)


def test_reliability_bins_show_predicted_against_observed() -> None:
    labels = [0, 0, 1, 1, 1, 0]
    scores = [0.05, 0.15, 0.95, 0.91, 0.55, 0.52]
    rows = reliability(labels, scores)
    assert [r["bin"] for r in rows] == ["0.0-0.1", "0.1-0.2", "0.5-0.6", "0.9-1.0"]
    assert sum(r["n"] for r in rows) == 6
    middle = rows[2]
    assert middle["n"] == 2 and middle["observed_rate"] == 0.5
    assert middle["mean_probability"] == round((0.55 + 0.52) / 2, 4)
    assert reliability([1], [1.0])[0]["bin"] == "0.9-1.0"  # 1.0 falls in the last bin


def test_calibration_error_separates_calibrated_from_overconfident() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 20_000)
    calibrated = (rng.uniform(0, 1, p.size) < p).astype(int)
    assert expected_calibration_error(calibrated, p) < 0.02
    overconfident = np.where(p > 0.5, 0.99, 0.01)
    assert expected_calibration_error(calibrated, overconfident) > 0.2
    out = metrics(calibrated, p, None)
    assert out["brier"] == round(float(np.mean((p - calibrated) ** 2)), 4)
    assert out["ece"] < 0.02
