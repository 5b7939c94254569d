from pathlib import Path

import pytest

from moderation.domain.policy import Action
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
