"""Regular-expression alternations rewritten so the engine rejects a position sooner.

An alternation of words (``lol|lmao|thanks?``) is tried alternative by alternative at every
position the search visits; grouped by first letter (``l(?:ol|mao)|t(?:hanks?)``) it matches
the same strings, but the engine tries only the group of the letter at hand. The spam cues
and the Russian chit-chat words use it; tests compare each rewritten pattern with the
original on real and random texts.
"""

from __future__ import annotations


def top_level_alternatives(alternation: str) -> list[str]:
    """The alternatives of ``alternation`` ("a|b(?:c|d)" -> ["a", "b(?:c|d)"])."""
    parts: list[str] = []
    depth, start, in_class, i = 0, 0, False, 0
    while i < len(alternation):
        char = alternation[i]
        if char == "\\":
            i += 1  # skip the escaped character
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            parts.append(alternation[start:i])
            start = i + 1
        i += 1
    parts.append(alternation[start:])
    return parts


def by_first_letter(alternation: str) -> str:
    """The same alternatives grouped by first letter: "money|cash|casino" becomes
    "m(?:oney)|c(?:ash|asino)". It matches the same strings, but the engine tries only the
    group of the letter at hand.

    Alternatives that do not start with a plain letter ("(?:a|b)c", "[ab]c", "x?y") stay as
    they are, after the groups: where one of them could match at the same position as an
    earlier letter-led one, the first match found there could differ, so each caller's tests
    compare its grouped pattern with the plain alternation."""
    groups: dict[str, list[str]] = {}
    others: list[str] = []
    for alternative in top_level_alternatives(alternation):
        first, rest = alternative[:1], alternative[1:]
        if first.isalpha() and rest[:1] not in ("?", "*", "+", "{"):
            groups.setdefault(first, []).append(rest)
        else:
            others.append(alternative)
    return "|".join([f"{c}(?:{'|'.join(rests)})" for c, rests in groups.items()] + others)
