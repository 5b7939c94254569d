"""Language detection and routing: only English is scored; short texts follow the rule."""

from __future__ import annotations

from typing import Any

import pytest

from moderation.classifier.language import (
    Detected,
    LanguageDetector,
    plainly_english,
    plainly_russian,
)
from moderation.classifier.scorer import ModerationScorer
from moderation.domain.scores import CommentInput, CommentScores


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Blinken paid a very timely visit to Central Asia this week.", "en"),
        ("Это очень хорошая статья, спасибо автору за работу", "ru"),
        ("Бұл мақала өте жақсы, рахмет сізге", "kk"),
        ("Men bu maqolani juda yaxshi deb o'ylayman, rahmat", "uz"),
    ],
)
def test_detects_languages(detector: LanguageDetector, text: str, language: str) -> None:
    assert detector.detect(text).language == language


@pytest.mark.parametrize("text", ["ok", "lol you idiot", "Nice!", "👍👍", "1234"])
def test_short_ascii_text_is_english(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text).language == "en"


class _English:
    """Stands in for the English models so routing can be tested without artifacts."""

    def score(self, comment: CommentInput, language: str) -> CommentScores:
        return CommentScores(0.1, None, 0.1, language, True)


def _scorer() -> ModerationScorer:
    routes: dict[str, Any] = {"en": _English()}
    return ModerationScorer(model_version="t", routes=routes, detector=LanguageDetector(), card={})


def test_other_languages_are_not_scored_as_english() -> None:
    [result] = _scorer().score([CommentInput("Путин опять всех обманул, это позор для страны")])
    assert result.language == "ru"
    assert result.language_supported is False
    assert (result.toxicity, result.off_topic, result.spam) == (None, None, None)


def test_english_goes_to_the_english_models() -> None:
    [result] = _scorer().score([CommentInput("The USA is better than Russia.")])
    assert result.language == "en" and result.language_supported


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bu makale çok iyi, yazara teşekkürler ve selamlar", "tr"),
        ("Het is een goed artikel en ik ben het eens met de schrijver", "nl"),
        ("Men bu maqolani juda yaxshi deb o'ylayman, rahmat sizga", "uz"),
    ],
)
def test_latin_script_languages_are_not_taken_for_english(
    detector: LanguageDetector, text: str, language: str
) -> None:
    assert not plainly_english(text)
    assert detector.detect(text).language == language


def test_plainly_english_skips_the_classifier() -> None:
    assert plainly_english("I think that the minister is wrong about the tax and you know it")
    assert not plainly_english("Carbon tax rebates")


RUSSIAN = "Я думаю, что это решение правительства было ошибкой, и все об этом знают уже давно."


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def test_plainly_russian_skips_the_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    detector = LanguageDetector()

    def no_classifier(text: str) -> None:
        raise AssertionError("langid should not run")

    monkeypatch.setattr(detector._identifier, "classify", no_classifier)
    assert plainly_russian(RUSSIAN, _letters(RUSSIAN))
    assert detector.detect(RUSSIAN) == Detected("ru", 0.9, plain=True)


@pytest.mark.parametrize(
    "text",
    [
        # Ukrainian, Kazakh, Kyrgyz, Tajik: letters Russian lacks.
        "Я думаю, що це рішення уряду було помилкою, і всі про це знають вже давно.",
        "Менің ойымша, бұл үкіметтің шешімі қате болды және мұны бәрі біледі.",
        "Менин оюмча, бул өкмөттүн чечими ката болгон жана муну баары билет.",
        "Ба фикри ман, ин қарори ҳукумат хато буд ва инро ҳама медонанд.",
        # Russian letters, but fewer than 15 % Russian function words.
        "Правительство приняло неудачное решение, граждане справедливо возмущаются.",
        # Fewer than 90 % of the letters Russian: a mixed comment goes to langid.
        "Это просто fake news, и все это знают: the government lied again about everything.",
        # Too few words.
        "Это что такое?",
        # Kazakh typed without its own letters, with Russian function words in it
        "Мен де так ойлаймын, что укимет бул маселени шешуи керек и это все",
    ],
)
def test_not_plainly_russian(text: str) -> None:
    assert not plainly_russian(text, _letters(text))


