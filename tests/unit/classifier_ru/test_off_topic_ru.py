"""Russian off-topic: the language hooks, the English-pairs training helpers, article routing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pytest

from moderation.classifier.language import Detected, LanguageDetector
from moderation.classifier.off_topic_features import (
    FEATURE_NAMES,
    NO_BACKGROUND_PERCENTILE,
)
from moderation.classifier.off_topic_features_ru import RussianOffTopicFeatures
from moderation.classifier.scorer import ModerationScorer
from moderation.classifier.training.off_topic_ru import (
    load_check_pairs,
    load_nearest_check_pairs,
    without_background,
)
from moderation.domain.scores import CommentInput, CommentScores

ARTICLE = (
    "Блинкен посетил Астану",
    "Государственный секретарь США Энтони Блинкен встретился в Астане с президентом "
    "Казахстана Касым-Жомартом Токаевым и обсудил торговлю по Транскаспийскому маршруту.",
)


def test_names_match_across_case_endings_and_skip_sentence_starts() -> None:
    features = RussianOffTopicFeatures()
    article = features.names(f"{ARTICLE[0]}\n{ARTICLE[1]}")
    comment = features.names("Хорошо, что Блинкена принял сам Токаев. Молодцы.")
    assert {"блинк", "токае"} <= comment & article
    assert "молод" not in comment  # starts a sentence: not taken as a name
    assert features.names("Государственный секретарь прибыл.") == set()  # starts the text
    assert features.names("Встреча Tokayev и Blinken") == {"tokay", "blink"}


def test_russian_chit_chat_is_counted_and_english_still_is() -> None:
    features = RussianOffTopicFeatures()
    assert features.chit_chat("Да, согласен, спасибо!") == 3
    assert features.chit_chat("Ты прав, lol") == 2
    assert features.chit_chat("Урожай пшеницы в Костанае") == 0


def test_a_model_without_background_uses_the_constants() -> None:
    features = RussianOffTopicFeatures().fit(
        [
            "Блинкен приехал в Астану на переговоры",
            "Урожай пшеницы в Костанае рекордный",
            "Метро в Алматы открыли после ремонта",
        ]
        * 3
    )
    assert not features.has_background
    row = features.features("Блинкен в Астане, хорошо", *ARTICLE)
    named = dict(zip(features.feature_names, row.tolist(), strict=True))
    assert (named["parent_cosine"], named["has_parent"]) == (0.0, 0.0)
    assert named["background_z"] == 0.0
    assert named["background_percentile"] == NO_BACKGROUND_PERCENTILE
    assert named["z_x_log_words"] == 0.0
    assert named["cosine"] > features.features("Урожай пшеницы рекордный", *ARTICLE)[0]


def test_without_background_sets_exactly_the_background_columns() -> None:
    x = np.arange(2 * len(FEATURE_NAMES), dtype=float).reshape(2, -1) + 1.0
    out = without_background(x)
    changed = {FEATURE_NAMES[j] for j in range(x.shape[1]) if (out[:, j] != x[:, j]).any()}
    assert changed == {"background_z", "background_percentile", "z_x_log_words"}
    assert (out[:, FEATURE_NAMES.index("background_percentile")] == 0.5).all()
    assert x[0, 1] == 2.0  # the input is not modified


def test_check_pairs_put_each_comment_under_its_own_and_one_other_article() -> None:
    pairs = load_check_pairs(seed=20261128)
    assert len(pairs.comments) == 136 and Counter(pairs.labels) == {0: 68, 1: 68}
    assert len(set(pairs.groups)) == 12
    for k in range(0, len(pairs.comments), 2):
        assert pairs.comments[k] == pairs.comments[k + 1]
        assert (pairs.labels[k], pairs.labels[k + 1]) == (0, 1)
        assert pairs.titles[k] != pairs.titles[k + 1]
    assert load_check_pairs(seed=20261128) == pairs  # seeded


@dataclass
class _Recording:
    """Stands in for a language's models: records what it was asked to score."""

    seen: list[CommentInput] = field(default_factory=list)

    def score(self, comment: CommentInput, language: str) -> CommentScores:
        self.seen.append(comment)
        has_article = bool(comment.article_title or comment.article_body)
        return CommentScores(0.1, 0.2 if has_article else None, 0.1, language, True)


class _Detector(LanguageDetector):
    def __init__(self) -> None:
        self.calls = 0

    def detect(self, text: str) -> Detected:
        self.calls += 1
        cyrillic = sum("а" <= ch.lower() <= "я" for ch in text)
        return Detected("ru" if cyrillic > len(text) / 3 else "en", 0.99)


@pytest.fixture
def routed() -> tuple[ModerationScorer, _Recording, _Recording, _Detector]:
    en, ru, detector = _Recording(), _Recording(), _Detector()
    scorer = ModerationScorer(
        model_version="t", routes={"en": en, "ru": ru}, detector=detector, card={}
    )  # type: ignore[dict-item]
    return scorer, en, ru, detector


def test_an_article_in_another_language_is_left_out(routed) -> None:  # type: ignore[no-untyped-def]
    scorer, en, ru, _ = routed
    english_article = ("Blinken visits Astana", "The US Secretary of State met the president.")
    results = scorer.score(
        [
            CommentInput("Блинкен приехал вовремя, это хорошо", *ARTICLE),
            CommentInput("Блинкен приехал вовремя, это хорошо", *english_article),
            CommentInput("Blinken came at the right time", *english_article),
            CommentInput("Blinken came at the right time", *ARTICLE),
        ]
    )
    assert [r.off_topic for r in results] == [0.2, None, 0.2, None]
    assert [c.article_title for c in ru.seen] == [ARTICLE[0], None]
    assert [c.article_title for c in en.seen] == [english_article[0], None]
    assert scorer.score_one(CommentInput("Blinken came", *ARTICLE)).off_topic is None


