"""Explanation spans index the ORIGINAL text, even through obfuscation."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.classifier.explain import (
    TOXICITY_RELATIVE_WEIGHT,
    occurrence_contributions,
    pick_spans,
    word_spans,
)
from moderation.classifier.ngram_hashing import word_ngrams
from moderation.classifier.text_features import TextFeatures

CORPUS = ["you are an idiot", "what an idiot", "a fair point about taxes", "fair and thoughtful"]


@pytest.fixture(scope="module")
def features() -> TextFeatures:
    return TextFeatures(char_sizes=(3, 4), min_df=1).fit(CORPUS)


def _coef_for(features: TextFeatures, word: str) -> np.ndarray:
    """A model that only likes the word unigram ``word``."""
    coef = np.zeros(features.n_features_out_)
    coef[features.lookup(word_ngrams(word, (1, 1))[0])[0]] = 3.0
    return coef


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You are an IDIOT, frankly.", "IDIOT"),
        ("You are an 1d10t", "1d10t"),
        ("you are an i d i o t", "i d i o t"),
        ("you are an іdіоt", "іdіоt"),
        ("  you\n\nare an id\u200biot!", "id\u200biot"),
    ],
)
def test_span_points_at_the_original_characters(
    features: TextFeatures, text: str, expected: str
) -> None:
    vec = features.vectorise(text)
    coef = _coef_for(features, "idiot")
    spans = word_spans(vec, occurrence_contributions(vec, coef[vec.indices]), text)
    assert spans, "expected at least one span"
    top = spans[0]
    assert text[top.start : top.end] == top.text == expected
    assert top.weight > 0


def test_contributions_sum_to_the_linear_score(features: TextFeatures) -> None:
    vec = features.vectorise("what an idiot, an idiot")
    coef = np.linspace(-1, 1, features.n_features_out_)
    total = occurrence_contributions(vec, coef[vec.indices]).sum()
    assert total == pytest.approx(float(coef[vec.indices] @ vec.values))


def test_no_spans_without_positive_weight(features: TextFeatures) -> None:
    vec = features.vectorise("a fair point")
    coef = -np.ones(features.n_features_out_)
    assert word_spans(vec, occurrence_contributions(vec, coef[vec.indices]), "a fair point") == ()


def test_extra_spans_are_kept_when_strong(features: TextFeatures) -> None:
    text = "visit www.example.com now"
    vec = features.vectorise(text)
    zero = np.zeros(len(vec.indices))
    spans = word_spans(vec, occurrence_contributions(vec, zero), text, extra=[(6, 21, 1.0)])
    assert [s.text for s in spans] == ["www.example.com"]


def test_relative_weight_drops_spans_much_weaker_than_the_strongest() -> None:
    text = "you idiot, you moron, you fool"
    candidates = [(2.0, 4, 9), (1.2, 15, 20), (0.9, 26, 30)]  # idiot, moron, fool
    assert [s.text for s in pick_spans(candidates, text)] == ["idiot", "moron", "fool"]
    kept = pick_spans(candidates, text, relative=TOXICITY_RELATIVE_WEIGHT)
    assert [s.text for s in kept] == ["idiot", "moron"]  # 0.9 < 0.5 x 2.0
    assert pick_spans([(0.04, 4, 9)], text, relative=0.5) == ()  # MIN_WEIGHT still applies


def test_toxicity_head_shows_only_the_strong_spans(features: TextFeatures) -> None:
    """word_spans passes ``relative`` on: a word far weaker than the strongest is not shown."""
    text = "you are an idiot, a fair point"
    vec = features.vectorise(text)
    coef = _coef_for(features, "idiot") + _coef_for(features, "fair") / 4
    contributions = occurrence_contributions(vec, coef[vec.indices])
    assert [s.text for s in word_spans(vec, contributions, text)] == ["idiot", "fair"]
    shown = word_spans(vec, contributions, text, relative=TOXICITY_RELATIVE_WEIGHT)
    assert [s.text for s in shown] == ["idiot"]


def test_plain_words_are_never_shown() -> None:
    text = "The USA is better"
    candidates = [(0.11, 0, 3), (0.06, 8, 10), (0.052, 4, 7)]  # The, is, USA
    assert [s.text for s in pick_spans(candidates, text)] == ["The", "is", "USA"]
    shown = pick_spans(candidates, text, relative=0.5, plain=frozenset({"the", "is"}))
    assert [s.text for s in shown] == ["USA"]  # and "relative" counts from the strongest kept
