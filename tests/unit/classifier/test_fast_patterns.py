"""The regular expressions rewritten for speed find exactly what the plain ones find.

Training and serving share them, so any difference would change the committed models; each
is compared with its original spelling on tricky and randomly generated texts.
"""

from __future__ import annotations

import random
import re

import pytest

from moderation.classifier import normalise
from moderation.classifier.off_topic_features import _CHIT_CHAT, _NAME, chit_chat_count

ORIGINAL_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b")
ORIGINAL_LEET_TRIGGER = re.compile(r"[a-zA-Z][0-9@$!]+[a-zA-Z]|(?<![\w@$!])[0-9@$]+[a-zA-Z]{2}")
ORIGINAL_ODD_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")

TRICKY = (
    "", " ", "  ", "\n", "a\tb", "a\u00a0b", "a \u2003b", "x\r\ny",
    "You are a 1d10t", "m0r0n", "sh!t", "b1tch!", "1diot", "$$ab", "@home", "no!!", "covid19",
    "_1ab", "a_1bc", "é1ab", "x!1ab", "!1ab", "١ab", "ab!!cd", "Ab1", "1a", "12ab",
    "Trump said. Harper won", "The Minister met Bob and Ottawa", "Ok? Yes Canada",
    "İstanbul Ünited Éric Kelvin Kab", "e.Bob", "_Bob", "1Bob", "-Bob", "\nBob", "Mr Bob!",
    "Thank you, thanks, THANK YOU", "lol LOL haha Hahaha u U2 you're your", "ſ you Kok ok",
    "Хорошо you ok", "YOU!! agree,disagree wrong-right exactly?",
)  # fmt: skip
_PIECES = [
    *"aAbZzq019@$!_ .?\n\t-*'’éİſKÜßыЯ\u00a0\u2003\r٣①",
    "you", "You", "Thank you", "thanks", "lol", "haha", "u", "ok", "No.", "Trump", "The",
    "Ottawa", "1d10t", "sh!t", "$5", "@home", "!!", "...", "  ",
]  # fmt: skip


def _texts() -> list[str]:
    rng = random.Random(20261128)
    texts = list(TRICKY)
    for _ in range(20_000):
        texts.append("".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 16))))
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def test_name_matches_the_plain_pattern(texts: list[str]) -> None:
    assert [_NAME.findall(t) for t in texts] == [ORIGINAL_NAME.findall(t) for t in texts]


def test_leet_trigger_fires_exactly_when_the_plain_pattern_does(texts: list[str]) -> None:
    for text in texts:
        expected = bool(ORIGINAL_LEET_TRIGGER.search(text))
        assert bool(normalise._LEET_TRIGGER.search(text)) == expected, text


def test_leet_candidates_are_the_words_the_leet_rewrite_can_change(texts: list[str]) -> None:
    """normalise rewrites only the _LEET_WORD matches with a digit or symbol in them: the
    same text as calling the rewrite on every word, one callback per candidate."""

    def every_word(text: str) -> str:
        return normalise._LEET_WORD.sub(
            lambda m: normalise._translate_if(m.group(), normalise._LEET_INNER, normalise._LEET),
            text,
        )

    def candidates(text: str) -> str:
        return normalise._LEET_CANDIDATE.sub(
            lambda m: normalise._translate_if(m.group(), normalise._LEET_INNER, normalise._LEET),
            text,
        )

    changed = 0
    for text in texts:
        expected = every_word(text)
        assert candidates(text) == expected, text
        changed += expected != text
        spans = [m.span() for m in normalise._LEET_CANDIDATE.finditer(text)]
        assert set(spans) <= {m.span() for m in normalise._LEET_WORD.finditer(text)}, text
    assert changed > 1000


def test_odd_whitespace_fires_exactly_when_the_plain_pattern_does(texts: list[str]) -> None:
    for text in texts:
        expected = bool(ORIGINAL_ODD_WHITESPACE.search(text))
        assert bool(normalise._ODD_WHITESPACE.search(text)) == expected, text


