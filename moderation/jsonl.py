"""JSONL input read line by line within a size bound: ``moderation score``'s comments and the
moderators' label files (``train/evaluate --labels``).

Lines are split at newline bytes only (a JSON string may hold U+2028 and other characters
``str.splitlines`` would break at). A line longer than the bound is read past in pieces and
never held whole; each reader says what that means for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO


class NotUtf8(ValueError):
    """A line that is not UTF-8; the message says where."""


def numbered_lines(stream: IO[bytes], max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(number from 1, bytes) of each line of ``stream``; bytes None for a line longer than
    ``max_bytes`` (newline included)."""
    number = 0
    while line := stream.readline(max_bytes + 1):
        number += 1
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield number, line
            continue
        while (rest := stream.readline(max_bytes)) and not rest.endswith(b"\n"):
            pass
        yield number, None


def decode(line: bytes, *, byte_order_mark: bool = False) -> str:
    """``line`` as text; with ``byte_order_mark``, a leading UTF-8 BOM is dropped (a file's
    first line). Raises :class:`NotUtf8`."""
    try:
        return line.decode("utf-8-sig" if byte_order_mark else "utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8(f"not UTF-8 (byte {error.start + 1} of the line)") from error
