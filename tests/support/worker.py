"""Real Celery worker processes for integration tests (never eager mode)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """``celery -A workers.app worker`` as a child process with the given environment."""

    def __init__(
        self,
        env: dict[str, str],
        queues: str = "classify,callbacks,maintenance",
        concurrency: int = 1,
        log_path: Path | None = None,
        beat: bool = False,
    ) -> None:
        self.env = {**os.environ, **env}
        self.queues = queues
        self.concurrency = concurrency
        self.log_path = log_path
        self.beat = beat
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        celery = str(Path(sys.executable).parent / "celery")
        argv = [
            celery,
            "-A",
            "workers.app",
            "worker",
            "-Q",
            self.queues,
            "--concurrency",
            str(self.concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]
        if self.beat:
            argv += [
                "--beat",
                "--schedule",
                str(Path(self.env["MODERATION_INSTANCE_PATH"]) / "beat"),
            ]
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            argv,
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        # The worker is ready once it consumes: send a ping through the broker's control channel.
        from celery import Celery

        app = Celery(broker=self.env["REDIS_URL"])
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"worker exited with {self.process.returncode}; see {self.log_path}"
                    )
                try:
                    if app.control.ping(timeout=0.5) and self._model_settled():
                        return
                except (redis.RedisError, OSError):
                    pass
                time.sleep(0.2)
        finally:
            app.close()
        raise RuntimeError("worker did not become ready")

    def _model_settled(self) -> bool:
        """A classify worker is ready once every pool process has loaded (or failed to load)
        the model, as its heartbeat says; otherwise the first ``?wait`` would time the load."""
        if "classify" not in self.queues:
            return True
        from moderation.readiness import live_workers

        assert self.process is not None
        mine = pool_pids(self.process.pid)
        beats = live_workers(redis.Redis.from_url(self.env["REDIS_URL"]))
        settled = [b for b in beats if b.pid in mine and (b.model_version or b.model_error)]
        return len(settled) >= self.concurrency

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


def pool_pids(pid: int) -> set[int]:
    """Pids whose parent is ``pid`` (the pool processes of a worker)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found
