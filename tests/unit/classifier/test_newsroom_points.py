"""Operating points chosen on the newsroom's own decisions: the rule, the checks, the advice."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.classifier.newsroom_points import (
    MIN_POSITIVES,
    Sample,
    notes,
    policy_lines,
    suggest,
)


def _sample(
    score: str = "toxicity", language: str = "en", *, n_pos: int = 100, n_neg: int = 300
) -> Sample:
    # Rejected comments score 0.01, 0.02, ... 1.00; approved ones 0.0 ... 0.3.
    positives = np.arange(1, n_pos + 1) / n_pos
    negatives = np.linspace(0.0, 0.3, n_neg)
    labels = np.r_[np.ones(n_pos, dtype=int), np.zeros(n_neg, dtype=int)]
    articles = [f"article-{i % 40}" for i in range(n_pos + n_neg)]
    return Sample(score, language, labels, np.r_[positives, negatives], articles)


def test_approve_point_lets_through_the_target_share_of_rejected_comments() -> None:
    row = suggest(_sample(), {"approve_below": 0.05})
    assert row is not None
    assert row["approve_below"] == pytest.approx(0.11)  # 10 of 100 rejections below it
    assert row["missed"] == pytest.approx(0.10)
    assert row["current_missed"] == pytest.approx(0.04)  # 0.01 ... 0.04 below 0.05
    assert row["rejected_below_current"] == 4
    # Only rejected comments above 0.3; the reject point goes lower while 80% or more of
    # the comments at or above it were rejected (toxicity's target).
    assert 0.2 < row["reject_at_or_above"] <= 0.31
    assert 0.8 <= row["reject_precision"] < 0.9
    # Out of sample: chosen on half of the articles, measured on the other half.
    assert 0.0 < row["missed_other_half"] < 0.25
    assert 0.0 < row["held_or_rejected_other_half"] < 1.0


def test_too_few_decisions_suggest_nothing_and_say_so() -> None:
    small = _sample(n_pos=MIN_POSITIVES - 1)
    assert suggest(small, None) is None
    [note] = notes([], [small])
    assert f"has {MIN_POSITIVES - 1} rejections" in note


def test_labels_from_the_held_queue_only_get_a_warning() -> None:
    row = suggest(_sample(), {"approve_below": 0.005})  # nothing rejected scored below it
    assert row is not None and row["rejected_below_current"] == 0
    [note] = notes([row], [])
    assert "held queue only" in note and "review a sample of approved comments" in note


def test_policy_lines_name_the_table_of_each_language() -> None:
    english = suggest(_sample(), {"approve_below": 0.05})
    russian = suggest(_sample(language="ru"), None)
    assert english is not None and russian is not None
    lines = policy_lines([english, russian])
    assert lines[0] == "[thresholds.toxicity] approve_below = 0.11   (now 0.05)"
    assert lines[1].startswith("[thresholds.toxicity] reject_at_or_above = 0.2")
    assert "(optional: 81% of the comments at or above it were rejected" in lines[1]
    assert lines[2] == "[languages.ru.thresholds.toxicity] approve_below = 0.11"
