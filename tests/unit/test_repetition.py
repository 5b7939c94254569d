"""Copy-paste detection: text folding, fingerprints and counting earlier copies (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.domain.repetition import earlier_copies, fingerprint, folded

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
WEEK = timedelta(hours=168)


@pytest.mark.parametrize(
    "variant",
    [
        "Check out my channel!!!",
        "check out my channel",
        "CHECK  OUT\nmy   channel.",
        "Ｃｈｅｃｋ ｏｕｔ ｍｙ ｃｈａｎｎｅｌ",  # fullwidth letters (NFKC)
        "Check\u200b out my chan\u00adnel",  # zero-width space, soft hyphen
    ],
)
def test_spelling_variants_of_one_text_share_a_fingerprint(variant: str) -> None:
    assert folded(variant) == "checkoutmychannel"
    assert fingerprint(variant) == fingerprint("Check out my channel")


def test_different_texts_and_scripts_do_not_collide() -> None:
    assert fingerprint("Check out my channel") != fingerprint("Check out my channels")
    # Latin "cop" and Cyrillic "сор" look alike but are different texts
    assert fingerprint("cop") != fingerprint("\u0441\u043e\u0440")
    assert fingerprint("Ставьте лайк и подписывайтесь") == fingerprint(
        "СТАВЬТЕ лайк, и подписывайтесь!"
    )


@pytest.mark.parametrize("text", ["", "   ", "!!! ...", "\u200b\u200b"])
def test_a_text_without_letters_or_digits_has_no_fingerprint(text: str) -> None:
    assert fingerprint(text) is None


def test_fingerprint_is_32_hex_characters() -> None:
    value = fingerprint("Hello")
    assert value is not None and len(value) == 32
    int(value, 16)


def test_only_earlier_copies_within_the_window_count() -> None:
    own = (T0, "c5")
    others = [
        (T0 - timedelta(hours=1), "c1"),
        (T0 - timedelta(hours=167), "c2"),
        (T0 - timedelta(hours=169), "c3"),  # outside the window
        (T0 + timedelta(seconds=1), "c4"),  # later
        own,  # itself
    ]
    assert earlier_copies(own, sorted(others), WEEK) == 2


def test_of_two_copies_received_together_exactly_one_counts_the_other() -> None:
    a, b = (T0, "a"), (T0, "b")
    assert earlier_copies(a, [a, b], WEEK) == 0
    assert earlier_copies(b, [a, b], WEEK) == 1


def test_the_window_edge_is_inclusive() -> None:
    assert earlier_copies((T0, "x"), [(T0 - WEEK, "y")], WEEK) == 1
    assert earlier_copies((T0, "x"), [(T0 - WEEK - timedelta(microseconds=1), "y")], WEEK) == 0


def test_a_flood_of_copies_is_counted_exactly() -> None:
    posted = sorted((T0 - timedelta(seconds=s), f"c{s}") for s in range(100_000))
    assert earlier_copies((T0, "new"), posted, WEEK) == 100_000
    assert earlier_copies(posted[500], posted, WEEK) == 500
