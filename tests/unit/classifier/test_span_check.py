"""The explanation check's measures follow SemEval-2021 Task 5, and the twin skips the held posts."""

from __future__ import annotations

import pathlib

import pytest

from moderation.classifier.evaluation import word_probe_spans
from moderation.classifier.training import span_check
from moderation.classifier.training.sources import DataDir


def test_post_f1_follows_semeval() -> None:
    assert span_check.post_f1(frozenset(), frozenset()) == 1.0  # nothing marked, nothing shown
    assert span_check.post_f1(frozenset({1}), frozenset()) == 0.0
    assert span_check.post_f1(frozenset(), frozenset({1})) == 0.0
    # 2 shared of 4 shown and 2 marked: 2 x 2 / (4 + 2)
    assert span_check.post_f1(frozenset({1, 2, 3, 4}), frozenset({3, 4})) == pytest.approx(2 / 3)


def test_span_metrics_on_marked_posts_only() -> None:
    predicted = [[(4, 9), (0, 3)], [(0, 3)], []]
    gold = [frozenset(range(4, 9)), frozenset(range(20, 25)), frozenset()]
    m = span_check.span_metrics(predicted, gold)
    assert (m["n_posts"], m["n_marked"]) == (3, 2)
    assert m["top_span_hit"] == 0.5 and m["any_span_hit"] == 0.5
    assert m["precision"] == pytest.approx((5 / 8 + 0) / 2, abs=1e-4)
    assert m["recall"] == 0.5
    assert m["f1"] == pytest.approx((2 * 5 / 13 + 0) / 2, abs=1e-4)
    assert m["f1_all_posts"] == pytest.approx((2 * 5 / 13 + 0 + 1) / 3, abs=1e-4)


def test_posts_match_across_whitespace() -> None:
    held = frozenset({span_check.same_post("You  are\nan idiot ")})
    assert span_check.learnable(["You are an idiot", "You are kind"], held) == [False, True]


def test_marked_posts_are_read_with_their_offsets(tmp_path: pathlib.Path) -> None:
    folder = tmp_path / pathlib.Path(span_check.TEST_FILE).parent
    folder.mkdir(parents=True)
    (tmp_path / span_check.TEST_FILE).write_text(
        'spans,text\n"[4, 5, 6]","you are bad"\n"[]","fine"\n', encoding="utf-8"
    )
    data = DataDir(tmp_path)
    assert span_check.semeval_test(data) == (
        ["you are bad", "fine"],
        [frozenset({4, 5, 6}), frozenset()],
    )
    assert span_check.TEST_FILE in data.used  # its checksum goes in the model card


def test_word_probe_spans_strongest_first() -> None:
    scores = {"you": 0.1, "stupid": 0.7, "idiot": 0.9}
    spans = word_probe_spans(lambda words: [scores[w] for w in words], ["You stupid IDIOT"])
    assert spans == [[(11, 16), (4, 10)]]


def test_rewrite_marks_are_the_words_the_rewrites_took_out() -> None:
    original = "Ты чмо, вообще служил? Гандон"
    marks = span_check.rewrite_marks(original, ["Ты вообще служил?", "ты вообще служил?"])
    assert {original[i] for i in marks} == set("чмоГандон")
    assert "".join(original[i] for i in sorted(marks)) == "чмоГандон"


def test_rewrite_marks_need_half_of_the_rewrites() -> None:
    original = "всё это враньё, дебил"
    # "дебил" dropped by both; "враньё" replaced by one of two (half: marked); ё folds to е.
    marks = span_check.rewrite_marks(original, ["все это вранье", "все это неправда"])
    marked = "".join(original[i] for i in sorted(marks))
    assert marked == "враньёдебил"
    assert span_check.rewrite_marks(original, []) == frozenset()
