"""Identity words and names (countries, cities, public figures) lose their toxic-leaning weights;
other words keep theirs."""

from __future__ import annotations

import numpy as np

from moderation.classifier.fairness_terms import (
    CITY_TEMPLATES,
    CITY_TERMS,
    CIVIL_TEMPLATES,
    COUNTRY_TEMPLATES,
    COUNTRY_TERMS,
    IDENTITY_TERMS,
    PROTECTED_TERMS,
    PUBLIC_FIGURES,
    civil_identity_sentences,
    identity_feature_mask,
    neutralise,
)
from moderation.classifier.fairness_terms_ru import IDENTITY_TERMS_RU
from moderation.classifier.ngram_hashing import word_ngrams
from moderation.classifier.text_features import TextFeatures

CORPUS = ["being gay is great", "a muslim neighbour", "you idiot", "what an idiot", "gay idiot"]


def _id(features: TextFeatures, words: str) -> int:
    size = len(words.split())
    return int(features.lookup(word_ngrams(words, (size, size))[0])[0])


def test_mask_covers_identity_words_and_their_neighbour_pairs() -> None:
    features = TextFeatures(min_df=1).fit(CORPUS)
    mask = identity_feature_mask(features)
    assert mask[_id(features, "gay")]
    assert mask[_id(features, "muslim")]
    assert mask[_id(features, "being gay")]
    assert not mask[_id(features, "idiot")]


def test_neutralise_clips_only_positive_masked_weights() -> None:
    coef = np.array([1.0, -1.0, 2.0, 0.5])
    mask = np.array([True, True, False, False])
    assert neutralise(coef, mask).tolist() == [0.0, -1.0, 2.0, 0.5]


def test_mask_covers_countries_with_their_prepositions() -> None:
    features = TextFeatures(min_df=1).fit(["flights to russia", "life in kazakhstan", "an idiot"])
    mask = identity_feature_mask(features)
    assert mask[_id(features, "russia")]
    assert mask[_id(features, "to russia")]
    assert mask[_id(features, "in kazakhstan")]
    assert not mask[_id(features, "idiot")]


def test_civil_sentences_name_every_identity_country_and_city_readably() -> None:
    sentences = civil_identity_sentences()
    assert len(sentences) == (
        len(IDENTITY_TERMS) * len(CIVIL_TEMPLATES)
        + len(COUNTRY_TERMS) * len(COUNTRY_TEMPLATES)
        + len(CITY_TERMS) * len(CITY_TEMPLATES)
    )
    assert "The minister flew to Kazakhstan for talks on trade." in sentences
    assert "The minister flew to the USA for talks on trade." in sentences
    assert "Traffic in Almaty was slow after the snowfall." in sentences
    assert not any("{" in s for s in sentences)
    assert PROTECTED_TERMS == IDENTITY_TERMS + COUNTRY_TERMS + PUBLIC_FIGURES + CITY_TERMS
    # Short names would clip pieces of toxic words ("xi" in "toxic").
    assert all(len(name) >= 4 for name in PUBLIC_FIGURES)


def test_russian_mask_covers_country_forms_not_other_words() -> None:
    assert {"россия", "россии", "казахстане", "израиля", "сша", "украине"} <= set(IDENTITY_TERMS_RU)
    assert "дурак" not in IDENTITY_TERMS_RU


def test_russian_mask_covers_names_that_begin_like_an_insult_not_the_insults() -> None:
    """Surnames and places sharing an insult's first letters lose the weight of their n-grams
    (as identity words do); the insults themselves are not listed (lexicon_ru still has them)."""
    terms = set(IDENTITY_TERMS_RU)
    assert {"козлова", "хачатрян", "даунинг", "хохломской", "чуркин", "москаленко"} <= terms
    assert not {"козлов", "козлы", "хохлы", "хачи", "дауны", "чурки", "рашка"} & terms


def test_russian_mask_covers_the_people_of_the_listed_cities() -> None:
    terms = set(IDENTITY_TERMS_RU)
    assert {"москвичи", "москвичка", "алматинцы", "ташкентцев", "бишкекчане", "астанчанин"} <= terms
