"""Is the service able to decide comments right now? Worker heartbeats and the readiness checks.

Every Celery pool process writes a small heartbeat to Redis every few seconds (its host, pid,
queues and the model version it has loaded) with a time-to-live of three beats, so a killed
worker disappears on its own. ``/readyz`` and ``/metrics`` read them: this works across
machines that share one Redis, and asks nothing of the workers at request time.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import redis
from flask import Flask
from sqlalchemy import text

from moderation.classifier import compiled as compiled_core
from moderation.services import Services

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "moderation:workers:{}"
_started = False


@dataclass(frozen=True)
class Heartbeat:
    hostname: str
    pid: int
    queues: list[str]
    model_version: str | None
    model_error: str | None
    at: float
    # "compiled" or "numpy" (moderation.classifier.compiled); None from a process that does
    # not classify, or from a worker older than this field.
    featuriser: str | None = None

    @property
    def classifies(self) -> bool:
        return "classify" in self.queues


@dataclass
class Check:
    ok: bool
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail, **self.extra}


def beat_once(app: Flask, queues: list[str], hostname: str) -> Heartbeat:
    """Write this process's heartbeat; load the model first if this process classifies."""
    svc: Services = app.extensions["moderation"]
    version, error, featuriser = None, None, None
    if "classify" in queues:
        try:
            version = svc.scorer.model_version  # loads it once per process (cached in Services)
        except Exception as exc:  # a missing or broken model must show, not kill the heartbeat
            error = f"{type(exc).__name__}: {exc}"[:300]
        featuriser = "compiled" if compiled_core.enabled() else "numpy"
    beat = Heartbeat(hostname, os.getpid(), queues, version, error, time.time(), featuriser)
    ttl = max(1, round(3 * app.config["HEARTBEAT_INTERVAL"]))
    svc.redis.set(HEARTBEAT_KEY.format(f"{hostname}:{beat.pid}"), json.dumps(beat.__dict__), ex=ttl)
    return beat


def start_heartbeat(app: Flask) -> None:
    """Start the heartbeat thread of this pool process (called from ``worker_process_init``)."""
    global _started
    if _started:
        return
    _started = True
    queues = consumed_queues(app.extensions["celery"])
    hostname = socket.gethostname()
    interval = app.config["HEARTBEAT_INTERVAL"]

    def loop() -> None:
        last_error = ""
        while True:
            try:
                beat = beat_once(app, queues, hostname)
                if beat.model_error and beat.model_error != last_error:
                    log.error("model not available", extra={"error": beat.model_error})
                last_error = beat.model_error or ""
            except redis.RedisError as exc:
                if last_error != "redis":
                    log.warning("heartbeat not written", extra={"error": str(exc)})
                last_error = "redis"
            except Exception:  # never let the thread die silently
                log.exception("heartbeat failed")
            time.sleep(interval)

    threading.Thread(target=loop, name="moderation-heartbeat", daemon=True).start()


def consumed_queues(celery: Celery) -> list[str]:
    """The queues this worker process takes tasks from (all of them when not narrowed)."""
    return sorted(celery.amqp.queues.consume_from or celery.amqp.queues)


def live_workers(client: redis.Redis) -> list[Heartbeat]:
    """Heartbeats that have not expired, i.e. pool processes seen in the last three beats."""
    beats = []
    keys = list(client.scan_iter(match=HEARTBEAT_KEY.format("*"), count=500))
    for raw in client.mget(keys) if keys else []:
        if raw:
            beats.append(Heartbeat(**json.loads(raw)))
    return beats


def check(svc: Services) -> dict[str, Check]:
    """Database, Redis, at least one live classify worker, and a model loaded in one."""
    checks: dict[str, Check] = {}
    try:
        with svc.db.session() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = Check(True, "reachable")
    except Exception as exc:
        checks["database"] = Check(False, f"unreachable: {type(exc).__name__}: {exc}"[:300])
    try:
        svc.redis.ping()
        beats = live_workers(svc.redis)
        checks["redis"] = Check(True, "reachable")
    except redis.RedisError as exc:
        checks["redis"] = Check(False, f"unreachable: {exc}"[:300])
        checks["classify_workers"] = Check(False, "unknown: Redis is unreachable")
        checks["model"] = Check(False, "unknown: Redis is unreachable")
        return checks
    classifiers = [b for b in beats if b.classifies]
    checks["classify_workers"] = Check(
        bool(classifiers),
        f"{len(classifiers)} live classify worker processes"
        if classifiers
        else "no live classify worker (none has sent a heartbeat recently)",
        {"live": len(classifiers)},
    )
    versions = sorted({b.model_version for b in classifiers if b.model_version})
    errors = sorted({b.model_error for b in classifiers if b.model_error})
    featurisers = sorted({b.featuriser for b in classifiers if b.featuriser})
    if versions:
        checks["model"] = Check(True, "loaded", {"versions": versions, "featurisers": featurisers})
    elif errors:
        checks["model"] = Check(False, f"not loaded: {errors[0]}", {"errors": errors})
    else:
        checks["model"] = Check(False, "not loaded by any live classify worker")
    return checks