@pytest.mark.parametrize(
    "text",
    [
        # Kazakh, Kyrgyz and Uzbek typed without the letters Russian lacks (бұл -> бул)
        "Бул макала оте жаксы жазылган, рахмет сизге",
        "Мен де осылай ойлаймын, укимет бул маселени шешуи керек",
        "Казакстанда бага осип жатыр, халык кинапты",
        "Неге ешким бул туралы айтпайды?",
        "Рахмет автор, керемет макала",
        "Бугин Алматыда ауа райы жаксы болады",
        "Сен не деп турсын, бул дурыс емес",
        "Мен бугун келем, сен калай?",
        "Ассалому алейкум, бу хабар ростми?",
    ],
)
def test_turkic_languages_without_their_letters_are_not_taken_for_russian(
    detector: LanguageDetector, text: str
) -> None:
    from moderation.classifier.language_routing import refine_language

    assert refine_language(text, detector.detect(text)).language not in {"ru", "ru-Latn", "en"}


# Uzbek, Kazakh, Turkish and Azerbaijani as readers type them in Latin letters, with and
# without their own spellings: none may be taken for Russian in Latin letters.
LATIN_TURKIC = [
    "Men bu maqolani o'qidim, juda yaxshi yozilgan",
    "Rahmat, juda foydali maqola bo'libdi",
    "Hukumat suv masalasini hal qilishi kerak",
    "Bu shartnoma ikki davlat uchun ham foydali",
    "Nima uchun bu haqida hech kim yozmaydi?",
    "Siz nima deyapsiz, bu to`g`ri emas",
    "Toshkentda havo juda issiq bo‘ldi",
    "Men sizga rahmat aytaman, ajoyib ish",
    "Bu yangilik meni juda xursand qildi",
    "Xalq bu narsani kutgan edi",
    "Ular hammasini bilishadi lekin indamaydi",
    "Samarqand va Buxoro eng chiroyli shaharlar",
    "Bu odamlar hech narsani bilishmaydi, ahmoqlar",
    "Prezident bu haqda nima dedi ekan",
    "Bizda ham shunday muammo bor edi",
    "Ota-onalar bolalarini asrashi kerak",
    "Bul maqala ote jaqsy jazylgan, rahmet",
    "Men de osylai oilaimyn, durys aitasyz",
    "Qazaqstan men Ozbekstan kelisimge keldi",
    "Ya sabir, bunlar ne yapiyor",
    "Bu cok guzel bir haber, tesekkurler",
    "Ne diyorsun sen, hic mantikli degil",
    "Dunya bu olaylari konusmali",
    "Turkiye ve Ozbekistan arasinda yeni anlasma",
    "Bu cox yaxsi xeberdir, sag olun",
]


@pytest.mark.parametrize("text", LATIN_TURKIC)
def test_turkic_languages_in_latin_letters_are_not_taken_for_russian(
    detector: LanguageDetector, text: str
) -> None:
    from moderation.classifier.language_routing import refine_language

    assert refine_language(text, detector.detect(text)).language not in {"ru", "ru-Latn"}


@pytest.mark.parametrize(
    "text",
    [
        "nu tak a prichiny pochemu on eto sdelal?",  # "a", "on": English function words too
        "a my uydem na sever, a my uydem na sever!",
        "kto-nibud' dosmotrel do konca, a to mne len'?",
    ],
)
def test_russian_in_latin_letters_is_not_plainly_english(
    detector: LanguageDetector, text: str
) -> None:
    from moderation.classifier.language_routing import refine_language

    assert not plainly_english(text)
    assert refine_language(text, detector.detect(text)).language == "ru-Latn"


@pytest.mark.parametrize(
    "text",
    ["Рахмет автору, отличная статья, всё по делу", "Спасибо автору за статью, всё по делу"],
)
def test_russian_with_a_kazakh_thank_you_stays_russian(
    detector: LanguageDetector, text: str
) -> None:
    from moderation.classifier.language_routing import refine_language

    assert refine_language(text, detector.detect(text)).language == "ru"


