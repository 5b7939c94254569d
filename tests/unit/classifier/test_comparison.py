"""The paired bootstrap behind ``moderation evaluate``'s comparison with alt-profanity-check."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from moderation.classifier.comparison import auc_interval, paired_auc_difference, roc_auc


@pytest.mark.parametrize("n", [12, 400, 3000])
def test_roc_auc_is_scikit_learns_with_ties(n: int) -> None:
    rng = np.random.default_rng(n)
    labels = rng.integers(0, 2, n)
    scores = np.round(rng.random(n) + 0.4 * labels, 1)  # many tied scores
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)


def test_roc_auc_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="both classes"):
        roc_auc(np.ones(5, dtype=int), np.linspace(0, 1, 5))


def _set(n: int, strength_ours: float, strength_theirs: float, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    noise = rng.random(n)
    return labels, noise + strength_ours * labels, rng.random(n) + strength_theirs * labels


def test_a_clearly_better_model_has_an_interval_above_zero() -> None:
    labels, ours, theirs = _set(2000, 0.6, 0.2)
    found = paired_auc_difference(labels, ours, theirs, resamples=300)
    assert found.difference == pytest.approx(roc_auc(labels, ours) - roc_auc(labels, theirs))
    assert 0 < found.low < found.difference < found.high
    assert found.share_higher == 1.0
    assert (found.resampled, found.units, found.resamples) == ("comments", 2000, 300)


def test_the_same_scores_differ_by_exactly_nothing() -> None:
    labels, ours, _ = _set(500, 0.3, 0.3)
    found = paired_auc_difference(labels, ours, ours.copy(), resamples=200)
    assert (found.difference, found.low, found.high, found.share_higher) == (0, 0, 0, 0)


def test_a_small_difference_on_a_small_set_is_not_called_a_win() -> None:
    labels, ours, theirs = _set(150, 0.32, 0.30, seed=3)
    found = paired_auc_difference(labels, ours, theirs, resamples=400)
    assert found.low < 0 < found.high


def test_groups_are_resampled_whole_when_there_are_enough() -> None:
    labels, ours, theirs = _set(1200, 0.5, 0.2)
    articles = [f"a{i // 20}" for i in range(1200)]  # 60 articles of 20 comments
    found = paired_auc_difference(labels, ours, theirs, articles, resamples=200, seed=7)
    assert (found.resampled, found.units) == ("groups", 60)
    again = paired_auc_difference(labels, ours, theirs, articles, resamples=200, seed=7)
    assert again == found  # seeded
    few = paired_auc_difference(labels, ours, theirs, ["tweets"] * 1200, resamples=50)
    assert (few.resampled, few.units) == ("comments", 1200)


def test_clustered_intervals_are_wider_when_articles_differ() -> None:
    """Comments under one article share its toxicity: resampling by article says so."""
    rng = np.random.default_rng(11)
    n_articles, size = 40, 30
    article_rate = rng.random(n_articles)
    labels = (rng.random(n_articles * size) < np.repeat(article_rate, size)).astype(int)
    base = np.repeat(article_rate, size)  # a model that only knows the article's rate
    ours = base + 0.3 * labels + rng.random(len(labels))
    theirs = rng.random(len(labels)) + 0.3 * labels
    articles = [str(i // size) for i in range(len(labels))]
    by_article = paired_auc_difference(labels, ours, theirs, articles, resamples=300)
    by_comment = paired_auc_difference(labels, ours, theirs, resamples=300)
    assert by_article.high - by_article.low > by_comment.high - by_comment.low


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one entry per item"):
        paired_auc_difference([0, 1, 1], [0.1, 0.2], [0.3, 0.4, 0.5])
    with pytest.raises(ValueError, match="one entry per item"):
        paired_auc_difference([0, 1], [0.1, 0.2], [0.3, 0.4], ["a"])


def test_an_interval_holds_the_figure_and_narrows_with_more_comments() -> None:
    small = auc_interval(*_set(200, 0.4, 0.0)[:2], resamples=300)
    large = auc_interval(*_set(5000, 0.4, 0.0)[:2], resamples=300)
    for found in (small, large):
        assert found.low < found.auc < found.high
        assert found.resampled == "comments"
    assert large.high - large.low < (small.high - small.low) / 3


def test_an_interval_resamples_whole_groups_and_refuses_mismatches() -> None:
    labels, ours, _ = _set(900, 0.4, 0.0)
    found = auc_interval(labels, ours, [f"a{i // 30}" for i in range(900)], resamples=100)
    assert (found.resampled, found.units, found.resamples) == ("groups", 30, 100)
    with pytest.raises(ValueError, match="one entry per item"):
        auc_interval(labels, ours[:-1])
