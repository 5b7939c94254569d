"""Repeated copy-paste: the same text posted again and again, under any article.

Spam campaigns paste one text under many articles; a bag-of-n-grams model judges each copy
alone and cannot see that. Each comment's text is folded (NFKC, case-folded, only letters and
digits kept: "Check out my channel!!!" and "check out  my CHANNEL" are one text) and
fingerprinted when it is stored; the worker counts the earlier comments with the same
fingerprint, and the policy's :class:`~moderation.domain.policy.Repetition` rule turns that
count into a reason. Pure: no I/O.

Campaigns also vary their copies a little (another phone number, link or price) to slip past
exact matching. *Near copies* are found with MinHash locality-sensitive hashing: a folded text
is cut into overlapping 5-character pieces (shingles); :func:`near_copy_keys` gives
:data:`BANDS` keys, each a hash of :data:`ROWS` MinHash values, and two texts that share a key
are candidates. A candidate counts as a copy only when the exact Jaccard similarity of the two
shingle sets (:func:`similarity`) reaches the policy's ``similarity``. With 3 rows in 10 bands a
pair at similarity 0.7 shares a key with probability 0.985 (0.999 at 0.8), a pair at 0.1 with
probability 0.01; unrelated news comments sit near 0.02 (docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

SHINGLE = 5  # characters per piece of a folded text
BANDS, ROWS = 10, 3  # MinHash: BANDS keys per text, each over ROWS minima
_U64 = np.uint64
# The MinHash functions x -> a * x + b (mod 2**64) over mixed shingle numbers: fixed odd
# multipliers and offsets, so keys stored by one process match another's.
_MULTIPLIERS = np.array(
    [(0x9E3779B97F4A7C15 * (2 * k + 1)) & 0xFFFFFFFFFFFFFFFF | 1 for k in range(BANDS * ROWS)],
    dtype=_U64,
)[:, None]
_OFFSETS = np.array(
    [(0xD1B54A32D192ED03 * (2 * k + 2)) & 0xFFFFFFFFFFFFFFFF for k in range(BANDS * ROWS)],
    dtype=_U64,
)[:, None]
_PIECE_BASE = _U64(0x100000001B3)  # combines a shingle's code points into one number
# Per comment, the most recent texts sharing a near-copy key whose similarity is checked:
# bounds the work when a campaign floods the site with varied copies (exact copies are found
# by fingerprint and always all counted).
NEAR_CANDIDATES_CHECKED = 200
# Characters hashed together by near_copy_keys_many: BANDS * ROWS * 8 bytes of temporaries
# per character (15 MB here), however many texts a migration hands it.
_CHARS_PER_PASS = 65_536


def folded(text: str) -> str:
    """``text`` compatibility-normalised and case-folded, with only its letters and digits."""
    return "".join(filter(str.isalnum, unicodedata.normalize("NFKC", text).casefold()))


def fingerprint(text: str) -> str | None:
    """A 128-bit digest (32 hex characters) of :func:`folded` ``text``; None when nothing is left."""
    key = folded(text)
    if not key:
        return None
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def earlier_copies(
    own: tuple[datetime, str], posted: Sequence[tuple[datetime, str]], window: timedelta
) -> int:
    """How many of ``posted`` (received time, id; sorted) came before ``own`` within ``window``.

    "Before" is by received time, then by id for the same instant, so of two copies received
    together exactly one counts the other; ``own`` itself is never counted. Two binary
    searches: a flood of copies costs a logarithm per comment, not a pass.
    """
    at, _ = own
    return bisect_left(posted, own) - bisect_left(posted, (at - window, ""))


def shingles(key: str) -> set[str]:
    """The overlapping :data:`SHINGLE`-character pieces of a folded text (a shorter text is
    one piece; an empty one has none)."""
    if len(key) <= SHINGLE:
        return {key} if key else set()
    return {key[i : i + SHINGLE] for i in range(len(key) - SHINGLE + 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the shingle sets of two folded texts (1.0 for the same text)."""
    return jaccard(shingles(a), shingles(b))


