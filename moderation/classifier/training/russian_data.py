"""The Russian toxicity data: 2ch/Pikabu forum comments and ParaDetox, deduplicated and split.

* ``ru_2ch_pikabu/labeled.csv``: deduplicated on whitespace-collapsed, case-folded text; a text
  seen with both labels (43 of them) is dropped, because its annotators disagreed.
* ``ru_paradetox``: each ``toxic_comment`` is a label-1 comment; each crowd-written neutral
  rewrite is a label-0 hard negative, weighted down (they are not natural comments).
* A text in both sets (730 of them) sits in one split: with ParaDetox train -> forum train,
  with ParaDetox dev/test -> forum test. The rest of the forum is split at random (fixed seed).
* 15 % of the other ParaDetox train originals, with their rewrites, are held out as a
  ParaDetox validation set (for the stacking weights); dev and test are never trained on.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from moderation.classifier.training.sources import DataDir, Labelled, Row

FORUM = "ru_2ch_pikabu/labeled.csv"
PARADETOX = {s: f"ru_paradetox/{s}.tsv" for s in ("train", "dev", "test")}
VALIDATION_SHARE = 0.15
TEST_SHARE = 0.15
PARADETOX_VALIDATION_SHARE = 0.15  # of ParaDetox train originals, for the stacking weights
REWRITE_WEIGHT = 0.3
LABEL_MAPPINGS = {
    "ru_2ch_pikabu": "toxic 1.0 -> 1, 0.0 -> 0; deduplicated on whitespace-collapsed, "
    "case-folded text; texts seen with both labels dropped",
    "ru_paradetox": f"toxic_comment -> 1 (weight 1); neutral_comment1..3 (crowd rewrites) -> 0 "
    f"with sample weight {REWRITE_WEIGHT}; train.tsv for training, dev.tsv and test.tsv only "
    "for evaluation",
}


def text_key(text: str) -> str:
    """What counts as "the same text" for deduplication and leakage checks."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Deduplicated:
    texts: list[str]
    labels: list[int]
    stats: dict[str, int]


def deduplicate(rows: Iterable[tuple[str, int]]) -> Deduplicated:
    """One row per :func:`text_key`, first spelling kept; keys with both labels dropped."""
    labels: dict[str, set[int]] = defaultdict(set)
    first: dict[str, str] = {}
    n_rows = 0
    for text, label in rows:
        key = text_key(text)
        labels[key].add(label)
        first.setdefault(key, text.strip())
        n_rows += 1
    conflicting = {k for k, v in labels.items() if len(v) > 1}
    keys = [k for k in first if k not in conflicting]
    return Deduplicated(
        [first[k] for k in keys],
        [next(iter(labels[k])) for k in keys],
        {
            "rows": n_rows,
            "unique_texts": len(first),
            "duplicate_rows_removed": n_rows - len(first),
            "conflicting_label_texts_dropped": len(conflicting),
            "kept": len(keys),
        },
    )


def assign_splits(keys: list[str], forced: dict[str, str], *, seed: int) -> dict[str, str]:
    """Key -> "train" / "validation" / "test": ``forced`` keys as given, the rest at random."""
    free = sorted(k for k in set(keys) if k not in forced)
    random.Random(seed).shuffle(free)
    n_val = round(len(free) * VALIDATION_SHARE)
    n_test = round(len(free) * TEST_SHARE)
    out = dict(forced)
    out.update({k: "validation" for k in free[:n_val]})
    out.update({k: "test" for k in free[n_val : n_val + n_test]})
    out.update({k: "train" for k in free[n_val + n_test :]})
    return out


@dataclass
class RussianData:
    train: Labelled  # forum train + ParaDetox train originals and rewrites
    train_weights: list[float]
    validation: Labelled  # forum only: calibration and operating points
    paradetox_validation_pairs: Labelled  # held-out train originals (1) vs their rewrites (0)
    test: Labelled  # forum only: the random-split figures
    forum_train: Labelled  # forum part of ``train`` (the forum-only model)
    paradetox_dev_pairs: Labelled  # dev toxic originals (1) vs their rewrites (0)
    paradetox_test_toxic: Labelled  # test originals, all 1
    stats: dict[str, object] = field(default_factory=dict)


def read_tsv(data: DataDir, relative: str) -> list[Row]:
    return data.read_csv(relative, delimiter="\t")


def rewrites(row: dict[str, str]) -> list[str]:
    return [v.strip() for k, v in row.items() if k and k.startswith("neutral") and v and v.strip()]


