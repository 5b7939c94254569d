"""Load benchmark: signed webhook posts at fixed offered rates against a running service.

    .venv/bin/python bench/load.py                      # starts `moderation run` itself
    .venv/bin/python bench/load.py --base http://127.0.0.1:8000 --secret "$MODERATION_WEBHOOK_SECRET"

For each offered rate it sends comments open-loop (on a fixed schedule, whatever the answers
do, so a slow server cannot slow the load down and hide its own latency), then reads every
comment back and records: sustained decisions per second, intake latency (scheduled send to
answer) and receipt-to-decision latency (the server's ``decided_at - received_at``) at p50,
p95 and p99, errors (non-2xx answers, transport errors) and comments still undecided after
the drain time. Results go to ``bench/results/load.json`` and ``bench/results/load.png``. All
traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moderation.signing import HEADER, sign  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ARTICLES = 20
TEXTS = [
    "The USA is better than Russia.",
    "Blinken paid a very timely visit. We must reinstate co-operation with the US and the West.",
    "Sharing the river water fairly is the only way farmers downstream will survive the summer.",
    "Who pays for the new canal? The article does not say and I would like to know.",
    "You are a stupid idiot and a moron, shut up you pathetic loser.",
    "Buy cheap watches now at www.cheap-watches.example, best prices, click here!!!",
    "Спасибо за статью, очень интересно узнать про соглашение о воде.",
    "I visited Tashkent last spring; the irrigation channels there are in a sorry state.",
    "This is a good step, but the agreement needs independent monitoring to mean anything.",
    "Nobody asked the people living by the Aral Sea what they think about any of this.",
]


class Connection:
    """A minimal keep-alive HTTP/1.1 client: cheap enough to leave the CPU to the service."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                return await self._request(method, path, body, headers)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Client:
    def __init__(self, base: str, secret: str, connections: int) -> None:
        url = urllib.parse.urlsplit(base)
        assert url.hostname in {"127.0.0.1", "localhost"}, "load goes to 127.0.0.1 only"
        self.secret = secret
        self.pool: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(connections):
            self.pool.put_nowait(Connection(url.hostname, url.port or 80))

    async def send(self, method: str, path: str, payload: Any = None) -> tuple[int, bytes]:
        body = json.dumps(payload).encode() if payload is not None else b""
        headers = {HEADER: sign(self.secret, body), "Content-Type": "application/json"}
        connection = await self.pool.get()
        try:
            return await connection.request(method, path, body, headers)
        finally:
            self.pool.put_nowait(connection)


async def offer(client: Client, rate: float, duration: float, prefix: str) -> list[dict[str, Any]]:
    """Post ``rate`` comments a second for ``duration`` seconds on a fixed schedule."""
    total = int(rate * duration)
    results: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()

    async def one(n: int, scheduled: float) -> None:
        comment_id = f"{prefix}-{n}"
        payload = {
            "id": comment_id,
            "article_id": f"bench-article-{n % ARTICLES}",
            "author": {"name": f"Reader {n % 97}"},
            "text": f"{TEXTS[n % len(TEXTS)]} ({n})",
        }
        try:
            status, _ = await client.send("POST", "/api/v1/comments", payload)
            error = None if status in (200, 202) else f"HTTP {status}"
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        results.append({"id": comment_id, "intake_s": loop.time() - scheduled, "error": error})

    start = loop.time() + 0.05
    tasks = []
    for n in range(total):
        scheduled = start + n / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, scheduled)))
    await asyncio.gather(*tasks)
    return results


async def collect(
    client: Client, ids: list[str], drain: float
) -> dict[str, tuple[datetime, datetime, str] | None]:
    """Read every comment back until all are decided or ``drain`` seconds have passed.

    While the backlog drains only ``/metrics`` is polled (one cheap request a second):
    reading every pending comment again and again would take CPU from the workers being
    measured.
    """
    found: dict[str, tuple[datetime, datetime, str] | None] = dict.fromkeys(ids)
    deadline = time.monotonic() + drain
    while time.monotonic() < deadline and await pending_comments(client) > 0:
        await asyncio.sleep(1)
    waiting = list(ids)
    while waiting and time.monotonic() < deadline:

        async def read(comment_id: str) -> None:
            status, body = await client.send("GET", f"/api/v1/comments/{comment_id}")
            if status == 200:
                doc = json.loads(body)
                if doc["status"] != "pending" and doc["decided_at"]:
                    found[comment_id] = (
                        datetime.fromisoformat(doc["received_at"]),
                        datetime.fromisoformat(doc["decided_at"]),
                        doc["decision"]["decided_by"],
                    )

        await asyncio.gather(*(read(c) for c in waiting))
        waiting = [c for c in waiting if found[c] is None]
        if waiting:
            await asyncio.sleep(1)
    return found


