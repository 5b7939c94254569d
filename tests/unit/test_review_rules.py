"""What a moderator may decide, checked before any database is touched."""

from __future__ import annotations

import pytest

from moderation.review import REJECT_REASONS, InvalidReview, Review, make_review


@pytest.mark.parametrize(
    ("action", "reason", "note", "expected"),
    [
        ("approve", None, None, Review("approve")),
        ("approve", "spam", " ", Review("approve")),  # a reason means nothing for an approval
        ("reject", "spam", "  bot  ", Review("reject", "spam", "bot")),
        ("reject", "hate_speech", "", Review("reject", "hate_speech")),
    ],
)
def test_valid_reviews(action: str, reason: str | None, note: str | None, expected: Review) -> None:
    assert make_review(action, reason, note) == expected


@pytest.mark.parametrize(
    ("action", "reason", "note", "field"),
    [
        ("hold", None, None, "action"),
        ("reject", None, None, "reason_code"),
        ("reject", "rude", None, "reason_code"),
        ("approve", None, "x" * 2001, "note"),
    ],
)
def test_invalid_reviews_name_the_field(
    action: str, reason: str | None, note: str | None, field: str
) -> None:
    with pytest.raises(InvalidReview) as caught:
        make_review(action, reason, note)
    assert field in caught.value.errors


def test_the_reason_codes_are_the_ones_the_newsroom_agreed() -> None:
    assert set(REJECT_REASONS) == {
        "offensive",
        "abusive",
        "spam",
        "off_topic",
        "hate_speech",
        "harassment",
        "misinformation",
        "other",
    }
