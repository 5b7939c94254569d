"""Undo the obfuscation people use to slip abuse past filters, keeping original offsets.

The same :func:`normalise` runs in training and in serving, so "1d10t", "i d i o t" and
"іdіоt" (Cyrillic і/о) all reach the model as "idiot". Every character of the normalised text
remembers which character of the ORIGINAL text it came from, so explanations can point at
what the reader actually typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from moderation.classifier import compiled as compiled_core

# Zero-width and invisible formatting characters, soft hyphen, control characters.
_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00-\x08\x0e-\x1f]"
)
# Fullwidth ASCII (U+FF01..U+FF5E) maps to ASCII by a fixed offset.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Cyrillic and Greek letters that look like Latin ones; only applied inside mixed-script words.
_HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁԛԝ" + "АВЕКМНОРСТХІЈЅ" + "αοικνρτυχ" + "ΑΒΕΗΙΚΜΝΟΡΤΥΧΖ",
    "aeopcyxijsdqw" + "ABEKMHOPCTXIJS" + "aoikvptux" + "ABEHIKMNOPTYXZ",
)
_MIXED_WORD = re.compile(r"[^\W\d_]*[a-zA-Z][^\W\d_]*")
_NON_LATIN_LOOKALIKE = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")
# Leetspeak: a word with a digit or symbol BETWEEN letters (1d10t, m0r0n, sh!t, b1tch) or a
# leading digit followed by letters (1diot). Trailing numbers and marks (covid19, no!!) stay.
_LEET_WORD = re.compile(r"(?<![\w@$!])[\w@$!]*[a-zA-Z]")
# The _LEET_WORD matches _translate_if can change: those with a digit or symbol before their
# last letter (_LEET_INNER needs one). Same spans (from the run's start to its last ASCII
# letter), so a long comment with one "10th" pays one callback instead of one per word.
_LEET_CANDIDATE = re.compile(r"(?<![\w@$!])(?=[\w@$!]*?[0-9@$!])[\w@$!]*[a-zA-Z]")
_LEET_INNER = re.compile(r"[a-zA-Z][0-9@$!]+[a-zA-Z]|^[0-9@$]+[a-zA-Z]{2}")
_LEET = str.maketrans("013457@$!", "oieastasi")
# Single letters separated by one separator, at least four letters: "i d i o t", "s.t.u.p.i.d".
_SPACED = re.compile(r"(?<![\w])(?:[^\W\d_][ .\-_*]){3,}[^\W\d_](?![\w])")
_SEPARATOR = re.compile(r"[ .\-_*]")
_REPEATS = re.compile(r"(.)\1{2,}")
# Two whitespace characters in a row, or one that is not a plain space. Only ever searched
# for, so it is written to start with one character class: the regex engine then skips to
# whitespace at C speed (the plain ``\s{2,}|[^\S ]`` tries every position).
_ODD_WHITESPACE = re.compile(r"\s(?:(?<=[^\S ])|\s)")
_WHITESPACE = re.compile(r"\s+")
_HOMOGLYPH_TRIGGER = re.compile("[a-zA-Z][\u0370-\u052f]|[\u0370-\u052f][a-zA-Z]")
# Whether _LEET_WORD can change anything: found exactly when
# ``[a-zA-Z][0-9@$!]+[a-zA-Z]|(?<![\w@$!])[0-9@$]+[a-zA-Z]{2}`` is, but it starts with the
# rare digit/symbol class (so the engine skips to those) and checks what precedes it after.
_LEET_TRIGGER = re.compile(
    r"[0-9@$!](?:(?<=[a-zA-Z][0-9@$!])[0-9@$!]*[a-zA-Z]"
    r"|(?<![\w@$!][0-9@$!])(?<=[0-9@$])[0-9@$]*[a-zA-Z]{2})"
)


# Bits of compiled.text_flags: what the compiled core's one pass says may apply (REPEATS_RU
# and MIXED_RU are normalise_ru's repeats and mixed-script trigger).
SPACED_RUN, REPEATS, ODD_WHITESPACE, REPEATS_RU, MIXED_RU = 1, 2, 4, 8, 16
FULLWIDTH, HOMOGLYPH, INVISIBLE, LEET, LATIN = 32, 64, 128, 256, 512
# The flags that are exactly their regex's answer: all but LEET, a necessary condition only.
EXACT = (2 * LATIN - 1) & ~LEET
# The steps of normalise and, after each, those still to come: a recomputation after a
# rewrite asks the core only for these (unasked bits stay 0: ask only for what you test).
_STEPS = (FULLWIDTH, INVISIBLE, HOMOGLYPH, LEET, SPACED_RUN, REPEATS, ODD_WHITESPACE)


def steps_after(steps: tuple[int, ...]) -> dict[int, int]:
    """For each step's flag, the flags of the steps after it."""
    return {step: sum(steps[k + 1 :]) for k, step in enumerate(steps)}


