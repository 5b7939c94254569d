"""The composition root: one object that wires configuration to adapters.

Views and tasks reach the database, the policy, Redis and the model through here, and tests
can hand in a fake scorer. Expensive things (the model, the Redis pool) are made on first use
and then cached for the life of the process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import redis

from moderation.callbacks import RetryPolicy
from moderation.classifier import Scorer, settle_after_loading
from moderation.domain.policy import Policy
from moderation.policy_file import load_policy
from moderation.storage.database import Database

log = logging.getLogger(__name__)


class Services:
    def __init__(self, config: dict[str, Any], *, scorer: Scorer | None = None) -> None:
        self.config = config
        self.db = Database(
            config["DATABASE_URL"], sqlite_synchronous=config.get("SQLITE_SYNCHRONOUS", "NORMAL")
        )
        self.policy: Policy = load_policy(config["POLICY_FILE"])
        self._scorer = scorer
        self._redis: redis.Redis | None = None
        self._scorer_lock = threading.Lock()

    @property
    def scorer(self) -> Scorer:
        if self._scorer is None:
            with self._scorer_lock:  # the heartbeat thread and a task may ask at once
                if self._scorer is None:
                    from moderation.classifier import load_scorer

                    started = time.perf_counter()
                    self._scorer = load_scorer(Path(self.config["MODELS_DIR"]))
                    settle_after_loading()
                    log.info(
                        "models loaded",
                        extra={
                            "model_version": self._scorer.model_version,
                            "pid": os.getpid(),
                            "seconds": round(time.perf_counter() - started, 3),
                        },
                    )
        return self._scorer

    def load_models_now(self) -> None:
        """Load the models in this process now (a worker's main process, before it forks its
        pool: see ``celery_app``); a failure is logged, and each pool process then tries again
        and reports it in its heartbeat, as without this."""
        try:
            self.scorer  # noqa: B018  (the property loads them)
        except Exception as exc:
            log.error("models not loaded before the pool started", extra={"error": str(exc)})

    @property
    def redis(self) -> redis.Redis:
        if self._redis is None:
            self._redis = redis.Redis.from_url(
                self.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=5
            )
        return self._redis

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            base=self.config["CALLBACK_BACKOFF_BASE"],
            maximum=self.config["CALLBACK_BACKOFF_MAX"],
            give_up_after=self.config["CALLBACK_GIVE_UP_AFTER"],
        )
