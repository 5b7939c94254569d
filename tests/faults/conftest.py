"""The fault tier: the real service processes (gunicorn, Celery workers, beat, redis-server)
on PostgreSQL, with parts killed and restarted while comments flow.

Each test builds a :class:`Stack` on its own Redis and its own database, so killing Redis or a
worker in one test cannot touch another. Waits poll the database; nothing sleeps blindly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from moderation.storage.database import Database
from moderation.storage.tables import CallbackDelivery, Comment, Decision
from tests.support.cms import CallbackLog, _handler
from tests.support.processes import GunicornProcess, service_env
from tests.support.servers import RedisServer, free_port, postgres_database
from tests.support.signed import CALLBACK_SECRET, SECRET, encode, signed_headers
from tests.support.worker import WorkerProcess

ARTICLE = {
    "title": "Kazakhstan and Uzbekistan sign a water-sharing agreement",
    "body": "The two governments agreed on how to share the water of the Syr Darya river.",
    "language": "en",
}
FINAL = ("approved", "held", "rejected")


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True  # come back on the same port right after going down
    daemon_threads = True


class Cms:
    """A stand-in CMS callback endpoint on a fixed port that can go down and come back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/moderation-callback"
        self.log = CallbackLog(secret=CALLBACK_SECRET)
        self._server: _Server | None = None

    def up(self) -> None:
        if self._server is None:
            self._server = _Server(("127.0.0.1", self.port), _handler(self.log))
            threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def keys_for(self, comment_id: str) -> list[str]:
        with self.log.lock:
            return [
                key
                for key, payload in zip(self.log.idempotency_keys, self.log.received, strict=True)
                if payload["comment_id"] == comment_id
            ]


@dataclass
class Stack:
    """The service's processes for one test, started and stopped by name."""

    config: dict[str, Any]
    tmp: Path
    redis: RedisServer
    cms: Cms
    db: Database
    processes: dict[str, Any] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return service_env(self.config, self.tmp, PROMETHEUS_MULTIPROC_DIR=str(self.tmp / "prom"))

    def web(self) -> GunicornProcess:
        web = GunicornProcess(self.env, self.tmp / "web.log", workers=1)
        self.processes["web"] = web
        web.start()
        return web

    def worker(
        self, name: str, queues: str, concurrency: int = 1, beat: bool = False
    ) -> WorkerProcess:
        worker = WorkerProcess(
            self.env,
            queues=queues,
            concurrency=concurrency,
            beat=beat,
            log_path=self.tmp / f"{name}.log",
        )
        self.processes[name] = worker
        worker.start(timeout=90)
        return worker

    def stop_all(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
        self.processes.clear()

    # --- the CMS side -------------------------------------------------------------------

    def send(self, method: str, path: str, payload: Any) -> requests.Response:
        body = encode(payload)
        base = self.processes["web"].base
        return requests.request(
            method, base + path, data=body, headers=signed_headers(body), timeout=30
        )

    def post_comment(self, comment_id: str, text: str | None = None) -> requests.Response:
        return self.send(
            "POST",
            "/api/v1/comments",
            {
                "id": comment_id,
                "article_id": "a1",
                "author": {"name": "Reader"},
                "text": text or f"Comment {comment_id}: sharing the river water fairly matters.",
            },
        )

    def register_article(self) -> None:
        assert self.send("PUT", "/api/v1/articles/a1", ARTICLE).status_code == 201

    # --- what the database says ---------------------------------------------------------

    def statuses(self, ids: list[str]) -> dict[str, str]:
        with self.db.session() as session:
            rows = session.execute(select(Comment.id, Comment.status).where(Comment.id.in_(ids)))
            return dict(rows.all())

    def decided(self, ids: list[str]) -> int:
        return sum(1 for s in self.statuses(ids).values() if s in FINAL)

    def decisions_per_comment(self, ids: list[str]) -> dict[str, int]:
        with self.db.session() as session:
            rows = session.execute(
                select(Decision.comment_id, func.count())
                .where(Decision.comment_id.in_(ids))
                .group_by(Decision.comment_id)
            )
            return dict(rows.all())

    def decision_of(self, comment_id: str) -> Decision:
        with self.db.session() as session:
            comment = session.get(Comment, comment_id)
            assert comment is not None and comment.decision_id is not None
            decision = session.get(Decision, comment.decision_id)
            assert decision is not None
            return decision

    def deliveries(self, ids: list[str]) -> list[CallbackDelivery]:
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(CallbackDelivery).where(CallbackDelivery.comment_id.in_(ids))
                )
            )

    def metrics(self) -> str:
        return requests.get(self.processes["web"].base + "/metrics", timeout=10).text

    def readyz(self) -> tuple[int, dict[str, Any]]:
        response = requests.get(self.processes["web"].base + "/readyz", timeout=10)
        return response.status_code, response.json()

    def wait_until(self, condition: Callable[[], Any], timeout: float, what: str) -> Any:
        """Poll ``condition`` until truthy; on timeout fail with ``what`` and the process logs."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout:.0f}s waiting for {what}\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def log_tail(self) -> str:
        parts = []
        for path in sorted(self.tmp.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-15:]
            parts.append(f"--- {path.name}\n" + "\n".join(line[:400] for line in lines))
        return "\n".join(parts)


@pytest.fixture
def stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stack]:
    redis_server = RedisServer(tmp_path / "redis")
    redis_server.start()
    cms = Cms()
    cms.up()
    (tmp_path / "prom").mkdir()
    overrides = getattr(request, "param", {})
    with postgres_database() as url:
        db = Database(url)
        db.upgrade()
        config = {
            "DATABASE_URL": url,
            "REDIS_URL": redis_server.url,
            "WEBHOOK_SECRET": SECRET,
            "CALLBACK_SECRET": CALLBACK_SECRET,
            "CALLBACK_URL": cms.url,
            "CALLBACK_TIMEOUT": 2,
            "CALLBACK_BACKOFF_BASE": 0.3,
            "CALLBACK_BACKOFF_MAX": 1.5,
            "SWEEP_INTERVAL": 0.5,
            "SWEEP_PENDING_AGE": 3,
            "DECISION_DEADLINE": 120,
            "HEARTBEAT_INTERVAL": 0.5,
            **overrides,
        }
        stack = Stack(config, tmp_path, redis_server, cms, db)
        try:
            yield stack
        finally:
            stack.stop_all()
            db.dispose()
            redis_server.stop(kill=True)
            cms.down()
