"""The compiled featuriser (``_ngrams.c``) gives exactly what the numpy featuriser gives.

Both paths turn a batch of normalised texts into the same CSR rows (ids, TF-IDF values to the
last bit), the same occurrence counts and the same word of every occurrence: explanations
depend on all of them. Small vocabularies fitted here make every kind of n-gram hit. Without
the built extension these tests skip locally and fail under CI=true (``.ci/run`` builds it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from moderation.classifier import compiled
from moderation.classifier.batch import BatchRows, featurise, hash_batch
from moderation.classifier.normalise import normalise
from moderation.classifier.text_features import TextFeatures
from moderation.classifier.text_features_ru import RussianWordBoundedFeatures
from tests.support.servers import unavailable

CORPUS = [
    "You are a complete idiot and everyone knows it.",
    "The carbon tax rebate does not cover what rural families pay for diesel.",
    "Check out my channel http://bit.ly/xyz and subscribe!!!",
    "Ты полный идиот, и все это знают.",
    "Мама мыла раму, а папа читал новости.",
    "idiot idiot idiot, what an idiot",
    "Thanks for the report, very informative.",
] * 3
TEXTS = [
    "", " ", "a", "ok", "!!!", "👍👍 idiot 👍", "i d i o t", "x" * 1500, "  spaced   out  ",
    "You are a complete idiot and everyone knows it.", "мама   мыла раму идиот",
    "Check out my channel http://bit.ly/xyz and subscribe!!! idiot idiot",
    "tab\tseparated\nlines and a can't-won't word", "𝕴𝖉𝖎𝖔𝖙 mathematical letters",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _core() -> Iterator[None]:
    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    yield


def _fitted() -> list[TextFeatures]:
    return [
        TextFeatures(min_df=1).fit(CORPUS),
        TextFeatures(char_sizes=(3, 5), word_sizes=(1, 1), min_df=1).fit(CORPUS),
        TextFeatures(char_sizes=(1, 3), word_sizes=(2, 3), min_df=1).fit(CORPUS),
        RussianWordBoundedFeatures(char_sizes=(1, 6), word_sizes=(1, 1), min_df=1).fit(CORPUS),
    ]


def _assert_same(numpy_rows: BatchRows, core_rows: BatchRows) -> None:
    a, b = numpy_rows.matrix, core_rows.matrix
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert a.data.tobytes() == b.data.tobytes()
    assert np.array_equal(numpy_rows.counts, core_rows.counts)
    assert np.array_equal(numpy_rows.occurrence_nnz, core_rows.occurrence_nnz)
    assert np.array_equal(numpy_rows.occurrence_word, core_rows.occurrence_word)


@pytest.mark.parametrize("features", _fitted(), ids=lambda f: f"{type(f).__name__}{f.char_sizes}")
def test_compiled_rows_equal_numpy_rows(features: TextFeatures) -> None:
    texts = [normalise(t).text for t in TEXTS]
    hashed = hash_batch(texts, range(1, 7), range(1, 4))
    numpy_rows = featurise(features, hashed, compiled=False)
    core_rows = featurise(features, hashed, compiled=True)
    assert core_rows.matrix.nnz > 50  # the vocabulary really matched
    assert len(core_rows.occurrence_word) > 50
    _assert_same(numpy_rows, core_rows)
    for text in texts:  # and one text at a time (the numpy path's shortcut for one text)
        one = hash_batch([text], range(1, 7), range(1, 4))
        _assert_same(
            featurise(features, one, compiled=False), featurise(features, one, compiled=True)
        )


def test_rows_match_vectorise() -> None:
    """The reference per-comment path agrees with the core too (ids, values, counts)."""
    features = _fitted()[0]
    for text in TEXTS:
        vec = features.vectorise(text)
        rows = featurise(features, hash_batch([vec.normalised.text], range(2, 6), range(1, 3)))
        assert np.array_equal(rows.matrix.indices, vec.indices)
        assert rows.matrix.data.tobytes() == vec.values.tobytes()


def _arguments(features: TextFeatures) -> list[object]:
    text = "idiot here"
    n = 1
    return [
        text.encode("utf-32-le"), np.array([0]), np.array([len(text)]),
        np.array([0, 6]), np.array([5, 10]), np.array([0, 2]),
        features.hashes_, features.bucket_starts(), 2, 5, 1, 2, 0, 20,
        np.empty(n + 1, np.int32), np.empty(200, np.int32), np.empty(200, np.int64),
        np.empty(200, np.int64), np.empty(200, np.int64),
    ]  # fmt: skip


def test_valid_arguments_work() -> None:
    nnz, occurrences = compiled.featurise(*_arguments(_fitted()[0]))
    assert nnz > 0 and occurrences > 0


@pytest.mark.parametrize(
    ("position", "value", "message"),
    [
        (1, np.array([5]), "out of range"),  # the comment runs past the text
        (4, np.array([5, 11]), "outside its comment"),  # a word ends after its comment
        (3, np.array([6, 6]), "outside its comment"),  # an empty word
        (5, np.array([0, 3]), "out of range"),  # more words than given
        (15, np.empty(3, np.int32), "inconsistent"),  # outputs of different sizes
        (7, np.zeros(5, np.int32), "inconsistent"),  # bucket table of the wrong size
        (8, 0, "inconsistent"),  # char n-grams from size 0
        (1, np.array([0], dtype=np.int32), "whole number"),  # 4-byte items where 8 are needed
    ],
)
def test_inconsistent_arguments_raise_instead_of_reading_out_of_bounds(
    position: int, value: object, message: str
) -> None:
    arguments = _arguments(_fitted()[0])
    arguments[position] = value
    with pytest.raises(ValueError, match=message):
        compiled.featurise(*arguments)


def test_outputs_too_small_for_the_worst_case_are_refused() -> None:
    arguments = _arguments(_fitted()[0])
    arguments[15:19] = [np.empty(3, np.int32), *(np.empty(3, np.int64) for _ in range(3))]
    with pytest.raises(ValueError, match="needed"):
        compiled.featurise(*arguments)


def test_the_core_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(compiled.ENV, raising=False)
    assert compiled.configured()
    for off in ("0", "false", " No ", "OFF"):
        monkeypatch.setenv(compiled.ENV, off)
        assert not compiled.configured()
    monkeypatch.setenv(compiled.ENV, "1")
    assert compiled.configured()
    monkeypatch.setattr(compiled, "USE", True)
    assert compiled.enabled()
    monkeypatch.setattr(compiled, "USE", False)
    assert not compiled.enabled()


WORD_PIECES = [
    *"aZ09_ '’`-.\t\n", "é", "\u0301", "ß", "İ", "ы", "Ё", "٣", "①", "²", "½", "汉", "ー", "👍",
    "\u200b", "\u00a0", "ǅ", "ʼ", "Ⅻ", "𝕴", "don't", "rock'n'roll", "a''b", "'a'", "x’y",
]  # fmt: skip


def test_words_found_by_the_core_are_the_regex_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """The core's word finder agrees with ngram_hashing.WORD, Unicode categories included."""
    import random

    rng = random.Random(20261128)
    texts = TEXTS + [
        "".join(rng.choice(WORD_PIECES) for _ in range(rng.randint(0, 30))) for _ in range(3000)
    ]
    words = 0
    for start in range(0, len(texts), 500):
        chunk = texts[start : start + 500]
        monkeypatch.setattr(compiled, "USE", True)
        core = hash_batch(chunk, range(2, 6), range(1, 3))
        monkeypatch.setattr(compiled, "USE", False)
        regex = hash_batch(chunk, range(2, 6), range(1, 3))
        assert np.array_equal(core.word_ptr, regex.word_ptr)
        assert np.array_equal(core.local_word_starts, regex.local_word_starts)
        assert np.array_equal(core.local_word_ends, regex.local_word_ends)
        assert np.array_equal(core.word_starts, regex.word_starts)
        words += int(core.word_ptr[-1])
    assert words > 10_000


