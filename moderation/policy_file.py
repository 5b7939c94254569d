"""Load and validate the decision policy file (TOML) into the pure :class:`Policy`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from moderation.domain.policy import Action, Policy, Repetition, Threshold
from moderation.domain.scores import SCORE_NAMES
from moderation.schemas import MAX_COMMENT_CHARS

_ACTIONS = [a.value for a in Action]


class PolicyError(Exception):
    """The policy file is missing or invalid; the message says where."""


class ThresholdSchema(Schema):
    class Meta:
        unknown = RAISE

    approve_below = fields.Float(required=True, validate=validate.Range(0, 1))
    reject_at_or_above = fields.Float(load_default=None, validate=validate.Range(0, 1))
    when_missing = fields.String(load_default="approve", validate=validate.OneOf(_ACTIONS))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        reject = data.get("reject_at_or_above")
        if reject is not None and reject < data["approve_below"]:
            raise ValidationError("reject_at_or_above must not be below approve_below")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Threshold:
        return Threshold(
            approve_below=data["approve_below"],
            reject_at_or_above=data["reject_at_or_above"],
            when_missing=Action(data["when_missing"]),
        )


def _thresholds(required: bool) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(SCORE_NAMES)),
        values=fields.Nested(ThresholdSchema),
        required=required,
    )


class RepetitionSchema(Schema):
    """``[repetition]``: copy-paste spam (see :class:`~moderation.domain.policy.Repetition`)."""

    class Meta:
        unknown = RAISE

    _copies = validate.Range(min=1, max=1_000_000)
    enabled = fields.Boolean(load_default=True)  # TOML has no null: this turns the rule off
    hold_at = fields.Integer(strict=True, allow_none=True, validate=_copies)
    reject_at = fields.Integer(strict=True, allow_none=True, validate=_copies)
    window_hours = fields.Float(validate=validate.Range(min=0, max=24 * 366, min_inclusive=False))
    min_chars = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_COMMENT_CHARS))
    # Below 0.5 the near-copy keys would miss many pairs (moderation.domain.repetition).
    similarity = fields.Float(validate=validate.Range(min=0.5, max=1.0))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        hold, reject = data.get("hold_at", Repetition.hold_at), data.get("reject_at")
        if hold is not None and reject is not None and reject < hold:
            raise ValidationError(f"reject_at must not be below hold_at ({hold})")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Repetition:
        if not data.pop("enabled"):
            data.update(hold_at=None, reject_at=None)
        return Repetition(**data)


class LanguagePolicySchema(Schema):
    class Meta:
        unknown = RAISE

    thresholds = _thresholds(required=True)


class PolicySchema(Schema):
    class Meta:
        unknown = RAISE

    version = fields.String(required=True, validate=validate.Length(1, 64))
    unsupported_language = fields.String(load_default="hold", validate=validate.OneOf(_ACTIONS))
    thresholds = _thresholds(required=True)
    languages = fields.Dict(
        keys=fields.String(validate=validate.Length(2, 8)),
        values=fields.Nested(LanguagePolicySchema),
        load_default=dict,
    )
    repetition = fields.Nested(RepetitionSchema, load_default=Repetition)

    @validates_schema
    def _complete(self, data: dict[str, Any], **_: Any) -> None:
        missing = [name for name in SCORE_NAMES if name not in data.get("thresholds", {})]
        if missing:
            raise ValidationError(f"thresholds missing for: {', '.join(missing)}", "thresholds")


def parse_policy(document: dict[str, Any]) -> Policy:
    """Validate a parsed policy document; raise :class:`PolicyError` with every problem listed."""
    try:
        data = PolicySchema().load(document)
    except ValidationError as exc:
        raise PolicyError(f"invalid policy: {exc.messages}") from exc
    return Policy(
        version=data["version"],
        thresholds=data["thresholds"],
        unsupported_language=Action(data["unsupported_language"]),
        per_language={code: lang["thresholds"] for code, lang in data["languages"].items()},
        repetition=data["repetition"],
    )


def load_policy(path: str | Path) -> Policy:
    """Read the policy file at ``path``; a bad file stops start-up with a clear message."""
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PolicyError(f"policy file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file {path} is not valid TOML: {exc}") from exc
    try:
        return parse_policy(document)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from exc
