"""The fast searches of spam_cues.cue_matches find exactly what the cue patterns define.

:data:`spam_cues._PATTERNS` is the definition of every cue; ``cue_matches`` finds the same
spans with quicker searches (lower-cased text, hints, words grouped by first letter). This
compares the two on hand-picked edge cases (case traps like "İ", "ſ", "ᲀ"; currencies;
Russian phrases; phone numbers and e-mail addresses) and on random mixes of those pieces.
"""

from __future__ import annotations

import random

import pytest

from moderation.classifier import compiled
from moderation.classifier.spam_cues import _PATTERNS, CUE_NAMES, cue_matches, cue_values

EDGE_CASES = [
    "", " ", "a", "\n", "$5", "5$", "5 $", "$ 5", "€10", "10€", "£3", "₽100", "100 ₽", "5$5 в день",
    "$5 в день", "5 руб в день", "5000 руб. в месяц", "100 тыс. в неделю", "10 000 в час",
    "Заработок от 5000 руб в день! Подпишись на мой канал.", "НА МОЁМ КАНАЛЕ", "в моём блоге",
    "Check It Out", "CHECK THIS OUT", "check it outside", "Subscribe!!!", "SUBSCRIBERS",
    "visit www.example.com", "http://x", "HTTPS://Bit.LY/abc", "go to foo-bar.COM/x?y=1",
    "mail me: John.Doe+x@Example.org", "@home", "a@b", "x@y.z", "call +1 (555) 123-4567",
    "555 123 4567", "+7 999 123-45-67", "1234567890", "١٢٣٤٥٦٧٨٩٠١", "+١٢٣٤٥٦٧٨٩٠١",
    "sooooo good", "!!!!!", "....", "aaaaa\naaaaa", "\n\n\n\n\n", "     ", "ААААА", "ßßßßß",
    "FREE MONEY!!!", "Free Money", "fReE", "bet betting better", "win winner winning window",
    "per hour per day per week PER DAY", "usd USD", "earn earning learned", "invest investors",
    "É", "École", "ß", "Straße", "İ", "İstanbul free money", "free İ money", "ı", "fıree", "free",
    "ſubſcribe", "ſubscribe to my channel", "Kelvin \u212a", "\u212acasino", "ᲀ день",
    "5 руб ᲀ день", "5 руб в день", "ПОДПИСЫВАЙТЕСЬ", "Подпишитесь", "ПИШИТЕ МНЕ", "жми",
    "ЖМИТЕ", "кликайте", "телеграмм", "WhatsApp", "Telegram", "DM me", "dm ME", "Join us",
    "LIKE MY VIDEO", "like this comment", "share this", "Share My", "follow me", "sign up",
    "click here", "click the link", "my channel", "MY MUSIC", "visit us", "visit http",
    "ABCD", "ABC", "ABCDE1", "_ABCD", "éABCD", "AB-CDEF", "ÀÉÎÕÜ", "DON'T", "x" * 5000,
    "money" * 100, " ".join(["cash"] * 100), "$" * 50, "5" * 50, "ǅemal", "ΣΑΣ free",
    "a\u00a0free", "free\u2003money", "free\u200bmoney", "ｆｒｅｅ money", "ﬅ", "µ", "ς",
    "don't you'd rock'n'roll 'quoted' a''b a'b'c 1'a'b", "idiot's stupid’s", "f*ck you idiot",
    "ты дебил", "Хохлы", "ВЫИГРЫШ", "выигрыш", "Бесплатно", "СКИДКА", "халява", "казино",
    "биткоин", "крипта", "заработать", "зарабатывай", "на мой канал", "в мой блог",
    "мою страницу", "переходите по ссылке", "по ссылке в профиле", "вступайте", "вотсап",
]  # fmt: skip
PIECES = [
    *"aAbZzq019@$€£₽!_ .?\n\t-*'’éİıſKÜßыЯвВᲀ\u00a0\u2003\r٣①:/+()",
    "free", "Free", "FREE", "money", "win", "winner", "bet", "betting", "per day", "usd",
    "subscribe", "check it out", "Check Out", "my channel", "visit www", "http://", "www.",
    ".com", ".ru", ".co", "руб", "тыс.", "в день", "в месяц", "подпишись", "на ", "мой канал",
    "моём блоге", "телеграм", "ватсап", "5", "100", "+1", "555 1234 567", "@", "x@y.com",
    "ABCD", "!!!!!", "ooooo", "  ", "idiot", "don't", "'",
]  # fmt: skip