def load_russian(data: DataDir, *, seed: int) -> RussianData:
    forum = deduplicate((r["comment"], int(r.number("toxic"))) for r in data.read_csv(FORUM))
    pd = {s: read_tsv(data, p) for s, p in PARADETOX.items()}
    pd_split = {"train": "train", "dev": "test", "test": "test"}
    pd_key_split = {text_key(r["toxic_comment"]): pd_split[s] for s in pd for r in pd[s]}
    forum_keys = [text_key(t) for t in forum.texts]
    forced = {k: pd_key_split[k] for k in forum_keys if k in pd_key_split}
    split_of = assign_splits(forum_keys, forced, seed=seed)
    parts: dict[str, tuple[list[str], list[int]]] = {
        s: ([], []) for s in ("train", "validation", "test")
    }
    for text, label, key in zip(forum.texts, forum.labels, forum_keys, strict=True):
        parts[split_of[key]][0].append(text)
        parts[split_of[key]][1].append(label)

    def labelled(name: str, texts: list[str], labels: list[int], group: str) -> Labelled:
        return Labelled(name, texts, labels, [group] * len(texts))

    forum_train = labelled("ru_2ch_pikabu_train", *parts["train"], "forum")
    held_keys = {k for k, s in split_of.items() if s != "train"}
    forum_train_keys = set(forum_keys) - held_keys
    texts, labels, groups = (
        list(forum_train.texts),
        list(forum_train.labels),
        list(forum_train.groups),
    )
    weights = [1.0] * len(texts)
    skipped = 0
    free = sorted(
        {text_key(r["toxic_comment"]) for r in pd["train"]} - forum_train_keys - held_keys
    )
    random.Random(seed).shuffle(free)
    pd_held = set(free[: round(len(free) * PARADETOX_VALIDATION_SHARE)])
    val_texts: list[str] = []
    val_labels: list[int] = []
    val_groups: list[str] = []
    for i, row in enumerate(pd["train"]):
        key = text_key(row["toxic_comment"])
        if key in held_keys:
            skipped += 1
            continue  # also in ParaDetox dev/test: evaluation wins, never train on it
        if key in pd_held:
            for text, label in [(row["toxic_comment"].strip(), 1)] + [
                (r, 0) for r in rewrites(row)
            ]:
                val_texts.append(text)
                val_labels.append(label)
                val_groups.append(f"train_{i}")
            continue
        if key not in forum_train_keys:
            texts.append(row["toxic_comment"].strip())
            labels.append(1)
            groups.append("paradetox_toxic")
            weights.append(1.0)
        for rewrite in rewrites(row):
            texts.append(rewrite)
            labels.append(0)
            groups.append("paradetox_rewrite")
            weights.append(REWRITE_WEIGHT)
    dev_texts: list[str] = []
    dev_labels: list[int] = []
    dev_groups: list[str] = []
    for i, row in enumerate(pd["dev"]):
        for text, label in [(row["toxic_comment"].strip(), 1)] + [(r, 0) for r in rewrites(row)]:
            dev_texts.append(text)
            dev_labels.append(label)
            dev_groups.append(f"dev_{i}")
    test_toxic = [r["toxic_comment"].strip() for r in pd["test"]]
    stats: dict[str, object] = {
        "ru_2ch_pikabu": forum.stats,
        "overlap_forum_paradetox": len(forced),
        "overlap_by_split": {s: sum(v == s for v in forced.values()) for s in ("train", "test")},
        "paradetox_train_originals_already_in_forum_train": sum(
            text_key(r["toxic_comment"]) in forum_train_keys for r in pd["train"]
        ),
        "paradetox_train_rows_skipped_as_held_out": skipped,
        "splits": {s: len(parts[s][0]) for s in parts},
        "train_rows": len(texts),
        "paradetox_rewrites_in_train": groups.count("paradetox_rewrite"),
        "paradetox_validation_originals": len(pd_held),
    }
    return RussianData(
        train=Labelled("ru_train", texts, labels, groups),
        train_weights=weights,
        validation=labelled("ru_2ch_pikabu_validation", *parts["validation"], "forum"),
        paradetox_validation_pairs=Labelled(
            "ru_paradetox_validation_pairs", val_texts, val_labels, val_groups
        ),
        test=labelled("ru_2ch_pikabu_test", *parts["test"], "forum"),
        forum_train=forum_train,
        paradetox_dev_pairs=Labelled("ru_paradetox_dev_pairs", dev_texts, dev_labels, dev_groups),
        paradetox_test_toxic=labelled(
            "ru_paradetox_test_toxic", test_toxic, [1] * len(test_toxic), "paradetox_test"
        ),
        stats=stats,
    )
