"""Operations endpoints: liveness, readiness and Prometheus metrics (no CMS signature)."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, current_app, request

from moderation import metrics, readiness
from moderation.errors import ApiError
from moderation.metrics_state import StateCollector

blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Answer 200 while the web process is up."""
    return {"status": "ok"}, 200


@blp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Answer 200 only when the database, Redis, a live classify worker and its model are there."""
    checks = readiness.check(current_app.extensions["moderation"])
    ready = all(c.ok for c in checks.values())
    failing = [name for name, c in checks.items() if not c.ok]
    body = {
        "status": "ready" if ready else "unready",
        "failing": failing,
        "checks": {name: c.document() for name, c in checks.items()},
    }
    return body, 200 if ready else 503


@blp.get("/metrics")
def prometheus_metrics() -> Response:
    """Every process's counters and the current queue, backlog and model state, for Prometheus."""
    token = current_app.config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise ApiError(401, "Send the metrics token as Authorization: Bearer <token>.")
    body, content_type = metrics.render(StateCollector(current_app.extensions["moderation"]))
    return Response(body, content_type=content_type)
