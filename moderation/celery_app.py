"""Celery wired into the Flask app (as in Flask's own Celery example), configured once."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task, signals
from flask import Flask
from kombu import Queue

QUEUES = ("classify", "callbacks", "maintenance")


def celery_config(config: dict[str, Any]) -> dict[str, Any]:
    # Task defaults live here, once, not repeated per decorator.
    return {
        "broker_url": config["REDIS_URL"],
        "result_backend": None,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": "classify",
        "task_queues": [Queue(name) for name in QUEUES],
        "task_routes": {
            "moderation.classify_comment": {"queue": "classify"},
            "moderation.classify_pending": {"queue": "classify"},
            "moderation.deliver_callback": {"queue": "callbacks"},
            "moderation.sweep": {"queue": "maintenance"},
        },
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "visibility_timeout": 3600,
            "socket_connect_timeout": 2,
            "socket_timeout": 10,
            # Publishing gives up fast: intake must stay quick while Redis is down (the sweeper
            # enqueues what was stored meanwhile).
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        "beat_schedule": {
            "sweep": {"task": "moderation.sweep", "schedule": config["SWEEP_INTERVAL"]},
        },
        "worker_hijack_root_logger": False,
        # A hung task (a pathological comment, a stuck connection) frees its process after
        # this; the sweeper re-enqueues the comment and the failure policy holds it if needed.
        "task_time_limit": 120,
        # Off: /metrics covers monitoring, and events cost the worker's main process about a
        # third of its time per task. `celery -A workers.app control enable_events` for Flower.
        "worker_send_task_events": False,
        "task_send_sent_event": False,
    }


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    @signals.worker_process_init.connect(weak=False)
    def _fresh_connections(**_: object) -> None:
        # Connections must not be shared across fork: each pool process opens its own.
        app.extensions["moderation"].db.engine.dispose(close=False)

    @signals.worker_init.connect(weak=False)
    def _models_before_the_pool(**_: object) -> None:
        # A classify worker's main process loads the models before it starts its pool: once
        # per worker rather than once per pool process, and the forked processes share the
        # models' memory pages (copy-on-write; ``settle_after_loading`` froze them out of the
        # garbage collector's sight, so it does not write to them). With a solo or threads
        # pool this process classifies itself, and loads them first either way.
        from moderation.readiness import consumed_queues

        if "classify" in consumed_queues(app.extensions["celery"]):
            app.extensions["moderation"].load_models_now()

    @signals.worker_process_init.connect(weak=False)
    def _heartbeat(**_: object) -> None:
        # Tells /readyz and /metrics this process is alive, its queues and its model.
        from moderation.readiness import start_heartbeat

        start_heartbeat(app)

    from moderation import log_context

    log_context.install()  # the comment id on Celery's own log lines too
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(app.config))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
