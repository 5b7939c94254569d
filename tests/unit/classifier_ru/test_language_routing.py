"""Routing rules for Russian: unsure plain-Cyrillic detections and mixed-script comments."""

from __future__ import annotations

from dataclasses import replace

import pytest

from moderation.classifier.language import Detected
from moderation.classifier.language_routing import (
    combine_mixed,
    is_mixed_en_ru,
    refine_language,
)
from moderation.domain.scores import CommentScores, Span


@pytest.mark.parametrize(
    ("text", "detected", "expected"),
    [
        ("Стринги надень, дура!", Detected("uz", 0.37), "ru"),  # real misdetections
        ("У Пердогана бомбануло", Detected("ky", 0.47), "ru"),
        ("Бүгін Алматыда ауа райы жақсы", Detected("kk", 0.9996), "kk"),  # Kazakh letters
        ("Бугун Тошкентда ҳаво яхши бўлади", Detected("uz", 0.6), "uz"),  # Uzbek letters
        ("Привіт, як справи?", Detected("uk", 0.6), "uk"),  # Ukrainian і
        ("Мен бүгүн келем", Detected("ky", 0.5), "ky"),  # Kyrgyz ү
        ("Some English text", Detected("en", 0.99), "en"),
        ("Обычный русский текст", Detected("kk", 0.95), "kk"),  # confident: trusted
        ("Good analysis of the talks, спасибо автору", Detected("tg", 0.4), "en"),  # mixed
        ("Спасибо автору за статью, good job", Detected("tg", 0.4), "ru"),
    ],
)
def test_refine_language(text: str, detected: Detected, expected: str) -> None:
    assert refine_language(text, detected).language == expected


@pytest.mark.parametrize(
    ("text", "mixed"),
    [
        ("Отличная статья, thanks for sharing", True),
        ("You are an idiot, иди нахуй", True),
        ("Полностью согласен с автором", False),
        ("I fully agree with the author", False),
        ("ну ты cyкa", False),  # obfuscation inside a word, not a second language
        ("Смотрите https://example.com/news", False),  # URL only
        ("Пишите на mail@example.com", False),
        ("Токаев и G20", False),  # too short to be a Latin word
    ],
)
def test_is_mixed_en_ru(text: str, mixed: bool) -> None:
    assert is_mixed_en_ru(text) is mixed


def test_word_searches_find_what_their_definitions_find() -> None:
    """The script-word patterns as searched (from the first letter) and as defined."""
    import random

    from moderation.classifier import language_routing as routing

    rng = random.Random(20261128)
    pieces = [*"abZ бЖёЁ1_ -'ǅéßі٣²", "abc", "Где", "xyzw", "ёлка", "Straße", "cyкa"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        for fast, definition in (
            (routing._LATIN_WORD, routing.LATIN_WORD),
            (routing._CYRILLIC_WORD, routing.CYRILLIC_WORD),
        ):
            found = [m.span() for m in fast.finditer(text)]
            assert found == [m.span() for m in definition.finditer(text)], text


@pytest.mark.parametrize(
    ("text", "mixed"),
    [
        ("Пишите mail@example.com или звоните", False),
        ("Пишите mail@example.com, thanks", True),  # a Latin word outside the address
        ("см. http://example.com/news и www.example.org", False),
        ("смотрите https://example.com/news, good", True),
        ("Пишите на почту, email me", True),  # no address at all
    ],
)
def test_mixed_ignores_addresses(text: str, mixed: bool) -> None:
    """Words inside addresses do not make a comment mixed; words outside them do."""
    assert is_mixed_en_ru(text) is mixed


def _scores(toxicity: float, spam: float, word: str, language: str = "ru") -> CommentScores:
    span = Span(0, len(word), word, 1.0)
    return CommentScores(
        toxicity=toxicity,
        off_topic=None,
        spam=spam,
        language=language,
        language_supported=True,
        spans={"toxicity": (span,), "spam": ()},
    )


def test_combine_mixed_takes_the_higher_scores_and_both_spans() -> None:
    routed = _scores(0.1, 0.2, "спасибо")
    other = _scores(0.9, 0.05, "idiot", language="en")
    combined = combine_mixed(routed, other, other_counts=True)
    assert combined.toxicity == 0.9
    assert combined.spam == 0.2
    assert combined.language == "ru"
    assert [s.text for s in combined.spans["toxicity"]] == ["спасибо", "idiot"]


def test_combine_mixed_ignores_the_other_model_when_it_does_not_count() -> None:
    routed = _scores(0.1, 0.2, "thanks", language="en")
    assert combine_mixed(routed, _scores(0.25, 0.3, "слово"), other_counts=False) is routed


def test_combine_mixed_keeps_a_span_both_models_share_once() -> None:
    shared = Span(0, 4, "http", 0.5)
    routed = replace(_scores(0.1, 0.2, "спасибо"), spans={"toxicity": (), "spam": (shared,)})
    other = replace(_scores(0.9, 0.2, "idiot", "en"), spans={"toxicity": (), "spam": (shared,)})
    assert combine_mixed(routed, other, other_counts=True).spans["spam"] == (shared,)