def test_sparse_products_equal_scipy_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    """SparseRows @ dense in the core sums as scipy's csr_matvec(s) does: the same bits."""
    from moderation.classifier.batch import SparseRows

    rng = np.random.default_rng(20261128)
    n, n_features = 50, 400
    lengths = rng.integers(0, 40, n)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    indices = np.concatenate(
        [np.sort(rng.choice(n_features, k, replace=False)) for k in lengths]
    ).astype(np.int32)
    rows = SparseRows(rng.normal(size=int(indptr[-1])), indices, indptr, (n, n_features))
    vector, table = rng.normal(size=n_features), rng.normal(size=(n_features, 3))
    monkeypatch.setattr(compiled, "USE", True)
    assert (rows @ vector).tobytes() == (rows.scipy() @ vector).tobytes()
    assert (rows @ table).tobytes() == (rows.scipy() @ table).tobytes()
    assert (rows @ np.zeros((n_features, 0))).shape == (n, 0)
    monkeypatch.setattr(compiled, "USE", False)
    assert (rows @ vector).tobytes() == (rows.scipy() @ vector).tobytes()


def test_sparse_product_refuses_columns_out_of_range() -> None:
    with pytest.raises(ValueError, match="out of range"):
        compiled.csr_dot(
            np.array([0, 1], np.int32), np.array([5], np.int32), np.ones(1), np.ones(3), 1,
            np.empty(1),
        )  # fmt: skip
    with pytest.raises(ValueError, match="do not match"):
        compiled.csr_dot(
            np.array([0, 2], np.int32), np.array([0], np.int32), np.ones(1), np.ones(3), 1,
            np.empty(1),
        )  # fmt: skip


