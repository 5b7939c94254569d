"""Scrape-time gauges for ``GET /metrics``: read from Redis and the database at each scrape.

Queue depth, live workers and their model live in Redis; backlogs live in the database. Being
read when Prometheus asks, they are the same whichever web process answers, on whichever
machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import redis
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from moderation.celery_app import QUEUES
from moderation.queueing import pending_length, queue_depths
from moderation.readiness import live_workers
from moderation.services import Services
from moderation.storage.tables import CallbackDelivery, Comment, utcnow


class StateCollector:
    """Scrape-time gauges read from Redis and the database, so every web process agrees."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def collect(self) -> Iterator[Metric]:
        yield from self._redis_state()
        yield from self._database_state()

    def _redis_state(self) -> Iterator[Metric]:
        client = self.svc.redis
        depth = GaugeMetricFamily(
            "moderation_queue_depth",
            "Messages waiting in each Celery queue; classify_pending: comment ids waiting on "
            "the pending list for a classify worker.",
            labels=["queue"],
        )
        workers = GaugeMetricFamily(
            "moderation_workers_live",
            "Worker pool processes with a recent heartbeat, by queue they consume.",
            labels=["queue"],
        )
        model = GaugeMetricFamily(
            "moderation_model_info",
            "Model versions loaded by live classify workers (1 per version).",
            labels=["version"],
        )
        featurisers = GaugeMetricFamily(
            "moderation_classify_workers_by_featuriser",
            "Live classify worker processes by featuriser: compiled, or numpy (the same "
            "scores, slower: the install had no C compiler, or MODERATION_COMPILED_CORE=0).",
            labels=["featuriser"],
        )
        try:
            depths = queue_depths(client, QUEUES)
            pending = pending_length(client)
            beats = live_workers(client)
        except redis.RedisError:
            yield gauge("moderation_redis_up", "1 when Redis answered this scrape.", 0)
            return
        yield gauge("moderation_redis_up", "1 when Redis answered this scrape.", 1)
        for queue in QUEUES:
            depth.add_metric([queue], depths[queue])
            workers.add_metric([queue], sum(1 for b in beats if queue in b.queues))
        depth.add_metric(["classify_pending"], pending)
        for version in sorted({b.model_version for b in beats if b.model_version}):
            model.add_metric([version], 1)
        for name in ("compiled", "numpy"):
            featurisers.add_metric([name], sum(1 for b in beats if b.featuriser == name))
        yield depth
        yield workers
        yield model
        yield featurisers

    def _database_state(self) -> Iterator[Metric]:
        try:
            with self.svc.db.session() as session:
                now = utcnow()
                oldest = {
                    status: session.scalar(
                        select(func.min(Comment.received_at)).where(Comment.status == status)
                    )
                    for status in ("held", "pending")
                }
                counts = dict(
                    session.execute(
                        select(Comment.status, func.count())
                        .where(Comment.status.in_(("held", "pending")))
                        .group_by(Comment.status)
                    ).all()
                )
                deliveries = dict(
                    session.execute(
                        select(CallbackDelivery.status, func.count())
                        .where(CallbackDelivery.status.in_(("pending", "failed")))
                        .group_by(CallbackDelivery.status)
                    ).all()
                )
        except SQLAlchemyError:
            yield gauge("moderation_database_up", "1 when the database answered this scrape.", 0)
            return
        yield gauge("moderation_database_up", "1 when the database answered this scrape.", 1)
        for status, name in (
            ("held", "moderation_oldest_held_comment_age_seconds"),
            ("pending", "moderation_oldest_pending_comment_age_seconds"),
        ):
            first = oldest[status]
            yield gauge(
                name,
                f"Age of the oldest {status} comment (0 when there is none).",
                (now - first).total_seconds() if first else 0.0,
            )
        comments = GaugeMetricFamily(
            "moderation_comments", "Comments waiting, by status.", labels=["status"]
        )
        for status in ("pending", "held"):
            comments.add_metric([status], counts.get(status, 0))
        yield comments
        waiting = GaugeMetricFamily(
            "moderation_callback_deliveries",
            "Callback deliveries not yet delivered: pending (retrying) and failed (dead letter).",
            labels=["status"],
        )
        for status in ("pending", "failed"):
            waiting.add_metric([status], deliveries.get(status, 0))
        yield waiting


def gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
