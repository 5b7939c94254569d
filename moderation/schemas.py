"""marshmallow schemas at the HTTP edge: what the CMS may send and what we answer."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from moderation.domain.scores import SCORE_NAMES

MAX_COMMENT_CHARS = 1500
MAX_ID_CHARS = 128  # comment and article ids, as the CMS sends them
STATUSES = ("pending", "approved", "held", "rejected")
ACTIONS = ("approve", "hold", "reject")


def storable_problem(value: str) -> str | None:
    """Why no database could store ``value`` as text (a NUL, a lone surrogate), or None."""
    if "\x00" in value:
        return "Must not contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Must be valid Unicode text (no lone surrogates)."
    return None


def _check_encodable(value: str) -> None:
    problem = storable_problem(value)
    if problem is not None:
        raise ValidationError(problem)


class SafeString(fields.String):
    """A string that any database can store: no NUL, no lone surrogates; stripped."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        _check_encodable(text)
        return text


class UtcDateTime(fields.AwareDateTime):
    """An aware date and time that has a UTC equivalent (the databases store UTC): not
    "9999-12-31T23:59:59-05:00", which is past the year 9999 there."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment: datetime = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment.astimezone(UTC)
        except OverflowError as exc:
            raise ValidationError("Must fall between the years 1 and 9999 in UTC.") from exc
        return moment


class CommentText(fields.String):
    """Comment text under the 1,500-character policy: NFC-normalised, stripped, counted in code points."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = unicodedata.normalize(
            "NFC", super()._deserialize(value, attr, data, **kwargs)
        ).strip()
        _check_encodable(text)
        if not text:
            raise ValidationError("Comment text must not be empty.")
        if len(text) > MAX_COMMENT_CHARS:
            raise ValidationError(
                f"Comment text is {len(text)} characters long; the limit is {MAX_COMMENT_CHARS}."
            )
        return text


def _id_field(**kwargs: Any) -> fields.String:
    return SafeString(validate=validate.Length(1, MAX_ID_CHARS), **kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class ArticleSchema(StrictSchema):
    """Article context: the title is required, the body makes off-topic scoring possible."""

    id = SafeString(dump_only=True)
    title = SafeString(required=True, validate=validate.Length(1, 500))
    body = SafeString(load_default=None, allow_none=True, validate=validate.Length(max=200_000))
    url = fields.Url(load_default=None, allow_none=True, validate=validate.Length(max=2048))
    section = SafeString(load_default=None, allow_none=True, validate=validate.Length(max=200))
    language = SafeString(load_default=None, allow_none=True, validate=validate.Length(2, 16))
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class AuthorSchema(StrictSchema):
    name = SafeString(required=True, validate=validate.Length(1, 100))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    id = SafeString(load_default=None, allow_none=True, validate=validate.Length(1, 128))


class CommentInSchema(StrictSchema):
    """The CMS webhook body."""

    id = _id_field(required=True)
    article_id = _id_field(required=True)
    article = fields.Nested(ArticleSchema, load_default=None, allow_none=True)
    author = fields.Nested(AuthorSchema, required=True)
    text = CommentText(required=True)
    parent_id = _id_field(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "The comment this one replies to. When that comment was posted "
            "here too, the off-topic model reads it next to the article."
        },
    )
    submitted_at = UtcDateTime(load_default=None, allow_none=True, default_timezone=None)
    ip = fields.IP(load_default=None, allow_none=True)
    user_agent = SafeString(load_default=None, allow_none=True, validate=validate.Length(max=512))


class SpanSchema(Schema):
    start = fields.Integer()
    end = fields.Integer()
    text = fields.String()
    weight = fields.Float()


class ReasonSchema(Schema):
    code = fields.String(
        metadata={
            "example": "toxicity",
            "description": "toxicity, off_topic, spam, unsupported_language, repeated "
            "(copy-paste: the text was posted before), no_decision (the failure policy), "
            "or a moderator's reason code",
        }
    )
    score = fields.Float(allow_none=True)
    detail = fields.String()
    spans = fields.List(fields.Nested(SpanSchema), dump_default=list)


class ScoresSchema(Schema):
    toxicity = fields.Float(allow_none=True)
    off_topic = fields.Float(allow_none=True)
    spam = fields.Float(allow_none=True)


class DecisionSchema(Schema):
    """A decision on one comment, by the model or a moderator."""

    action = fields.String(validate=validate.OneOf(ACTIONS))
    reasons = fields.List(fields.Nested(ReasonSchema))
    scores = fields.Nested(ScoresSchema)
    language = fields.String(allow_none=True)
    model_version = fields.String(allow_none=True)
    policy_version = fields.String(allow_none=True)
    decided_by = fields.String()
    decided_at = fields.AwareDateTime()


class CommentOutSchema(Schema):
    id = fields.String()
    article_id = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    language = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    decision = fields.Nested(DecisionSchema, allow_none=True)


class WaitQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    wait = fields.Integer(
        load_default=0,
        validate=validate.Range(0, 10_000, error="wait must be between 0 and 10000 milliseconds."),
    )


class ArticlePathSchema(Schema):
    article_id = _id_field(required=True)


def empty_scores() -> dict[str, None]:
    return dict.fromkeys(SCORE_NAMES)