def _random_rows(
    rng: np.random.Generator, n: int, n_columns: int, longest: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row pointers and sorted distinct columns of ``n`` random CSR rows; row 0 is empty."""
    lengths = rng.integers(0, longest, n)
    lengths[0] = 0  # an empty comment
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    columns = [np.sort(rng.choice(n_columns, k, replace=False)) for k in lengths]
    return indptr, np.concatenate(columns).astype(np.int32)


def _tfidf_case(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    n_features = 500
    indptr, ids = _random_rows(rng, 30, n_features, 80)
    counts = rng.integers(1, 3000, len(ids)).astype(np.int64)
    idf = (1.0 + 5.0 * rng.random(n_features)).astype(np.float32)
    return indptr, ids, counts, idf


def test_tfidf_equals_the_numpy_rows_bit_for_bit() -> None:
    from moderation.classifier.text_features import log_tf, tfidf_row

    indptr, ids, counts, idf = _tfidf_case(np.random.default_rng(7))
    out = np.empty(len(ids))
    compiled.tfidf(indptr, ids, counts, idf, log_tf(int(counts.max()) + 1), out)
    for a, b in itertools.pairwise(indptr.tolist()):
        assert out[a:b].tobytes() == tfidf_row(counts[a:b], idf[ids[a:b]]).tobytes()
        if b > a:
            assert np.isclose(np.linalg.norm(out[a:b]), 1.0)


def test_log_tf_is_numpys_log_and_grows_on_demand() -> None:
    from moderation.classifier.text_features import log_tf

    table = log_tf(5000)
    assert len(table) >= 5000 and table[0] == 0.0
    k = np.arange(1, 5000)
    assert table[1:5000].tobytes() == (1.0 + np.log(k)).tobytes()
    assert log_tf(10) is table  # a smaller request reuses the table


@pytest.mark.parametrize(
    ("position", "value", "message"),
    [
        (2, np.ones(2, np.int64), "inconsistent"),  # counts and ids of different lengths
        (2, np.zeros(1, np.int64), "outside the log_tf table"),  # a count of zero
        (4, np.ones(2), "outside the log_tf table"),  # a count past the table
        (1, np.array([999], np.int32), "out of range"),  # a feature id past idf
        (0, np.array([0, 2], np.int32), "do not match"),  # rows that hold more than given
        (5, np.empty(3), "inconsistent"),  # an output of another length
    ],
)
def test_tfidf_refuses_inconsistent_buffers(position: int, value: object, message: str) -> None:
    from moderation.classifier.text_features import log_tf

    arguments: list[object] = [
        np.array([0, 1], np.int32), np.array([4], np.int32), np.array([3], np.int64),
        np.ones(10, np.float32), log_tf(8), np.empty(1),
    ]  # fmt: skip
    compiled.tfidf(*arguments)  # valid as given
    arguments[position] = value
    with pytest.raises(ValueError, match=message):
        compiled.tfidf(*arguments)


def _background_case(
    rng: np.random.Generator, n: int = 40, n_terms: int = 300, n_articles: int = 57
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random CSR rows and a background table whose row 0 is zeros, as the model's is."""
    indptr, indices = _random_rows(rng, n, n_terms, 60)
    data = rng.random(int(indptr[-1]))
    present = rng.random(n_terms) < 0.6
    term_rows = np.zeros(n_terms, dtype=np.intp)
    term_rows[present] = np.arange(1, int(present.sum()) + 1)
    table = np.zeros((int(present.sum()) + 1, n_articles), dtype=np.float32)
    table[1:] = rng.random((int(present.sum()), n_articles)).astype(np.float32)
    return indptr, indices, data, term_rows, table


def test_background_products_equal_the_numpy_path_bit_for_bit() -> None:
    """The off-topic head's similarities to the background articles: the core and
    background_dot_numpy sum the same products in the same order (training, single comments
    and batches all use them), and both are the plain product up to rounding."""
    from moderation.classifier.off_topic_features import background_dot_numpy

    rng = np.random.default_rng(20261128)
    indptr, indices, data, term_rows, table = _background_case(rng)
    out = np.empty((len(indptr) - 1, table.shape[1]))
    compiled.background_dot(indptr, indices, data, term_rows, table, table.shape[1], out)
    expected = background_dot_numpy(indptr, indices, data, term_rows, table)
    assert out.tobytes() == expected.tobytes()
    assert not out[0].any()  # the empty comment
    dense = np.zeros((len(indptr) - 1, len(term_rows)))
    for i in range(len(indptr) - 1):
        dense[i, indices[indptr[i] : indptr[i + 1]]] = data[indptr[i] : indptr[i + 1]]
    np.testing.assert_allclose(out, dense @ table[term_rows].astype(np.float64), rtol=1e-12)


def test_background_similarities_follow_the_core_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """OffTopicFeatures.background_dot gives the same bits with the core on and off."""
    from moderation.classifier.off_topic_features import OffTopicFeatures

    articles = [(f"a{i}", f"Title {i}", text) for i, text in enumerate(CORPUS[:7])]
    features = OffTopicFeatures().fit(CORPUS, background=articles)
    rows = [features.ngrams_.vectorise(text) for text in TEXTS]
    results = {}
    for switch in ("1", "0"):
        monkeypatch.setattr(compiled, "USE", switch == "1")
        results[switch] = [features.background_similarities(r.values, r.indices) for r in rows]
    assert any(s.any() for s in results["1"])
    for core, numpy_path in zip(results["1"], results["0"], strict=True):
        assert core.tobytes() == numpy_path.tobytes()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"indices": np.array([999], np.int32)}, "out of range"),
        ({"term_rows": np.full(300, 10_000, np.intp)}, "out of range"),
        ({"indptr": np.array([0, 2], np.int32)}, "do not match"),
        ({"k": 3}, "inconsistent"),
        ({"out": np.empty(5)}, "inconsistent"),
        ({"data": np.ones(3)}, "inconsistent"),
    ],
)
def test_background_products_refuse_inconsistent_buffers(
    change: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {
        "indptr": np.array([0, 1], np.int32),
        "indices": np.array([5], np.int32),
        "data": np.ones(1),
        "term_rows": np.ones(300, np.intp),
        "table": np.ones((2, 4), np.float32),
        "k": 4,
        "out": np.empty(4),
    }
    _assert_refused(compiled.background_dot, args, change, message)


def _assert_refused(
    function: Callable[..., object],
    args: dict[str, object],
    change: dict[str, object],
    message: str,
) -> None:
    """``function(*args)`` is a valid call; with ``change`` applied it raises ValueError."""
    function(*args.values())
    with pytest.raises(ValueError, match=message):
        function(*{**args, **change}.values())


def test_background_scores_equal_the_numpy_path_bit_for_bit() -> None:
    """z-scores and percentiles among the background cosines: the core and
    background_scores_numpy give the same bits, and both agree with mean/std up to rounding;
    with no background article kept, one cosine of 0 stands in."""
    from moderation.classifier.off_topic_features import background_scores_numpy

    rng = np.random.default_rng(20261128)
    sims = rng.random((30, 57))
    own = rng.random(30)
    own[3] = sims[3, 5]  # a tie is not "below"
    members = np.array([0, 3, 7, 29], dtype=np.int64)
    for keep in (rng.random(57) < 0.9, np.zeros(57, dtype=bool), np.ones(57, dtype=bool)):
        z, percentile = np.zeros(30), np.zeros(30)
        compiled.background_scores(sims, keep, own, members, z, percentile)
        z_numpy, percentile_numpy = background_scores_numpy(sims, keep, own, members)
        assert z.tobytes() == z_numpy.tobytes()
        assert percentile.tobytes() == percentile_numpy.tobytes()
        kept = sims[members][:, keep] if keep.any() else np.zeros((len(members), 1))
        expected = (own[members] - kept.mean(axis=1)) / (kept.std(axis=1) + 0.01)
        np.testing.assert_allclose(z[members], expected, rtol=1e-12)
        assert np.array_equal(percentile[members], (kept < own[members, None]).mean(axis=1))
        assert not np.delete(z, members).any()  # only the members are computed


def test_article_overlap_equals_the_numpy_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The off-topic head's per-comment overlap with its article (weights of each stored
    value in the article, cosines with article and title, informative terms and hits):
    the same bits from the core as from numpy, for comments under different articles,
    and the shared scatter buffer is left all zeros."""
    from moderation.classifier import heads
    from moderation.classifier.batch import featurise
    from moderation.classifier.off_topic_features import OffTopicFeatures

    articles = [(f"a{i}", f"Title {i}", text) for i, text in enumerate(CORPUS[:7])]
    articles.append(("a7", "Channel idiot", TEXTS[11]))  # rare words: informative terms
    features = OffTopicFeatures().fit(CORPUS + TEXTS, background=articles)
    # A toy corpus has almost no rare terms: mark a random third of them informative.
    rng = np.random.default_rng(20261128)
    features.informative_ = rng.random(len(features.informative_)) < 0.3
    texts = [normalise(t).text for t in TEXTS]
    rows = featurise(features.ngrams_, hash_batch(texts, range(2, 6), range(1, 3))).matrix
    keys = [(title, body) for _, title, body in (articles[0], articles[1], articles[7])]
    by_article = {keys[0]: [0, 3, 4, 9], keys[1]: [1, 2, 12], keys[2]: [5, 6, 7, 8, 11, 13]}
    sides = {key: features.article_side(*key) for key in keys}
    terms = {key: sum(rows.row(i)[0].size for i in members) for key, members in by_article.items()}
    # more terms to look up than the article has: scattered (the batch path), at least once
    assert any(terms[key] >= sides[key].vector.indices.size for key in keys)
    core = heads._article_overlap(features, rows, by_article, sides)
    numpy_path = heads._article_overlap_numpy(features, rows, by_article, sides)
    assert core[0].tobytes() == numpy_path[0].tobytes()  # weights in the article
    scored = sorted(i for members in by_article.values() for i in members)  # not 10: no article
    for a, b in zip(core[1:], numpy_path[1:], strict=True):
        assert (
            np.asarray(a[scored], np.float64).tobytes()
            == np.asarray(b[scored], np.float64).tobytes()
        )
    assert core[1].any() and core[4].any()  # some cosines and hits to compare
    assert not features.scatter_buffer(copies=2).any()
    # One comment with fewer terms than its article: looked up by search, not scattered.
    long_article = ("Everything", " ".join(CORPUS + TEXTS[:7] + TEXTS[8:]))
    side = features.article_side(*long_article)
    assert rows.row(4)[0].size < side.vector.indices.size
    one = ({long_article: [4]}, {long_article: side})
    core, numpy_path = (
        heads._article_overlap(features, rows, *one),
        heads._article_overlap_numpy(features, rows, *one),
    )
    at = slice(int(rows.indptr[4]), int(rows.indptr[5]))
    assert core[0][at].tobytes() == numpy_path[0][at].tobytes() and core[0][at].any()
    for a, b in zip(core[1:], numpy_path[1:], strict=True):
        assert float(a[4]) == float(b[4])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"members": np.array([99], np.int64)}, "member row is out of range"),
        ({"article_indices": np.array([10_000], np.int64)}, "article terms out of range"),
        (
            {"title_indices": np.array([-1], np.int64), "title_values": np.ones(1)},
            "title terms out of range",
        ),
        (
            {"article_indices": np.array([7, 5], np.int64), "article_values": np.ones(2)},
            "not sorted",
        ),
        ({"indices": np.array([500], np.int32)}, "column is out of range"),
        ({"scratch": np.zeros(300)}, "inconsistent"),
        ({"out": np.zeros(3)}, "inconsistent"),
    ],
)
def test_article_overlap_refuses_inconsistent_buffers(
    change: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {
        "indptr": np.array([0, 1], np.int32),
        "indices": np.array([5], np.int32),
        "data": np.ones(1),
        "members": np.array([0], np.int64),
        "article_indices": np.array([5], np.int64),
        "article_values": np.ones(1),
        "title_indices": np.array([], np.int64),
        "title_values": np.ones(0),
        "informative": np.ones(300, np.uint8),
        "scratch": np.zeros(600),
        "in_article": np.zeros(1),
        "out": np.zeros(4),
    }
    _assert_refused(compiled.article_overlap, args, change, message)
    assert args["out"].tolist() == [1.0, 0.0, 1.0, 1.0]  # type: ignore[union-attr]


@pytest.mark.parametrize("by_feature", [True, False])
def test_word_sums_equal_the_numpy_path_bit_for_bit(
    by_feature: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each word's summed contribution (the explanations' input), core against numpy."""
    from moderation.classifier.batch import word_sums

    features = _fitted()[0]
    hashed = hash_batch([normalise(t).text for t in TEXTS], range(2, 6), range(1, 3))
    rows = featurise(features, hashed)
    rng = np.random.default_rng(20261128)
    size = int(features.n_features_out_) if by_feature else len(rows.matrix.data)
    coef = rng.normal(size=size)
    results = {}
    for switch in ("1", "0"):
        monkeypatch.setattr(compiled, "USE", switch == "1")
        results[switch] = word_sums(hashed, rows, coef, by_feature=by_feature)
    assert results["1"].tobytes() == results["0"].tobytes()
    assert np.count_nonzero(results["1"]) > 20


