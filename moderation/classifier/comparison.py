"""Is one model's ROC-AUC really above another's on the same texts? A paired bootstrap.

Both models' scores are resampled together (the same comments in each resample), so what
varies is only which comments the set happens to hold. Comments under one article are alike
(the same story, often the same raters), so a set with enough articles is resampled by whole
article (:data:`MIN_GROUPS`); others comment by comment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

RESAMPLES = 1000
MIN_GROUPS = 30  # fewer distinct groups than this: resample comments, not groups


@dataclass(frozen=True)
class AucDifference:
    """ROC-AUC of ``ours`` and ``theirs``, and the 95 % paired bootstrap interval of
    ``ours - theirs``; ``share_higher``: the share of resamples in which ours was higher."""

    ours: float
    theirs: float
    difference: float
    low: float
    high: float
    share_higher: float
    resampled: str  # "groups" or "comments"
    units: int  # how many groups or comments each resample draws
    resamples: int


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC-AUC as the Mann-Whitney statistic with tied scores sharing their rank (the same
    value as scikit-learn's ``roc_auc_score``, several times faster on small sets)."""
    positives = labels == 1
    n_pos = int(positives.sum())
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC-AUC needs both classes")
    ranks = rankdata(scores)
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@dataclass(frozen=True)
class AucInterval:
    """A model's ROC-AUC on a set and its 95 % bootstrap interval."""

    auc: float
    low: float
    high: float
    resampled: str  # "groups" or "comments"
    units: int
    resamples: int


def _draws(
    labels: np.ndarray,
    scores: Sequence[np.ndarray],
    groups: Sequence[str] | None,
    resamples: int,
    seed: int,
) -> tuple[list[np.ndarray], str, int]:
    """``resamples`` index arrays drawn with replacement, each holding both classes: whole
    groups when there are at least :data:`MIN_GROUPS` of them, else single items. Also says
    which, and how many units each draw takes. ``scores`` and ``groups`` must be as long as
    ``labels``."""
    lengths = {len(labels), *map(len, scores), len(groups) if groups is not None else len(labels)}
    if len(lengths) != 1:
        raise ValueError("labels, scores and groups must have one entry per item")
    members: list[np.ndarray] = []
    if groups is not None and len(set(groups)) >= MIN_GROUPS:
        _, codes = np.unique(np.asarray(groups), return_inverse=True)
        order = np.argsort(codes, kind="stable")
        members = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
    rng = np.random.default_rng(seed)
    draws: list[np.ndarray] = []
    while len(draws) < resamples:
        if members:
            chosen = rng.integers(0, len(members), len(members))
            pick = np.concatenate([members[k] for k in chosen])
        else:
            pick = rng.integers(0, len(labels), len(labels))
        sample = labels[pick]
        if sample.min() != sample.max():  # one class only: no ROC-AUC, draw again
            draws.append(pick)
    if members:
        return draws, "groups", len(members)
    return draws, "comments", len(labels)


def auc_interval(
    labels: ArrayLike,
    scores: ArrayLike,
    groups: Sequence[str] | None = None,
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> AucInterval:
    """ROC-AUC of ``scores`` with its 95 % bootstrap interval (whole groups, as
    :func:`paired_auc_difference` resamples them)."""
    y = np.asarray(labels)
    p = np.asarray(scores, dtype=np.float64)
    draws, resampled, units = _draws(y, [p], groups, resamples, seed)
    low, high = np.percentile([roc_auc(y[pick], p[pick]) for pick in draws], [2.5, 97.5])
    return AucInterval(roc_auc(y, p), float(low), float(high), resampled, units, resamples)


def paired_auc_difference(
    labels: ArrayLike,
    ours: ArrayLike,
    theirs: ArrayLike,
    groups: Sequence[str] | None = None,
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> AucDifference:
    """``ours - theirs`` in ROC-AUC on the same items, with a paired bootstrap interval."""
    y = np.asarray(labels)
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(theirs, dtype=np.float64)
    draws, resampled, units = _draws(y, [a, b], groups, resamples, seed)
    spread = np.asarray([roc_auc(y[k], a[k]) - roc_auc(y[k], b[k]) for k in draws])
    low, high = np.percentile(spread, [2.5, 97.5])
    ours_auc, theirs_auc = roc_auc(y, a), roc_auc(y, b)
    return AucDifference(
        ours=ours_auc,
        theirs=theirs_auc,
        difference=ours_auc - theirs_auc,
        low=float(low),
        high=float(high),
        share_higher=float((spread > 0).mean()),
        resampled=resampled,
        units=units,
        resamples=resamples,
    )