def jaccard(first: set[str], second: set[str]) -> float:
    """Shared pieces over all pieces of two shingle sets; 0.0 when either is empty."""
    if not first or not second:
        return 0.0
    common = len(first & second)
    return common / (len(first) + len(second) - common)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, element-wise (uint64 arithmetic wraps)."""
    x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def near_copy_keys(key: str) -> list[int]:
    """The :data:`BANDS` locality-sensitive keys of a folded text (signed 64-bit integers,
    as a database's BIGINT holds them); none for an empty text.

    Each shingle becomes a 64-bit number (its code points combined, then mixed), each of the
    ``BANDS * ROWS`` MinHash functions maps it to ``a * x + b`` with its own constants, and
    band ``b`` is a hash of the minima of functions ``b * ROWS`` to ``b * ROWS + ROWS - 1``.
    """
    return near_copy_keys_many([key])[0]


def near_copy_keys_many(keys: Sequence[str]) -> list[list[int]]:
    """:func:`near_copy_keys` of each folded text, computed together (a worker's batch):
    the texts' shingles laid end to end, one pass of every MinHash function over all of
    them, and each text's minima taken over its own stretch."""
    found: list[list[int]] = [[] for _ in keys]
    texts: list[tuple[int, str]] = []
    size = 0
    for i, key in enumerate(keys):
        if not key:
            continue
        if texts and size + len(key) > _CHARS_PER_PASS:  # bounded temporaries
            _keys_of(texts, found)
            texts, size = [], 0
        texts.append((i, key))
        size += len(key)
    if texts:
        _keys_of(texts, found)
    return found


def _keys_of(texts: list[tuple[int, str]], found: list[list[int]]) -> None:
    """Append to ``found[i]`` the keys of each (i, non-empty folded text)."""
    # Every text's code points end to end, then every window of SHINGLE of them that stays
    # inside one text; a text shorter than a shingle is one piece, its whole self.
    joined = "".join(key for _, key in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(_U64)
    lengths = np.array([len(key) for _, key in texts])
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    counts = np.maximum(lengths - SHINGLE + 1, 1)  # pieces per text
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    windows = np.zeros(max(len(codes) - SHINGLE + 1, 0), dtype=_U64)
    for offset in range(SHINGLE):
        windows = windows * _PIECE_BASE + codes[offset : offset + len(windows)]
    first = np.repeat(offsets - starts, counts) + np.arange(int(counts.sum()))
    short = np.flatnonzero(lengths < SHINGLE)
    pieces = windows[np.minimum(first, len(windows) - 1)] if len(windows) else first.astype(_U64)
    for t in short.tolist():  # the whole text, combined as a shorter window (mod 2**64)
        value = 0
        for code in codes[offsets[t] : offsets[t] + lengths[t]].tolist():
            value = (value * int(_PIECE_BASE) + code) & 0xFFFFFFFFFFFFFFFF
        pieces[starts[t]] = value
    mixed = _mix(pieces)
    images = np.empty((BANDS * ROWS, len(mixed)), dtype=_U64)
    np.multiply(mixed[None, :], _MULTIPLIERS, out=images)  # in place: no temporaries
    np.add(images, _OFFSETS, out=images)
    minima = np.minimum.reduceat(images, starts, axis=1).T.astype("<u8")  # little-endian
    for (i, _), row in zip(texts, minima, strict=True):
        for band in range(BANDS):
            data = bytes([band]) + row[band * ROWS : (band + 1) * ROWS].tobytes()
            digest = hashlib.blake2b(data, digest_size=8).digest()
            found[i].append(int.from_bytes(digest, "little", signed=True))


class CopiesSeen:
    """Copies of each text among the texts seen before it, in memory and without times
    (offline scoring of a file, and the figures behind the policy's defaults).

    :meth:`add` counts, as the database path does, the earlier texts that are the same and,
    with ``similarity`` below 1, those at least that similar: of the texts sharing a near-copy
    key, the ``checked`` most recent are compared.
    """

    def __init__(self, similarity: float = 1.0, checked: int = NEAR_CANDIDATES_CHECKED) -> None:
        self.similarity = similarity
        self.checked = checked
        self.exact: dict[str, int] = {}
        self.texts: list[str] = []
        self.by_key: dict[int, list[int]] = {}

    def add(self, key: str) -> int:
        """Record the folded text ``key``; return how many earlier texts are its copies."""
        copies = self.exact.get(key, 0)
        self.exact[key] = copies + 1
        if self.similarity >= 1.0 or not key:
            return copies
        keys = near_copy_keys(key)
        candidates = {i for k in keys for i in self.by_key.get(k, ()) if self.texts[i] != key}
        own = shingles(key)
        copies += sum(
            jaccard(own, shingles(self.texts[i])) >= self.similarity
            for i in sorted(candidates, reverse=True)[: self.checked]
        )
        for k in keys:
            self.by_key.setdefault(k, []).append(len(self.texts))
        self.texts.append(key)
        return copies