def _by_definition(text: str) -> dict[str, list[tuple[int, int]]]:
    return {name: [m.span() for m in p.finditer(text)] for name, p in _PATTERNS.items()}


def _random_texts(n: int) -> list[str]:
    rng = random.Random(20261128)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 20))) for _ in range(n)]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_match_the_definition(text: str) -> None:
    assert cue_matches(text) == _by_definition(text)


@pytest.mark.parametrize("core", ["1", "0"])
def test_random_mixes_match_the_definition(core: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the compiled core's pre-checks (compiled.spam_flags) and without them."""
    monkeypatch.setattr(compiled, "USE", core == "1")
    texts = _random_texts(4000)
    differing = [t for t in texts if cue_matches(t) != _by_definition(t)]
    assert differing == []
    for name in ("money", "promo", "shouting", "repeated_chars", "contact"):
        assert sum(bool(cue_matches(t)[name]) for t in texts) > 100, name  # the cues fire


def test_compiled_hints_are_the_hint_patterns_on_lower_cased_text() -> None:
    """spam_flags' url and money bits: exactly the hints' answers on text.lower() (for texts
    without case traps, the only ones cue_matches asks)."""
    from moderation.classifier import spam_cues
    from tests.support.servers import unavailable

    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    rng = random.Random(20261130)
    pieces = [*PIECES, ".COM", ".Co", ".cOmx", ".info_", ".biz.", ":/", "://", "WwW.", "ww.",
              "В ДЕНЬ", "в Час", "в неделю", "в месяц", "в мес", "вдень", "\u212a", ".iO"]  # fmt: skip
    texts = [*EDGE_CASES, *("".join(rng.choice(pieces) for _ in range(8)) for _ in range(20_000))]
    hits = {spam_cues.URL_HINT: 0, spam_cues.MONEY_HINT: 0}
    for text in texts:
        if spam_cues._CASE_TRAPS.search(text):
            continue
        flags, lowered = compiled.spam_flags(text), text.lower()
        for bit, hint in ((spam_cues.URL_HINT, spam_cues._URL_HINT),
                          (spam_cues.MONEY_HINT, spam_cues._MONEY_HINT)):  # fmt: skip
            assert bool(flags & bit) == bool(hint.search(lowered)), (text, bit)
            hits[bit] += bool(flags & bit)
    assert min(hits.values()) > 1000, hits


def test_compiled_word_counts_are_lower_split_and_set() -> None:
    """distinct_words: len(text.lower().split()) and len(set(...)); texts with "İ" or "Σ"
    (whose str.lower() is not the per-character lower case) are left to Python."""
    import sys

    from tests.support.servers import unavailable

    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    rng = random.Random(20261202)
    pieces = ["Free", "free", "FREE", "да", "Да", "ДА", "ß", "ẞ", "Ǆ", "ǅ", "ǆ", "ς", "σ",
              " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\x1c", "x", "X", "1"]  # fmt: skip
    texts = [*EDGE_CASES, *("".join(rng.choice(pieces) for _ in range(12)) for _ in range(20_000))]
    texts += [chr(c) + " a " + chr(c) for c in range(0, sys.maxunicode + 1, 97)]
    left = 0
    for text in texts:
        words = text.lower().split()
        got = compiled.distinct_words(text)
        if "İ" in text or "Σ" in text:
            assert got == (-1, -1), text
            left += 1
        else:
            assert got == (len(words), len(set(words))), text
    assert left > 0


@pytest.mark.parametrize("core", [True, False], ids=["core", "no core"])
def test_values_are_the_same_with_the_core_on_and_off(
    core: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [*EDGE_CASES, *_random_texts(2000), "ΣΑΣ free ΣΑΣ σας", "İ free İ"]
    monkeypatch.setattr(compiled, "USE", False)
    reference = [cue_values(t).tobytes() for t in texts]
    monkeypatch.setattr(compiled, "USE", core)
    assert [cue_values(t).tobytes() for t in texts] == reference


def test_values_use_the_matches() -> None:
    text = "FREE money!!!!! Check it out: www.example.com, +1 555 123 4567"
    values = dict(zip(CUE_NAMES, cue_values(text), strict=True))
    assert all(values[name] > 0 for name in ("url", "money", "promo", "shouting", "contact"))
    assert values["repeated_chars"] > 0
