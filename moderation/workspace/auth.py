"""Logging in and out of the workspace, and loading the moderator behind a session."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_user, logout_user

from moderation import accounts, audit
from moderation.login_throttle import LockoutPolicy
from moderation.services import Services
from moderation.storage.moderators import User
from moderation.storage.tables import utcnow
from moderation.workspace import login_manager
from moderation.workspace.blueprint import bp


def services() -> Services:
    return current_app.extensions["moderation"]


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, if the account still exists and is active (a disabled one is out)."""
    if not user_id.isdigit():
        return None
    with services().db.session() as db:
        user = db.get(User, int(user_id))
        return user if user is not None and user.active else None


def lockout_policy() -> LockoutPolicy:
    config = current_app.config
    return LockoutPolicy(
        max_failures=config.get("LOGIN_MAX_FAILURES", 5),
        window_seconds=config.get("LOGIN_LOCKOUT_SECONDS", 900.0),
        lockout_seconds=config.get("LOGIN_LOCKOUT_SECONDS", 900.0),
    )


def safe_next(target: str | None) -> str:
    """Only ever redirect inside the workspace (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/moderate"):
            return target
    return url_for("workspace.queue")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the login form, or check the credentials and start a session."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("workspace.queue"))
        return render_template("moderate/login.html", next=request.args.get("next", ""))
    # No account name holds a NUL (and PostgreSQL cannot compare one): such a name is no one's.
    username = request.form.get("username", "").replace("\x00", "").strip()[:64]
    password = request.form.get("password", "")[:1024]
    next_url = request.form.get("next", "")
    with services().db.session() as db:
        result = accounts.authenticate(
            db, username, password, lockout_policy(), ip=request.remote_addr
        )
        name = accounts.normalise_username(username) or "(blank)"
        if result.user is None:
            event = "login_locked" if result.locked_until else "login_failed"
            audit.record(db, name, event, ip=request.remote_addr)
        else:
            audit.record(db, result.user.username, "login", ip=request.remote_addr)
        db.commit()
    if result.user is None:
        if result.locked_until is not None:
            minutes = max(1, round((result.locked_until - utcnow()).total_seconds() / 60))
            message = ngettext(
                "Too many failed logins. Try again in %(num)d minute.",
                "Too many failed logins. Try again in %(num)d minutes.",
                minutes,
            )
            status = 429
        else:
            message = gettext("Wrong username or password, or the account is disabled.")
            status = 401
        return render_template(
            "moderate/login.html", error=message, username=username, next=next_url
        ), status
    session.clear()  # a fresh session on login: no fixation
    session.permanent = True
    login_user(result.user)
    return redirect(safe_next(next_url), code=303)


@bp.post("/logout")
def logout() -> Any:
    """End the session."""
    username = current_user.username
    with services().db.session() as db:
        audit.record(db, username, "logout", ip=request.remote_addr)
        db.commit()
    logout_user()
    session.clear()
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("workspace.login"), code=303)