_AFTER = steps_after(_STEPS)
NOT_COMPUTED = -1  # every bit set: the core is off, so every regex decides


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus, for each of its characters, the index of the original character."""

    text: str
    offsets: tuple[int, ...] | None  # None means the identity mapping (nothing was changed)
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) back to the original string's [start, end)."""
        if self.offsets is None:
            return start, end
        if start >= end:
            at = self.offsets[start] if start < len(self.offsets) else self.original_length
            return at, at
        return self.offsets[start], self.offsets[end - 1] + 1

    def prefix(self, end: int) -> Normalised:
        """The first ``end`` characters, mapping to the same original characters (an empty
        span at the cut maps where the next normalised character came from)."""
        if end >= len(self.text):
            return self
        if self.offsets is None:
            return Normalised(self.text[:end], None, end)
        return Normalised(self.text[:end], self.offsets[:end], self.offsets[end])


def normalise(text: str) -> Normalised:
    """Lower-case and de-obfuscate ``text``; see the module docstring.

    Each step first checks whether it applies (one pass of the compiled core answers for all
    of them, :func:`text_flags`; without it, one regex search each), so clean text costs a few
    microseconds; only obfuscated or oddly spaced text pays for offset bookkeeping.
    """
    ascii = text.isascii()  # then there is nothing fullwidth and no Cyrillic/Greek letter
    out = text
    # Which steps could apply; after a step changes ``out``, recomputed for the steps after it.
    flags = text_flags(out, wanted=sum(_STEPS))
    if not ascii and flags & FULLWIDTH:
        out = text.translate(_FULLWIDTH)
        flags = text_flags(out, wanted=_AFTER[FULLWIDTH])
    offsets: list[int] | None = None
    if applies(flags, INVISIBLE, _INVISIBLE, out):
        out, offsets = _rewrite(out, offsets, _INVISIBLE, lambda m: "")
        flags = text_flags(out, wanted=_AFTER[INVISIBLE])
    if not ascii and applies(flags, HOMOGLYPH, _HOMOGLYPH_TRIGGER, out):
        out = _MIXED_WORD.sub(
            lambda m: _translate_if(m.group(), _NON_LATIN_LOOKALIKE, _HOMOGLYPHS), out
        )
        flags = text_flags(out, wanted=_AFTER[HOMOGLYPH])
    if applies(flags, LEET, _LEET_TRIGGER, out):
        out = _LEET_CANDIDATE.sub(lambda m: _translate_if(m.group(), _LEET_INNER, _LEET), out)
        flags = text_flags(out, wanted=_AFTER[LEET])
    if applies(flags, SPACED_RUN, _SPACED, out):
        out, offsets = _rewrite(
            out, offsets, _SPACED, lambda m: _SEPARATOR.sub("", m.group()), keep_letters=True
        )
        flags = text_flags(out, wanted=_AFTER[SPACED_RUN])
    if applies(flags, REPEATS, _REPEATS, out):
        out, offsets = _rewrite(out, offsets, _REPEATS, lambda m: m.group()[:2])
        flags = text_flags(out, wanted=_AFTER[REPEATS])
    if applies(flags, ODD_WHITESPACE, _ODD_WHITESPACE, out):
        out, offsets = _rewrite(out, offsets, _WHITESPACE, lambda m: " ")
    lowered = out.lower()
    if len(lowered) != len(out):  # e.g. "İ" lowers to two characters
        offsets = offsets if offsets is not None else list(range(len(out)))
        pieces = [(c.lower(), o) for c, o in zip(out, offsets, strict=True)]
        lowered = "".join(p for p, _ in pieces)
        offsets = [o for p, o in pieces for _ in p]
    return Normalised(lowered, None if offsets is None else tuple(offsets), len(text))


def text_flags(text: str, spaced_letters: int = 4, *, wanted: int = 2 * LATIN - 1) -> int:
    """Which rewrites could apply (``compiled.text_flags``: one pass in the compiled core,
    never a false "no"); :data:`NOT_COMPUTED` when the core is off. ``spaced_letters``: how
    many single letters the spaced-letters pattern needs (4 here, 3 in Russian). Only the
    ``wanted`` bits are computed (the pass checks less); the others are 0."""
    if not compiled_core.enabled():
        return NOT_COMPUTED
    return compiled_core.text_flags(text, spaced_letters, wanted)


def applies(flags: int, bit: int, pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``pattern`` matches ``text``, given its ``flags``: an exact flag computed by
    the core answers alone, otherwise the flag rules out or the pattern decides."""
    if not flags & bit:
        return False
    if bit & EXACT and flags != NOT_COMPUTED:
        return True
    return pattern.search(text) is not None


def _translate_if(word: str, trigger: re.Pattern[str], table: dict[int, int]) -> str:
    return word.translate(table) if trigger.search(word) else word


def _rewrite(
    text: str,
    offsets: list[int] | None,
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str],
    *,
    keep_letters: bool = False,
) -> tuple[str, list[int]]:
    """Replace each match with a string no longer than it, keeping offsets of kept characters.

    Replacement characters take the offsets of the first characters of the match, except with
    ``keep_letters`` (spaced letters), where each kept letter keeps its own offset.
    """
    source = offsets if offsets is not None else range(len(text))
    pieces: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        pieces.append(text[last:start])
        new_offsets.extend(source[last:start])
        replacement = replace(match)
        pieces.append(replacement)
        if keep_letters:
            new_offsets.extend(
                source[i] for i in range(start, end) if not _SEPARATOR.match(text[i])
            )
        else:
            new_offsets.extend(source[start : start + len(replacement)])
        last = end
    pieces.append(text[last:])
    new_offsets.extend(source[last:])
    return "".join(pieces), new_offsets
