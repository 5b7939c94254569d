"""The ``/moderate`` blueprint and what every workspace request goes through.

Every page needs a logged-in, active moderator (except the login page); every state-changing
request needs the CSRF token; every response carries a strict Content-Security-Policy, so even
a templating mistake could not run a comment's HTML or script.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from moderation.workspace import N_, csrf, login_manager

log = logging.getLogger(__name__)

bp = Blueprint("workspace", __name__, url_prefix="/moderate")

PUBLIC_ENDPOINTS = frozenset({"workspace.login", "workspace.choose_language"})
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@bp.before_request
def require_login_and_csrf() -> Any:
    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        csrf.protect()
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.after_request
def security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> Any:
    message = gettext(
        "This form is missing its security token or it has expired. Reload the page and try again."
    )
    return render_template("moderate/error.html", code=400, message=message), 400


# The workspace's own words for the errors Werkzeug describes in English (a description we
# wrote ourselves, with abort(code, message), is already in the moderator's language).
STANDARD_ERRORS = {
    400: N_("The request was not valid."),
    403: N_("You are not allowed to see this page."),
    404: N_("There is no such page."),
    413: N_("What was sent is too large."),
    429: N_("Too many requests; wait a little and try again."),
}


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Any:
    code = error.code or 500
    message = error.description
    if message == type(error).description and code in STANDARD_ERRORS:
        message = gettext(STANDARD_ERRORS[code])
    return render_template("moderate/error.html", code=code, message=message), code


@bp.errorhandler(Exception)
def unexpected_error(error: Exception) -> Any:
    log.exception("unhandled error in the workspace")
    message = gettext("Something went wrong on our side; the error was logged.")
    return render_template("moderate/error.html", code=500, message=message), 500
