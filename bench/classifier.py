"""Benchmark the classifier against its speed targets, with alt-profanity-check alongside.

Everything runs pinned to one core with BLAS threads at 1, as a worker process runs. Measured:

Scoring explains as the worker does: spans only for scores at or above the shipped policy's
approve points of each comment's language (``config/policy.toml``, ``Policy.approve_points``); the
"explanations" figures put that side by side with explaining every score.

* load: ``load_scorer()`` (imports it triggers, checksums, reading the artifacts, lookup
  tables, warm-up) in ``--rounds`` fresh processes, median; plus each fresh process's peak RSS;
* one comment at a time, with and without the article: wall-clock and CPU (thread) time of
  ``scorer.score([comment])`` per comment, p50/p99 per round, median over ``--rounds``;
* short comments (a comment's first one to three words), one at a time, without the article;
* batches: ``scorer.score(all n comments)`` with and without the article, comments/s, median
  over rounds;
* peak RSS of this process after loading and after all scoring;
* alt-profanity-check (toxicity only, no explanations) on the same texts in the same run;
* Russian: forum comments (``ru_2ch_pikabu``) under a Russian article, one at a time and as
  one batch, with both languages' models loaded in the same process;
* the compiled featuriser against the numpy one (``compiled.USE``, as ``MODERATION_COMPILED_CORE=0``): batches and
  single comments with the article, the two alternating round by round in this process.
* replies: the same comments with the article, each answering the next one (``parent``), so
  off-topic also featurises every parent (its cache emptied before each round: no parent seen
  before), against the same comments without parents, alternating round by round: batches
  and single comments.
* explanations: batches and single comments with the article, spans found only where the
  policy can show them (the worker) against spans for every score, alternating round by round.
* off-topic comment prefix: batches and every comment one at a time with the article,
  off-topic comparing the served prefix of each comment (``COMMENT_CHARS``) against the whole
  comment, interleaved comment by comment and batch by batch (CPU time).

The machine is shared, so wall-clock times include waiting for the core; CPU times do not.
Comments are real C3 texts when ``--data-dir`` has them, else built-in samples. Writes JSON to
``bench/results/classifier.json``.

    .venv/bin/python bench/classifier.py [--data-dir ../shared/data] [--n 2000] [--rounds 3]
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
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
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


_LOAD_ONCE = """
import json, os, resource, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from moderation.classifier import load_scorer
start = time.perf_counter()
load_scorer()
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss}))
"""


def _russian_comments(data_dir: pathlib.Path, n: int) -> list[str]:
    path = data_dir / "ru_2ch_pikabu" / "labeled.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["comment"].strip()[:1500] for row in csv.DictReader(handle)][:n]


def _load_times(rounds: int) -> dict[str, Any]:
    """``load_scorer()`` in fresh processes (so imports and first reads count every time)."""
    runs = []
    for _ in range(rounds):
        out = subprocess.run(
            [sys.executable, "-c", _LOAD_ONCE], check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    seconds = [r["seconds"] for r in runs]
    return {
        "median_seconds": round(statistics.median(seconds), 3),
        "runs_seconds": [round(x, 3) for x in seconds],
        "fresh_process_max_rss_mb": round(statistics.median(r["rss_mb"] for r in runs), 1),
    }


def _latencies(fn: Callable[[Any], object], items: list[Any], rounds: int) -> dict[str, Any]:
    """Per-item wall and CPU time; p50/p99 per round, median over rounds."""
    per_round: list[dict[str, float]] = []
    for _ in range(rounds):
        wall, cpu = [], []
        for item in items:
            start, start_cpu = time.perf_counter(), time.thread_time()
            fn(item)
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start)
        w, c = np.array(wall) * 1000, np.array(cpu) * 1000
        per_round.append(
            {
                "p50_ms": float(np.median(w)),
                "p99_ms": float(np.percentile(w, 99)),
                "mean_ms": float(w.mean()),
                "cpu_p50_ms": float(np.median(c)),
                "cpu_p99_ms": float(np.percentile(c, 99)),
            }
        )
    result: dict[str, Any] = {
        key: round(statistics.median(r[key] for r in per_round), 4) for key in per_round[0]
    }
    result["rounds_p99_ms"] = [round(r["p99_ms"], 4) for r in per_round]
    return result


def _throughput(fn: Callable[[list[Any]], object], items: list[Any], rounds: int) -> float:
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn(items)
        rates.append(len(items) / (time.perf_counter() - start))
    return round(statistics.median(rates), 1)


def arguments(results: str, rounds: int) -> argparse.Namespace:
    """``--data-dir``, ``--n``, ``--rounds`` and ``--out`` (default ``bench/results/<results>``),
    with this process pinned to one core, as a worker's scoring runs."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=pathlib.Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "bench" / "results" / results)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    return args


