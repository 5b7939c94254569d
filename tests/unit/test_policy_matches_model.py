"""The shipped policy uses the operating points the committed model card chose."""

import json
from pathlib import Path

from moderation.policy_file import load_policy

ROOT = Path(__file__).resolve().parents[2]


def test_policy_thresholds_are_the_model_cards_operating_points() -> None:
    card = json.loads((ROOT / "models" / "model_card.json").read_text())
    policy = load_policy(ROOT / "config" / "policy.toml")
    for name, point in card["operating_points"].items():
        threshold = policy.thresholds[name]
        assert threshold.approve_below == point["approve_below"], name
        # Rejecting is either the card's point or switched off on purpose (docs/decisions.md).
        assert threshold.reject_at_or_above in {point["reject_at_or_above"], None}, name
    assert (
        policy.thresholds["spam"].reject_at_or_above
        == card["operating_points"]["spam"]["reject_at_or_above"]
    )


def test_russian_thresholds_are_the_russian_operating_points() -> None:
    card = json.loads((ROOT / "models" / "model_card.json").read_text())
    policy = load_policy(ROOT / "config" / "policy.toml")
    point = card["russian"]["operating_points"]["toxicity"]
    threshold = policy.per_language["ru"]["toxicity"]
    assert threshold.approve_below == point["approve_below"]
    # Auto-reject on Russian toxicity is off on purpose, as for English (docs/decisions.md).
    assert threshold.reject_at_or_above in {point["reject_at_or_above"], None}
    assert set(policy.per_language["ru"]) == {"toxicity", "off_topic", "spam"}
    spam, spam_point = (
        policy.per_language["ru"]["spam"],
        card["russian"]["operating_points"]["spam"],
    )
    assert spam.approve_below == spam_point["approve_below"]
    assert spam.reject_at_or_above == spam_point["reject_at_or_above"]  # rejects, as English
    off_topic = policy.per_language["ru"]["off_topic"]
    off_topic_point = card["russian"]["operating_points"]["off_topic"]
    assert off_topic.approve_below == off_topic_point["approve_below"]
    assert off_topic.reject_at_or_above is None  # never auto-rejects, as for English
    assert off_topic.when_missing == "approve"  # a StrEnum
