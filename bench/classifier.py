"""Benchmark the classifier: load time, single-comment latency, batch throughput, RSS.

Pinned to one core with BLAS threads at 1, as a worker process runs. alt-profanity-check is
timed side by side on the same comments when it is installed (dev dependency). Comments are
real C3 texts when ``--data-dir`` has them, else built-in samples. Writes JSON to
``bench/results/classifier.json``.

    .venv/bin/python bench/classifier.py [--data-dir ../shared/data] [--n 2000]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLES = [
    "Blinken paid a very timely visit. We must reinstate co-operation with the US and the West.",
    "You are a complete 1d10t and everyone knows it.",
    "Check out my channel http://bit.ly/xyz and subscribe!!!",
    "The carbon tax rebate does not cover what rural families pay for diesel every winter, "
    "and the minister knows it. Ottawa should exempt farm fuel entirely.",
]


def _comments(data_dir: pathlib.Path, n: int) -> list[str]:
    part = data_dir / "socc_c3" / "split" / "C3_anonymized.part4of4.csv"
    if not part.is_file():
        return (SAMPLES * (n // len(SAMPLES) + 1))[:n]
    with part.open(encoding="utf-8", newline="") as handle:
        return [row["comment_text"][:1500] for row in csv.DictReader(handle)][:n]


def _latencies(fn: Any, items: list[Any]) -> dict[str, float]:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1000
    return {
        "median_ms": round(float(np.median(ms)), 4),
        "p99_ms": round(float(np.percentile(ms, 99)), 4),
        "mean_ms": round(float(ms.mean()), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=pathlib.Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument(
        "--out", type=pathlib.Path, default=ROOT / "bench" / "results" / "classifier.json"
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    from moderation.classifier import load_scorer
    from moderation.domain.scores import CommentInput

    start = time.perf_counter()
    scorer = load_scorer()  # includes building lookup tables and one warm-up comment
    load_s = time.perf_counter() - start
    rss_after_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    article = json.loads((ROOT.parent / "shared" / "examples" / "article.json").read_text())
    texts = _comments(args.data_dir, args.n)
    with_article = [CommentInput(t, article["title"], article["body"], "en") for t in texts]
    without = [CommentInput(t) for t in texts]
    scorer.score(with_article[:50])  # warm caches (article side, vocab buckets)

    single = _latencies(lambda c: scorer.score([c]), with_article)
    single_no_article = _latencies(lambda c: scorer.score([c]), without)
    start = time.perf_counter()
    scorer.score(with_article)
    batch_per_s = len(with_article) / (time.perf_counter() - start)

    result: dict[str, Any] = {
        "model_version": scorer.model_version,
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores_used": 1,
        },
        "comments": {
            "n": len(texts),
            "source": "C3 part 4 (first n, truncated to 1500 chars)",
            "median_chars": int(np.median([len(t) for t in texts])),
        },
        "load_seconds": round(load_s, 3),
        "single_comment_with_article": single,
        "single_comment_without_article": single_no_article,
        "batch_comments_per_second": round(batch_per_s, 1),
        "max_rss_mb_after_load": round(rss_after_load, 1),
        "max_rss_mb_after_scoring": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "scope": "toxicity + spam + off-topic + language + explanations per comment",
    }
    load_average = os.getloadavg()
    result["machine"]["load_average_1_5_15"] = [round(x, 2) for x in load_average]
    try:
        from profanity_check import predict_prob
    except ImportError:
        result["alt_profanity_check"] = "not installed (dev dependency)"
    else:
        predict_prob(["warm up"])
        baseline = _latencies(lambda t: predict_prob([t]), texts)
        start = time.perf_counter()
        predict_prob(texts)
        baseline_batch = len(texts) / (time.perf_counter() - start)
        result["alt_profanity_check"] = {
            "scope": "toxicity only, no explanations",
            "single_comment": baseline,
            "batch_comments_per_second": round(baseline_batch, 1),
        }
        result["ratios"] = {
            "median_single_ours_over_baseline": round(
                single["median_ms"] / baseline["median_ms"], 3
            ),
            "p99_single_ours_over_baseline": round(single["p99_ms"] / baseline["p99_ms"], 3),
            "batch_ours_over_baseline": round(batch_per_s / baseline_batch, 3),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