async def pending_comments(client: Client) -> float:
    """The service's count of undecided comments, from its own ``/metrics``."""
    status, body = await client.send("GET", "/metrics")
    if status != 200:
        return 0.0  # no metrics (token?): fall back to reading the comments
    for line in body.decode().splitlines():
        if line.startswith('moderation_comments{status="pending"}'):
            return float(line.split()[-1])
    return 0.0


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ms = np.array(values) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {
        "p50": round(float(p50), 1),
        "p95": round(float(p95), 1),
        "p99": round(float(p99), 1),
        "max": round(float(ms.max()), 1),
    }


async def run_step(
    client: Client, rate: float, duration: float, drain: float, run_id: str
) -> dict[str, Any]:
    sent = await offer(client, rate, duration, f"{run_id}-r{rate:g}")
    decided = await collect(client, [r["id"] for r in sent if r["error"] is None], drain)
    done = [v for v in decided.values() if v is not None]
    latencies = [(d - r).total_seconds() for r, d, _ in done]
    throughput = None
    if done:
        span = (max(d for _, d, _ in done) - min(r for r, _, _ in done)).total_seconds()
        throughput = round(len(done) / span, 1) if span > 0 else None
    transport = [r["error"] for r in sent if r["error"]]
    return {
        "offered_per_s": rate,
        "duration_s": duration,
        "sent": len(sent),
        "decided": len(done),
        "decided_by_system": sum(1 for *_, by in done if by != "model"),
        "decisions_per_s": throughput,
        "intake_ms": percentiles([r["intake_s"] for r in sent if r["error"] is None]),
        "decision_ms": percentiles(latencies),
        "errors": len(transport),
        "error_samples": sorted(set(transport))[:5],
        "undecided_after_drain": len(decided) - len(done),
    }


