"""Copy-paste detection: text folding, fingerprints and counting earlier copies (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.domain.repetition import (
    BANDS,
    CopiesSeen,
    earlier_copies,
    fingerprint,
    folded,
    jaccard,
    near_copy_keys,
    near_copy_keys_many,
    shingles,
    similarity,
)

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


# Near copies: shingles, similarity and the locality-sensitive keys.

PINNED_KEYS = [-4190314279171794829, 891198972045688072]
CAMPAIGN = "Earn $500 a day from home! Call Aigerim on +7 701 555 12 34 or visit quick-cash.kz"


def test_shingles_are_the_overlapping_five_letter_pieces() -> None:
    assert shingles("abcdefg") == {"abcde", "bcdef", "cdefg"}
    assert shingles("abc") == {"abc"} and shingles("") == set()


def test_similarity_is_the_jaccard_of_the_pieces() -> None:
    assert similarity("abcdefg", "abcdefg") == 1.0
    assert similarity("abcdefg", "abcdefh") == pytest.approx(2 / 4)  # abcde, bcdef shared
    assert similarity("abcdefg", "") == 0.0
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)


def test_a_campaign_that_changes_a_number_or_a_link_stays_similar() -> None:
    variants = [
        CAMPAIGN.replace("500", "700"),
        CAMPAIGN.replace("12 34", "98 76"),
        CAMPAIGN.replace("quick-cash.kz", "fast-cash.kz"),
    ]
    original = folded(CAMPAIGN)
    for variant in variants:
        assert similarity(original, folded(variant)) >= 0.7, variant
        assert set(near_copy_keys(original)) & set(near_copy_keys(folded(variant))), variant


def test_unrelated_comments_are_not_similar_and_share_no_key() -> None:
    a = folded("The water agreement with Tajikistan should have been signed years ago.")
    b = folded("Blinken paid a very timely visit; we must reinstate co-operation with the West.")
    assert similarity(a, b) < 0.1
    assert not set(near_copy_keys(a)) & set(near_copy_keys(b))


def test_keys_are_stable_across_processes_and_releases() -> None:
    """Stored keys are compared with keys computed later: changing how they are computed
    needs a migration that recomputes them. These values pin the computation."""
    keys = near_copy_keys(folded(CAMPAIGN))
    assert len(keys) == BANDS == len(set(keys))
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert keys[:2] == PINNED_KEYS
    assert near_copy_keys("") == []


def test_identical_texts_share_every_key() -> None:
    assert near_copy_keys(folded(CAMPAIGN)) == near_copy_keys(folded(CAMPAIGN.upper() + "!!"))


def test_copies_seen_counts_exact_and_near_copies_in_order() -> None:
    seen = CopiesSeen(similarity=0.7)
    texts = [CAMPAIGN, CAMPAIGN, CAMPAIGN.replace("500", "700"), "A comment about something else"]
    assert [seen.add(folded(t)) for t in texts] == [0, 1, 2, 0]
    exact_only = CopiesSeen(similarity=1.0)
    assert [exact_only.add(folded(t)) for t in texts] == [0, 1, 0, 0]


def test_copies_seen_checks_only_the_most_recent_candidates() -> None:
    seen = CopiesSeen(similarity=0.7, checked=2)
    for n in range(5):
        seen.add(folded(CAMPAIGN.replace("500", str(600 + n))))
    assert seen.add(folded(CAMPAIGN)) == 2


def test_keys_of_a_batch_are_each_texts_own_keys() -> None:
    texts = [
        folded(CAMPAIGN),
        "",
        "ab",  # shorter than a piece: one piece, the whole text
        "abcde",  # exactly one piece
        folded("Ставьте лайк и подписывайтесь на мой канал"),
        folded(CAMPAIGN.replace("500", "700")),
    ]
    batch = near_copy_keys_many(texts)
    assert batch == [near_copy_keys(t) for t in texts]
    assert batch[1] == [] and len(batch[2]) == len(batch[3]) == BANDS
    assert near_copy_keys_many([]) == [] and near_copy_keys_many(["", ""]) == [[], []]


def test_a_large_batch_is_hashed_in_bounded_passes_with_the_same_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [folded(CAMPAIGN.replace("500", str(n))) for n in range(50)] + ["", "abc"]
    whole = near_copy_keys_many(texts)
    monkeypatch.setattr("moderation.domain.repetition._CHARS_PER_PASS", 200)  # 2-3 texts a pass
    assert near_copy_keys_many(texts) == whole == [near_copy_keys(t) for t in texts]


def test_a_russian_campaign_is_counted_as_it_varies() -> None:
    """Cyrillic letters fold and piece like Latin ones: a loan advert that changes its phone
    number, its amount or a word is held (two earlier copies) by its fourth posting at the latest."""
    advert = (
        "Займы без отказа и проверок до 50 000 тенге, звоните +7 701 555 12 34, пишите в ватсап!"
    )
    variants = [
        advert,
        advert.replace("12 34", "98 76"),  # 0.77 like the first
        advert.replace("50 000", "80 000"),  # 0.85 like the first, two changes from the second
        advert.replace("звоните", "звони"),  # 0.85 like the first
    ]
    seen = CopiesSeen(similarity=0.7)
    assert [seen.add(folded(text)) for text in variants] == [0, 1, 1, 2]
