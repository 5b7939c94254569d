"""Each Russian obfuscation kind is undone, and every normalised character maps back."""

from __future__ import annotations

import pytest

from moderation.classifier.normalise_ru import normalise_ru


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("хyй", "хуй"),  # Latin y inside a Cyrillic word
        ("cyкa", "сука"),  # Latin c, y, a around a Cyrillic к
        ("Ты дeбил", "ты дебил"),  # Latin e
        ("пидoр", "пидор"),  # Latin o
        ("xyй", "хуй"),  # Latin x and y
        ("бlя", "бля"),  # Latin l
    ],
)
def test_latin_lookalikes_inside_cyrillic_words(text: str, expected: str) -> None:
    assert normalise_ru(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6лять", "блять"),
        ("бл9ть", "блять"),
        ("ты п0шел", "ты пошел"),
        ("ад3уд", "адзуд"),
        ("cyк@", "сука"),
    ],
)
def test_digits_and_symbols_for_letters(text: str, expected: str) -> None:
    assert normalise_ru(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("х у й", "хуй"),
        ("x y й", "хуй"),  # Latin x and y, spaced
        ("с.у.к.а", "сука"),
        ("ты д е б и л", "ты дебил"),
        ("т-в-а-р-ь", "тварь"),
    ],
)
def test_spaced_letters(text: str, expected: str) -> None:
    assert normalise_ru(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("сууука", "сука"),
        ("СУУУУКА", "сука"),
        ("пиииздец", "пиздец"),
        ("класссс", "класс"),
        ("СССР", "ссср"),  # three consonants: a word
        ("ну!!!!", "ну!!"),
    ],
)
def test_repeated_letters(text: str, expected: str) -> None:
    assert normalise_ru(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("су\u200bка", "сука"),  # zero-width space
        ("су\u00adка", "сука"),  # soft hyphen
        ("Ёлки, ещё", "елки, еще"),  # ё folded to е
        ("ｓｕｋａ", "сука"),  # fullwidth Latin, then translit
    ],
)
def test_invisible_characters_yo_and_fullwidth(text: str, expected: str) -> None:
    assert normalise_ru(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("suka", "сука"),
        ("pizdec", "пиздец"),
        ("idi nahui", "idi нахуй"),
        ("da ty debil", "да ты дебил"),  # a translit comment: every word
        ("ty chto sovsem tupoy?", "ты что совсем тупой?"),
        ("huy tebe", "хуй tebe"),
        ("blyat", "блят"),
        ("suuuka", "сука"),
        ("ты vatnik что ли", "ты ватник что ли"),  # a Latin word in a Cyrillic comment
        ("opyat chuchmeki", "opyat чучмеки"),  # slurs for Central Asians and Russians
        ("eti kalbity", "eti калбиты"),
        ("you katsap", "you кацап"),
        ("moskali", "москали"),
        ("tebya ne ubedil? analizirovat' pytaesh'sya", "тебя не убедил? анализировать пытаешься"),
        ("пиши в telegram или whatsapp", "пиши в telegram или whatsapp"),  # English spellings
    ],
)
def test_latin_transliteration(text: str, expected: str) -> None:
    assert normalise_ru(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "The blatant bladder was daunting and ebullient",
        "Hui people live in Kazakhstan and Kyrgyzstan",  # the Hui (Dungan) people
        "Kazakhstan's Tokayev met Mukhtar Tileuberdi in Zhanaozen",  # kh/zh names
        "Kasap kebab in Moscow",  # Turkish "butcher", not кацап
        "Yes ya know, the Khan Shatyr is huge",
        "don't you think it's over",
        "I do not like sushi",
        "Great article, thank you",
        "Путин опять",
        "Рост на 3млн рублей, в 2х регионах, 10кг, через 3года, в 4раза",
        "чем b и в тем",  # three spaced letters that spell nothing
        "пользователь стаса671какп",
        "Купил Samsung, смотрю Star Wars, про Brexit читал",  # English words in Russian
        "т.е. и т.д. а и б",
    ],
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert normalise_ru(text).text == text.lower()


def test_russian_looking_words_in_cyrillic_text_are_transliterated_in_place() -> None:
    """Mostly Cyrillic text: translit words change, English ones stay, spans still map."""
    text = "Купил Samsung, а эта zhopa и suka опять, Brexit ему"
    normalised = normalise_ru(text)
    assert normalised.text == "купил samsung, а эта жопа и сука опять, brexit ему"
    for word, original in (("жопа", "zhopa"), ("сука", "suka"), ("samsung", "Samsung")):
        start = normalised.text.index(word)
        span = normalised.original_span(start, start + len(word))
        assert text[span[0] : span[1]] == original


def test_english_word_with_a_cyrillic_letter_stays_latin() -> None:
    assert normalise_ru("The idiоt said").text == "the idiot said"  # Cyrillic о