@contextmanager
def local_service(workers: int, web: int) -> Any:
    """``moderation run`` with embedded defaults in a throw-away instance folder."""
    from tests.support.servers import free_port

    instance = Path(tempfile.mkdtemp(prefix="moderation-bench-"))
    port = free_port()
    secret = secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        PORT=str(port),
        MODERATION_INSTANCE_PATH=str(instance),
        MODERATION_WEBHOOK_SECRET=secret,
        MODERATION_WORKER_CONCURRENCY=str(workers),
        WEB_CONCURRENCY=str(web),
        MODERATION_LOG_LEVEL="WARNING",
    )
    env.pop("MODERATION_CALLBACK_URL", None)
    log = open(instance / "service.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moderation"), "run"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", secret, instance
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def wait_ready(base: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            response = requests.get(base + "/readyz", timeout=5)
            body = response.json()
            if response.status_code == 200:
                return body
        except (requests.RequestException, ValueError):
            pass
        time.sleep(1)
    raise SystemExit(f"the service did not become ready: {body}")


async def bench(args: argparse.Namespace, base: str, secret: str) -> list[dict[str, Any]]:
    client = Client(base, secret, args.connections)
    for n in range(ARTICLES):
        status, body = await client.send(
            "PUT",
            f"/api/v1/articles/bench-article-{n}",
            {
                "title": "Kazakhstan and Uzbekistan sign a water-sharing agreement",
                "body": "The governments agreed how to share the water of the Syr Darya river "
                "for irrigation, after years of disputes over dams and canals.",
                "language": "en",
            },
        )
        assert status in (200, 201), body
    run_id = datetime.now(UTC).strftime("%H%M%S") + secrets.token_hex(2)
    await run_step(client, 20, 3, args.drain, run_id + "-warm")  # warm every process up
    steps = []
    for rate in args.rates:
        step = await run_step(client, rate, args.duration, args.drain, run_id)
        steps.append(step)
        print(
            json.dumps(
                {
                    k: step[k]
                    for k in (
                        "offered_per_s",
                        "decisions_per_s",
                        "intake_ms",
                        "decision_ms",
                        "errors",
                    )
                }
            ),
            flush=True,
        )
    return steps


def plot(steps: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rates = [s["offered_per_s"] for s in steps]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label, style in (
        ("intake_ms", "intake", "--"),
        ("decision_ms", "receipt→decision", "-"),
    ):
        for pct, marker in (("p50", "o"), ("p95", "s"), ("p99", "^")):
            values = [s[key][pct] for s in steps]
            left.plot(rates, values, style, marker=marker, label=f"{label} {pct}")
    left.axhline(25, color="grey", lw=0.8, ls=":")
    left.axhline(250, color="grey", lw=0.8, ls=":")
    left.set_yscale("log")
    left.set_xlabel("offered load (comments/s)")
    left.set_ylabel("latency (ms)")
    left.legend(fontsize=7, ncol=2)
    left.grid(alpha=0.3)
    right.plot(rates, [s["decisions_per_s"] or 0 for s in steps], "o-", label="decisions/s")
    right.plot(rates, rates, ":", color="grey", label="offered")
    right.set_xlabel("offered load (comments/s)")
    right.set_ylabel("sustained decisions/s")
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def markdown_table(steps: list[dict[str, Any]]) -> str:
    """The results as the table in docs/operations.md."""
    lines = [
        "| offered /s | decisions /s | intake p50 / p95 / p99 ms | receipt→decision p50 / p95 / p99 ms | errors | undecided after drain |",
        "|---:|---:|---|---|---:|---:|",
    ]
    for s in steps:
        i, d = s["intake_ms"], s["decision_ms"]
        lines.append(
            f"| {s['offered_per_s']:g} | {s['decisions_per_s']} | {i['p50']} / {i['p95']} / {i['p99']} "
            f"| {d['p50']} / {d['p95']} / {d['p99']} | {s['errors']} | {s['undecided_after_drain']} |"
        )
    return "\n".join(lines)


def plot_title(result: dict[str, Any]) -> str:
    machine, setup = result["machine"], result["setup"]
    return (
        f"moderation load benchmark, {machine['cpus']} cores, {setup['service']}, "
        f"model {setup.get('model_versions')}, {result['started_at'][:10]}; "
        f"load average {machine['load_average_before'][0]} before, "
        f"{machine['load_average_after'][0]} after"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", help="a running service (default: start `moderation run`)")
    parser.add_argument("--secret", default=os.environ.get("MODERATION_WEBHOOK_SECRET"))
    parser.add_argument(
        "--rates",
        type=lambda s: [float(x) for x in s.split(",")],
        default=[25, 50, 100, 200, 300, 400, 600],
    )
    parser.add_argument("--duration", type=float, default=8, help="seconds per rate")
    parser.add_argument("--drain", type=float, default=60, help="seconds to wait for decisions")
    parser.add_argument("--connections", type=int, default=48)
    parser.add_argument("--workers", type=int, default=2, help="classify processes (own service)")
    parser.add_argument("--web", type=int, default=3, help="gunicorn processes (own service)")
    parser.add_argument("--out", type=Path, default=RESULTS / "load")
    parser.add_argument("--table", type=Path, help="print the table of a results JSON and exit")
    args = parser.parse_args()
    if args.table:
        print(markdown_table(json.loads(args.table.read_text())["steps"]))
        return

    started = datetime.now(UTC)
    load_before = os.getloadavg()
    if args.base:
        if not args.secret:
            raise SystemExit("--secret (or MODERATION_WEBHOOK_SECRET) is needed with --base")
        ready = wait_ready(args.base)
        steps = asyncio.run(bench(args, args.base, args.secret))
        setup = {"service": args.base}
    else:
        with local_service(args.workers, args.web) as (base, secret, _instance):
            ready = wait_ready(base)
            steps = asyncio.run(bench(args, base, secret))
        setup = {
            "service": "moderation run (embedded defaults: SQLite, private Redis)",
            "classify_processes": args.workers,
            "web_processes": args.web,
        }
    model = ready.get("checks", {}).get("model", {}).get("versions")
    result = {
        "started_at": started.isoformat(),
        "machine": {
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "setup": {
            **setup,
            "model_versions": model,
            "connections": args.connections,
            "duration_s": args.duration,
        },
        "steps": steps,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    plot(steps, args.out.with_suffix(".png"), plot_title(result))
    print(markdown_table(steps))
    print(f"wrote {args.out.with_suffix('.json')} and {args.out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
