"""Stable 64-bit hashes of character and word n-grams, computed with numpy in one pass.

Building n-gram strings and looking them up in a dict costs milliseconds per comment in
Python. Polynomial hashes over the code points, modulo 2**64, are computed for every n-gram of
every size with a few array operations, and a sorted array of vocabulary hashes replaces the
dict. Collisions among the few hundred thousand kept n-grams are negligible at 64 bits. The
hash does not depend on the process (unlike ``hash()``), so training and serving agree.
"""

from __future__ import annotations

import re

import numpy as np

_P = 0x100000001B3  # FNV-64 prime: odd, so invertible modulo 2**64
_P_INV = pow(_P, -1, 2**64)
_WORD_SALT = np.uint64(0x9E3779B97F4A7C15)
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads bits so similar n-grams get unrelated hashes."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
        np.uint64
    ) + np.uint64(1)


def char_ngrams(text: str, sizes: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of all n-grams of `` text `` (space-padded) and each one's centre in ``text``."""
    low, high = sizes
    codes = _codes(f" {text} ")
    hashes: list[np.ndarray] = []
    centres: list[np.ndarray] = []
    h = codes
    for size in range(2, high + 1):
        if len(codes) < size:
            break
        h = h[:-1] * np.uint64(_P) + codes[size - 1 :]
        if size >= low:
            hashes.append(_mix(h ^ np.uint64(size)))
            centres.append(np.arange(len(h), dtype=np.int64) + ((size - 1) // 2 - 1))
    if low <= 1 <= high:
        hashes.insert(0, _mix(codes ^ np.uint64(1)))
        centres.insert(0, np.arange(len(codes), dtype=np.int64) - 1)
    if not hashes:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    return np.concatenate(hashes), np.concatenate(centres)


def word_bounded(text: str, sizes: tuple[int, int]) -> np.ndarray:
    """Which of :func:`char_ngrams` ``(text, sizes)`` stay inside one word: no space within
    them except at their first or last character (so " wor" and "ord " stay, "d w" goes), and
    no unigram that is a space. These are the n-grams of each space-padded word on its own."""
    low, high = sizes
    space = _codes(f" {text} ") == np.uint64(ord(" ") + 1)
    before = np.concatenate([[0], np.cumsum(space)])  # spaces before each position
    parts: list[np.ndarray] = []
    if low <= 1 <= high:
        parts.append(~space)
    for size in range(max(low, 2), high + 1):
        if len(space) < size:
            break
        starts = np.arange(len(space) - size + 1)
        if size == 2:
            parts.append(~(space[starts] & space[starts + 1]))
        else:
            parts.append(before[starts + size - 1] == before[starts + 1])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


_MASK = 2**64 - 1


def _polynomial(word: str) -> int:
    """The raw polynomial hash of ``word``'s code points (+1), modulo 2**64: what
    :func:`word_ngrams` computes for each word with prefix sums."""
    h = 0
    for char in word:
        h = (h * _P + ord(char) + 1) & _MASK
    return h


def word_hashes(words: list[str]) -> np.ndarray:
    """The hash :func:`word_ngrams` gives each of ``words`` as a word of its own (before the
    n-gram step); the compiled lexicon scan looks words up by it."""
    return _mix(np.array([_polynomial(w) for w in words], dtype=np.uint64) ^ _WORD_SALT)


def _mix_int(x: int) -> int:
    """:func:`_mix` of one hash, in Python integers (cheaper than numpy for a few)."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def word_unigram_hashes(words: list[str]) -> list[int]:
    """The hash :func:`word_ngrams` gives each of ``words`` as a word unigram, each word
    taken whole (as it finds a text's words when each is one :data:`WORD` match)."""
    salt = int(_WORD_SALT)
    return [_mix_int(_mix_int(_polynomial(w) ^ salt) ^ (1 << 8)) for w in words]


def word_ngrams(text: str, sizes: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of word n-grams of ``text`` and the centre character of each."""
    spans = [m.span() for m in WORD.finditer(text)]
    low, high = sizes
    if not spans or high < 1:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    codes = _codes(text)
    powers = np.cumprod(np.full(len(codes), _P, dtype=np.uint64))  # P**(k+1)
    inverse = np.cumprod(np.full(len(codes), _P_INV, dtype=np.uint64)) * np.uint64(_P)  # P**-k
    prefix = np.concatenate([[np.uint64(0)], np.cumsum(codes * inverse, dtype=np.uint64)])
    starts = np.array([s for s, _ in spans], dtype=np.int64)
    ends = np.array([e for _, e in spans], dtype=np.int64)
    # sum c[k] P**(e-1-k) for k in [s, e): P**(e-1) * (prefix[e] - prefix[s])
    words = _mix(
        (prefix[ends] - prefix[starts]) * powers[ends - 1] * np.uint64(_P_INV) ^ _WORD_SALT
    )
    hashes: list[np.ndarray] = []
    centres: list[np.ndarray] = []
    h = words
    for size in range(1, high + 1):
        if size > 1:
            h = h[:-1] * np.uint64(_P) + words[size - 1 :]
        if size >= low and len(h):
            hashes.append(_mix(h ^ np.uint64(size << 8)))
            centres.append((starts[: len(h)] + ends[size - 1 :] - 1) // 2)
    return np.concatenate(hashes), np.concatenate(centres)
