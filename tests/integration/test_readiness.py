"""``GET /readyz``: 200 only with the database, Redis, a live classify worker and its model."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from moderation.classifier import compiled
from moderation.readiness import HEARTBEAT_KEY, live_workers
from tests.support.processes import service_env
from tests.support.servers import RedisServer
from tests.support.worker import WorkerProcess, pool_pids


def readyz(client: FlaskClient) -> tuple[int, dict[str, Any]]:
    response = client.get("/readyz")
    return response.status_code, response.get_json()


def wait_for(client: FlaskClient, status: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        code, body = readyz(client)
        if code == status:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"/readyz stayed {code}: {body}")
        time.sleep(0.3)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Readiness asks the same of both databases; one keeps this module quick."""
    return f"sqlite:///{tmp_path / 'moderation.sqlite3'}"


@pytest.fixture
def test_config(test_config: dict[str, Any]) -> dict[str, Any]:
    return {**test_config, "HEARTBEAT_INTERVAL": 0.5}


def test_without_a_worker_it_is_not_ready_and_says_why(client: FlaskClient) -> None:
    code, body = readyz(client)
    assert code == 503
    assert body["status"] == "unready"
    assert body["failing"] == ["classify_workers", "model"]
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert "no live classify worker" in body["checks"]["classify_workers"]["detail"]


def test_redis_down_is_named(client: FlaskClient, redis_server: RedisServer) -> None:
    redis_server.stop(kill=True)
    try:
        code, body = readyz(client)
    finally:
        redis_server.start()
    assert code == 503
    assert "redis" in body["failing"]
    assert body["checks"]["database"]["ok"]


def test_database_down_is_named(app: Flask, client: FlaskClient) -> None:
    svc = app.extensions["moderation"]
    original = svc.db.engine
    from sqlalchemy import create_engine

    svc.db.session.configure(bind=create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    try:
        code, body = readyz(client)
    finally:
        svc.db.session.configure(bind=original)
    assert code == 503
    assert "database" in body["failing"]


def test_a_heartbeat_that_stops_expires(app: Flask, redis_url: str) -> None:
    client = app.extensions["moderation"].redis
    client.set(
        HEARTBEAT_KEY.format("gone:1"),
        '{"hostname": "gone", "pid": 1, "queues": '
        '["classify"], "model_version": "m", "model_error": null, "at": 0}',
        px=300,
    )
    assert [b.hostname for b in live_workers(client)] == ["gone"]
    assert live_workers(client)[0].featuriser is None  # a heartbeat from before the field
    time.sleep(0.5)
    assert live_workers(client) == []


@pytest.mark.worker
@pytest.mark.slow
def test_a_worker_without_its_model_is_live_but_not_ready(
    app: Flask, client: FlaskClient, test_config: dict[str, Any], tmp_path: Path
) -> None:
    empty = tmp_path / "no-models"
    empty.mkdir()
    env = service_env({**test_config, "MODELS_DIR": str(empty)}, tmp_path)
    worker = WorkerProcess(env, queues="classify", log_path=tmp_path / "worker.log")
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            code, body = readyz(client)
            if body["checks"]["classify_workers"]["ok"] or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert code == 503
        assert body["failing"] == ["model"]
        assert body["checks"]["model"]["detail"].startswith("not loaded")
    finally:
        worker.stop()


@pytest.mark.worker
@pytest.mark.slow
def test_ready_with_a_live_worker_and_unready_soon_after_it_is_killed(
    app: Flask, client: FlaskClient, test_config: dict[str, Any], tmp_path: Path
) -> None:
    worker = WorkerProcess(
        service_env(test_config, tmp_path), queues="classify", log_path=tmp_path / "worker.log"
    )
    worker.start()
    try:
        body = wait_for(client, 200)
        assert body["status"] == "ready" and body["failing"] == []
        assert body["checks"]["model"]["versions"]
        assert body["checks"]["model"]["featurisers"] == (
            ["compiled"] if compiled.enabled() else ["numpy"]
        )
    finally:
        import signal

        worker.stop(signal.SIGKILL)
    body = wait_for(client, 503, timeout=15)
    assert "classify_workers" in body["failing"]


def _memory_kb(pid: int) -> dict[str, int]:
    """Resident and proportional set size of a process (``/proc/<pid>/smaps_rollup``)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0])
    return {"rss": fields["Rss"], "pss": fields["Pss"]}


def _loaded(log_path: Path) -> list[dict[str, Any]]:
    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [json.loads(line) for line in lines if '"message": "models loaded"' in line]


@contextmanager
def _running(
    test_config: dict[str, Any], tmp_path: Path, queues: str, concurrency: int = 1
) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(
        service_env(test_config, tmp_path),
        queues=queues,
        concurrency=concurrency,
        log_path=tmp_path / "worker.log",
    )
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.mark.worker
@pytest.mark.slow
def test_a_classify_worker_loads_the_models_once_and_its_pool_shares_them(
    app: Flask, test_config: dict[str, Any], tmp_path: Path
) -> None:
    with _running(test_config, tmp_path, "classify", concurrency=2) as worker:
        assert worker.process is not None
        pool = pool_pids(worker.process.pid)
        assert len(pool) == 2
        # Loaded once, by the worker's main process, before it forked the pool ...
        loaded = _loaded(tmp_path / "worker.log")
        assert [record["pid"] for record in loaded] == [worker.process.pid]
        # ... and every pool process has them (its heartbeat names the version) ...
        beats = {b.pid: b for b in live_workers(app.extensions["moderation"].redis)}
        assert all(beats[pid].model_version for pid in pool)
        # ... in pages it shares: most of each one's resident memory is counted a third to it.
        for pid in pool:
            memory = _memory_kb(pid)
            assert memory["rss"] > 100_000 and memory["pss"] < 0.6 * memory["rss"], memory


@pytest.mark.worker
@pytest.mark.slow
def test_a_worker_that_does_not_classify_never_loads_the_models(
    app: Flask, test_config: dict[str, Any], tmp_path: Path
) -> None:
    with _running(test_config, tmp_path, "callbacks,maintenance"):
        time.sleep(1.0)  # a heartbeat or two
        assert _loaded(tmp_path / "worker.log") == []
