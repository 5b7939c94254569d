"""Prometheus metrics, correct across gunicorn and Celery processes.

Counters and histograms are incremented where things happen (intake in the web processes,
decisions and callbacks in the workers). With ``PROMETHEUS_MULTIPROC_DIR`` set (``make run``
sets it; production must too, one empty directory per machine, wiped at start) every process
writes its values to files there and ``GET /metrics`` adds them up (prometheus-client's
multiprocess mode). State that lives elsewhere (queue depth in Redis, oldest held comment in
the database, the model the live workers serve) is read at scrape time, so it is right
whichever process answers (``moderation.metrics_state``). Every name starts with ``moderation_``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from moderation.domain.scores import SCORE_NAMES

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900)
INTAKE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

COMMENTS_RECEIVED = Counter(
    "moderation_comments_received",
    "Comment webhook requests, by outcome (accepted, duplicate, invalid, unauthorized, conflict, error).",
    ["outcome"],
)
INTAKE_DURATION = Histogram(
    "moderation_intake_duration_seconds",
    "Time to answer a comment webhook request; wait=1 when the CMS asked to wait for the decision.",
    ["wait"],
    buckets=INTAKE_BUCKETS,
)
DECISIONS = Counter(
    "moderation_decisions",
    "First decisions on comments, by action, main reason, who decided (model or system), "
    "detected language and model version (none for the system's).",
    ["action", "reason", "decided_by", "language", "model"],
)
# A language label is a detector's code ("en", "ru", "ru-Latn", "kk", ...; "und" when none
# was detected); anything else is counted as "other", so the label set stays small.
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?")
DECISION_LATENCY = Histogram(
    "moderation_decision_latency_seconds",
    "Time from receipt of a comment to its first decision.",
    ["decided_by"],
    buckets=LATENCY_BUCKETS,
)
CALLBACK_ATTEMPTS = Counter(
    "moderation_callback_attempts",
    "Attempts to deliver a decision to the CMS, by outcome (delivered, http_error, network_error).",
    ["outcome"],
)
CALLBACK_GIVEN_UP = Counter(
    "moderation_callback_dead_letters",
    "Deliveries that gave up and went to the dead-letter list.",
)
OVERTURNS = Counter(
    "moderation_overturns",
    "Moderator decisions that changed a model's approve or reject, by the comment's language.",
    ["from_action", "to_action", "language"],
)
REVIEWS = Counter(
    "moderation_reviews",
    "Moderator decisions, by the action in force before (hold, approve, reject, none), the "
    "moderator's action and the comment's language.",
    ["from_action", "to_action", "language"],
)
# Model monitoring: what the models say, per score and language. A shift in these, with no
# change of model, means the comments changed (a new audience, a campaign, a CMS sending
# articles differently): docs/operations.md, "Alerts and runbook".
SCORE_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
MODEL_SCORES = Histogram(
    "moderation_model_score",
    "Scores of the comments the models decided, by score (toxicity, off_topic, spam), detected "
    "language and model version (two while a new model is rolled out: compare them).",
    ["score", "language", "model"],
    buckets=SCORE_BUCKETS,
)
SCORES_MISSING = Counter(
    "moderation_model_scores_missing",
    "Comments in a language with models that came without one score, by score and language "
    "(off_topic: the CMS sent no article text).",
    ["score", "language"],
)
SCORING_DURATION = Histogram(
    "moderation_scoring_duration_seconds",
    "Time the models took for one batch of comments (language, three scores, explanations, "
    "policy), in a classify worker.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
SCORING_BATCH_SIZE = Histogram(
    "moderation_scoring_batch_size",
    "Comments per batch the models scored; with moderation_scoring_duration_seconds, the time "
    "per comment.",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200),
)
ENQUEUE_FAILURES = Counter(
    "moderation_enqueue_failures",
    "Tasks that could not be sent to Redis (the sweeper sends them again later).",
    ["task"],
)
SWEEPER_ACTIONS = Counter(
    "moderation_sweeper_actions",
    "What the sweeper did: requeued pending comments, held overdue ones, sent due callbacks.",
    ["action"],
)


def record_intake(outcome: str, seconds: float, wait: bool) -> None:
    COMMENTS_RECEIVED.labels(outcome).inc()
    INTAKE_DURATION.labels("1" if wait else "0").observe(seconds)


def record_decision(
    action: str,
    reasons: list[Any],
    decided_by: str,
    received_at: datetime,
    decided_at: datetime,
    language: str | None = None,
    model_version: str | None = None,
) -> None:
    """Count a first decision and observe its receipt-to-decision latency."""
    reason = str(reasons[0].get("code", "unknown")) if reasons else "none"
    by = "model" if decided_by == "model" else "system"
    model = model_label(model_version)
    DECISIONS.labels(action, reason, by, language_label(language), model).inc()
    DECISION_LATENCY.labels(by).observe(max(0.0, (decided_at - received_at).total_seconds()))


def language_label(language: str | None) -> str:
    """A detected language as a metric label: its code, ``und`` for none, ``other`` for anything
    that is not a plain code (the label set stays small, and no text reaches a label)."""
    code = language or "und"
    return code if _LANGUAGE_CODE.fullmatch(code) else "other"


_MODEL_VERSION = re.compile(r"[\w.+-]{1,64}")


def model_label(model_version: str | None) -> str:
    """A model version as a metric label: ``none`` without one, ``other`` if it is not a plain
    version string."""
    if not model_version:
        return "none"
    return model_version if _MODEL_VERSION.fullmatch(model_version) else "other"


def record_scores(
    scores: Mapping[str, Any], language: str | None, model_version: str | None
) -> None:
    """Observe a model decision's scores. A comment that got no score at all (a language
    without models) is counted by ``moderation_decisions_total`` and not here."""
    values = {name: scores.get(name) for name in SCORE_NAMES}
    if all(v is None for v in values.values()):
        return
    code, model = language_label(language), model_label(model_version)
    for name, score in values.items():
        if score is None:
            SCORES_MISSING.labels(name, code).inc()
        else:
            MODEL_SCORES.labels(name, code, model).observe(float(score))


def record_scoring(seconds: float, comments: int) -> None:
    """Observe one batch's model time (see :data:`SCORING_DURATION`)."""
    SCORING_DURATION.observe(max(0.0, seconds))
    SCORING_BATCH_SIZE.observe(comments)


