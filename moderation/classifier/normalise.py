"""Undo the obfuscation people use to slip abuse past filters, keeping original offsets.

The same :func:`normalise` runs in training and in serving, so "1d10t", "i d i o t" and
"іdіоt" (Cyrillic і/о) all reach the model as "idiot". Every character of the normalised text
remembers which character of the ORIGINAL text it came from, so explanations can point at
what the reader actually typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Zero-width and invisible formatting characters, soft hyphen, control characters.
_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00-\x08\x0e-\x1f]"
)
_WHITESPACE = re.compile(r"\s+")
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
_LEET_INNER = re.compile(r"[a-zA-Z][0-9@$!]+[a-zA-Z]|^[0-9@$]+[a-zA-Z]{2}")
_LEET = str.maketrans("013457@$!", "oieastasi")
# Single letters separated by one separator, at least four letters: "i d i o t", "s.t.u.p.i.d".
_SPACED = re.compile(r"(?<![\w])(?:[^\W\d_][ .\-_*]){3,}[^\W\d_](?![\w])")
_SEPARATOR = re.compile(r"[ .\-_*]")
_REPEATS = re.compile(r"(.)\1{2,}")
_NEEDS_WORK = re.compile(
    "[^\x20-\x7e]|[0-9@$!]|[ .\\-_*][^\\W\\d_][ .\\-_*]|(.)\\1\\1|\\s\\s|[\t\n\r\f\v]"
)


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
            return self.offsets[start] if start < len(self.offsets) else self.original_length, 0
        return self.offsets[start], self.offsets[end - 1] + 1


def normalise(text: str) -> Normalised:
    """Lower-case and de-obfuscate ``text``; see the module docstring."""
    lowered = text.lower()
    if len(lowered) == len(text) and not _NEEDS_WORK.search(text):
        return Normalised(lowered, None, len(text))
    chars = list(text.translate(_FULLWIDTH))
    offsets = list(range(len(text)))
    chars, offsets = _delete(chars, offsets, _INVISIBLE)
    _translate_matches(chars, _MIXED_WORD, _NON_LATIN_LOOKALIKE, _HOMOGLYPHS)
    _translate_matches(chars, _LEET_WORD, _LEET_INNER, _LEET)
    chars, offsets = _join_spaced_letters(chars, offsets)
    chars, offsets = _squash(chars, offsets, _REPEATS, keep=2)
    chars, offsets = _squash(chars, offsets, _WHITESPACE, keep=1, replacement=" ")
    return _lower("".join(chars), offsets, len(text))


def _delete(chars: list[str], offsets: list[int], pattern: re.Pattern[str]) -> tuple[list, list]:
    doomed = {i for m in pattern.finditer("".join(chars)) for i in range(m.start(), m.end())}
    if not doomed:
        return chars, offsets
    keep = [i for i in range(len(chars)) if i not in doomed]
    return [chars[i] for i in keep], [offsets[i] for i in keep]


def _translate_matches(
    chars: list[str], word: re.Pattern[str], trigger: re.Pattern[str], table: dict[int, int]
) -> None:
    """Translate, in place, the words matching ``word`` that also contain ``trigger``."""
    joined = "".join(chars)
    for match in word.finditer(joined):
        if trigger.search(match.group()):
            chars[match.start() : match.end()] = list(match.group().translate(table))


def _join_spaced_letters(chars: list[str], offsets: list[int]) -> tuple[list, list]:
    joined = "".join(chars)
    doomed: set[int] = set()
    for match in _SPACED.finditer(joined):
        doomed.update(match.start() + m.start() for m in _SEPARATOR.finditer(match.group()))
    if not doomed:
        return chars, offsets
    keep = [i for i in range(len(chars)) if i not in doomed]
    return [chars[i] for i in keep], [offsets[i] for i in keep]


def _squash(
    chars: list[str],
    offsets: list[int],
    pattern: re.Pattern[str],
    *,
    keep: int,
    replacement: str | None = None,
) -> tuple[list, list]:
    """Shorten each run matching ``pattern`` to ``keep`` characters (optionally replaced)."""
    joined = "".join(chars)
    out_chars: list[str] = []
    out_offsets: list[int] = []
    last = 0
    for match in pattern.finditer(joined):
        out_chars += chars[last : match.start()]
        out_offsets += offsets[last : match.start()]
        run = match.group()[:keep] if replacement is None else replacement * keep
        out_chars += list(run)
        out_offsets += offsets[match.start() : match.start() + keep]
        last = match.end()
    out_chars += chars[last:]
    out_offsets += offsets[last:]
    return out_chars, out_offsets


def _lower(text: str, offsets: list[int], original_length: int) -> Normalised:
    lowered = text.lower()
    if len(lowered) != len(text):  # e.g. "İ" lowers to two characters
        pieces = [(c.lower(), o) for c, o in zip(text, offsets, strict=True)]
        lowered = "".join(p for p, _ in pieces)
        offsets = [o for p, o in pieces for _ in p]
    return Normalised(lowered, tuple(offsets), original_length)
