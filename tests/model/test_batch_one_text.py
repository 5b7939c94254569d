"""A batch of one text takes shorter paths in hashing and featurising; they give the same rows.

The one-text path skips the filters for n-grams crossing into the next text and the per-row
bookkeeping; its matrix row, counts and word assignments must equal that text's part of a
many-text batch, bit for bit (explanations break ties by the last bits).
"""

from __future__ import annotations

import numpy as np
import pytest

from moderation.classifier import compiled
from moderation.classifier.batch import featurise, hash_batch
from moderation.classifier.normalise import normalise
from moderation.classifier.scorer import ModerationScorer, _sizes
from tests.support.servers import unavailable

TEXTS = (
    "", " ", "a", "ok", "!!!", "👍👍", "You are a complete 1d10t and everyone knows it.",
    "i d i o t", "The carbon tax rebate does not cover what rural families pay for diesel "
    "every winter, and the minister knows it. Ottawa should exempt farm fuel entirely.",
    "Check out my channel http://bit.ly/xyz and subscribe!!!", "stuuuuupid   spaced\ttext",
    "x" * 1500,
)  # fmt: skip


@pytest.mark.parametrize("core", [False, True], ids=["numpy", "compiled"])
def test_one_text_rows_equal_their_part_of_a_batch(scorer: ModerationScorer, core: bool) -> None:
    if core and not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    models = scorer.routes["en"]
    assert models.off_topic is not None
    kinds = (models.toxicity.ngrams, models.off_topic.features.ngrams_)
    sizes = _sizes(models.toxicity.ngrams, *kinds)
    texts = [normalise(t).text for t in TEXTS]
    many = hash_batch(texts, *sizes)
    for features in kinds:
        together = featurise(features, many, compiled=core)
        for i, text in enumerate(texts):
            one = hash_batch([text], *sizes)
            alone = featurise(features, one, compiled=core)
            a, b = together.matrix.indptr[i], together.matrix.indptr[i + 1]
            assert np.array_equal(alone.matrix.indices, together.matrix.indices[a:b])
            assert alone.matrix.data.tobytes() == together.matrix.data[a:b].tobytes()
            assert np.array_equal(alone.counts, together.counts[a:b])
            first = int(many.word_ptr[i])
            mine = together.occurrence_nnz >= a
            mine &= together.occurrence_nnz < b
            assert np.array_equal(alone.occurrence_nnz, together.occurrence_nnz[mine] - a)
            assert np.array_equal(alone.occurrence_word, together.occurrence_word[mine] - first)
