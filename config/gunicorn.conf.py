"""gunicorn settings for the web process (every value can be overridden from the environment)."""

import os

bind = os.environ.get("MODERATION_BIND", "127.0.0.1:" + os.environ.get("PORT", "8000"))
# Three on the 2-core machine `make run` is measured on: at saturation the web needs about 60%
# of the CPU and the two classify processes the rest; with only two web processes the kernel's
# fair share starves intake (bench/load.py: ~290 against ~370 decisions/s).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threads let ?wait requests block without starving intake.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "16"))
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 10000
max_requests_jitter = 500
accesslog = "-" if os.environ.get("MODERATION_ACCESS_LOG") == "1" else None
errorlog = "-"
loglevel = os.environ.get("MODERATION_LOG_LEVEL", "info").lower()
# The webhook body limit is enforced by Flask (64 KiB); this bounds header abuse.
limit_request_field_size = 8190


def child_exit(server: object, worker: object) -> None:
    # Drop the dead worker's live gauges from PROMETHEUS_MULTIPROC_DIR (moderation.metrics).
    from moderation.metrics import mark_process_dead

    mark_process_dead(worker.pid)  # type: ignore[attr-defined]
