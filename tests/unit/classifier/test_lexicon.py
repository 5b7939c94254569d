"""The span lexicon: rates from marked spans, identity words excluded, offsets on the text."""

from __future__ import annotations

import numpy as np
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


def test_compiled_scan_gives_word_rates_and_their_summary() -> None:
    """The compiled scan (serving's batch path) equals word_rates + summarise, bit for bit."""
    from moderation.classifier import compiled
    from moderation.classifier.lexicon import KEPT, summarise
    from tests.support.servers import unavailable

    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    posts = [*POSTS, "you're an idiot, don't", "what's this idiot's 'quote'"]
    spans = [*SPANS, [(0, 15)] * 3, [(12, 21)] * 2]
    lexicon = ToxicLexicon(min_count=1).fit(posts, spans)
    texts = [
        "", "idiot", "such an idiot, you idiot!", "you're an idiot, don't you're'x 'an'",
        " ".join(["idiot", "what", "an", "gay", "parade"] * 5), "idiot's idiots idiot'", "a'b'c",
        "idiot1 2idiot ïdiot idİot",
    ]  # fmt: skip
    text = "".join(texts).encode("utf-32-le")
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    features, first = lexicon.scan(text, starts, lengths)
    for i, t in enumerate(texts):
        rates = lexicon.word_rates(t)
        assert features[i].tobytes() == summarise([r for r, _, _ in rates]).tobytes()
        assert first[i] == rates[:KEPT]
    assert len(first[4]) == KEPT < len(lexicon.word_rates(texts[4]))  # more words than kept
    assert first[1] and first[1][0][1:] == (0, 5)
