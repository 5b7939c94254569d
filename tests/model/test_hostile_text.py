"""Whatever a reader types, the committed models score it: no exception, scores in [0, 1],
spans that point at the characters they quote, and the same result in a batch as alone.

Texts are drawn (seeded, so a failure reproduces) from the characters that break text code:
combining marks, zero-width and bidirectional controls, emoji with modifiers and joiners,
fullwidth and look-alike letters, Arabic, CJK, characters outside the Basic Multilingual Plane,
lone surrogates (JSON can carry them), NULs and other controls, mixed with words of the
supported languages, 1 to 1,500 characters, with and without an article and a parent.
"""

from __future__ import annotations

import random

import pytest

from moderation.classifier import compiled
from moderation.classifier.scorer import ModerationScorer
from moderation.domain.scores import CommentInput, CommentScores
from tests.support.servers import unavailable

POOLS = (
    "abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789 .,!?'\"-",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВЯ ",
    "\u0301\u0308\u0336\u20dd\u0489",  # combining marks
    "\u200b\u200c\u200d\u2060\ufeff\u00ad",  # zero-width, soft hyphen
    "\u202a\u202b\u202e\u2066\u2067\u2069\u200e\u200f",  # bidirectional controls
    "👍👎🤬💩🏳️‍🌈👩🏽‍💻🇰🇿\ufe0f",
    "ｉｄｉｏｔ０１２ＡＢＣ",  # fullwidth
    "іоаеурсхІОАЕРСХ",  # Cyrillic look-alikes of Latin letters
    "مرحبا بكم في الموقع",
    "这是一个非常好的文章。日本語のテキスト",
    "\U0001d400\U0001d41a\U00010348\U0001f600",  # outside the BMP
    "\ud800\udfff",  # lone surrogates
    "\x00\x01\x07\x1b\x7f\t\r\n\u2028\u2029",
    "qo'g'ŋəğışçöüñ",  # Uzbek/Kazakh/Turkish Latin
)
WORDS = (
    "idiot", "m0r0n", "i d i o t", "stuuupid", "www.example.com", "$500", "subscribe",
    "дебил", "cyка", "хyй", "заработок", "water", "Tashkent", "Ташкент", "Blinken",
)  # fmt: skip
ARTICLES = (
    (None, None, None),
    ("Blinken visits Tashkent", "The secretary of state met officials about water.", "en"),
    ("Визит Блинкена", "Госсекретарь встретился с чиновниками по вопросам воды.", "ru"),
    ("\u202e\u0000", "\ud800" * 50, None),
)


def _text(rng: random.Random) -> str:
    length = rng.choice((1, 2, 5, 20, 80, 300, 1500))
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        if rng.random() < 0.3:
            parts.append(" " + rng.choice(WORDS) + " ")
        else:
            pool = rng.choice(POOLS)
            parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 12))))
    return "".join(parts)[:length]


@pytest.fixture(scope="module")
def comments() -> list[CommentInput]:
    rng = random.Random(20261130)
    drawn = []
    for _ in range(500):
        title, body, language = rng.choice(ARTICLES)
        parent = _text(rng) if rng.random() < 0.25 else None
        drawn.append(CommentInput(_text(rng), title, body, language, parent=parent))
    return drawn


def _check(comment: CommentInput, scores: CommentScores) -> None:
    for name, value in scores.as_dict().items():
        assert value is None or 0.0 <= value <= 1.0, (name, value)
    for value in scores.subscores.values():
        assert 0.0 <= value <= 1.0
    for spans in scores.spans.values():
        for span in spans:
            assert 0 <= span.start < span.end <= len(comment.text)
            assert comment.text[span.start : span.end] == span.text


def test_any_text_is_scored_within_bounds_with_true_spans(
    scorer: ModerationScorer, comments: list[CommentInput]
) -> None:
    results = scorer.score(comments)
    assert len(results) == len(comments)
    for comment, scores in zip(comments, results, strict=True):
        _check(comment, scores)
    assert any(r.language_supported for r in results)
    assert any(not r.language_supported for r in results)
    assert any(r.spans for r in results)


def test_any_text_scores_the_same_alone_as_in_a_batch(
    scorer: ModerationScorer, comments: list[CommentInput]
) -> None:
    sample = comments[:200]
    assert scorer.score(sample) == [scorer.score([c])[0] for c in sample]


def test_the_compiled_core_and_numpy_agree_on_any_text(
    scorer: ModerationScorer, comments: list[CommentInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    sample = comments[:150]
    monkeypatch.setattr(compiled, "USE", True)
    with_core = scorer.score(sample)
    monkeypatch.setattr(compiled, "USE", False)
    assert scorer.score(sample) == with_core
