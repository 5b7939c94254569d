"""Word-bounded character n-grams (the Russian toxicity model's features) in both paths."""

from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from moderation.classifier.batch import featurise, hash_batch
from moderation.classifier.ngram_hashing import word_bounded
from moderation.classifier.scorer import _batchable
from moderation.classifier.text_features import TextFeatures
from moderation.classifier.text_features_ru import RussianWordBoundedFeatures


def _kept(text: str, sizes: tuple[int, int]) -> Counter[str]:
    """The n-gram strings ``word_bounded`` keeps, in char_ngrams' order of sizes."""
    padded = f" {text} "
    grams = [padded[i : i + 1] for i in range(len(padded))] if sizes[0] <= 1 else []
    for size in range(max(sizes[0], 2), sizes[1] + 1):
        grams += [padded[i : i + size] for i in range(len(padded) - size + 1)]
    mask = word_bounded(text, sizes)
    assert len(mask) == len(grams)
    return Counter(g for g, keep in zip(grams, mask, strict=True) if keep)


def test_keeps_exactly_the_ngrams_of_each_padded_word() -> None:
    text = "мама мыла раму"
    analyzer = CountVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()
    assert _kept(text, (2, 4)) == Counter(analyzer(text))  # sklearn's char_wb n-grams
    unigrams = _kept(text, (1, 1))
    assert " " not in unigrams and unigrams == Counter(text.replace(" ", ""))


def test_batch_path_keeps_what_the_per_comment_path_keeps() -> None:
    texts = ["мама мыла раму", "ты д е б и л", "я", "", "очень длинное слово" * 20]
    features = RussianWordBoundedFeatures(char_sizes=(1, 6), word_sizes=(1, 1), min_df=1).fit(texts)
    normalised = [features.normalise(t).text for t in texts]
    rows = featurise(features, hash_batch(normalised, range(1, 7), range(1, 2)))
    for i, text in enumerate(texts):
        one = features.vectorise(text)
        indices, values = rows.matrix.row(i)
        assert np.array_equal(indices, one.indices), text
        assert np.allclose(values, one.values, rtol=0, atol=1e-12), text


def test_word_bounded_features_take_the_batch_path_and_overrides_do_not() -> None:
    assert _batchable(RussianWordBoundedFeatures(char_sizes=(1, 6)))

    class OwnHashes(TextFeatures):
        def hashes(self, normalised_text: str):  # type: ignore[no-untyped-def]
            return super().hashes(normalised_text)

    assert not _batchable(OwnHashes())
