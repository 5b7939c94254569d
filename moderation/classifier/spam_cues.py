"""Hand-written spam cues: links, money and self-promotion phrases, repetition.

The money and promotion cues know Russian phrases too. The spam model was trained on English
comments only, so for a Russian comment its n-grams say little and these cues carry the
score; they keep to phrases that rarely occur in a civil comment under a news story (no
"кредит", "доход" or "ставка", which economic news is full of).

N-grams learn the vocabulary of the spam seen in training; these cues carry what transfers to
spam we have not seen (a new domain, a new product). Each cue is a regular expression over
the ORIGINAL text, so its matches double as explanation spans.

:data:`_PATTERNS` is the definition of every cue. Searching them as written costs more than
anything else in scoring a comment: a pattern that starts with ``\\b`` or with alternatives of
different kinds is tried at every position of the text. :func:`cue_matches` therefore finds
the very same spans with faster searches, each explained where it is defined below.
"""

from __future__ import annotations

import math
import re

import numpy as np

from moderation.classifier import compiled as compiled_core
from moderation.classifier.alternation import by_first_letter

# Every alternative of these two starts with a letter (see _word_spans).
_CHANNEL = r"(?:мой|мо[её]м) (?:канал\w*|блог\w*)"
_MONEY_WORDS = (
    r"money|cash|earn\w*|income|profit|bitcoin|crypto|invest\w*|loan|casino|bet(?:ting)?|prize"
    r"|win(?:ner)?|free|discount|offer|deal|per (?:hour|day|week)|usd|заработ\w*|зарабат\w*"
    r"|бесплатн\w*|скидк\w*|выигр\w*|халяв\w*|казино|биткоин\w*|крипт\w*"
)
_PROMO_WORDS = (
    r"subscribe\w*|check (?:out|it out|this out)|my (?:channel|page|video|site|blog|music)"
    r"|follow me|visit (?:my|our|us|www|http)|click (?:here|the link|my)|sign up|join (?:us|now)"
    r"|promo|whatsapp|telegram|dm me|contact me|like (?:this|my) (?:video|comment|page)"
    r"|share (?:this|my)|подпи(?:сывайтесь|сывайся|сывай|шись|шитесь)"
    rf"|(?:на |в )?{_CHANNEL}|мою страниц\w*|переход(?:и|ите) по ссылке"
    r"|по ссылке в (?:профиле|описании|био)|жми(?:те)?|кликай(?:те)?"
    r"|пиш(?:и|ите) (?:в личку|в лс|в директ|мне)|вступай(?:те)?|телеграм\w*|ватсап\w*|вотсап\w*"
)
# "5000 руб в день", "100 тыс. в месяц"
_PER_PERIOD = r"\d[\d\s]*(?:руб\w*\.?|тыс\w*\.?)?\s*в (?:день|час|неделю|месяц)"

_PATTERNS: dict[str, re.Pattern[str]] = {
    "url": re.compile(
        r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|ru|ly|io|co|me|info|biz)\b(?:/\S*)?",
        re.I,
    ),
    "money": re.compile(rf"[$€£₽]\s?\d|\d\s?[$€£₽]|\b(?:{_MONEY_WORDS}|{_PER_PERIOD})\b", re.I),
    "promo": re.compile(rf"\b(?:{_PROMO_WORDS})\b", re.I),
    "shouting": re.compile(r"\b[A-Z]{4,}\b"),
    "repeated_chars": re.compile(r"(.)\1{4,}"),
    "contact": re.compile(r"\+?\d[\d\s().-]{8,}\d|\b[\w.+-]+@[\w-]+\.\w+"),
}
CUE_NAMES = (*_PATTERNS, "duplicate_words", "length")

