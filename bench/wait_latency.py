"""Synchronous decisions: how long a CMS that waits (``POST /api/v1/comments?wait=10000``) waits.

    .venv/bin/python bench/wait_latency.py            # starts `moderation run` itself
    .venv/bin/python bench/wait_latency.py --base http://127.0.0.1:8000 --secret "$MODERATION_WEBHOOK_SECRET"

Posts the example article from the site this service is built for, then its two real reader
comments and ``--count`` variants of them one after another (a CMS showing comments at once),
each with ``?wait=10000``, and records the wall-clock time of each request as the CMS sees
it. Also records plain intake (no wait) for comparison, side by side in the same run.
Writes ``bench/results/wait_latency.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import local_service, percentiles, wait_ready  # noqa: E402
from moderation.signing import HEADER, sign  # noqa: E402

EXAMPLES = ROOT.parent / "shared" / "examples"


def send(
    session: requests.Session, base: str, secret: str, method: str, path: str, payload: Any
) -> tuple[int, float, Any]:
    """One signed request; returns status, seconds taken and the JSON answer."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", HEADER: sign(secret, body)}
    started = time.perf_counter()
    response = session.request(method, base + path, data=body, headers=headers, timeout=30)
    return response.status_code, time.perf_counter() - started, response.json()


def measure(base: str, secret: str, count: int) -> dict[str, Any]:
    article = json.loads((EXAMPLES / "article.json").read_text())
    comments = [
        json.loads(x) for x in (EXAMPLES / "comments.jsonl").read_text().splitlines() if x.strip()
    ]
    session = requests.Session()
    fields = {k: article[k] for k in ("title", "body", "section", "language")}
    send(session, base, secret, "PUT", f"/api/v1/articles/{article['id']}", fields)
    stamp = int(time.time())
    waited: list[float] = []
    intake: list[float] = []
    statuses: dict[str, int] = {}
    actions: dict[str, int] = {}
    for n in range(count):
        for mode in ("wait", "intake"):
            base_comment = comments[n % len(comments)]
            comment = {
                **base_comment,
                "id": f"{mode}-{stamp}-{n}",
                "text": base_comment["text"] + ("" if n < 2 else f" ({n})"),
            }
            path = "/api/v1/comments" + ("?wait=10000" if mode == "wait" else "")
            status, ms, body = send(session, base, secret, "POST", path, comment)
            statuses[f"{mode}:{status}"] = statuses.get(f"{mode}:{status}", 0) + 1
            if mode == "wait":
                waited.append(ms)
                if body.get("decision"):
                    actions[body["decision"]["action"]] = (
                        actions.get(body["decision"]["action"], 0) + 1
                    )
            else:
                intake.append(ms)
    return {
        "requests_per_mode": count,
        "wait_ms": percentiles(waited) | {"mean": round(statistics.fmean(waited) * 1000, 1)},
        "intake_ms": percentiles(intake) | {"mean": round(statistics.fmean(intake) * 1000, 1)},
        "wait_over_intake_median": round(statistics.median(waited) / statistics.median(intake), 2),
        "statuses": statuses,
        "actions": actions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base")
    parser.add_argument("--secret")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    result: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "machine": {
            "cpus": 2,
            "python": platform.python_version(),
            "load_average_before": list(os.getloadavg()),
        },
    }
    if args.base:
        wait_ready(args.base)
        result |= measure(args.base, args.secret, args.count)
    else:
        with local_service(workers=2, web=2) as (base, secret, _):
            wait_ready(base)
            result |= measure(base, secret, args.count)
    result["machine"]["load_average_after"] = list(os.getloadavg())
    out = ROOT / "bench" / "results" / "wait_latency.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
