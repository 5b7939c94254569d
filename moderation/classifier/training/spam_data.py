"""YouTube Spam Collection: CLASS 1 spam / 0 ham, grouped by video for leave-one-video-out."""

from __future__ import annotations

import html
import re

from moderation.classifier.training.sources import DataDir, Labelled

LABEL_MAPPING = "youtube_spam: CLASS 1 -> spam, 0 -> ham; HTML tags/entities unescaped"
_TAG = re.compile(r"<[^>]+>")


def load_youtube(data: DataDir) -> Labelled:
    texts: list[str] = []
    labels: list[int] = []
    groups: list[str] = []
    for path in data.glob("youtube_spam/data/Youtube0*.csv"):
        video = path.rsplit("-", 1)[-1].removesuffix(".csv")
        for row in data.read_csv(path):
            texts.append(html.unescape(_TAG.sub(" ", row["CONTENT"])).strip())
            labels.append(int(row.number("CLASS")))
            groups.append(video)
    return Labelled("youtube_spam", texts, labels, groups)
