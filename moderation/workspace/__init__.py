"""The moderator workspace: server-rendered pages under ``/moderate`` (sessions, CSRF, strict CSP).

``init_workspace`` wires Flask-Login and CSRF protection into the app. CSRF is checked only for
the workspace's own requests; the signed CMS API and the token API never use cookies.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()
login_manager = LoginManager()


def N_(message: str) -> str:
    """Mark ``message`` for the translation catalogue; it is translated where it is shown."""
    return message


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are ``Secure`` when configured, and always when the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_workspace(app: Flask) -> None:
    """Register the workspace pages, sessions and CSRF protection on ``app``."""
    from moderation.workspace import auth, pages  # noqa: F401  (routes register on the blueprint)
    from moderation.workspace.blueprint import bp
    from moderation.workspace.i18n import init_i18n

    secure = bool(app.config.get("SECURE_COOKIES"))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="moderation_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(app.config.get("SESSION_HOURS", 12))),
    )
    # Only the workspace asks for CSRF checks (in its before_request); the token lives as long
    # as the session, so a queue left open over lunch still works.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    hops = int(app.config.get("TRUSTED_PROXIES", 0))
    if hops:
        # Behind a TLS-terminating proxy: the client address (login throttling, audit) and the
        # scheme (Secure cookies) come from its X-Forwarded-* headers, trusting ``hops`` proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "workspace.login"
    login_manager.login_message = N_("Please log in to see the moderation queue.")
    login_manager.localize_callback = gettext  # flashed in the moderator's language
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    init_i18n(app)
    app.register_blueprint(bp)