def record_callback_attempt(status_code: int | None, delivered: bool, gave_up: bool) -> None:
    if delivered:
        outcome = "delivered"
    elif status_code is None:
        outcome = "network_error"
    else:
        outcome = "http_error"
    CALLBACK_ATTEMPTS.labels(outcome).inc()
    if gave_up:
        CALLBACK_GIVEN_UP.inc()


def record_review(previous_action: str | None, action: str, language: str | None) -> None:
    """Count a moderator's decision; an approve or reject it changes is also an overturn (a held
    comment is the model asking, so deciding it overturns nothing)."""
    code = language_label(language)
    REVIEWS.labels(previous_action or "none", action, code).inc()
    if previous_action in {"approve", "reject"} and previous_action != action:
        OVERTURNS.labels(previous_action, action, code).inc()


def record_enqueue_failure(task: str) -> None:
    ENQUEUE_FAILURES.labels(task.rsplit(".", 1)[-1]).inc()


def record_sweep(requeued: int, held: int, deliveries: int) -> None:
    for action, count in (("requeued", requeued), ("held", held), ("callbacks", deliveries)):
        if count:
            SWEEPER_ACTIONS.labels(action).inc(count)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class _ThisProcess:
    """The default registry of this process (single-process mode: tests, a plain dev server)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def render(state_collector: Collector | None = None) -> tuple[bytes, str]:
    """The text a Prometheus scrape gets: every process's counters plus scrape-time state."""
    registry = CollectorRegistry(auto_describe=False)
    path = multiprocess_dir()
    if path:
        MultiProcessCollector(registry, path=path)
    else:
        registry.register(_ThisProcess())
    if state_collector is not None:
        registry.register(state_collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def intake_outcome(status: int, created: bool | None) -> str:
    """Name what happened to one comment webhook request, from its answer."""
    if status in (200, 202):
        return "duplicate" if created is False else "accepted"
    if status == 401:
        return "unauthorized"
    if status == 409:
        return "conflict"
    if status >= 500:
        return "error"
    return "invalid"


INTAKE_PATH = "/api/v1/comments"


def init_app(app: Flask) -> None:
    """Time and count every comment webhook request, whatever its answer (invalid ones too)."""

    @app.before_request
    def _start_clock() -> None:
        if request.path == INTAKE_PATH:
            g.intake_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.pop("intake_started", None)
        if started is not None and request.method == "POST":
            record_intake(
                intake_outcome(response.status_code, g.get("intake_created")),
                time.perf_counter() - started,
                wait=request.args.get("wait", "0") not in ("", "0"),
            )
        return response


def mark_process_dead(pid: int) -> None:
    """Drop a dead process's live gauges (gunicorn's ``child_exit`` hook calls this)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def serve(port: int, addr: str = "0.0.0.0") -> None:  # pragma: no cover - a tiny exporter
    """Expose this machine's worker metrics on ``port`` (for worker-only machines)."""
    from prometheus_client import start_http_server

    path = multiprocess_dir()
    if not path:
        raise SystemExit("PROMETHEUS_MULTIPROC_DIR must be set (the directory the workers use)")
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, path=path)
    start_http_server(port, addr=addr, registry=registry)
    while True:
        time.sleep(3600)


if __name__ == "__main__":  # pragma: no cover
    import sys

    serve(
        int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MODERATION_METRICS_PORT") or 9101)
    )
