"""scikit-learn's estimator plumbing for our featurisers, for training only.

The featurisers (:class:`TextFeatures`, :class:`ToxicLexicon`, :class:`OffTopicFeatures` and
their Russian kinds, :class:`SpamCues`) are plain classes, so that a worker loads and serves
them without importing scikit-learn (:mod:`moderation.classifier.artifact_reader`; most of a
worker's start was that import). Training puts them into ``Pipeline`` and ``FeatureUnion``,
which want ``BaseEstimator`` and ``TransformerMixin`` (parameters, tags, cloning,
``fit_transform``): each class here adds exactly that to one featuriser and nothing else.

The artifacts name these classes; the serving reader builds the plain featuriser each one
extends (``artifact_reader.FEATURISERS``).
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin

from moderation.classifier.lexicon import ToxicLexicon
from moderation.classifier.lexicon_ru import RussianLexicon
from moderation.classifier.off_topic_features import OffTopicFeatures
from moderation.classifier.off_topic_features_ru import RussianOffTopicFeatures
from moderation.classifier.spam_cues import SpamCues
from moderation.classifier.text_features import TextFeatures
from moderation.classifier.text_features_ru import RussianWordBoundedFeatures


class TextFeaturesEstimator(TransformerMixin, BaseEstimator, TextFeatures):
    """:class:`TextFeatures` in a pipeline."""


class RussianWordBoundedFeaturesEstimator(
    TransformerMixin, BaseEstimator, RussianWordBoundedFeatures
):
    """:class:`RussianWordBoundedFeatures` in a pipeline."""


class ToxicLexiconEstimator(TransformerMixin, BaseEstimator, ToxicLexicon):
    """:class:`ToxicLexicon` in a pipeline."""


class RussianLexiconEstimator(TransformerMixin, BaseEstimator, RussianLexicon):
    """:class:`RussianLexicon` in a pipeline."""


class SpamCuesEstimator(TransformerMixin, BaseEstimator, SpamCues):
    """:class:`SpamCues` in a pipeline."""


class OffTopicFeaturesEstimator(TransformerMixin, BaseEstimator, OffTopicFeatures):
    """:class:`OffTopicFeatures` in a pipeline."""


class RussianOffTopicFeaturesEstimator(TransformerMixin, BaseEstimator, RussianOffTopicFeatures):
    """:class:`RussianOffTopicFeatures` in a pipeline."""
