"""Environment for real service processes (workers, gunicorn) built from a test configuration."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.servers import free_port, wait_for_http

ROOT = Path(__file__).resolve().parents[2]

# config key -> environment variable, for every setting a test may change.
ENVIRONMENT = {
    "DATABASE_URL": "DATABASE_URL",
    "REDIS_URL": "REDIS_URL",
    "WEBHOOK_SECRET": "MODERATION_WEBHOOK_SECRET",
    "CALLBACK_SECRET": "MODERATION_CALLBACK_SECRET",
    "CALLBACK_URL": "MODERATION_CALLBACK_URL",
    "CALLBACK_TIMEOUT": "MODERATION_CALLBACK_TIMEOUT",
    "CALLBACK_BACKOFF_BASE": "MODERATION_CALLBACK_BACKOFF_BASE",
    "CALLBACK_BACKOFF_MAX": "MODERATION_CALLBACK_BACKOFF_MAX",
    "CALLBACK_GIVE_UP_AFTER": "MODERATION_CALLBACK_GIVE_UP_AFTER",
    "SWEEP_INTERVAL": "MODERATION_SWEEP_INTERVAL",
    "SWEEP_PENDING_AGE": "MODERATION_SWEEP_PENDING_AGE",
    "DECISION_DEADLINE": "MODERATION_DECISION_DEADLINE",
    "MODELS_DIR": "MODERATION_MODELS_DIR",
    "HEARTBEAT_INTERVAL": "MODERATION_HEARTBEAT_INTERVAL",
}


def service_env(config: dict[str, Any], instance: Path, **extra: str) -> dict[str, str]:
    """The environment that makes a child process see the same configuration as ``config``."""
    env = {var: str(config[key]) for key, var in ENVIRONMENT.items() if key in config}
    env.update(MODERATION_INSTANCE_PATH=str(instance), MODERATION_SECRET_KEY="test")
    env.update(extra)
    return env


class GunicornProcess:
    """The web API as ``make run`` serves it: gunicorn with our config file, on a free port."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "WEB_CONCURRENCY": str(workers), "PORT": str(self.port)}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout: float) -> None:
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        argv = [gunicorn, "-c", str(ROOT / "config" / "gunicorn.conf.py"), "moderation.wsgi:app"]
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                argv,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_http(self.process, self.base + "/healthz", "gunicorn", self.log_path, timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
