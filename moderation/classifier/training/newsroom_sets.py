"""What ``moderation train --labels`` learns from: the newsroom's labels split per model.

:mod:`moderation.classifier.newsroom_labels` reads and maps the file; here the labels become,
per model, a (train, held-out) pair of sets split by article: English and Russian toxicity,
the shared spam head (every language but Russian), the Russian spam head, and article/comment
pairs for each language's off-topic model. The model
card's ``newsroom_labels`` section is written from the same object.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from moderation.classifier.language_routing import route
from moderation.classifier.newsroom_labels import (
    HELD_OUT_SHARE,
    LABEL_MAPPING,
    LabelFile,
    NewsroomLabel,
    base_language,
    in_language,
    labelled,
    with_languages,
)
from moderation.classifier.training import off_topic_data as od
from moderation.classifier.training.sources import Labelled, split_by_article


def newsroom_version(model_version: str, source: LabelFile) -> str:
    """The model version of a set trained with a newsroom's labels: the labels file's
    checksum is part of it, so a deployed model says what it learned from."""
    return f"{model_version}+newsroom.{source.sha256[:10]}"


Split = tuple[Labelled | None, Labelled | None]  # (train, held out); None: no such labels
PairSplit = tuple[od.Pairs | None, od.Pairs | None]


def off_topic_pairs(
    labels: list[NewsroomLabel], language: str, *, seed: int, share: float = HELD_OUT_SHARE
) -> PairSplit:
    """(train, held out) article/comment pairs from the labels whose export carries their
    article, built like the public pairs: each approved comment under its own article (0) and
    under another of the newsroom's articles drawn at random (1); each off-topic rejection
    under its own article (1). A reply keeps the comment it answers under its own article and
    answers another article's comment under the other one. Comments under an article declared
    in another language are left out (the service does not score off-topic across languages).
    Split by article."""
    usable = [
        x
        for x in in_language(labels, language)
        if x.target("off_topic") is not None
        and (x.article_title or x.article_body)
        and base_language(x.article_language) in (None, language)
    ]
    if not usable:
        return None, None
    articles = {
        x.article_id: od.Article(x.article_id, x.article_title or "", x.article_body or "")
        for x in usable
    }
    ids = sorted(articles)
    rng = random.Random(seed)
    train, held = split_by_article(
        labelled(usable, "off_topic", f"newsroom_off_topic_{language}"), seed=seed, share=share
    )

    thread: dict[str, list[str]] = {}
    for x in usable:
        thread.setdefault(x.article_id, []).append(x.text)
    foreign = random.Random(seed + 1)

    def build(homes: set[str]) -> od.Pairs | None:
        pairs = od.Pairs([], [], [], [], [], [])

        def add(comment: str, article_id: str, label: int, home: str, parent: str | None) -> None:
            pairs.comments.append(comment)
            pairs.titles.append(articles[article_id].title)
            pairs.bodies.append(articles[article_id].body)
            pairs.labels.append(label)
            pairs.groups.append(home)
            pairs.parents.append(parent)

        for x in usable:
            if x.article_id not in homes:
                continue
            add(x.text, x.article_id, x.target("off_topic") or 0, x.article_id, x.parent_text)
            if x.label == "approve" and len(ids) > 1:
                other = rng.choice([a for a in ids if a != x.article_id])
                # A reply moved away answers a comment of another article, as in the public pairs.
                parent = od.foreign_parent(thread, x.article_id, foreign) if x.parent_text else None
                add(x.text, other, 1, x.article_id, parent)
        return pairs if pairs.labels else None

    return build(set(train.groups)), build(set(held.groups))


@dataclass(frozen=True)
class NewsroomSets:
    """What ``moderation train --labels`` learns from and validates on, per model."""

    source: LabelFile | None
    toxicity_en: Split
    toxicity_ru: tuple[Labelled, Labelled] | None
    spam: Split  # every language but Russian: the shared spam head
    off_topic_en: PairSplit = (None, None)
    off_topic_ru: PairSplit = (None, None)
    languages: tuple[tuple[str, int], ...] = ()  # (language, labels), detected once
    spam_ru: Split = (None, None)  # Russian (ru, ru-Latn): the Russian spam head

    @classmethod
    def of(cls, source: LabelFile | None, *, seed: int = 20261128) -> NewsroomSets:
        if source is None:
            return cls(None, (None, None), None, (None, None))
        labels = with_languages(source.labels)

        def split(subset: list[NewsroomLabel], score: str, name: str) -> Split:
            data = labelled(subset, score, name)
            return (
                split_by_article(data, seed=seed, share=HELD_OUT_SHARE)
                if len(data)
                else (None, None)
            )

        russian = split(in_language(labels, "ru"), "toxicity", "newsroom_toxicity_ru")
        spam_ru = [x for x in labels if route(x.language or "") == "ru"]
        spam_other = [x for x in labels if route(x.language or "") != "ru"]
        return cls(
            source,
            split(in_language(labels, "en"), "toxicity", "newsroom_toxicity_en"),
            (russian[0], russian[1]) if russian[0] is not None and russian[1] is not None else None,
            split(spam_other, "spam", "newsroom_spam"),
            off_topic_pairs(labels, "en", seed=seed),
            off_topic_pairs(labels, "ru", seed=seed),
            tuple(sorted(Counter(x.language or "unknown" for x in labels).items())),
            split(spam_ru, "spam", "newsroom_spam_ru"),
        )

    def label_mappings(self) -> dict[str, str]:
        return {} if self.source is None else {"newsroom_labels": LABEL_MAPPING}

    def card_section(self) -> dict[str, object] | None:
        """The model card's ``newsroom_labels`` entry (None when training without labels)."""
        if self.source is None:
            return None
        used: dict[str, object] = {}
        for name, pair in (
            ("toxicity_en", self.toxicity_en),
            ("toxicity_ru", self.toxicity_ru or (None, None)),
            ("spam", self.spam),
            ("spam_ru", self.spam_ru),
        ):
            train, held = pair
            used[name] = {"train": _count(train), "validation": _count(held)}
        for name, pairs in (
            ("off_topic_en", self.off_topic_en),
            ("off_topic_ru", self.off_topic_ru),
        ):
            used[name] = {"train": _count_pairs(pairs[0]), "validation": _count_pairs(pairs[1])}
        return {
            **self.source.summary(),
            "languages": dict(self.languages),
            "split": f"by article_id, seeded; {HELD_OUT_SHARE:.0%} of the articles held out "
            "(validation entries 'newsroom_labels_validation')",
            "used": used,
            "off_topic_pairs": "each approved comment under its own article (0) and under "
            "another of the newsroom's articles drawn at random (1), each off-topic rejection "
            "under its own article (1); only labels whose export carries the article text",
            "not_used": "labels in languages without a model; off-topic labels without the "
            "article text",
        }


def _count(part: Labelled | None) -> dict[str, int]:
    if part is None:
        return {"comments": 0, "positives": 0, "articles": 0}
    return {
        "comments": len(part),
        "positives": int(sum(part.labels)),
        "articles": len(set(part.groups)),
    }


def _count_pairs(pairs: od.Pairs | None) -> dict[str, int]:
    if pairs is None:
        return {"pairs": 0, "positives": 0, "articles": 0}
    return {
        "pairs": len(pairs.labels),
        "positives": int(sum(pairs.labels)),
        "articles": len(set(pairs.groups)),
    }
