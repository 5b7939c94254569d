"""Small helpers that keep every served model a plain ``LogisticRegression`` head.

Stacked linear models on the same features are themselves linear, and Platt calibration is an
affine map of the decision value, so both fold into one coefficient vector. Serving then needs
one sparse dot product per score, and explanations read contributions straight off ``coef_``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from sklearn.linear_model import LogisticRegression


def linear_head(coef: np.ndarray, intercept: float) -> LogisticRegression:
    """A fitted binary ``LogisticRegression`` with the given weights (classes 0 and 1)."""
    head = LogisticRegression()
    head.coef_ = np.asarray(coef, dtype=np.float64).reshape(1, -1)
    head.intercept_ = np.array([float(intercept)])
    head.classes_ = np.array([0, 1])
    head.n_features_in_ = head.coef_.shape[1]
    head.n_iter_ = np.array([0], dtype=np.int32)
    return head


def platt(scores: ArrayLike, labels: ArrayLike) -> tuple[float, float]:
    """Slope and intercept mapping held-out decision values to calibrated log-odds."""
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(np.asarray(scores).reshape(-1, 1), labels)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def calibrated(head: LogisticRegression, slope: float, offset: float) -> LogisticRegression:
    """Fold Platt scaling into the head: sigmoid(slope * (w.x + b) + offset)."""
    return linear_head(head.coef_[0] * slope, float(head.intercept_[0]) * slope + offset)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))