def test_word_sums_refuse_occurrences_out_of_range() -> None:
    args: list[object] = [np.ones(3), 1, np.array([0], np.int32), np.ones(1),
                          np.ones(1, np.int64), np.array([0]), np.array([5]), np.empty(2)]  # fmt: skip
    with pytest.raises(ValueError, match="occurrence is out of range"):
        compiled.word_sums(*args)
    args[2] = np.array([7], np.int32)
    with pytest.raises(ValueError, match="column is out of range"):
        compiled.word_sums(*args)


def test_the_presence_table_holds_every_vocabulary_hash() -> None:
    from moderation.classifier.text_features import PRESENT_BITS

    for features in _fitted():
        table = features.presence()
        assert table.dtype == np.uint64 and len(table) == 2 ** (PRESENT_BITS - 6)
        top = (features.hashes_ >> np.uint64(64 - PRESENT_BITS)).astype(np.int64)
        assert all((int(table[t >> 6]) >> (int(t) & 63)) & 1 for t in top)
        assert sum(bin(int(w)).count("1") for w in table) == len(set(top.tolist()))


def test_rows_are_the_same_with_and_without_the_presence_table() -> None:
    """A vocabulary of English n-grams and a Russian text: most hashes are ruled out by the
    table, and what is left gives the rows the full lookups give."""
    from moderation.classifier.text_features import PRESENT_BITS

    english = TextFeatures(min_df=1).fit(CORPUS[:3] + CORPUS[5:7])
    texts = [normalise(t).text for t in ["Ты полный идиот, и все это знают. idiot", *TEXTS]]
    hashed = hash_batch(texts, range(2, 6), range(1, 3))
    n = len(texts)
    capacity = 4 * (sum(map(len, texts)) + 2 * n) + 2 * len(hashed.local_word_starts) + 1
    outputs = []
    for extra in ([], [english.presence(), PRESENT_BITS]):
        out = [
            np.empty(n + 1, np.int32), np.empty(capacity, np.int32),
            *(np.empty(capacity, np.int64) for _ in range(3)),
        ]  # fmt: skip
        arguments = [
            hashed.utf32, hashed.starts, hashed.lengths, hashed.local_word_starts,
            hashed.local_word_ends, hashed.word_ptr, english.hashes_, english.bucket_starts(),
            2, 5, 1, 2, 0, 20, *out, *extra,
        ]  # fmt: skip
        nnz, occurrences = compiled.featurise(*arguments)
        outputs.append((nnz, occurrences, [a.copy() for a in out]))
    (nnz, occ, plain), (nnz2, occ2, filtered) = outputs
    assert (nnz, occ) == (nnz2, occ2) and nnz > 0
    for a, b, used in zip(plain, filtered, [n + 1, nnz, nnz, occ, occ], strict=True):
        assert np.array_equal(a[:used], b[:used])


