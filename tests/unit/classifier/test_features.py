"""Hashed n-gram features: stable, position-aware, and equal for obfuscated spellings."""

from __future__ import annotations

import numpy as np

from moderation.classifier.ngram_hashing import char_ngrams, word_ngrams, word_unigram_hashes
from moderation.classifier.spam_cues import CUE_NAMES, cue_matches, cue_values
from moderation.classifier.text_features import TextFeatures

CORPUS = [
    "you are an idiot",
    "what an idiot",
    "the idiot said so",
    "a thoughtful article about taxes",
    "taxes are too high in this article",
    "thoughtful and fair",
]


def test_hashes_are_stable_and_distinguish_ngrams() -> None:
    first, _ = char_ngrams("idiot", (3, 3))
    again, _ = char_ngrams("idiot", (3, 3))
    assert np.array_equal(first, again)
    assert len(set(first.tolist())) == len(first)  # " id", "idi", "dio", "iot", "ot "


def test_word_hash_does_not_depend_on_context() -> None:
    alone, _ = word_ngrams("idiot", (1, 1))
    in_sentence, centres = word_ngrams("you idiot now", (1, 1))
    assert alone[0] == in_sentence[1]
    assert centres.tolist() == [1, 6, 11]


def test_char_ngram_centres_point_inside_the_text() -> None:
    hashes, centres = char_ngrams("abcdef", (2, 5))
    assert len(hashes) == len(centres)
    assert centres.min() >= -1 and centres.max() <= len("abcdef")


def test_vocabulary_respects_min_df_and_lookup() -> None:
    features = TextFeatures(min_df=2).fit(CORPUS)
    assert features.n_features_out_ > 0
    unknown = features.lookup(word_ngrams("zebra", (1, 1))[0])
    assert unknown.tolist() == [-1]
    known = features.lookup(word_ngrams("idiot", (1, 1))[0])
    assert known[0] >= 0


def test_obfuscated_spelling_gets_the_same_features() -> None:
    features = TextFeatures(min_df=1).fit(CORPUS)
    plain = features.transform(["you are an idiot"]).toarray()
    tricky = features.transform(["you are an 1d10t"]).toarray()
    spaced = features.transform(["you are an i d i o t"]).toarray()
    assert np.allclose(plain, tricky)
    assert np.allclose(plain, spaced)


def test_rows_are_l2_normalised() -> None:
    features = TextFeatures(min_df=1).fit(CORPUS)
    rows = features.transform(CORPUS[:3])
    assert np.allclose(np.sqrt(rows.multiply(rows).sum(axis=1)).A1, 1.0)


def test_spam_cues_find_links_money_and_promotion() -> None:
    text = "Check out my channel www.example.com and earn $500 per day!!!!!"
    values = dict(zip(CUE_NAMES, cue_values(text), strict=True))
    assert values["url"] > 0 and values["money"] > 0 and values["promo"] > 0
    matches = cue_matches(text)
    assert any(text[s:e].startswith("www.example.com") for s, e in matches["url"])
    assert (
        cue_values("I disagree with the minister.")[: CUE_NAMES.index("duplicate_words")].sum() == 0
    )


def test_known_words_counts_the_word_unigrams_of_the_vocabulary() -> None:
    features = TextFeatures(min_df=1).fit(CORPUS)
    known = features.known_words(["idiot", "taxes", "ahmoqsan", "jinni"])
    assert known.tolist() == [True, True, False, False]
    assert features.known_words([]).tolist() == []
    # Character n-grams of a known word ("idio") are not words of the vocabulary.
    assert features.known_words(["idio"]).tolist() == [False]
    words_from_two = TextFeatures(word_sizes=(2, 2), min_df=1).fit(CORPUS)
    assert words_from_two.known_words(["idiot"]).tolist() == [False]  # no word unigrams


def test_known_words_hash_each_word_as_the_vectoriser_does() -> None:
    """Words are hashed one by one, to the vectoriser's word unigram hashes."""
    features = TextFeatures(min_df=1).fit([*CORPUS, "don't naïve привет"])
    vocabulary = set(features.hashes_.tolist())
    words = ["idiot", "taxes", "don't", "naïve", "привет", "jinni", "idio"]
    unigrams, _ = word_ngrams(" ".join(words), (1, 1))
    assert word_unigram_hashes(words) == unigrams.tolist()
    expected = [int(h) in vocabulary for h in unigrams]
    assert features.known_words(words).tolist() == expected
    assert expected.count(True) == 5
