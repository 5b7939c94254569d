"""Off-topic reads a comment's first ``comment_chars`` normalised characters, cut between words.

Training and both scoring paths cut at the same place (:func:`text_features.prefix_end`): the
per-comment path by vectorising the prefix, the batch path by :func:`batch.clip_batch` of the
already hashed texts, which must equal hashing the cut texts from scratch, field by field, so
that rows, word assignments and explanations are the same.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from moderation.classifier import compiled
from moderation.classifier.batch import HashedBatch, clip_batch, featurise, hash_batch
from moderation.classifier.normalise import normalise
from moderation.classifier.off_topic_features import COMMENT_CHARS, OffTopicFeatures
from moderation.classifier.text_features import TextFeatures, prefix_end, word_spans_of

WORDS = ("carbon", "tax", "rebate", "don't", "rock'n'roll", "a", "idiot", "l'été", "1990s")
GAPS = (" ", "  ", ", ", ". ", "\n", " - ", "'", "")


def _texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = ["", "ok", "x" * 40, "y" * 12 + " short", "a b c d e f g h"]
    while len(texts) < n:
        texts.append(
            "".join(rng.choice(WORDS) + rng.choice(GAPS) for _ in range(rng.randint(1, 12)))
        )
    return texts


def _cut(text: str, limit: int) -> str:
    starts, ends = word_spans_of(text)
    return text[: prefix_end(len(text), limit, starts, ends)]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("carbon tax rebate", 100, "carbon tax rebate"),  # short enough: whole
        ("carbon tax rebate", 10, "carbon tax"),  # the limit falls in a gap
        ("carbon tax rebate", 12, "carbon tax "),  # inside "rebate": cut before it
        ("carbon tax rebate", 6, "carbon"),  # exactly at a word's end
        ("don't stop", 4, "don't"),  # the first word is kept whole
        ("we don't stop", 5, "we "),  # inside "don't", apostrophe included
        ("we don'", 6, "we don"),  # a trailing apostrophe is no part of the word
        ("x" * 30, 10, "x" * 30),  # one long first word: never cut to nothing
        ("   leading", 2, "  "),  # no word across the limit: cut at it
    ],
)
def test_prefix_end_cuts_between_words(text: str, limit: int, expected: str) -> None:
    assert _cut(text, limit) == expected


def test_the_cut_keeps_exactly_the_words_that_end_by_it() -> None:
    for text in _texts(300):
        for limit in (1, 5, 9, 20):
            cut = _cut(text, limit)
            starts, ends = word_spans_of(text)
            assert text.startswith(cut)
            assert len(cut) <= limit or (len(starts) and len(cut) == ends[0])
            # The words of the prefix are the text's words that end within it.
            kept = [(s, e) for s, e in zip(starts, ends, strict=True) if e <= len(cut)]
            assert list(zip(*word_spans_of(cut), strict=True)) == kept


def _same_batch(a: HashedBatch, b: HashedBatch) -> None:
    assert a.texts == b.texts
    for name in (
        "word_starts", "word_ends", "word_ptr", "text_offsets", "local_word_starts",
        "local_word_ends", "lengths",
    ):  # fmt: skip
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.codes, b.codes)
    assert {k: [x.tolist() for x in v] for k, v in a.groups.items()} == {
        k: [x.tolist() for x in v] for k, v in b.groups.items()
    }


@pytest.mark.parametrize("limit", [3, 8, 25, 60])
def test_clipping_a_hashed_batch_equals_hashing_the_cut_texts(limit: int) -> None:
    texts = [normalise(t).text for t in _texts(120)]
    sizes = range(2, 6), range(1, 3)
    hashed = hash_batch(texts, *sizes)
    clipped = clip_batch(hashed, limit)
    assert any(len(t) > limit for t in texts)
    _same_batch(clipped, hash_batch([_cut(t, limit) for t in texts], *sizes))
    for text in texts[:40]:  # a single comment takes a shorter way
        one = clip_batch(hash_batch([text], *sizes), limit)
        _same_batch(one, hash_batch([_cut(text, limit)], *sizes))


def test_nothing_to_cut_gives_the_batch_itself() -> None:
    hashed = hash_batch(["short one", "two"], range(2, 6), range(1, 3))
    assert clip_batch(hashed, 100) is hashed
    assert clip_batch(hashed, None) is hashed


@pytest.mark.parametrize("use_core", [False, True])
def test_clipped_rows_equal_the_rows_of_the_cut_texts(
    use_core: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if use_core and not compiled.available():
        pytest.skip("the compiled featuriser is not built")
    corpus = _texts(200, seed=3)
    features = TextFeatures(char_sizes=(3, 5), word_sizes=(1, 1), min_df=1).fit(corpus)
    texts = [normalise(t).text for t in _texts(80, seed=5)]
    sizes = range(3, 6), range(1, 2)
    clipped = featurise(features, clip_batch(hash_batch(texts, *sizes), 20), compiled=use_core)
    fresh = featurise(features, hash_batch([_cut(t, 20) for t in texts], *sizes), compiled=use_core)
    assert clipped.matrix.nnz > 100
    assert np.array_equal(clipped.matrix.indptr, fresh.matrix.indptr)
    assert np.array_equal(clipped.matrix.indices, fresh.matrix.indices)
    assert clipped.matrix.data.tobytes() == fresh.matrix.data.tobytes()
    assert np.array_equal(clipped.occurrence_word, fresh.occurrence_word)
    assert np.array_equal(clipped.occurrence_nnz, fresh.occurrence_nnz)


def test_off_topic_reads_the_first_comment_chars_of_a_comment() -> None:
    articles = ["Ottawa raises the carbon tax and pays rebates to rural families"] * 3
    features = OffTopicFeatures(min_df=1, comment_chars=40).fit(
        articles + ["hockey team goalie benched again tonight"] * 3
    )
    start = "The carbon tax rebate is too small. "
    tail = "The hockey goalie was benched again tonight. " * 5
    vector = features.comment_vector(start + tail)
    assert vector.normalised.text == "the carbon tax rebate is too small. the "  # not "hockey"
    # What comes after the prefix changes nothing but the length cue.
    a = features.features(start + tail, "Carbon tax", articles[0])
    b = features.features(start + "The unrelated words. " * 9, "Carbon tax", articles[0])
    names = features.feature_names
    for name in ("cosine", "background_z", "cosine_title", "informative_overlap"):
        assert a[names.index(name)] == b[names.index(name)], name
    # Without the limit (a model fitted before it), the whole comment counts.
    features.comment_chars = None
    assert features.comment_vector(start + tail).normalised.text == normalise(start + tail).text
    del features.__dict__["comment_chars"]  # as loaded from a model saved before the limit
    assert features.comment_limit is None
    assert OffTopicFeatures().comment_limit == COMMENT_CHARS
