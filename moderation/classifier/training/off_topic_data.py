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
from dataclasses import dataclass

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
    threads: dict[str, list[str]] = {}
    for path in data.glob(f"{_GNM}/CommentsRawData/article_*_comments.json"):
        for article_id, raw in json.loads(data.read_text(path)).items():
            texts: list[str] = []
            stack = list(raw["comments"])
            while stack:
                comment = stack.pop()
                stack.extend(comment.get("replies") or [])
                text = html.unescape(_TAG.sub(" ", comment.get("commentText") or "")).strip()
                if text:
                    texts.append(text)
            threads[article_id] = sorted(set(texts))
    return threads


def build_pairs(articles: dict[str, Article], threads: dict[str, list[str]], *, seed: int) -> Pairs:
    """Each comment under its own article and under one other drawn at random (seeded)."""
    rng = random.Random(seed)
    ids = sorted(articles)
    return pair_up(articles, threads, lambda home: rng.choice([a for a in ids if a != home]))


def pair_up(
    articles: dict[str, Article], threads: dict[str, list[str]], other_of: Callable[[str], str]
) -> Pairs:
    """Each comment under its own article (0) and under ``other_of(home)`` (1), in order."""
    pairs = Pairs([], [], [], [], [])
    for home in sorted(threads):
        for comment in threads[home]:
            other = other_of(home)
            for article_id, label in ((home, 0), (other, 1)):
                pairs.comments.append(comment)
                pairs.titles.append(articles[article_id].title)
                pairs.bodies.append(articles[article_id].body)
                pairs.labels.append(label)
                pairs.groups.append(home)
    return pairs