def test_plainly_russian_agrees_with_langid(detector: LanguageDetector) -> None:
    from moderation.classifier.language_routing import refine_language

    texts = [
        RUSSIAN,
        "Путин опять всех обманул, это позор для страны",
        "Если бы он знал, что его ждет, он бы никогда туда не поехал, это точно.",
        "Когда уже они перестанут врать людям? Нет сил это читать каждый день.",
    ]
    for text in texts:
        assert plainly_russian(text, _letters(text))
        language, confidence = detector._identifier.classify(text)
        assert refine_language(text, Detected(language, confidence)).language == "ru"


SAMPLES = (
    "Blinken paid a very timely visit to Central Asia this week.",
    "Это очень хорошая статья, спасибо автору за работу",
    "Бұл мақала өте жақсы, рахмет сізге",
    "Men bu maqolani juda yaxshi deb o'ylayman, rahmat",
    "Ce gouvernement ne comprend rien à la vie des familles rurales.",
)


def _same_identifier(a: LanguageDetector, b: LanguageDetector) -> None:
    import numpy as np

    x, y = a._identifier, b._identifier
    assert np.array_equal(x.nb_ptc, y.nb_ptc) and x.nb_ptc.dtype == y.nb_ptc.dtype
    assert np.array_equal(x.nb_pc, y.nb_pc) and x.nb_classes == y.nb_classes
    assert x.tk_nextmove == y.tk_nextmove and x.tk_row == y.tk_row
    assert x.tk_output == y.tk_output
    assert [a.detect(t) for t in SAMPLES] == [b.detect(t) for t in SAMPLES]


