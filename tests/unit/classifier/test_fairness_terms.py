"""Identity words lose their toxic-leaning weights; other words keep theirs."""

from __future__ import annotations

import numpy as np

from moderation.classifier.fairness_terms import identity_feature_mask, neutralise
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
