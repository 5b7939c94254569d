"""The moderator API for CMS-side tools: read the queue, decide comments, read the audit log.

Authenticated with per-user API tokens (``moderation create-token``) sent as
``Authorization: Bearer <token>``; never with the workspace's session cookie, so it needs no
CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from moderation import accounts, audit, queue, review
from moderation.api.guards import require_json_body
from moderation.api.moderator_schemas import (
    AuditPageSchema,
    AuditQuerySchema,
    QueuePageSchema,
    QueueQuerySchema,
    ReviewInSchema,
    queue_item_document,
)
from moderation.decisions import comment_document
from moderation.errors import ApiError
from moderation.queueing import enqueue_delivery
from moderation.schemas import CommentOutSchema
from moderation.services import Services
from moderation.storage.tables import Comment

blp = Blueprint(
    "moderator",
    __name__,
    url_prefix="/api/v1",
    description="Moderator endpoints, authenticated with a per-user API token.",
)


def services() -> Services:
    return current_app.extensions["moderation"]


@blp.before_request
def require_token() -> None:
    """Refuse any request without a valid token of an active moderator."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        with services().db.session() as db:
            user = accounts.user_for_token(db, token.strip())
            db.commit()
    if user is None:
        error = ApiError(401, "Send a valid moderator API token: Authorization: Bearer <token>.")
        error.data["headers"] = {"WWW-Authenticate": 'Bearer realm="moderation"'}
        raise error
    g.moderator = user.username


blp.before_request(require_json_body)


@blp.route("/queue")
class QueueResource(MethodView):
    @blp.arguments(QueueQuerySchema, location="query", as_kwargs=False)
    @blp.response(200, QueuePageSchema)
    def get(self, spec: queue.QueueFilter) -> Any:
        """List comments waiting for a moderator (or decided by the model), with counts per reason."""
        with services().db.session() as db:
            spec = queue.with_near_copies(db, spec, services().policy.repetition)
            try:
                page = queue.list_queue(db, spec)
            except queue.BadCursor as exc:
                raise ApiError(422, str(exc), {"cursor": [str(exc)]}) from exc
            return {
                "items": [queue_item_document(item) for item in page.items],
                "next_cursor": page.next_cursor,
                "reason_counts": queue.reason_counts(db, spec),
            }


@blp.route("/comments/<string(maxlength=128):comment_id>/review")
class ReviewResource(MethodView):
    @blp.arguments(ReviewInSchema)
    @blp.response(200, CommentOutSchema)
    @blp.alt_response(401, description="No valid moderator API token.")
    @blp.alt_response(404, description="No comment with this id.")
    @blp.alt_response(409, description="Already decided by a moderator (the message names who).")
    def post(self, payload: dict[str, Any], comment_id: str) -> Any:
        """Approve or reject a comment; 409 if another moderator already decided it."""
        svc = services()
        try:
            decision = review.make_review(**payload)
            outcome = review.submit_review(
                svc.db.session,
                comment_id,
                decision,
                g.moderator,
                callback_url=svc.config["CALLBACK_URL"],
                via="api",
            )
        except review.InvalidReview as exc:
            raise ApiError(422, str(exc), exc.errors) from exc
        except review.CommentNotFound as exc:
            raise ApiError(404, str(exc)) from exc
        except (review.AlreadyDecided, review.NotReviewable) as exc:
            raise ApiError(409, str(exc)) from exc
        if outcome.delivery_id is not None:
            enqueue_delivery(current_app.extensions["celery"], outcome.delivery_id)
        with svc.db.session() as db:
            comment = db.get(Comment, comment_id)
            assert comment is not None
            return comment_document(db, comment)


@blp.route("/audit")
class AuditResource(MethodView):
    @blp.arguments(AuditQuerySchema, location="query", as_kwargs=False)
    @blp.response(200, AuditPageSchema)
    def get(self, spec: audit.AuditFilter) -> Any:
        """The audit log, newest first: who did what, when, and what it was before."""
        with services().db.session() as db:
            entries, next_before = audit.list_entries(db, spec)
            return {
                "entries": [audit.entry_document(e) for e in entries],
                "next_before": next_before,
            }
