"""Each obfuscation kind is undone, and every normalised character maps back to the original."""

from __future__ import annotations

import pytest

from moderation.classifier.normalise import normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You are a 1d10t", "you are a idiot"),
        ("m0r0n!!!", "moron!!"),
        ("sh!t happens", "shit happens"),
        ("i d i o t", "idiot"),
        ("s.t.u.p.i.d people", "stupid people"),
        ("іdіоt", "idiot"),  # Cyrillic і and о inside a Latin word
        ("ｉｄｉｏｔ", "idiot"),  # fullwidth
        ("id\u200biot", "idiot"),  # zero-width space
        ("stuuuupid", "stuupid"),
        ("hello   world\n\nok", "hello world ok"),
    ],
)
def test_undoes_obfuscation(text: str, expected: str) -> None:
    assert normalise(text).text == expected


@pytest.mark.parametrize(
    "text", ["covid19 cases in 2016", "G20 summit", "I am a cat", "$25 million"]
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert normalise(text).text == text.lower()


def test_keeps_russian_words_cyrillic() -> None:
    assert normalise("Путин опять").text == "путин опять"


@pytest.mark.parametrize(
    "text",
    [
        "i d i o t and 1d10t",
        "id\u200biot   ok",
        "stuuuupid\n\nm0r0n",
        "іdіоt ｉｄｉｏｔ",
        "İstanbul",
    ],
)
def test_every_character_maps_to_an_original_offset(text: str) -> None:
    result = normalise(text)
    offsets = result.offsets or tuple(range(len(result.text)))
    assert len(offsets) == len(result.text)
    assert list(offsets) == sorted(offsets)
    assert all(0 <= o < len(text) for o in offsets)


def test_original_span_covers_the_obfuscated_word() -> None:
    text = "you are a i d i o t!"
    result = normalise(text)
    start = result.text.index("idiot")
    s, e = result.original_span(start, start + len("idiot"))
    assert text[s:e] == "i d i o t"


def test_original_span_through_deleted_characters() -> None:
    text = "an id\u200b\u200biot here"
    result = normalise(text)
    start = result.text.index("idiot")
    s, e = result.original_span(start, start + 5)
    assert text[s:e] == "id\u200b\u200biot"
