"""Routing rules for Russian: unsure plain-Cyrillic detections and mixed-script comments."""

from __future__ import annotations

from dataclasses import replace

import pytest

from moderation.classifier.language import Detected
from moderation.classifier.language_routing import (
    combine_mixed,
    is_mixed_en_ru,
    refine_language,
    route,
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
    ("text", "detected", "expected"),
    [
        # Russian in Latin letters, as the detector saw it (real detections)
        ("ty durak, idi na hui", Detected("en", 0.5), "ru-Latn"),
        ("Spasibo za statyu, ochen interesno i poleznoe", Detected("pl", 0.98), "ru-Latn"),
        ("blyat, kakie zhe vy debily", Detected("pl", 0.71), "ru-Latn"),
        ("Ty voobshe chital statyu? Avtor prav.", Detected("uz", 0.6), "ru-Latn"),
        # the detector sure of Uzbek, but no Uzbek spelling in it (q, o', g'): Russian
        ("Ty voobshe chital statyu? Avtor prav.", Detected("uz", 0.95), "ru-Latn"),
        ("Ty voobshe chital statyu? Avtor prav.", Detected("tr", 0.95), "tr"),  # sure: Turkish
        ("Ty voobshe chital statyu? Qoyil", Detected("uz", 0.6), "uz"),  # Uzbek q
        ("Ty voobshe chital statyu? Boʻldi", Detected("uz", 0.6), "uz"),  # Uzbek oʻ
        # Uzbek, Kazakh, Turkish and Polish in Latin letters stay what they are
        ("Men bu maqolani o'qidim, juda yaxshi yozilgan", Detected("uz", 1.0), "uz"),
        ("Siz nima deyapsiz, bu to'g'ri emas", Detected("uz", 0.88), "uz"),
        ("Bul maqala ote jaqsy jazylgan, rahmet", Detected("uz", 0.93), "uz"),
        ("Ne boldy? Tusinbedim", Detected("en", 0.5), "en"),
        ("Ne ne ne, bu olmaz", Detected("en", 0.5), "en"),  # one word, said three times
        ("Ya sabir, bunlar ne yapiyor", Detected("tr", 0.976), "tr"),
        ("Ty jestes glupi, nie wiem co powiedziec", Detected("pl", 1.0), "pl"),
        # English that shares words with translit ("my", "da", "net", "pro")
        ("my niggah my niggah lol", Detected("en", 0.5), "en"),
        ("SUBSCRIBE MY CHANNEL PLEASE LOL PRO PLAYS", Detected("en", 0.7), "en"),
        ("The net effect on pro sports is small", Detected("en", 0.99), "en"),
        # short: a Russian swear word or insult, and no English-looking word
        ("ty debil", Detected("en", 0.5), "ru-Latn"),
        ("avtor mudak", Detected("en", 0.5), "ru-Latn"),
        ("Suka", Detected("en", 0.5), "ru-Latn"),
        ("you are a suka", Detected("en", 0.5), "en"),  # English words: the English model
        ("Hui people of Xinjiang", Detected("en", 0.7), "en"),  # "hui" alone is no insult
        # a plain-language rule's detection is taken as it is
        ("a ty chto, i tak znal? no eto ne tak", Detected("en", 0.9, plain=True), "en"),
    ],
)
def test_russian_in_latin_letters_is_routed_as_ru_latn(
    text: str, detected: Detected, expected: str
) -> None:
    assert refine_language(text, detected).language == expected


def test_a_language_routes_to_the_models_of_its_primary_subtag() -> None:
    assert route("ru-Latn") == "ru" and route("ru") == "ru" and route("en") == "en"


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
