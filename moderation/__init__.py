"""Reader-comment moderation service: a Flask app factory wiring the CMS API, workers and storage."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from moderation import settings
from moderation.classifier import Scorer


def create_app(config: dict[str, Any] | None = None, *, scorer: Scorer | None = None) -> Flask:
    """Build the app: defaults and environment first, then the ``config`` mapping (tests)."""
    from moderation import metrics
    from moderation.api import cms, moderator, ops
    from moderation.celery_app import celery_init_app
    from moderation.errors import ModerationApi, register_error_handlers
    from moderation.logs import configure_logging
    from moderation.services import Services
    from moderation.workspace import init_workspace

    app = Flask(__name__, instance_path=os.environ.get("MODERATION_INSTANCE_PATH") or None)
    app.config.update(settings.from_environment(instance_path=app.instance_path))
    app.config.update(
        API_TITLE="Comment moderation",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    if config:
        app.config.update(config)
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or os.urandom(32).hex()
    configure_logging(app.config["LOG_LEVEL"])

    app.extensions["moderation"] = Services(app.config, scorer=scorer)
    celery_init_app(app)

    api = ModerationApi(app)
    api.register_blueprint(cms.blp)
    api.register_blueprint(moderator.blp)
    init_workspace(app)
    app.register_blueprint(ops.blp)
    register_error_handlers(app)
    metrics.init_app(app)
    return app
