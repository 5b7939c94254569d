"""The toxicity validation sets, shared by ``moderation train`` and ``moderation evaluate``.

None of these rows is trained on: C3 articles held out by a seeded split, the official
TweetEval validation splits, and Wikipedia CAT-SMALL with any text that also appears in the
CAT-LARGE training files removed.
"""

from __future__ import annotations

from moderation.classifier.training import toxicity_data as td
from moderation.classifier.training.sources import DataDir, Labelled
from moderation.classifier.training.toxicity import split_articles


def toxicity_validation_sets(data: DataDir, *, seed: int) -> list[Labelled]:
    c3, _ = td.load_c3(data)
    _, c3_validation = split_articles(c3, seed=seed)
    training_wiki = set(td.load_wiki(data).texts)
    small = [
        r for r in data.read_csv("wiki_talk_context/data/CAT_SMALL/cat_small.csv")
        if r["text"] not in training_wiki
    ]  # fmt: skip
    wiki_small = Labelled(
        "wiki_cat_small_no_context",
        [r["text"] for r in small],
        [int(r.number("label_oc")) for r in small],
        ["wiki"] * len(small),
    )
    return [
        c3_validation,
        td.load_tweeteval(data, "offensive", "val"),
        td.load_tweeteval(data, "hate", "val"),
        wiki_small,
    ]