def test_the_candidates_model_is_cached_and_read_back(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, detector: LanguageDetector
) -> None:
    from py3langid import langid

    from moderation.classifier import language

    monkeypatch.setenv(language.CACHE_ENV, str(tmp_path))
    built = LanguageDetector()
    [cached] = tmp_path.glob("langid-*.npz")

    def no_model_file(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the cache should have been read")

    monkeypatch.setattr(langid.LanguageIdentifier, "from_model_file", no_model_file)
    from_cache = LanguageDetector()
    _same_identifier(built, from_cache)
    _same_identifier(detector, from_cache)
    assert cached.stat().st_size > 10_000_000


def test_a_damaged_or_unwritable_cache_only_costs_the_rebuild(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, detector: LanguageDetector
) -> None:
    from moderation.classifier import language

    monkeypatch.setenv(language.CACHE_ENV, str(tmp_path))
    LanguageDetector()
    [cached] = tmp_path.glob("langid-*.npz")
    cached.write_bytes(b"not a zip file")
    _same_identifier(detector, LanguageDetector())  # rebuilt from py3langid's model ...
    assert cached.stat().st_size > 10_000_000  # ... and the cache written again
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(language.CACHE_ENV, str(blocker / "below-a-file"))
    _same_identifier(detector, LanguageDetector())
    assert list(tmp_path.glob("**/*.tmp")) == []


_MIXES = [
    "The minister's rebate will not cover diesel for rural families this winter.",
    "Цены на бензин выросли, а зарплаты нет. Спасибо правительству за заботу о народе.",
    "Бұл мақала өте жақсы, рахмет сізге, автор шындықты жазды.",
    "Men bu maqolani juda yaxshi deb o'ylayman, rahmat sizga.",
    "Бу мақола жуда яхши, раҳмат сизга.", "Ce gouvernement ne comprend rien.", "ok 👍", "",
    "Ты тупой дебил. You idiot.", "İstanbul'da hava çok güzel bugün, değil mi?",
    "Это очень хорошая статья " * 40, "١٢٣ مرحبا بكم في موقعنا الإخباري", "ｆｕｌｌｗｉｄｔｈ",
]  # fmt: skip


def test_detections_are_the_same_with_the_core_on_and_off(
    detector: LanguageDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """py3langid's DFA walk and the letter counts in the compiled core change nothing."""
    import random

    from moderation.classifier import compiled

    rng = random.Random(20261128)
    pieces = [*_MIXES, "a", "б", "ә", "ğ", "1", " ", "!", "_", "٣", "ⅷ", "ǅ", "👍"]
    texts = [*_MIXES, *("".join(rng.choice(pieces) for _ in range(6)) for _ in range(300))]
    results = {}
    for switch in ("1", "0"):
        monkeypatch.setattr(compiled, "USE", switch == "1")
        results[switch] = [detector.detect(t) for t in texts]
    assert results["1"] == results["0"]
    assert len({d.language for d in results["1"]}) >= 5  # the classifier really ran


def test_compiled_letter_counts_match_the_patterns() -> None:
    """language.py's letter counts and normalise_ru's Cyrillic count, as the patterns count."""
    import random

    from moderation.classifier import compiled
    from moderation.classifier.language import _ASCII_LETTER, _LETTER
    from moderation.classifier.normalise_ru import _CYRILLIC
    from tests.support.servers import unavailable

    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    rng = random.Random(20261129)
    alphabet = "aZб Ж1٣_ⅷǅ²ß'-𝕴😀\u0301\u200bİıЁёіїўІЇЎєґѐџЀ"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        expected = (len(_LETTER.findall(text)), len(_ASCII_LETTER.findall(text)))
        assert compiled.letter_counts(text) == expected, text
        assert compiled.cyrillic_letters(text) == len(_CYRILLIC.findall(text)), text
    assert compiled.cyrillic_letters("plain latin-1 text, café") == 0


def test_the_compiled_walk_refuses_states_out_of_range() -> None:
    import numpy as np

    from moderation.classifier import compiled
    from tests.support.servers import unavailable

    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    nextmove = np.zeros(256, dtype=np.uint32)
    rowbase, output = np.zeros(1, dtype=np.int64), np.array([0], dtype=np.int64)
    ids, counts = np.empty(3, dtype=np.intp), np.empty(3, dtype=np.float32)
    assert compiled.dfa_counts(nextmove, rowbase, output, 1, b"abc", ids, counts) == 1
    assert ids[0] == 0 and counts[0] == 3.0
    assert compiled.dfa_counts(nextmove, rowbase, np.array([-1]), 1, b"abc", ids, counts) == 0
    with pytest.raises(ValueError, match="out of range"):
        compiled.dfa_counts(np.full(256, 7, dtype=np.uint32), rowbase, output, 1, b"a", ids, counts)
    with pytest.raises(ValueError, match="out of range"):
        compiled.dfa_counts(nextmove, rowbase, output, 0, b"a", ids, counts)  # feature 0 of 0
    with pytest.raises(ValueError, match="inconsistent"):  # outputs shorter than the text
        compiled.dfa_counts(nextmove, rowbase, output, 1, b"abcd", ids, counts)


KNOWN = {"you", "idiot", "great", "article", "nice", "lol", "ok", "quite", "right", "sen"}


def _known(words: list[str]) -> int:
    return sum(w in KNOWN for w in words)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("You idiot", True),
        ("Great article!", True),
        ("lol ok", True),
        ("Quite right", True),  # q followed by u: English spelling
        ("@someone nice", True),  # the handle is no word
        ("Sen ahmoqsan", False),  # q without u
        ("Zo'r maqola", False),  # o', q
        ("To‘g‘ri", False),  # ‘ typed for the apostrophe
        ("Rahmat", False),  # no known word
        ("Sen jinnisan", False),  # half known: not English enough
        ("!!! ???", True),  # no words: nothing to say otherwise
    ],
)
def test_a_short_text_is_english_only_if_it_looks_english(text: str, english: bool) -> None:
    detector = LanguageDetector(english_words=_known)
    detected = detector.detect(text)
    assert (detected == Detected("en", 0.5)) is english, detected


def test_without_a_vocabulary_every_short_latin_text_is_english(
    detector: LanguageDetector,
) -> None:
    assert detector.detect("Sen ahmoqsan") == Detected("en", 0.5)
