"""The CMS API: register articles, post comments (the webhook), read a comment's decision."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from moderation import intake, notify
from moderation.api.guards import require_cms_signature, require_json_body
from moderation.decisions import comment_document
from moderation.errors import ApiError
from moderation.queueing import enqueue_classification
from moderation.schemas import ArticleSchema, CommentInSchema, CommentOutSchema, WaitQuerySchema
from moderation.services import Services
from moderation.storage.tables import Comment

blp = Blueprint(
    "cms", __name__, url_prefix="/api/v1", description="Signed endpoints for the newsroom's CMS."
)
blp.before_request(require_cms_signature)
blp.before_request(require_json_body)


def services() -> Services:
    return current_app.extensions["moderation"]


@blp.route("/articles/<string(maxlength=128):article_id>")
class ArticleResource(MethodView):
    @blp.arguments(ArticleSchema())
    @blp.response(201, ArticleSchema)
    @blp.alt_response(200, schema=ArticleSchema, description="The article existed and was updated.")
    def put(self, fields: dict[str, Any], article_id: str) -> Any:
        """Register or update the context of an article that comments are posted under."""
        with services().db.session() as session:
            article, created = intake.register_article(session, article_id, fields)
            session.commit()
            return article, 201 if created else 200


@blp.route("/comments")
class CommentsResource(MethodView):
    @blp.arguments(WaitQuerySchema(), location="query")
    @blp.arguments(CommentInSchema())
    @blp.response(202, CommentOutSchema)
    @blp.alt_response(200, schema=CommentOutSchema, description="Decided in time, or a repeat.")
    def post(self, query: dict[str, Any], payload: dict[str, Any]) -> Any:
        """Accept a new reader comment for moderation (the CMS webhook)."""
        svc = services()
        submission = _store(svc, payload)
        comment_id = submission.comment.id
        g.intake_created = submission.created  # for the intake metrics (moderation.metrics)
        if submission.created:
            enqueue_classification(current_app.extensions["celery"], svc.redis, comment_id)
            if not query["wait"]:
                # Just stored, nothing decided yet: what we hold is what a re-read would give.
                return comment_document(None, submission.comment), 202
        if query["wait"] and submission.comment.status == "pending":
            notify.wait_until(
                svc.redis, comment_id, query["wait"] / 1000, lambda: _decided(svc, comment_id)
            )
        with svc.db.session() as session:
            comment = session.get(Comment, comment_id)
            assert comment is not None
            document = comment_document(session, comment)
        decided = document["status"] != "pending"
        return document, 200 if (decided or not submission.created) else 202


@blp.route("/comments/<string(maxlength=128):comment_id>")
class CommentResource(MethodView):
    @blp.response(200, CommentOutSchema)
    def get(self, comment_id: str) -> Any:
        """Read a comment's status and the decision in force."""
        with services().db.session() as session:
            comment = session.get(Comment, comment_id)
            if comment is None:
                raise ApiError(404, f"No comment with id {comment_id!r}.")
            return comment_document(session, comment)


def _store(svc: Services, payload: dict[str, Any]) -> intake.Submission:
    """Commit the comment before anything is enqueued; a racing duplicate is resolved on retry.

    A new comment under a known article is one INSERT; when the database refuses it (a
    repeat, a reused id, an unknown article) the full path below says which.
    """
    try:
        with svc.db.engine.begin() as connection:  # commits on leaving the block
            return intake.insert_new_comment(connection, payload)
    except IntegrityError:
        pass
    for attempt in (1, 2):
        with svc.db.session() as session:
            try:
                submission = intake.submit_comment(session, payload)
                session.commit()
                return submission
            except intake.ConflictingComment as exc:
                raise ApiError(
                    409, f"A different comment with id {payload['id']!r} was already submitted."
                ) from exc
            except intake.UnknownArticle as exc:
                raise ApiError(
                    422,
                    "The request body is not valid; see errors for each field.",
                    {
                        "article_id": [
                            f"Unknown article {payload['article_id']!r}: register it with "
                            "PUT /api/v1/articles/<article_id> or send an inline 'article'."
                        ]
                    },
                ) from exc
            except IntegrityError:
                session.rollback()
                if attempt == 2:
                    raise
    raise AssertionError("unreachable")


def _decided(svc: Services, comment_id: str) -> bool:
    with svc.db.session() as session:
        comment = session.get(Comment, comment_id)
        return comment is not None and comment.status != "pending"
