"""marshmallow schemas for the moderator API (and the workspace's query strings)."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load, pre_load, validate

from moderation import audit, queue
from moderation.review import MAX_NOTE, REJECT_REASONS, REVIEW_ACTIONS
from moderation.schemas import DecisionSchema, SafeString, StrictSchema, UtcDateTime

REASON_CODE = validate.Regexp(r"^[a-z_]{1,32}$", error="Not a reason code.")


class FilterQuerySchema(Schema):
    """Query-string filters, from the API or from a workspace filter form."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def drop_empty(self, data: Any, **_: Any) -> Any:
        """An empty form field ("All reasons", a blank article id) means no filter: drop it
        before validation, so it is neither checked nor kept."""
        if not hasattr(data, "items"):
            return data
        return {k: v for k, v in data.items() if not (isinstance(v, str) and v == "")}


class QueueQuerySchema(FilterQuerySchema):
    status = fields.String(load_default="held", validate=validate.OneOf(queue.STATUSES))
    reason = fields.String(load_default=None, validate=REASON_CODE)
    article_id = SafeString(load_default=None, validate=validate.Length(max=128))
    section = SafeString(load_default=None, validate=validate.Length(max=200))
    language = SafeString(load_default=None, validate=validate.Length(max=16))
    author = SafeString(load_default=None, validate=validate.Length(max=128))
    same_text_as = SafeString(
        load_default=None,
        validate=validate.Length(max=128),
        metadata={"description": "a comment id: only comments with the same text (its copies)"},
    )
    decided_by = fields.String(load_default=None, validate=validate.OneOf(queue.DECIDERS))
    sort = fields.String(load_default=None, validate=validate.OneOf(queue.SORTS))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, queue.MAX_LIMIT))
    cursor = fields.String(load_default=None, validate=validate.Length(max=1000))

    @post_load
    def to_filter(self, data: dict[str, Any], **_: Any) -> queue.QueueFilter:
        # Held comments wait oldest first, the rest newest first.
        data["sort"] = data["sort"] or ("oldest" if data["status"] == "held" else "newest")
        return queue.QueueFilter(**data)


class ReviewInSchema(StrictSchema):
    """What a moderator decided: approve, or reject with a reason code; an optional note."""

    action = fields.String(required=True, validate=validate.OneOf(REVIEW_ACTIONS))
    reason_code = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(REJECT_REASONS)
    )
    note = SafeString(load_default=None, allow_none=True, validate=validate.Length(max=MAX_NOTE))


class HistorySchema(Schema):
    approved = fields.Integer()
    rejected = fields.Integer()


class QueueAuthorSchema(Schema):
    name = fields.String()
    id = fields.String(allow_none=True)
    history = fields.Nested(HistorySchema)


class QueueArticleSchema(Schema):
    id = fields.String()
    title = fields.String()
    url = fields.String(allow_none=True)
    section = fields.String(allow_none=True)


class ParentSchema(Schema):
    id = fields.String()
    author = fields.String()
    text = fields.String()


class QueueItemSchema(Schema):
    id = fields.String()
    status = fields.String()
    text = fields.String(metadata={"description": "Exactly as the reader wrote it: untrusted."})
    language = fields.String(allow_none=True, metadata={"description": "Detected language."})
    article = fields.Nested(QueueArticleSchema)
    author = fields.Nested(QueueAuthorSchema)
    received_at = fields.AwareDateTime()
    waiting_seconds = fields.Float()
    decision = fields.Nested(DecisionSchema)
    in_reply_to = fields.Nested(ParentSchema, allow_none=True)


class QueuePageSchema(Schema):
    items = fields.List(fields.Nested(QueueItemSchema))
    next_cursor = fields.String(allow_none=True)
    reason_counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class AuditQuerySchema(FilterQuerySchema):
    actor = SafeString(load_default=None, validate=validate.Length(max=64))
    event = fields.String(load_default=None, validate=validate.OneOf(audit.EVENTS))
    comment_id = SafeString(load_default=None, validate=validate.Length(max=128))
    since = UtcDateTime(load_default=None)
    until = UtcDateTime(load_default=None)
    # An audit entry's id: a 64-bit integer in every database (larger ones cannot be sent).
    before = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**63 - 1))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))

    @post_load
    def to_filter(self, data: dict[str, Any], **_: Any) -> audit.AuditFilter:
        return audit.AuditFilter(**data)


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    actor = fields.String()
    event = fields.String()
    comment_id = fields.String(allow_none=True)
    action = fields.String(allow_none=True)
    reason_code = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    previous_status = fields.String(allow_none=True)
    previous_action = fields.String(allow_none=True)
    previous_decided_by = fields.String(allow_none=True)
    decision_id = fields.Integer(allow_none=True)
    scores = fields.Dict(allow_none=True)
    detail = fields.Dict(allow_none=True)


class AuditPageSchema(Schema):
    entries = fields.List(fields.Nested(AuditEntrySchema))
    next_before = fields.Integer(allow_none=True)


def queue_item_document(item: queue.QueueItem) -> dict[str, Any]:
    from moderation.decisions import decision_document

    c, a = item.comment, item.article
    return {
        "id": c.id,
        "status": c.status,
        "text": c.text,
        "language": c.language,
        "article": {"id": a.id, "title": a.title, "url": a.url, "section": a.section},
        "author": {
            "name": c.author_name,
            "id": c.author_id,
            "history": {"approved": item.history.approved, "rejected": item.history.rejected},
        },
        "received_at": c.received_at,
        "waiting_seconds": round(item.waiting_seconds, 1),
        "decision": decision_document(item.decision),
        "in_reply_to": (
            {"id": item.parent.id, "author": item.parent.author, "text": item.parent.text}
            if item.parent
            else None
        ),
    }
