"""Where a batch's time goes: the compiled core, the regex engine, and the Python around them.

The batch target (10,000 comments/s on one core, all three scores, language and explanations)
is 100 µs per comment. This measures how much of that the compiled core (``_ngrams.c``) and
``re`` spend on their own, which is the floor of the current models: what batch scoring would
cost if every line of Python around them took no time at all.

Three batches: C3 comments under the example article, the same without it, and Russian forum
comments under a Russian article (when the data is there), scored as the worker does (spans
only from the shipped policy's approve points), one core pinned, BLAS threads 1. Three kinds
of rounds per batch, alternating, each the median over ``--rounds``:

* plain: ``scorer.score(batch)``, CPU time per comment;
* timed core: every function of the compiled core wrapped with a clock (each call adds one
  Python call and two clock reads; the plain rounds show what that costs);
* timed regex: ``re.Pattern``'s search methods counted by :mod:`cProfile` (C functions are
  timed without the per-line cost the profiler adds to Python code).

    .venv/bin/python bench/compiled_share.py [--data-dir ../shared/data] [--n 2000] [--rounds 5]

Writes JSON to ``bench/results/compiled_share.json``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import cProfile  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.classifier import _comments, _russian_comments, arguments  # noqa: E402

TARGET_PER_S = 10_000


class TimedCore:
    """The compiled module with each function's time summed (``spent``, nanoseconds).

    Wall-clock (``perf_counter_ns``, a read of the time-stamp counter without a system call)
    rather than CPU time, whose clock is a system call of about a microsecond: the process is
    pinned to one core, so the two differ only when another process takes the core.
    """

    def __init__(self, core: ModuleType) -> None:
        self.spent: dict[str, int] = defaultdict(int)
        self.calls: dict[str, int] = defaultdict(int)
        for name in dir(core):
            function = getattr(core, name)
            if callable(function) and not name.startswith("_"):
                setattr(self, name, self._timed(name, function))

    def _timed(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        clock = time.perf_counter_ns

        def timed(*args: Any) -> Any:
            start = clock()
            try:
                return function(*args)
            finally:
                self.spent[name] += clock() - start
                self.calls[name] += 1

        return timed


def _cpu(fn: Callable[[], object]) -> float:
    start = time.thread_time()
    fn()
    return time.thread_time() - start


def _regex_seconds(fn: Callable[[], object]) -> float:
    profile = cProfile.Profile()
    profile.runcall(fn)
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return sum(
        entry[2]  # tottime
        for (_, _, name), entry in stats.items()
        if name.startswith("<method '") and "of 're.Pattern' objects>" in name
    )


def _shares(score: Callable[[], object], n: int, rounds: int) -> dict[str, Any]:
    """One batch's time per comment: in total, in the compiled core, in ``re``, the rest."""
    from moderation.classifier import compiled

    core = compiled._CORE
    assert core is not None
    score()  # warm
    plain: list[float] = []
    timed_total: list[float] = []
    core_share: list[dict[str, float]] = []
    regex: list[float] = []
    for _ in range(rounds):
        plain.append(_cpu(score))
        timer = TimedCore(core)
        compiled._CORE = timer  # type: ignore[assignment]
        try:
            timed_total.append(_cpu(score))
        finally:
            compiled._CORE = core
        core_share.append({name: ns / 1e9 for name, ns in timer.spent.items()})
        regex.append(_regex_seconds(score))

    def per_comment_us(seconds: float) -> float:
        return round(seconds / n * 1e6, 2)

    total = statistics.median(plain)
    in_core = statistics.median(sum(r.values()) for r in core_share)
    in_regex = statistics.median(regex)
    names = sorted(core_share[0], key=lambda k: -statistics.median(r[k] for r in core_share))
    return {
        "comments": n,
        "per_comment_us": {
            "total": per_comment_us(total),
            "total_with_core_timers": per_comment_us(statistics.median(timed_total)),
            "compiled_core": per_comment_us(in_core),
            "regex": per_comment_us(in_regex),
            "python_rest": per_comment_us(total - in_core - in_regex),
        },
        "comments_per_s": round(n / total, 1),
        "ceiling_if_python_took_no_time_per_s": round(n / (in_core + in_regex), 1),
        "compiled_core_us_by_function": {
            name: per_comment_us(statistics.median(r[name] for r in core_share)) for name in names
        },
    }


def main() -> None:
    args = arguments("compiled_share.json", rounds=5)

    from moderation.classifier import compiled, load_scorer, settle_after_loading
    from moderation.classifier.training.off_topic_ru import CHECK_SET
    from moderation.domain.scores import CommentInput
    from moderation.policy_file import load_policy

    if not compiled.enabled():
        raise SystemExit("the compiled core is not built or turned off: nothing to measure")
    scorer = load_scorer()
    settle_after_loading()
    points = load_policy(ROOT / "config" / "policy.toml").approve_points
    article = json.loads((ROOT.parent / "shared" / "examples" / "article.json").read_text())
    texts = _comments(args.data_dir, args.n)
    batches = {
        "english_with_article": [
            CommentInput(t, article["title"], article["body"], "en") for t in texts
        ],
        "english_without_article": [CommentInput(t) for t in texts],
    }
    russian = _russian_comments(args.data_dir, args.n)
    if russian:
        ru_article = json.loads(CHECK_SET.read_text(encoding="utf-8"))["articles"][0]
        batches["russian_with_article"] = [
            CommentInput(t, ru_article["title"], ru_article["body"], "ru") for t in russian
        ]
    result: dict[str, Any] = {
        "model_version": scorer.model_version,
        "rounds": args.rounds,
        "target_per_s": TARGET_PER_S,
        "target_budget_us": 1e6 / TARGET_PER_S,
    }
    for name, batch in batches.items():
        result[name] = _shares(
            partial(scorer.score, batch, explain_from=points), len(batch), args.rounds
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