def test_the_declared_article_language_wins_and_detection_is_cached(routed) -> None:  # type: ignore[no-untyped-def]
    scorer, _, ru, detector = routed
    declared = CommentInput("Блинкен приехал вовремя", "Blinken", "In English", "ru-RU")
    assert scorer.article_language(declared) == "ru"
    assert scorer.score([declared])[0].off_topic == 0.2
    assert ru.seen[-1].article_title == "Blinken"
    before = detector.calls
    for _ in range(3):
        scorer.article_language(CommentInput("x", *ARTICLE))
    assert detector.calls == before + 1
    assert scorer.article_language(CommentInput("no article")) is None


def test_nearest_check_pairs_use_the_most_similar_article() -> None:
    texts = [a for a in load_check_pairs(seed=1).bodies] * 2
    features = RussianOffTopicFeatures().fit(texts)
    pairs = load_nearest_check_pairs(features)
    assert len(pairs.comments) == 136 and Counter(pairs.labels) == {0: 68, 1: 68}
    off_topic_side = {
        home: title for home, title, y in zip(pairs.groups, pairs.titles, pairs.labels, strict=True)
        if y == 1
    }  # fmt: skip
    # The hand-written neighbours find each other: two visits, two rivers, two teams.
    assert "Лавров" in off_topic_side["blinken"] and "Блинкен" in off_topic_side["lavrov"]
    assert "Сырдарь" in off_topic_side["water"]
    assert "Узбекистана" in off_topic_side["football"]


@pytest.mark.parametrize("core", [True, False], ids=["core", "no core"])
def test_russian_chit_chat_counts_equal_the_patterns_as_defined(
    core: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled core's word-by-word count, or the pattern searched from the non-word
    character before each word: what the case-insensitive patterns find (Russian and English
    words), on tricky and random mixes."""
    from moderation.classifier import compiled
    from moderation.classifier.off_topic_features import _CHIT_CHAT
    from moderation.classifier.off_topic_features_ru import _CHIT_CHAT_RU
    from tests.support.servers import unavailable

    if core and not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    monkeypatch.setattr(compiled, "USE", core)
    features = RussianOffTopicFeatures()
    texts, counted = _chit_chat_mixes(), 0
    for text in texts:
        expected = len(_CHIT_CHAT_RU.findall(text)) + len(_CHIT_CHAT.findall(text))
        assert features.chit_chat(text) == expected, text
        counted += expected
    assert counted > 5_000


def _chit_chat_mixes() -> list[str]:
    import random

    rng = random.Random(20261128)
    pieces = ["да", "Да", "ДА", "нет", "ты", "Вы", "ахаха", "ХАХАХ", "спс", "ок", "окей",
              " ", ",", "_", "1", "ёжик", "\u1c80", "таты", "ваш", "вашего", "привет", "\u0301",
              "лол", "тобой", "верно", "неверно", "agree", "ok", "é", "\n", "ᲁа", "ᲄы", "ТᲂБᲂЙ",
              "правильно", "правильноо", "ахах", "ахаᲂ", "İ", "you", "ok", "haha", "хаха"]  # fmt: skip
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(20_000)]


def test_russian_chit_chat_count_equals_the_pattern_as_defined() -> None:
    """The faster count (from the non-word character before each word, words grouped by
    first letter) finds what the case-insensitive pattern finds, on tricky and random mixes."""
    from moderation.classifier.off_topic_features_ru import _CHIT_CHAT_RU, _CHIT_CHAT_RU_STARTS

    texts = _chit_chat_mixes()
    counted = 0
    for text in texts:
        expected = len(_CHIT_CHAT_RU.findall(text))
        assert len(_CHIT_CHAT_RU_STARTS.findall(" " + text)) == expected, text
        counted += expected
    assert counted > 5_000


def test_russian_chit_chat_folds_every_character_as_the_pattern_does() -> None:
    """Every code point that re.IGNORECASE lets stand for a letter of a Russian chit-chat word
    (not only upper case: U+1C80..U+1C88 too), put in such a word, is counted as the pattern
    counts it; so is every other code point (not counted)."""
    import re
    import sys

    from moderation.classifier import compiled
    from moderation.classifier.off_topic_features_ru import _CHIT_CHAT_RU, _CHIT_CHAT_RU_WORDS
    from tests.support.servers import unavailable

    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    words = [w.removesuffix(r"\w*") for w in _CHIT_CHAT_RU_WORDS.split("|")]
    letters = sorted(set("".join(words)))
    any_letter = re.compile(f"[{''.join(letters)}]", re.IGNORECASE)
    stand_ins = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if not 0xD800 <= c <= 0xDFFF and any_letter.fullmatch(chr(c))
    ]
    assert len(stand_ins) > 2 * len(letters)  # upper and lower case at least
    checked = 0
    for char in [*stand_ins, "ё", "Ё", "e", "a", "\u0301", "ꙋ"]:
        for word in words:
            for k in range(len(word)):
                text = f"{word[:k]}{char}{word[k + 1 :]}"
                assert compiled.chit_chat(text, True) == len(_CHIT_CHAT_RU.findall(text)), text
                checked += 1
    assert checked > 9_000
