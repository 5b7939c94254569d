from pathlib import Path

import pytest

from moderation.domain.policy import Action, Repetition
from moderation.policy_file import PolicyError, load_policy, parse_policy

ROOT = Path(__file__).resolve().parents[2]

VALID = {
    "version": "v1",
    "thresholds": {
        "toxicity": {"approve_below": 0.3, "reject_at_or_above": 0.9},
        "off_topic": {"approve_below": 0.8},
        "spam": {"approve_below": 0.5, "when_missing": "hold"},
    },
}


def test_the_shipped_policy_file_is_valid() -> None:
    policy = load_policy(ROOT / "config" / "policy.toml")
    assert policy.version
    assert set(policy.thresholds) == {"toxicity", "off_topic", "spam"}


def test_a_valid_document_becomes_a_policy() -> None:
    policy = parse_policy(VALID)
    assert policy.thresholds["spam"].when_missing is Action.HOLD
    assert policy.thresholds["off_topic"].reject_at_or_above is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": ""}, "version"),
        (
            {"thresholds": {"toxicity": {"approve_below": 0.3}}},
            "thresholds missing for: off_topic, spam",
        ),
        (
            {"thresholds": {**VALID["thresholds"], "toxicity": {"approve_below": 1.5}}},
            "approve_below",
        ),
        (
            {
                "thresholds": {
                    **VALID["thresholds"],
                    "toxicity": {"approve_below": 0.9, "reject_at_or_above": 0.5},
                }
            },
            "must not be below",
        ),
        (
            {
                "thresholds": {
                    **VALID["thresholds"],
                    "toxicity": {"approve_below": 0.1, "when_missing": "maybe"},
                }
            },
            "when_missing",
        ),
        ({"thresholds": {**VALID["thresholds"], "sarcasm": {"approve_below": 0.1}}}, "sarcasm"),
        ({"surprise": 1}, "surprise"),
        ({"unsupported_language": "publish"}, "unsupported_language"),
        ({"repetition": {"hold_at": 0}}, "hold_at"),
        ({"repetition": {"hold_at": "2"}}, "hold_at"),
        ({"repetition": {"hold_at": 2.5}}, "hold_at"),
        (
            {"repetition": {"hold_at": 4, "reject_at": 3}},
            r"reject_at must not be below hold_at \(4\)",
        ),
        ({"repetition": {"reject_at": 1}}, r"below hold_at \(2\)"),  # the default hold_at
        ({"repetition": {"window_hours": 0}}, "window_hours"),
        ({"repetition": {"min_chars": 5000}}, "min_chars"),
        ({"repetition": {"similarity": 0.3}}, "similarity"),  # near-copy keys would miss pairs
        ({"repetition": {"similarity": 1.5}}, "similarity"),
        ({"repetition": {"similarity": float("nan")}}, "similarity"),
        ({"repetition": {"similarity": "high"}}, "similarity"),
        ({"repetition": {"hold_after": 2}}, "hold_after"),
        ({"repetition": 3}, "repetition"),
    ],
)
def test_bad_documents_are_refused_with_the_place_named(change: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy({**VALID, **change})


def test_missing_and_broken_files_have_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("version = [")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(broken)


def test_per_language_thresholds_are_loaded() -> None:
    policy = parse_policy(
        {**VALID, "languages": {"ru": {"thresholds": {"toxicity": {"approve_below": 0.2}}}}}
    )
    assert policy.thresholds_for("ru")["toxicity"].approve_below == 0.2
    assert policy.thresholds_for("en")["toxicity"].approve_below == 0.3


def test_the_repetition_rule_has_defaults_and_can_be_set_or_turned_off() -> None:
    assert parse_policy(VALID).repetition == Repetition()
    shipped = load_policy(ROOT / "config" / "policy.toml").repetition
    assert shipped.enabled and shipped.hold_at == 2 and shipped.reject_at is None
    assert shipped.similarity == 0.7 and shipped.near_copies
    policy = parse_policy(
        {
            **VALID,
            "repetition": {
                "hold_at": 3, "reject_at": 10, "window_hours": 24, "min_chars": 30, "similarity": 1,
            },
        }
    )  # fmt: skip
    assert policy.repetition == Repetition(
        hold_at=3, reject_at=10, window_hours=24, min_chars=30, similarity=1.0
    )
    assert not policy.repetition.near_copies  # 1.0: exact copies only
    off = parse_policy({**VALID, "repetition": {"enabled": False}}).repetition
    assert not off.enabled and off.action(1000) is None