# -- Case: search the lower-cased text, case-sensitively ---------------------------------------
# The url, money and promo patterns spell every letter in lower case (their \S, \w, \b and \d
# ignore case anyway), so in lower-cased text a case-sensitive search finds exactly what the
# case-insensitive one finds in the original (same offsets, as lower-casing keeps the length),
# about twice as fast. That holds for every character except the few below, which are left to
# the case-insensitive patterns: U+0130 "İ" lower-cases to two characters, and the rest are
# letters that re.IGNORECASE treats as another case of a letter although str.lower() leaves
# them alone ("ı" and "ſ" match "i" and "s", "ᲀ" matches "в"; they are the "extra cases" of
# re._casefix that are not the lower case of their own upper case).
_CASE_TRAPS = re.compile(
    "[\u0130\u00b5\u0131\u017f\u0345\u0390\u03b0\u03c2\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1"
    "\u03f5\u1c80-\u1c88\u1e9b\u1fbe\u1fd3\u1fe3\ufb05\ufb06]"
)
_LOWERED = {name: re.compile(_PATTERNS[name].pattern) for name in ("url", "money", "promo")}

# -- Hints: a quick search that must succeed for the full pattern to find anything -------------
# Each one starts with a few literal characters, so the engine skips to those at C speed.
# A url contains "://", "www." or a dot directly followed by a top-level domain.
_URL_HINT = re.compile(r"\.(?:com|net|org|ru|ly|io|co|me|info|biz)\b|://|www\.")
# A money match other than a money word contains a currency sign or "в день"-like (in ASCII
# text: "$"). Without one, money matches are the money words found with the promotion words.
_MONEY_HINT = re.compile(r"\$|€|£|₽|в (?:день|час|неделю|месяц)")
# A contact match other than a phone number contains "@" (checked with ``in``).


# -- Words: \b(?:WORDS)\b, searched from the character before each word -------------------------
# Every alternative of the money and promotion words starts with a letter, so they match only
# where the character before is a non-word one (or at the start). One search of " " + text
# for such a character followed by a money or promotion word finds the starts of both (see
# _money_and_promo_words); it skips to non-word characters at C speed ([^a-z0-9_а-яё] holds
# them all; the lookbehind rejects the few word characters it also holds, like "é"), and
# rejects most of them after one letter, as its word list is grouped by first letter.
# "(?:на |в )?Y" written out as "на Y|в Y|Y" (same strings), so that it has first letters.
_PROMO_WORDS_SPELT_OUT = _PROMO_WORDS.replace(
    f"|(?:на |в )?{_CHANNEL}|", f"|на {_CHANNEL}|в {_CHANNEL}|{_CHANNEL}|"
)
_MONEY_OR_PROMO_WORD = by_first_letter(f"{_MONEY_WORDS}|{_PROMO_WORDS_SPELT_OUT}")
# Group 1: what \b(?:MONEY WORDS)\b matches after the character; group 2: the promotion words.
_WORD_STARTS = re.compile(
    rf"[^a-z0-9_а-яё](?=(?:{_MONEY_OR_PROMO_WORD})\b)(?<=\W)"
    rf"(?:(?=({_MONEY_WORDS})\b)|)(?:(?=({_PROMO_WORDS})\b)|)"
)

# -- Equivalent spellings: the same match as the original at every position --------------------
# \b[A-Z]{4,}\b: the first capital, then (lookbehind) no word character before it.
_SHOUTING = re.compile(r"[A-Z](?<!\w.)[A-Z]{3,}\b")
# (.)\1{4,} is found exactly where (.)\1\1\1\1 is, which is cheaper to search for.
_FIVE_IN_A_ROW = re.compile(r"(.)\1\1\1\1")
# \+?\d[\d\s().-]{8,}\d (a phone number): "+" then a digit, or a digit. In ASCII text \d is
# [0-9], which the engine skips over faster.
_PHONE = re.compile(r"[+\d](?:(?<=\+)\d|(?<=\d))[\d\s().-]{8,}\d")
_PHONE_ASCII = re.compile(r"[+0-9](?:(?<=\+)\d|(?<=\d))[\d\s().-]{8,}\d")


