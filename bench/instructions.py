"""Count the instructions the scorer executes per comment: a speed figure that does not move
with the machine's load.

Wall-clock and CPU timings (``bench/classifier.py``) vary from day to day and run to run on a
shared machine (by ±15 % within a day, and about 2× between days here), so a speed change of
a few per cent cannot be told from the noise with them. Instructions can: valgrind's
cachegrind counts every instruction the process executes, however busy the machine is (two
runs of the same build agreed to 0.03 %, the hash seed fixed). It does not see memory stalls,
so it complements the timings and does not replace them.

Each measurement is a fresh process under cachegrind that loads the scorer (as the worker
does, :func:`settle_after_loading` included), warms it on 20 comments, then scores the
comments of one workload, explaining as the worker does (``--explain policy``: spans only for
scores at or above the shipped policy's approve points of the comment's language) or every score
(``--explain every``); the same process with no workload is subtracted, so the figure is
the scoring alone, per comment. Workloads, on ``--n`` C3 comments (from comment 300 on, past
the warm-up ones; the built-in samples when ``--data-dir`` lacks C3):

* ``batch``: all of them in one ``score`` call, under the example article;
* ``single``: one ``score`` call per comment, under the example article;
* ``short``: one call per comment of each comment's first one to three words, no article;
* ``long``: one call per comment of at least 1,200 characters, under the example article:
  the comments that set the single-comment p99 (the first ``--n`` of them among the first
  2,300 C3 comments, past the warm-up ones: about 200).

The runs go in parallel, one per core (valgrind runs Python about 50× slower: about 5 minutes
in all on two cores). Needs valgrind (``apt-get install -y valgrind``). Writes JSON to
``bench/results/instructions.json``.

    .venv/bin/python bench/instructions.py [--data-dir ../shared/data] [--n 300]
        [--explain policy|every]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
WORKLOADS = ("none", "batch", "single", "short", "long")
LONG_CHARS = 1200

_CHILD = """
import json, pathlib, sys
sys.path.insert(0, {bench!r})
from classifier import _comments
from functools import partial
from moderation.classifier import load_scorer, settle_after_loading
from moderation.domain.scores import CommentInput
from moderation.policy_file import load_policy

workload, n, data_dir = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[3])
points = load_policy(pathlib.Path({policy!r})).approve_points
scorer = load_scorer()
settle_after_loading()
score = partial(scorer.score, explain_from=points if sys.argv[4] == "policy" else None)
article = json.loads(pathlib.Path({article!r}).read_text())
texts = _comments(data_dir, 300 + n)[-n:]
under = [CommentInput(t, article["title"], article["body"], "en") for t in texts]
long = [t for t in _comments(data_dir, 2300)[300:] if len(t) >= {long_chars}] or [
    (t + " ") * (1500 // len(t)) for t in texts
]
long = [CommentInput(t, article["title"], article["body"], "en") for t in long[:n]]
short = [CommentInput(" ".join(t.split()[:k])) for t in texts for k in (1, 2, 3)]
short = [c for c in short if c.text][:n]
score(under[:20])
if workload == "batch":
    score(under)
elif workload == "single":
    for comment in under:
        score([comment])
elif workload == "short":
    for comment in short:
        score([comment])
elif workload == "long":
    for comment in long:
        score([comment])
scored = {{"none": [], "short": short, "long": long}}.get(workload, under)
print(json.dumps({{"scored": len(scored)}}))
"""

_I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _count(workload: str, n: int, data_dir: pathlib.Path, explain: str) -> tuple[int, int]:
    """(instructions, comments scored) of one fresh process running ``workload``."""
    child = _CHILD.format(
        bench=str(ROOT / "bench"),
        article=str(ROOT.parent / "shared" / "examples" / "article.json"),
        policy=str(ROOT / "config" / "policy.toml"),
        long_chars=LONG_CHARS,
    )
    command = [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
        sys.executable, "-c", child, workload, str(n), str(data_dir), explain,
    ]  # fmt: skip
    # A fixed hash seed: with a random one, set and dict orders (and so the counts) vary.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    found = _I_REFS.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"the {workload} run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", "")), int(json.loads(done.stdout)["scored"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=pathlib.Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=300, help="comments per workload (1-2000)")
    parser.add_argument(
        "--explain",
        choices=("policy", "every"),
        default="policy",
        help="spans as the worker finds them (policy) or for every score",
    )
    parser.add_argument(
        "--out", type=pathlib.Path, default=ROOT / "bench" / "results" / "instructions.json"
    )
    args = parser.parse_args()
    if not 1 <= args.n <= 2000:
        parser.error("--n must be between 1 and 2000")
    if shutil.which("valgrind") is None:
        raise SystemExit(
            "valgrind is not installed (apt-get install -y valgrind): this benchmark counts "
            "instructions with its cachegrind tool"
        )
    workers = max(1, min(len(WORKLOADS), len(os.sched_getaffinity(0))))
    with ThreadPoolExecutor(workers) as pool:
        counts = dict(
            zip(
                WORKLOADS,
                pool.map(lambda w: _count(w, args.n, args.data_dir, args.explain), WORKLOADS),
                strict=True,
            )
        )
    baseline = counts["none"][0]
    version = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=False)
    from moderation.classifier.artifacts import read_card

    result: dict[str, Any] = {
        "model_version": read_card(ROOT / "models")["model_version"],
        "valgrind": version.stdout.strip(),
        "python": sys.version.split()[0],
        "comments": args.n,
        "explain": args.explain,
        "instructions_without_scoring": baseline,
        "instructions_per_comment": {
            workload: round((total - baseline) / scored)
            for workload, (total, scored) in counts.items()
            if workload != "none"
        },
        "scored": {w: scored for w, (_, scored) in counts.items() if w != "none"},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