@pytest.mark.parametrize(
    ("text", "word", "original"),
    [
        ("ну ты хyй", "хуй", "хyй"),
        ("ну ты х у й", "хуй", "х у й"),
        ("ну ты сууука!", "сука", "сууука"),
        ("ну ты с\u200bука", "сука", "с\u200bука"),
        ("ну ты suka", "сука", "suka"),
        ("ну ты 6лять", "блять", "6лять"),
        ("ну ты blyat", "блят", "blyat"),
    ],
)
def test_offsets_point_at_the_original_characters(text: str, word: str, original: str) -> None:
    normalised = normalise_ru(text)
    start = normalised.text.index(word)
    a, b = normalised.original_span(start, start + len(word))
    assert text[a:b] == original


def test_every_character_has_an_offset() -> None:
    text = "Ну ты  х у й,\u200b cyкa сууука и suka!!!"
    normalised = normalise_ru(text)
    assert normalised.offsets is not None
    assert len(normalised.offsets) == len(normalised.text)
    assert list(normalised.offsets) == sorted(normalised.offsets)
    assert all(0 <= o < len(text) for o in normalised.offsets)


def test_clean_text_needs_no_offsets() -> None:
    assert normalise_ru("Обычный комментарий к статье").offsets is None


def test_words_skipped_by_the_mixed_word_rewrite_are_the_ones_it_leaves_unchanged() -> None:
    """normalise_ru rewrites only words _needs_unmix picks; _unmix leaves every other one as
    it is, so skipping them changes nothing (random words from every kind of character)."""
    import random

    from moderation.classifier.normalise_ru import _MIXED_WORD, _needs_unmix, _unmix

    rng = random.Random(20261128)
    pieces = "хуйсукаблядьХУЙ0123456789@$aAbBcCxXyYеЕоОіїўІЇЎ"
    skipped = 0
    for _ in range(20_000):
        word = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        match = _MIXED_WORD.fullmatch(word)
        assert match is not None
        if not _needs_unmix(word):
            skipped += 1
            assert _unmix(match) == [(c, i) for i, c in enumerate(word)], word
    assert skipped > 1000


def test_mixed_candidates_are_the_whole_words_needs_unmix_picks() -> None:
    """The one regex normalise_ru searches finds exactly the _MIXED_WORD runs _needs_unmix
    accepts, with the same spans."""
    from moderation.classifier.normalise_ru import _MIXED_CANDIDATE, _MIXED_WORD, _needs_unmix

    found = 0
    for text in [*_random_russian(20_000, 20261129), "і", "Ї", "а1", "1а", "aб", "ab", "аб"]:
        expected = [m.span() for m in _MIXED_WORD.finditer(text) if _needs_unmix(m.group())]
        assert [m.span() for m in _MIXED_CANDIDATE.finditer(text)] == expected, text
        found += len(expected)
    assert found > 5000


def _random_russian(n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    pieces = [*"хуйсукаХУЙ019@$aAbBcCxXyYеЕоОіїўІЇЎё .-_*\n\t\u00a0٣", "х у й", "с.у.к.а",
              "b-l-y-a", "ууу", "!!!", "  ", "cyка", "п0шел", "Привет", "xyz"]  # fmt: skip
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(n)]


def test_compiled_text_flags_match_the_russian_triggers() -> None:
    """The compiled core's one-pass flags as normalise_ru reads them: repeats and the
    mixed-script trigger and the spaced run (3 letters) fire exactly when their regexes
    match."""
    from moderation.classifier import compiled, normalise
    from moderation.classifier import normalise_ru as ru
    from tests.support.servers import unavailable

    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    counts = {"spaced": 0, "mixed": 0, "repeats": 0}
    for text in _random_russian(20_000, 20261128):
        flags = compiled.text_flags(text, 3)
        repeats, mixed = bool(ru._REPEATS.search(text)), bool(ru._MIXED_TRIGGER.search(text))
        assert bool(flags & normalise.REPEATS_RU) == repeats, text
        assert bool(flags & normalise.MIXED_RU) == mixed, text
        assert bool(flags & normalise.ODD_WHITESPACE) == bool(ru._ODD_SPACE.search(text)), text
        assert bool(flags & normalise.LATIN) == bool(ru._LATIN.search(text)), text
        spaced = bool(ru._SPACED.search(text))
        assert bool(flags & normalise.SPACED_RUN) == spaced, text
        counts["spaced"] += spaced
        counts["mixed"] += mixed
        counts["repeats"] += repeats
    assert min(counts.values()) > 1000, counts


def test_normalise_ru_is_the_same_with_the_core_on_and_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moderation.classifier import compiled

    texts = _random_russian(5_000, 20261129)
    results = {}
    for switch in ("1", "0"):
        monkeypatch.setattr(compiled, "USE", switch == "1")
        results[switch] = [normalise_ru(t) for t in texts]
    assert results["1"] == results["0"]