# Bits of compiled.spam_flags: the compiled core's one pass says which of the rarer patterns
# could match (five in a row exactly; four capitals and a digit run as necessary conditions)
# and whether the url and money hints are found in the lower-cased text (exactly).
FIVE_IN_A_ROW, CAPITALS, DIGIT_RUN, URL_HINT, MONEY_HINT = 1, 2, 4, 8, 16
ALL_FLAGS = FIVE_IN_A_ROW | CAPITALS | DIGIT_RUN | URL_HINT | MONEY_HINT


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _money_and_promo_words(
    lowered: str,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """What \b(?:MONEY WORDS)\b and \b(?:PROMOTION WORDS)\b find in ``lowered``.

    :data:`_WORD_STARTS` matches the character before each position p where one of them
    matches (p = 0 or lowered[p - 1] is a non-word character), its groups holding the
    matches at p, one position later in " " + lowered. It consumes that one character only,
    so no word start is skipped; of the matches at all of them, keep (as finditer does) each
    that starts at or after the end of the last one kept.
    """
    money: list[tuple[int, int]] = []
    promo: list[tuple[int, int]] = []
    money_end = promo_end = 0
    for m in _WORD_STARTS.finditer(" " + lowered):
        start, stop = m.span(1)  # (-1, -1) if no money word starts here
        if start > money_end:  # start - 1 >= money_end, in the coordinates of ``lowered``
            money.append((start - 1, stop - 1))
            money_end = stop - 1
        start, stop = m.span(2)
        if start > promo_end:
            promo.append((start - 1, stop - 1))
            promo_end = stop - 1
    return money, promo


def cue_matches(text: str) -> dict[str, list[tuple[int, int]]]:
    """Original-text spans matched by each regular-expression cue (as :data:`_PATTERNS`)."""
    ascii = text.isascii()
    computed = compiled_core.enabled()
    flags = compiled_core.spam_flags(text) if computed else ALL_FLAGS
    if ascii or not _CASE_TRAPS.search(text):
        lowered = text.lower()
        url_hint = flags & URL_HINT if computed else _URL_HINT.search(lowered)
        url = _spans(_LOWERED["url"], lowered) if url_hint else []
        money, promo = _money_and_promo_words(lowered)
        if computed:
            money_hint: object = flags & MONEY_HINT
        else:
            money_hint = ("$" in lowered) if ascii else _MONEY_HINT.search(lowered)
        if money_hint:
            money = _spans(_LOWERED["money"], lowered)
    else:
        url, money, promo = (_spans(_PATTERNS[name], text) for name in ("url", "money", "promo"))
    return {
        "url": url,
        "money": money,
        "promo": promo,
        "shouting": _spans(_SHOUTING, text) if flags & CAPITALS else [],
        "repeated_chars": (
            _spans(_PATTERNS["repeated_chars"], text)
            if flags & FIVE_IN_A_ROW and _FIVE_IN_A_ROW.search(text)
            else []
        ),
        "contact": (
            _spans(_PATTERNS["contact"], text)
            if "@" in text
            else _spans(_PHONE_ASCII if ascii else _PHONE, text)
            if flags & DIGIT_RUN
            else []
        ),
    }


def cue_values(text: str, matches: dict[str, list[tuple[int, int]]] | None = None) -> np.ndarray:
    """Dense, roughly unit-scaled cue values for one comment (order: :data:`CUE_NAMES`).

    Pass ``matches`` from :func:`cue_matches` when you have them, to search only once.
    """
    found = matches if matches is not None else cue_matches(text)
    values = [math.log1p(len(found[name])) for name in _PATTERNS]
    n_words, distinct = compiled_core.distinct_words(text) if compiled_core.enabled() else (-1, 0)
    if n_words < 0:  # the core is off, or the text has a character it leaves to Python
        words = text.lower().split()
        n_words, distinct = len(words), len(set(words))
    duplicate_share = 1.0 - distinct / n_words if n_words >= 4 else 0.0
    values += [duplicate_share, math.log1p(len(text)) / 7.0]
    return np.asarray(values, dtype=np.float64)


class SpamCues:
    """Stateless transformer wrapping :func:`cue_values` so it can sit in a FeatureUnion."""

    def fit(self, X: object, y: object = None) -> SpamCues:
        self.n_features_out_ = len(CUE_NAMES)
        return self

    def transform(self, X: list[str]) -> np.ndarray:
        return np.vstack([cue_values(text) for text in X]) if len(X) else np.zeros((0, 8))
