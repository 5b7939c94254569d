"""Repeated copy-paste: the same text posted again and again, under any article.

Spam campaigns paste one text under many articles; a bag-of-n-grams model judges each copy
alone and cannot see that. Each comment's text is folded (NFKC, case-folded, only letters and
digits kept: "Check out my channel!!!" and "check out  my CHANNEL" are one text) and
fingerprinted when it is stored; the worker counts the earlier comments with the same
fingerprint, and the policy's :class:`~moderation.domain.policy.Repetition` rule turns that
count into a reason. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime, timedelta


def folded(text: str) -> str:
    """``text`` compatibility-normalised and case-folded, with only its letters and digits."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


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
