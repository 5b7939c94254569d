"""Workspace pages: the queue, deciding comments (one or many), and the audit log."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from marshmallow import ValidationError

from moderation import accounts, audit, queue, review
from moderation.api.moderator_schemas import (
    AuditPageSchema,
    AuditQuerySchema,
    QueueQuerySchema,
)
from moderation.decisions import STATUS_FOR_ACTION
from moderation.queueing import enqueue_delivery
from moderation.review import REJECT_REASONS
from moderation.schemas import MAX_ID_CHARS
from moderation.services import Services
from moderation.workspace.auth import safe_next
from moderation.workspace.blueprint import bp
from moderation.workspace.highlight import highlight
from moderation.workspace.i18n import ACTION_NAMES, REJECT_REASON_NAMES, name_of

MAX_BULK = 200


def services() -> Services:
    return current_app.extensions["moderation"]


@bp.get("/")
def home() -> Any:
    """Send moderators to their queue."""
    return redirect(url_for("workspace.queue"))


@bp.route("/<path:unknown>", methods=["GET", "HEAD", "POST"])
def not_found(unknown: str) -> Any:
    """Any other URL under /moderate: the workspace's own 404 page (in the moderator's
    language), not the API's JSON error."""
    abort(404)


@bp.get("/queue", endpoint="queue")
def queue_page() -> Any:
    """The queue: held comments oldest first (or model decisions), filtered, with counts per reason."""
    try:
        spec: queue.QueueFilter = QueueQuerySchema().load(request.args)
    except ValidationError as exc:
        flash(_invalid_filters(exc), "error")
        status = request.args.get("status", "held")
        spec = QueueQuerySchema().load({"status": status if status in queue.STATUSES else "held"})
    if spec.status != "held" and spec.decided_by is None:
        spec = replace(spec, decided_by="model")
    with services().db.session() as db:
        spec = queue.with_near_copies(db, spec, services().policy.repetition)
        try:
            page = queue.list_queue(db, spec)
        except queue.BadCursor:
            flash(gettext("That page link is no longer valid; showing the first page."), "error")
            spec = replace(spec, cursor=None)
            page = queue.list_queue(db, spec)
        counts = queue.reason_counts(db, spec)
        total = queue.count_queue(db, spec)
        section_names = queue.sections(db, spec.status)
        language_codes = queue.languages(db, spec.status)
    return render_template(
        "moderate/queue.html",
        page=page,
        spec=spec,
        total=total,
        active=spec.status,
        counts=counts,
        sections=section_names,
        languages=language_codes,
        reject_reasons=REJECT_REASONS,
        highlight=highlight,
        waiting=waiting_text,
    )


@bp.post("/review")
def review_comments() -> Any:
    """Approve or reject the selected comments; say which ones someone else decided first."""
    svc = services()
    # An id no comment can have (empty, longer than any, with a NUL) selects nothing.
    ids = [
        i
        for i in request.form.getlist("comment_id")
        if 0 < len(i) <= MAX_ID_CHARS and "\x00" not in i
    ]
    ids = list(dict.fromkeys(ids))[:MAX_BULK]
    back = safe_next(request.form.get("next"))
    if not ids:
        flash(gettext("Select at least one comment first."), "error")
        return redirect(back, code=303)
    try:
        decision = review.make_review(
            request.form.get("action", ""),
            request.form.get("reason_code"),
            request.form.get("note"),
        )
    except review.InvalidReview as exc:
        problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.errors.items())
        flash(gettext("Nothing was changed. %(problems)s", problems=problems), "error")
        return redirect(back, code=303)
    done = 0
    for comment_id in ids:
        try:
            outcome = review.submit_review(
                svc.db.session,
                comment_id,
                decision,
                current_user.username,
                callback_url=svc.config["CALLBACK_URL"],
                via="workspace" if len(ids) == 1 else "workspace-bulk",
            )
        except review.ReviewError as exc:
            flash(
                gettext("Comment %(id)s: %(problem)s", id=comment_id, problem=_problem(exc)),
                "error",
            )
            continue
        done += 1
        if outcome.delivery_id is not None:
            enqueue_delivery(current_app.extensions["celery"], outcome.delivery_id)
    if done and decision.action == "approve":
        flash(ngettext("Approved %(num)d comment.", "Approved %(num)d comments.", done), "success")
    elif done:
        reason = name_of(REJECT_REASON_NAMES, decision.reason_code)
        flash(
            ngettext(
                "Rejected (%(reason)s) %(num)d comment.",
                "Rejected (%(reason)s) %(num)d comments.",
                done,
                reason=reason,
            ),
            "success",
        )
    return redirect(back, code=303)


@bp.get("/audit")
def audit_page() -> Any:
    """The audit log with filters by moderator, event and comment."""
    spec, entries, next_before = _audit_entries()
    return render_template(
        "moderate/audit.html",
        active="audit",
        spec=spec,
        entries=entries,
        next_before=next_before,
        events=audit.EVENTS,
    )


@bp.get("/audit.json")
def audit_json() -> Any:
    """The same audit log as JSON."""
    _, entries, next_before = _audit_entries()
    return jsonify(
        AuditPageSchema().dump(
            {"entries": [audit.entry_document(e) for e in entries], "next_before": next_before}
        )
    )


def _audit_entries() -> tuple[audit.AuditFilter, list[Any], int | None]:
    try:
        spec: audit.AuditFilter = AuditQuerySchema().load(request.args)
    except ValidationError as exc:
        flash(_invalid_filters(exc), "error")
        spec = audit.AuditFilter()
    with services().db.session() as db:
        entries, next_before = audit.list_entries(db, spec)
    return spec, entries, next_before


def _invalid_filters(exc: ValidationError) -> str:
    return gettext(
        "Some filters were not valid and were ignored: %(fields)s",
        fields=", ".join(exc.messages),
    )


def _problem(exc: review.ReviewError) -> str:
    """A review error in the moderator's language (the API keeps the English message)."""
    if isinstance(exc, review.AlreadyDecided):
        return gettext(
            "Already decided by %(who)s (%(action)s, %(when)s).",
            who=exc.decided_by,
            action=name_of(ACTION_NAMES, STATUS_FOR_ACTION.get(exc.action, exc.action)),
            when=exc.decided_at.strftime("%Y-%m-%d %H:%M UTC"),
        )
    if isinstance(exc, review.CommentNotFound):
        return gettext("There is no such comment.")
    if isinstance(exc, review.NotReviewable):
        return gettext("The comment is still waiting for the model's decision.")
    return str(exc)


def waiting_text(seconds: float) -> str:
    """How long a comment has waited, the way people say it: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    s = int(seconds)
    if s < 60:
        return gettext("%(s)d s", s=s)
    if s < 3600:
        return gettext("%(min)d min", min=s // 60)
    if s < 86400:
        return gettext("%(h)d h %(min)d min", h=s // 3600, min=s % 3600 // 60)
    return gettext("%(d)d d %(h)d h", d=s // 86400, h=s % 86400 // 3600)


@bp.get("/users")
def users_page() -> Any:
    """Accounts and their state, for admins (accounts are changed with the ``moderation`` command)."""
    if current_user.role != "admin":
        abort(403, gettext("Only admins can see the list of accounts."))
    with services().db.session() as db:
        users = accounts.list_users(db)
        tokens = accounts.token_counts(db)
    return render_template("moderate/users.html", active="users", users=users, tokens=tokens)