def main() -> None:
    args = arguments("classifier.json", rounds=3)
    load = _load_times(args.rounds)

    from functools import partial

    from moderation.classifier import compiled, load_scorer, settle_after_loading
    from moderation.domain.scores import CommentInput
    from moderation.policy_file import load_policy

    scorer = load_scorer()
    settle_after_loading()  # as the worker does once its scorer is loaded
    points = load_policy(ROOT / "config" / "policy.toml").approve_points
    score = partial(scorer.score, explain_from=points)  # as classify.score_and_decide
    rss_after_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    article = json.loads((ROOT.parent / "shared" / "examples" / "article.json").read_text())
    texts = _comments(args.data_dir, args.n)
    with_article = [CommentInput(t, article["title"], article["body"], "en") for t in texts]
    without = [CommentInput(t) for t in texts]
    score(with_article[:50])  # warm caches (article side)

    single = _latencies(lambda c: score([c]), with_article, args.rounds)
    single_no_article = _latencies(lambda c: score([c]), without, args.rounds)
    # Short comments ("Agreed.", "Nice article"): their fixed cost and language check show.
    short = [CommentInput(" ".join(t.split()[:k])) for t in texts[::4] for k in (1, 2, 3)]
    short = [c for c in short if c.text]
    single_short = _latencies(lambda c: score([c]), short, args.rounds)
    batch = _throughput(score, with_article, args.rounds)
    batch_no_article = _throughput(score, without, args.rounds)
    russian = _russian(score, args.data_dir, args.n, args.rounds)
    featurisers = _featurisers(score, with_article, args.rounds)
    replies = _replies(scorer, score, with_article, args.rounds)
    explanations = _explanations(scorer, points, with_article, args.rounds)
    comment_prefix = _comment_prefix(scorer, score, with_article, args.rounds)
    rss_after_scoring = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    artifacts_mb = sum(f.stat().st_size for f in (ROOT / "models").iterdir() if f.is_file()) / (
        1024 * 1024
    )

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
            "max_chars": max(len(t) for t in texts),
        },
        "rounds": args.rounds,
        "load": load,
        "single_comment_with_article": single,
        "single_comment_without_article": single_no_article,
        "single_short_comment_without_article": {
            "n": len(short),
            "source": "the first one, two and three words of every fourth comment",
            **single_short,
        },
        "batch_comments_per_second_with_article": batch,
        "batch_comments_per_second_without_article": batch_no_article,
        "russian": russian,
        "featurisers": featurisers,
        "replies": replies,
        "explanations": explanations,
        "off_topic_comment_prefix": comment_prefix,
        "featuriser_in_other_figures": "compiled" if compiled.enabled() else "numpy",
        "max_rss_mb_after_load": round(rss_after_load, 1),
        "max_rss_mb_after_scoring": round(rss_after_scoring, 1),
        "artifacts_mb": round(artifacts_mb, 2),
        "scope": "toxicity + spam + off-topic + language + explanations per comment",
        "explain_from": {language: points(language) for language in ("en", "ru")},
        "targets": {
            "single_p99_ms": 1.0,
            "batch_comments_per_second": 10000,
            "load_seconds": 2.0,
            "rss_mb": 400,
            "artifacts_mb": 25,
        },
    }
    result["machine"]["load_average_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    try:
        from profanity_check import predict_prob
    except ImportError:
        result["alt_profanity_check"] = "not installed (dev dependency)"
    else:
        predict_prob(["warm up"])
        baseline = _latencies(lambda t: predict_prob([t]), texts, args.rounds)
        baseline_batch = _throughput(predict_prob, texts, args.rounds)
        result["alt_profanity_check"] = {
            "scope": "toxicity only, no explanations",
            "single_comment": baseline,
            "batch_comments_per_second": baseline_batch,
        }
        result["ratios"] = {
            "p50_single_ours_over_baseline": round(single["p50_ms"] / baseline["p50_ms"], 3),
            "p99_single_ours_over_baseline": round(single["p99_ms"] / baseline["p99_ms"], 3),
            "batch_ours_over_baseline": round(batch / baseline_batch, 3),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _featurisers(
    score: Callable[[list[Any]], object], comments: list[Any], rounds: int
) -> dict[str, Any]:
    """The same comments scored with the compiled and with the numpy featuriser, alternately."""
    from moderation.classifier import compiled

    if not compiled.available():
        return {"skipped": "the compiled featuriser is not built"}
    runs: dict[str, list[float]] = {"compiled": [], "numpy": []}
    singles: dict[str, list[dict[str, Any]]] = {"compiled": [], "numpy": []}
    sample = comments[:500]
    try:
        for _ in range(rounds):
            for name, value in (("compiled", "1"), ("numpy", "0")):
                compiled.USE = value == "1"
                runs[name].append(_throughput(score, comments, 1))
                singles[name].append(_latencies(lambda c: score([c]), sample, 1))
    finally:
        compiled.USE = compiled.configured()
    result = _side_by_side(runs, singles, "compiled", "numpy")
    result["single_comments"] = f"first {len(sample)}, with the article"
    return result


def _side_by_side(
    runs: dict[str, list[float]], singles: dict[str, list[dict[str, Any]]], a: str, b: str
) -> dict[str, Any]:
    """Medians of alternating rounds of ``a`` and ``b`` (batches and single comments), and
    their ratios."""
    result: dict[str, Any] = {
        name: {
            "batch_comments_per_second_with_article": statistics.median(runs[name]),
            "single_p50_ms": round(statistics.median(r["p50_ms"] for r in singles[name]), 4),
            "single_p99_ms": round(statistics.median(r["p99_ms"] for r in singles[name]), 4),
        }
        for name in (a, b)
    }
    result[f"batch_{a}_over_{b}"] = round(
        result[a]["batch_comments_per_second_with_article"]
        / result[b]["batch_comments_per_second_with_article"],
        3,
    )
    for p in ("p50", "p99"):
        result[f"single_{p}_{a}_over_{b}"] = round(
            result[a][f"single_{p}_ms"] / result[b][f"single_{p}_ms"], 3
        )
    return result


def _replies(
    scorer: Any, score: Callable[[list[Any]], object], comments: list[Any], rounds: int
) -> dict[str, Any]:
    """Every comment a reply to the next one, against no replies, alternately (see above)."""
    from dataclasses import replace

    answering = [
        replace(c, parent=comments[(i + 1) % len(comments)].text) for i, c in enumerate(comments)
    ]
    features = scorer.routes["en"].off_topic.features
    runs: dict[str, list[float]] = {"plain": [], "replies": []}
    singles: dict[str, list[dict[str, Any]]] = {"plain": [], "replies": []}
    sample = 500
    for _ in range(rounds):
        for name, batch in (("plain", comments), ("replies", answering)):
            features.__dict__.pop("_parents", None)  # no parent seen before
            runs[name].append(_throughput(score, batch, 1))
            features.__dict__.pop("_parents", None)
            singles[name].append(_latencies(lambda c: score([c]), batch[:sample], 1))
    result = _side_by_side(runs, singles, "replies", "plain")
    result["single_comments"] = f"first {sample}, with the article"
    return result


def _explanations(
    scorer: Any, points: Callable[[str], dict[str, float]], comments: list[Any], rounds: int
) -> dict[str, Any]:
    """Spans where the policy can show them (the worker) against spans for every score."""
    runs: dict[str, list[float]] = {"policy": [], "every_score": []}
    singles: dict[str, list[dict[str, Any]]] = {"policy": [], "every_score": []}
    sample = comments[:500]
    for _ in range(rounds):
        for name, explain_from in (("policy", points), ("every_score", None)):

            def score(items: list[Any], explain_from: Any = explain_from) -> object:
                return scorer.score(items, explain_from=explain_from)

            def one(comment: Any, score: Callable[[list[Any]], object] = score) -> object:
                return score([comment])

            runs[name].append(_throughput(score, comments, 1))
            singles[name].append(_latencies(one, sample, 1))
    result = _side_by_side(runs, singles, "policy", "every_score")
    result["single_comments"] = f"first {len(sample)}, with the article"
    return result


def _comment_prefix(
    scorer: Any, score: Callable[[list[Any]], object], comments: list[Any], rounds: int
) -> dict[str, Any]:
    """English off-topic reading the served prefix of each comment against the whole comment
    (the same model with its ``comment_chars`` limit lifted), interleaved finely, since the
    machine's speed drifts within a run: every comment scored alone both ways (in turn first),
    and batches of 128 comments both ways in turn; CPU time. Medians over rounds."""
    features = scorer.routes["en"].off_topic.features
    served = features.comment_limit
    if served is None:
        return {"skipped": "the off-topic model reads whole comments"}
    limits = {"prefix": served, "whole": None}
    per_round: list[dict[str, float]] = []
    try:
        for _ in range(rounds):
            single: dict[str, list[float]] = {"prefix": [], "whole": []}
            busy = {"prefix": 0.0, "whole": 0.0}
            for i, comment in enumerate(comments):
                for name in ("prefix", "whole") if i % 2 else ("whole", "prefix"):
                    features.comment_chars = limits[name]
                    start = time.thread_time()
                    score([comment])
                    single[name].append(time.thread_time() - start)
            for k, first in enumerate(range(0, len(comments), 128)):
                for name in ("prefix", "whole") if k % 2 else ("whole", "prefix"):
                    features.comment_chars = limits[name]
                    start = time.thread_time()
                    score(comments[first : first + 128])
                    busy[name] += time.thread_time() - start
            row: dict[str, float] = {}
            for name in limits:
                ms = np.array(single[name]) * 1000
                row[f"{name}_p50"] = float(np.median(ms))
                row[f"{name}_p99"] = float(np.percentile(ms, 99))
                row[f"{name}_batch"] = len(comments) / busy[name]
            per_round.append(row)
    finally:
        features.comment_chars = served
    median = {key: statistics.median(r[key] for r in per_round) for key in per_round[0]}
    return {
        **{
            name: {
                "batch_comments_per_second_with_article": round(median[f"{name}_batch"], 1),
                "single_cpu_p50_ms": round(median[f"{name}_p50"], 4),
                "single_cpu_p99_ms": round(median[f"{name}_p99"], 4),
            }
            for name in limits
        },
        "batch_prefix_over_whole": round(median["prefix_batch"] / median["whole_batch"], 3),
        "single_p50_prefix_over_whole": round(median["prefix_p50"] / median["whole_p50"], 3),
        "single_p99_prefix_over_whole": round(median["prefix_p99"] / median["whole_p99"], 3),
        "prefix_chars": served,
        "single_comments": f"all {len(comments)}, with the article",
    }


def _russian(
    score: Callable[[list[Any]], Any], data_dir: pathlib.Path, n: int, rounds: int
) -> dict[str, Any]:
    """Russian forum comments under the Russian edition of a hand-written check article."""
    from moderation.classifier.training.off_topic_ru import CHECK_SET
    from moderation.domain.scores import CommentInput

    texts = _russian_comments(data_dir, n)
    if not texts:
        return {"skipped": f"no ru_2ch_pikabu under {data_dir}"}
    article = json.loads(CHECK_SET.read_text(encoding="utf-8"))["articles"][0]
    comments = [CommentInput(t, article["title"], article["body"], "ru") for t in texts]
    score(comments[:50])
    languages = [r.language for r in score(comments)]
    return {
        "n": len(texts),
        "source": "ru_2ch_pikabu (first n, truncated to 1500 chars)",
        "median_chars": int(np.median([len(t) for t in texts])),
        "routed_ru_share": round(languages.count("ru") / len(languages), 3),
        "single_comment_with_article": _latencies(lambda c: score([c]), comments, rounds),
        "batch_comments_per_second_with_article": _throughput(score, comments, rounds),
    }


if __name__ == "__main__":
    main()
