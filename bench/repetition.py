"""Copy-paste spam: what counting near copies catches, and what it costs, next to exact copies.

    .venv/bin/python bench/repetition.py [--data-dir ../shared/data] [--rounds 5]

Measured, each for exact copies only (``similarity = 1.0``) and for near copies at several
similarities, in the same run:

* **catch**: texts that are at least the third posting (two earlier copies: the policy's
  default ``hold_at = 2``) of a text of 20+ letters and digits, counted with
  :class:`~moderation.domain.repetition.CopiesSeen` in order, without a window: in the
  YouTube spam set (videos in date order, spam and ham apart) and in C3's 12,000 news
  comments (all civil for this purpose: a news site's readers, not a campaign);
* **cost**: computing a comment's near-copy keys; what the worker adds per batch of 64
  comments: storing their keys (with the commit) and :func:`moderation.copies.copies_before`,
  exact-only and near copies alternating round by round (medians), on a real database
  holding the 12,000 C3 comments plus a campaign of 300 copies that change the price: an
  SQLite file, and a throwaway database on the PostgreSQL server ``--postgresql``
  (default the development one on 127.0.0.1:5432; ``--postgresql ''`` skips it).

Writes ``bench/results/repetition.json``.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import platform
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url
from sqlalchemy import text as sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moderation import intake  # noqa: E402
from moderation.copies import copies_before, store_near_copy_keys  # noqa: E402
from moderation.domain.policy import Repetition  # noqa: E402
from moderation.domain.repetition import (  # noqa: E402
    CopiesSeen,
    folded,
    jaccard,
    near_copy_keys,
    near_copy_keys_many,
    shingles,
)
from moderation.storage.database import Database, normalise_url  # noqa: E402
from moderation.storage.tables import Comment  # noqa: E402

SIMILARITIES = (1.0, 0.9, 0.8, 0.7, 0.6)
MIN_CHARS = Repetition().min_chars
CAMPAIGN = "Earn ${} a day from home! Call Aigerim on +7 701 555 {} or visit quick-cash.kz"
_TAG = re.compile(r"<[^>]+>")


def youtube(data_dir: Path) -> list[tuple[str, int]]:
    """(text, 1 spam / 0 ham) in date order; rows without a date first, in file order."""
    rows = []
    for path in sorted((data_dir / "youtube_spam" / "data").glob("Youtube0*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = html.unescape(_TAG.sub(" ", row["CONTENT"])).strip()
                rows.append((row["DATE"] or "", text, int(row["CLASS"])))
    rows.sort(key=lambda r: r[0])  # stable: undated rows keep their file order
    return [(text, label) for _, text, label in rows]


def c3(data_dir: Path) -> list[str]:
    texts = []
    for path in sorted((data_dir / "socc_c3" / "split").glob("C3_anonymized.part*of4.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts += [row["comment_text"] for row in csv.DictReader(handle)]
    return texts


def third_postings(texts: list[str], similarity: float) -> list[bool]:
    """For each text in order: is it at least the third posting (exact or near)?"""
    seen = CopiesSeen(similarity)
    held = []
    for text in texts:
        key = folded(text)
        held.append(len(key) >= MIN_CHARS and seen.add(key) >= 2)
    return held


def catch(data_dir: Path) -> dict[str, Any]:
    tube = youtube(data_dir)
    news = c3(data_dir)
    table: dict[str, Any] = {
        "youtube": {"spam": sum(y for _, y in tube), "ham": sum(1 - y for _, y in tube)},
        "c3": {"comments": len(news)},
        "by_similarity": {},
    }
    for similarity in SIMILARITIES:
        held = third_postings([t for t, _ in tube], similarity)
        news_held = third_postings(news, similarity)
        table["by_similarity"][str(similarity)] = {
            "youtube_spam_held": sum(h and y == 1 for h, (_, y) in zip(held, tube, strict=True)),
            "youtube_ham_held": sum(h and y == 0 for h, (_, y) in zip(held, tube, strict=True)),
            "c3_held": sum(news_held),
        }
    return table


def unrelated_pairs(texts: list[str], pairs: int = 100_000) -> dict[str, float]:
    """How alike unrelated news comments are, and how often they share a near-copy key:
    similarity quantiles over random pairs, and the earlier comments sharing a key with each
    comment taken in order (candidates whose similarity the worker would check)."""
    rng = random.Random(0)
    folds = [folded(t) for t in texts]
    pieces = [shingles(f) for f in folds]
    values = sorted(
        jaccard(pieces[a], pieces[b])
        for a, b in (rng.sample(range(len(texts)), 2) for _ in range(pairs))
    )
    index: dict[int, list[int]] = {}
    candidates = 0
    for n, text in enumerate(folds):
        keys = near_copy_keys(text)
        candidates += len({i for k in keys for i in index.get(k, ())})
        for k in keys:
            index.setdefault(k, []).append(n)
    return {
        "random_pairs": pairs,
        "similarity_median": round(values[len(values) // 2], 4),
        "similarity_p99": round(values[int(0.99 * (len(values) - 1))], 4),
        "similarity_max": round(values[-1], 4),
        "candidates_per_comment": round(candidates / len(texts), 3),
    }


def key_cost(texts: list[str]) -> dict[str, float]:
    """Computing near-copy keys: one text at a time, and in batches of 64 (the worker's way)."""
    folds = [folded(t) for t in texts]
    times = []
    for key in folds:
        start = time.perf_counter()
        near_copy_keys(key)
        times.append(time.perf_counter() - start)
    times.sort()
    batches = []
    for start in range(0, len(folds) - 63, 64):
        began = time.perf_counter()
        near_copy_keys_many(folds[start : start + 64])
        batches.append((time.perf_counter() - began) / 64)
    return {
        "one_at_a_time_p50_us": round(statistics.median(times) * 1e6, 1),
        "one_at_a_time_p99_us": round(times[int(0.99 * (len(times) - 1))] * 1e6, 1),
        "in_batches_of_64_median_us_per_text": round(statistics.median(batches) * 1e6, 1),
        "max_chars": max(len(t) for t in texts),
    }


@contextmanager
def database(kind: str, server: str) -> Iterator[Database]:
    """A new, migrated database: an SQLite file, or a throwaway database on the PostgreSQL
    ``server`` (dropped afterwards)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{tmp}/bench.db")
            db.upgrade()
            yield db
            db.dispose()
        return
    name = f"moderation_bench_{secrets.token_hex(4)}"
    admin = create_engine(normalise_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sql(f'CREATE DATABASE "{name}"'))
    try:
        db = Database(make_url(normalise_url(server)).set(database=name).render_as_string(False))
        db.upgrade()
        yield db
        db.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def worker_batches(db: Database, news: list[str], rounds: int) -> dict[str, Any]:
    """The worker's whole classify() of 64 new news comments (scoring, keys, copies, decisions,
    the commit) under the shipped policy (near copies at 0.7) and with exact copies only
    (``similarity = 1.0``: no keys stored, as before near copies), alternating batches of C3
    comments (already stored once, so each text is an exact copy of one earlier comment)."""
    from moderation.classifier import load_scorer
    from moderation.classify import classify
    from moderation.policy_file import load_policy

    scorer = load_scorer()
    policy = load_policy(ROOT / "config" / "policy.toml")
    exact = replace(policy, repetition=replace(policy.repetition, similarity=1.0))
    times: dict[str, list[float]] = {"exact_only": [], "near_copies": []}
    for n in range(2 * rounds + 2):
        near = n % 2 == 1
        texts = news[64 * n : 64 * (n + 1)]  # new texts each batch, as on a news site
        ids = [f"w{n}-{i}" for i in range(len(texts))]
        for cid, body in zip(ids, texts, strict=True):
            payload = {"id": cid, "article_id": "a1", "author": {"name": "R"}, "text": body}
            with db.engine.begin() as connection:
                intake.insert_new_comment(connection, payload)
        with db.session() as session:
            began = time.perf_counter()
            classify(session, ids, scorer, policy if near else exact, "")
            elapsed = time.perf_counter() - began
        if n >= 2:  # the first of each: warming up
            times["near_copies" if near else "exact_only"].append(elapsed)
    before, after = (statistics.median(times[k]) * 1e3 for k in times)
    return {
        "median_ms_per_batch": {"exact_only": round(before, 1), "near_copies": round(after, 1)},
        "ratio": round(after / before, 2),
    }


def database_cost(db: Database, news: list[str], rounds: int) -> dict[str, Any]:
    """What the worker adds per batch of 64: storing the batch's near-copy keys (with its
    commit), and counting copies exact-only against near copies, alternating rounds."""
    campaign = [CAMPAIGN.format(100 + n, "12 34") for n in range(300)]  # the price changes
    with db.session() as session:
        intake.register_article(session, "a1", {"title": "Bench", "body": "Body."})
        session.commit()
    stored = [*news, *campaign]
    for n, body in enumerate(stored):
        payload = {"id": f"c{n}", "article_id": "a1", "author": {"name": "R"}, "text": body}
        with db.engine.begin() as connection:
            intake.insert_new_comment(connection, payload)
    storing: dict[str, list[float]] = {"insert": [], "commit": []}
    for start in range(0, len(stored), 64):  # as the worker does, batch by batch
        with db.session() as session:
            ids = [f"c{n}" for n in range(start, min(start + 64, len(stored)))]
            comments = [session.get(Comment, i) for i in ids]
            began = time.perf_counter()
            store_near_copy_keys(session, comments)  # type: ignore[arg-type]
            storing["insert"].append(time.perf_counter() - began)
            began = time.perf_counter()
            session.commit()  # the worker commits its batch anyway; the keys make it larger
            storing["commit"].append(time.perf_counter() - began)
    with db.engine.begin() as connection:  # statistics, as autovacuum would gather them
        connection.execute(sql("ANALYZE"))
    near_rule = Repetition()
    rules = {"exact_only": replace(near_rule, similarity=1.0), "near_copies": near_rule}
    batches = {
        "news": [f"c{n}" for n in range(len(news) - 64, len(news))],
        "campaign": [f"c{len(news) + n}" for n in range(300 - 64, 300)],
    }
    results: dict[str, Any] = {}
    for name, ids in batches.items():
        times: dict[str, list[float]] = {k: [] for k in rules}
        counts: dict[str, int] = {}
        for _ in range(rounds):
            for rule_name, rule in rules.items():
                with db.session() as session:
                    comments = [session.get(Comment, i) for i in ids]
                    keys = {c.id: near_copy_keys(folded(c.text)) for c in comments}  # type: ignore[union-attr]
                    began = time.perf_counter()
                    found = copies_before(session, comments, rule, keys)  # type: ignore[arg-type]
                    times[rule_name].append(time.perf_counter() - began)
                    counts[rule_name] = sum(c >= 2 for c in found)
        results[name] = {
            rule_name: {
                "median_ms_per_batch": round(statistics.median(t) * 1e3, 2),
                "comments_with_2_or_more_copies": counts[rule_name],
            }
            for rule_name, t in times.items()
        }
        exact, near = (results[name][k]["median_ms_per_batch"] for k in rules)
        results[name]["ratio_near_to_exact"] = round(near / exact, 2)
    return {
        "stored_comments": len(stored),
        "batch": 64,
        "worker_batch": worker_batches(db, news, rounds),
        "store_keys_median_ms_per_batch": {
            part: round(statistics.median(t) * 1e3, 2) for part, t in storing.items()
        },
        "count_copies": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--postgresql",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="a PostgreSQL server to measure on too (a throwaway database is made); '' skips it",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "repetition.json")
    args = parser.parse_args()
    news = c3(args.data_dir)
    result = {
        "machine": {"python": platform.python_version(), "cpu": platform.machine()},
        "rule": {"hold_at": 2, "min_chars": MIN_CHARS, "window": "none (whole sets)"},
        "catch": catch(args.data_dir),
        "c3_unrelated": unrelated_pairs(news),
        "near_copy_keys": key_cost(news),
    }
    measured: dict[str, Any] = {}
    for kind in ("sqlite", "postgresql") if args.postgresql else ("sqlite",):
        with database(kind, args.postgresql) as db:
            measured[kind] = database_cost(db, news, args.rounds)
    result["database"] = measured
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