@pytest.mark.parametrize("core", ["1", "0"])
def test_chit_chat_count_equals_the_case_insensitive_count(
    texts: list[str], core: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted word by word in the compiled core, or by the ASCII fast pattern, or by the
    pattern itself: always the case-insensitive pattern's count (İ ı ſ K included)."""
    from moderation.classifier import compiled

    monkeypatch.setattr(compiled, "USE", core == "1")
    traps = ["İ YOU ıok ſo KO Kok hahaİ hahaé youé thanK İndeed", "ok_ u2 ok-ok yOu’r"]
    for text in [*texts, *traps]:
        assert chit_chat_count(text) == len(_CHIT_CHAT.findall(text)), text
    assert sum(chit_chat_count(t) for t in texts) > 5_000


def test_russian_spam_cues_point_at_the_words_and_spare_economic_news() -> None:
    from moderation.classifier.spam_cues import cue_matches

    text = "Заработок от 5000 руб в день! Подпишись на мой канал."
    found = {name: [text[a:b] for a, b in spans] for name, spans in cue_matches(text).items()}
    assert found["money"] == ["Заработок", "5000 руб в день"]
    assert found["promo"] == ["Подпишись", "на мой канал"]
    news = "Процентная ставка по кредитам выросла, доходы падают. Свет отключают два раза в день."
    assert not any(cue_matches(news).values())


_FULLWIDTH_CLASS = re.compile("[\uff01-\uff5e\u3000]")
# Where a spaced run starts, ends or goes on: "_" is a separator and a word character; digits
# and "²" or "½" are word characters but not letters; "é", "ы" and "ǅ" are letters.
_SPACED_EDGES = [
    "a b c d", "a b c", "xa b c d", "a b c dx", "a b c d_e", "a b c d_", "a b c d_1",
    "a_b_c_d", "_a b c d", "a b c d.", "a b c d e f", "1 2 3 4", "a 1 c d", "a b c ²",
    "½a b c d", "é.ы.ǅ.x", "a b c d\u0301", "a  b c d", "a b c d_e_f_g1", "a*b*c*d!",
]  # fmt: skip
_SPACED_PIECES = [*"abIé1_ .-*\n\t", "a b", "i d i o t", "s.t.u.p.i.d", "x-y-z", "f*c*k", "  ",
                  *"ｉｄ\u3000оіαΩ\u200b\u00ad\ufeff\x01@$!7", "1d10t", "sh!t"]  # fmt: skip


def test_compiled_text_flags_never_miss_a_rewrite(texts: list[str]) -> None:
    """The compiled core's one-pass flags (normalise.text_flags): "spaced run", "repeats",
    "odd whitespace" and the other exact flags fire exactly when their regexes match;
    "leetspeak" whenever its trigger matches."""
    from moderation.classifier import compiled
    from tests.support.servers import unavailable

    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    rng = random.Random(20261129)
    spaced = ["".join(rng.choice(_SPACED_PIECES) for _ in range(12)) for _ in range(20_000)]
    spaced_hits = 0
    for text in [*texts, *spaced, *_SPACED_EDGES]:
        flags = compiled.text_flags(text, 4)
        assert bool(flags & normalise.REPEATS) == bool(normalise._REPEATS.search(text)), text
        odd = bool(normalise._ODD_WHITESPACE.search(text))
        assert bool(flags & normalise.ODD_WHITESPACE) == odd, text
        spaced_hits += bool(normalise._SPACED.search(text))
        assert bool(flags & normalise.SPACED_RUN) == bool(normalise._SPACED.search(text)), text
        for bit, pattern in (
            (normalise.FULLWIDTH, _FULLWIDTH_CLASS),
            (normalise.HOMOGLYPH, normalise._HOMOGLYPH_TRIGGER),
            (normalise.INVISIBLE, normalise._INVISIBLE),
        ):
            assert bool(flags & bit) == bool(pattern.search(text)), (text, bit)
        if normalise._LEET_TRIGGER.search(text):
            assert flags & normalise.LEET, text
    assert spaced_hits > 1000  # the generator makes plenty of spaced-out words
    assert (
        compiled.text_flags("a plain sentence, with a comma.", 4) == normalise.LATIN
    )  # no rewrite


def test_compiled_text_flags_compute_only_the_wanted_bits(texts: list[str]) -> None:
    """Asking for some bits gives exactly those bits of the full answer (and 0 elsewhere)."""
    from moderation.classifier import compiled
    from tests.support.servers import unavailable

    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    rng = random.Random(20261201)
    spaced = ["".join(rng.choice(_SPACED_PIECES) for _ in range(12)) for _ in range(5_000)]
    for text in [*texts, *spaced, *_SPACED_EDGES]:
        for letters in (3, 4):
            full = compiled.text_flags(text, letters)
            wanted = rng.randrange(1024)
            assert compiled.text_flags(text, letters, wanted) == full & wanted, (text, wanted)


def test_normalise_is_the_same_with_the_core_on_and_off(
    texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moderation.classifier import compiled

    rng = random.Random(20261130)
    spaced = ["".join(rng.choice(_SPACED_PIECES) for _ in range(12)) for _ in range(5_000)]
    results = {}
    for switch in ("1", "0"):
        monkeypatch.setattr(compiled, "USE", switch == "1")
        results[switch] = [normalise.normalise(t) for t in [*texts, *spaced]]
    assert results["1"] == results["0"]