def test_a_presence_table_of_the_wrong_size_is_refused() -> None:
    features = _fitted()[0]
    with pytest.raises(ValueError, match="presence table"):
        compiled.featurise(*_arguments(features), np.zeros(8, np.uint64), 21)
    with pytest.raises(ValueError, match="presence table"):
        compiled.featurise(*_arguments(features), features.presence(), 40)


def _foreign_case(monkeypatch: pytest.MonkeyPatch, switch: bool) -> tuple[np.ndarray, ...]:
    """heads.foreign_weights on random rows with the core on or off."""
    from moderation.classifier.batch import SparseRows
    from moderation.classifier.heads import foreign_weights

    rng = np.random.default_rng(20261129)
    n, n_features = 40, 400
    indptr, indices = _random_rows(rng, n, n_features, 60)
    data = rng.random(len(indices))
    data[::7] = 0.0  # the 1e-9 floor
    in_article = np.where(rng.random(len(indices)) < 0.5, 0.0, rng.random(len(indices)))
    features = type("Features", (), {"informative_": rng.random(n_features) < 0.6})()
    explain = rng.random(n) < 0.7
    matrix = SparseRows(data, indices, indptr, (n, n_features))
    monkeypatch.setattr(compiled, "USE", switch)
    return foreign_weights(features, matrix, in_article, explain, -1.7)  # type: ignore[arg-type]


