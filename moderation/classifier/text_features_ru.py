"""The English n-gram features over Russian-normalised text.

:class:`~moderation.classifier.text_features.TextFeatures` takes its n-grams from the English
normaliser, which turns Cyrillic look-alikes in mixed words into Latin ("хyй" -> "xyй"): the
opposite of what a Russian model needs. This subclass swaps only the normaliser, so the fitted
object has the same attributes and the heads, explanations and hashing reuse it.
"""

from __future__ import annotations

from moderation.classifier.normalise import Normalised
from moderation.classifier.normalise_ru import normalise_ru
from moderation.classifier.text_features import TextFeatures


class RussianTextFeatures(TextFeatures):
    """Sublinear TF-IDF of char and word n-grams of :func:`normalise_ru`-d text."""

    def normalise(self, text: str) -> Normalised:
        return normalise_ru(text[: self.max_chars])


class RussianWordBoundedFeatures(RussianTextFeatures):
    """:class:`RussianTextFeatures` keeping only the char n-grams inside one word (and letter
    unigrams when ``char_sizes`` starts at 1): a Russian word's endings and stems, without
    the n-grams that bridge two words."""

    word_bounded = True
