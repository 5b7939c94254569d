"""Worker entry point: ``celery -A workers.app worker``."""

from moderation import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]

import workers.tasks  # noqa: E402, F401  (registers the tasks on celery_app)