def test_off_topic_explanation_weights_equal_the_numpy_path_bit_for_bit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    weights, n_foreign = _foreign_case(monkeypatch, True)
    expected_weights, expected_n = _foreign_case(monkeypatch, False)
    assert weights.tobytes() == expected_weights.tobytes()
    assert n_foreign.tolist() == expected_n.tolist()
    assert (n_foreign > 0).sum() > 10 and (weights > 0).any() and (weights == 0).any()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"indices": np.array([9], np.int32)}, "out of range"),
        ({"indptr": np.array([0, 2], np.int32)}, "do not match"),
        ({"in_article": np.zeros(2)}, "inconsistent"),
        ({"explain": np.ones(2, np.uint8)}, "inconsistent"),
        ({"weights": np.empty(3)}, "inconsistent"),
    ],
)
def test_off_topic_explanation_weights_refuse_inconsistent_buffers(
    change: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {
        "indptr": np.array([0, 1], np.int32),
        "indices": np.array([3], np.int32),
        "data": np.ones(1),
        "in_article": np.zeros(1),
        "informative": np.ones(5, np.uint8),
        "explain": np.ones(1, np.uint8),
        "overlap": -1.0,
        "weights": np.empty(1),
        "n_foreign": np.empty(1, np.int64),
    }
    _assert_refused(compiled.foreign_weights, args, change, message)
