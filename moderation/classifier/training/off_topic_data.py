"""Honest off-topic pairs from Globe and Mail articles and the comments posted under them.

Every real comment appears twice: under its own article (label 0, on-topic) and paired with
one other article drawn at random from the 56 others (label 1, off-topic). Because the same
comment text sits on both sides, comment-only cues cannot separate the classes by themselves;
the model has to judge the comment against the article. Pairs are grouped by the article the
comment was posted under, so validation holds out whole articles.
"""

from __future__ import annotations

import ast
import html
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moderation.classifier.training.sources import DataDir

LABEL_MAPPING = (
    "gnm_article_comment_pairs: comment under its own article -> 0 (on-topic); the same comment "
    "with one other randomly drawn article (seeded) -> 1 (off-topic); groups = home article"
)
_GNM = "gnm_article_comment_pairs/Output"
_TAG = re.compile(r"<[^>]+>")
_SUFFIX = " - The Globe and Mail"


@dataclass(frozen=True)
class Article:
    article_id: str
    title: str
    body: str


@dataclass(frozen=True)
class Pairs:
    comments: list[str]
    titles: list[str]
    bodies: list[str]
    labels: list[int]
    groups: list[str]
    parents: list[str | None] = field(default_factory=list)  # empty: no parents known

    def rows(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(comment, title, body, parent) of every pair: what the off-topic model reads."""
        parents = self.parents or [None] * len(self.comments)
        return list(zip(self.comments, self.titles, self.bodies, parents, strict=True))


# Replies: comment text -> the text of the comment it answers, per home article.
Parents = dict[str, dict[str, str]]


def load_articles(data: DataDir) -> dict[str, Article]:
    articles: dict[str, Article] = {}
    for path in data.glob(f"{_GNM}/ArticleRawData/article_*.json"):
        for article_id, raw in json.loads(data.read_text(path)).items():
            paragraphs = raw["article_text"]
            if isinstance(paragraphs, str):
                paragraphs = (
                    ast.literal_eval(paragraphs) if paragraphs.startswith("[") else [paragraphs]
                )
            body = "\n\n".join(html.unescape(_TAG.sub("", p)).strip() for p in paragraphs)
            title = raw["title"].removesuffix(_SUFFIX)
            articles[article_id] = Article(article_id, title, body)
    return articles


def load_comments(data: DataDir) -> dict[str, list[str]]:
    """Comment texts per article id, replies included (they are posted under the article too)."""
    return load_threads(data)[0]


def load_threads(data: DataDir) -> tuple[dict[str, list[str]], Parents]:
    """:func:`load_comments`, and for each reply the text of the comment it answers (the
    nearest ancestor with text; the first one seen when a text was posted twice)."""
    threads: dict[str, list[str]] = {}
    parents: Parents = {}
    for path in data.glob(f"{_GNM}/CommentsRawData/article_*_comments.json"):
        for article_id, raw in json.loads(data.read_text(path)).items():
            texts: list[str] = []
            answered = parents.setdefault(article_id, {})
            stack: list[tuple[dict[str, Any], str | None]] = [(c, None) for c in raw["comments"]]
            while stack:
                comment, parent = stack.pop()
                text = html.unescape(_TAG.sub(" ", comment.get("commentText") or "")).strip()
                stack.extend((r, text or parent) for r in comment.get("replies") or [])
                if text:
                    texts.append(text)
                    if parent is not None:
                        answered.setdefault(text, parent)
            threads[article_id] = sorted(set(texts))
    return threads, parents


def build_pairs(
    articles: dict[str, Article],
    threads: dict[str, list[str]],
    *,
    seed: int,
    parents: Parents | None = None,
) -> Pairs:
    """Each comment under its own article and under one other drawn at random (seeded)."""
    rng = random.Random(seed)
    ids = sorted(articles)
    return pair_up(
        articles,
        threads,
        lambda home: rng.choice([a for a in ids if a != home]),
        parents=parents,
        seed=seed,
    )


def pair_up(
    articles: dict[str, Article],
    threads: dict[str, list[str]],
    other_of: Callable[[str], str],
    *,
    parents: Parents | None = None,
    seed: int = 0,
) -> Pairs:
    """Each comment under its own article (0) and under ``other_of(home)`` (1), in order.

    With ``parents``, a reply keeps the comment it answers when on-topic; off-topic, it
    answers a comment drawn at random (seeded) from another article's thread: a reply that
    has nothing to do with the article also has nothing to do with the comment above it,
    and each class has as many replies, so having a parent says nothing by itself.
    """
    pairs = Pairs([], [], [], [], [], [])
    foreign = random.Random(seed + 1)  # apart from other_of's draws: the same articles
    for home in sorted(threads):
        for comment in threads[home]:
            other = other_of(home)
            parent = (parents or {}).get(home, {}).get(comment)
            for article_id, label in ((home, 0), (other, 1)):
                pairs.comments.append(comment)
                pairs.titles.append(articles[article_id].title)
                pairs.bodies.append(articles[article_id].body)
                pairs.labels.append(label)
                pairs.groups.append(home)
                if parent is not None and label == 1:
                    pairs.parents.append(foreign_parent(threads, home, foreign))
                else:
                    pairs.parents.append(parent)
    return pairs


def foreign_parent(threads: dict[str, list[str]], home: str, rng: random.Random) -> str:
    """A comment from the thread of an article other than ``home``, drawn with ``rng``."""
    other = rng.choice(sorted(a for a in threads if a != home and threads[a]))
    return rng.choice(threads[other])
