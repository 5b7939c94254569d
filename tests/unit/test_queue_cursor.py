"""Queue cursors: opaque, round-trip exactly, and refuse anything else."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from moderation.queue import BadCursor, decode_cursor, encode_cursor
from moderation.workspace.pages import waiting_text


def test_a_time_cursor_round_trips() -> None:
    moment = datetime(2026, 11, 28, 9, 0, 1, 123456, tzinfo=UTC)
    assert decode_cursor(encode_cursor("oldest", moment.isoformat(), "c/1"), "oldest") == (
        moment,
        "c/1",
    )


def test_a_score_cursor_round_trips_exactly() -> None:
    assert decode_cursor(encode_cursor("score", 0.1 + 0.2, "c1"), "score") == (0.1 + 0.2, "c1")


NESTED = base64.urlsafe_b64encode(b"[" * 3000).decode("ascii")  # json gives up: RecursionError


@pytest.mark.parametrize(
    "cursor", ["", "!!!", "bm90IGpzb24", encode_cursor("score", "x", "c1"), NESTED]
)
def test_garbage_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(cursor, "score")


def test_a_cursor_of_another_sort_order_is_refused() -> None:
    with pytest.raises(BadCursor, match="another sort order"):
        decode_cursor(encode_cursor("score", 0.5, "c1"), "oldest")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5, "5 s"), (61, "1 min"), (3 * 3600 + 300, "3 h 5 min"), (2 * 86400 + 7200, "2 d 2 h")],
)
def test_waiting_time_reads_like_people_say_it(seconds: float, text: str) -> None:
    assert waiting_text(seconds) == text
