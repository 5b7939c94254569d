"""The span lexicon: rates from marked spans, identity words excluded, offsets on the text."""

from __future__ import annotations

import pytest

from moderation.classifier.lexicon import ToxicLexicon

POSTS = ["you idiot", "what an idiot", "gay idiot", "the gay pride parade", "idiot gay"] * 3
SPANS = [[(4, 9)] * 3, [(8, 13)] * 3, [(0, 9)], [], [(0, 5)] * 3] * 3  # one list per rater mark


def test_rates_come_from_marked_spans() -> None:
    lexicon = ToxicLexicon(min_count=1).fit(POSTS, SPANS)
    assert lexicon.rate_of["idiot"] > lexicon.rate_of.get("gay", 0.0) > 0


def test_identity_words_can_be_excluded() -> None:
    lexicon = ToxicLexicon(min_count=1, exclude=("gay",)).fit(POSTS, SPANS)
    assert "gay" not in lexicon.rate_of
    assert "idiot" in lexicon.rate_of


def test_word_rates_point_into_the_text() -> None:
    lexicon = ToxicLexicon(min_count=1).fit(POSTS, SPANS)
    [(rate, start, end)] = [r for r in lexicon.word_rates("such an idiot") if r[0] > 0.3]
    assert "such an idiot"[start:end] == "idiot"
    assert rate == pytest.approx(lexicon.rate_of["idiot"])


def test_features_summarise_max_top3_and_hits() -> None:
    lexicon = ToxicLexicon(min_count=1).fit(POSTS, SPANS)
    top, top3, hits = lexicon.transform(["idiot idiot"])[0]
    assert top == pytest.approx(lexicon.rate_of["idiot"])
    assert top3 == pytest.approx(2 * top)
    assert hits == 2
