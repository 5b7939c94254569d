"""Replies: the off-topic model reads the comment they answer, in training and in serving."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

from moderation.classifier.off_topic_features import (
    FEATURE_NAMES,
    PARENT_FEATURE_NAMES,
    OffTopicFeatures,
)
from moderation.classifier.training import off_topic_data as od
from moderation.classifier.training.sources import DataDir

TEXTS = [
    "Ottawa raises the carbon tax and pays rebates to rural families",
    "The hockey team lost again and the goalie was benched",
    "Farmers pay more for diesel than the rebate returns",
    "Dairy subsidies cost more than the hockey arena",
] * 3


@pytest.fixture(scope="module")
def features() -> OffTopicFeatures:
    return OffTopicFeatures(min_df=1).fit(TEXTS)


def test_replies_get_the_parent_features(features: OffTopicFeatures) -> None:
    assert features.feature_names == FEATURE_NAMES + PARENT_FEATURE_NAMES
    title, body = "Carbon tax", TEXTS[0]
    reply = "Diesel costs farmers more than the rebate"
    close = features.features(reply, title, body, TEXTS[2])
    far = features.features(reply, title, body, TEXTS[1])
    alone = features.features(reply, title, body)
    assert len(close) == len(FEATURE_NAMES) + 2
    named = dict(zip(features.feature_names, close.tolist(), strict=True))
    assert named["has_parent"] == 1.0 and named["parent_cosine"] > 0.2
    assert dict(zip(features.feature_names, far.tolist(), strict=True))["parent_cosine"] < 0.1
    assert alone[-2:].tolist() == [0.0, 0.0]
    assert features.features(reply, title, body, "   ")[-2:].tolist() == [0.0, 0.0]
    # The rest of the row does not depend on the parent.
    np.testing.assert_array_equal(close[: len(FEATURE_NAMES)], alone[: len(FEATURE_NAMES)])
    # transform reads (comment, title, body) and (comment, title, body, parent) alike.
    rows = features.transform([(reply, title, body), (reply, title, body, TEXTS[2])])
    np.testing.assert_array_equal(rows, np.vstack([alone, close]))


def test_a_model_fitted_before_replies_keeps_its_features(features: OffTopicFeatures) -> None:
    old = OffTopicFeatures(min_df=1).fit(TEXTS, parent_features=False)
    assert old.feature_names == FEATURE_NAMES
    del old.__dict__["uses_parent_"]  # as loaded from a model saved before this attribute
    assert not old.uses_parent
    assert len(old.features("a reply", "Carbon tax", TEXTS[0], TEXTS[2])) == len(FEATURE_NAMES)


def _write_threads(root: pathlib.Path) -> DataDir:
    folder = root / "gnm_article_comment_pairs" / "Output" / "CommentsRawData"
    folder.mkdir(parents=True)
    for article, texts in (("a1", ("A top", "A reply", "A reply to a blank")), ("a2", ("B",))):
        top, reply, deep = (*texts, "", "")[:3]
        replies = [{"commentText": reply, "replies": [{"commentText": "", "replies": [
            {"commentText": deep}]}]}] if reply else []  # fmt: skip
        raw = {article: {"comments": [{"commentText": top, "replies": replies}]}}
        (folder / f"article_{article}_comments.json").write_text(json.dumps(raw))
    return DataDir(root)


def test_threads_know_whom_each_reply_answers(tmp_path: pathlib.Path) -> None:
    threads, parents = od.load_threads(_write_threads(tmp_path))
    assert threads == {"a1": ["A reply", "A reply to a blank", "A top"], "a2": ["B"]}
    # A reply to a comment without text answers the nearest one above it that has text.
    assert parents == {"a1": {"A reply": "A top", "A reply to a blank": "A reply"}, "a2": {}}


def test_pairs_keep_the_parent_on_topic_and_draw_a_foreign_one_off_topic(
    tmp_path: pathlib.Path,
) -> None:
    threads, parents = od.load_threads(_write_threads(tmp_path))
    articles = {a: od.Article(a, f"title {a}", f"body {a}") for a in ("a1", "a2", "a3")}
    plain = od.build_pairs(articles, threads, seed=1)
    pairs = od.build_pairs(articles, threads, seed=1, parents=parents)
    # The same articles on both sides as without parents.
    assert (pairs.comments, pairs.titles, pairs.labels) == (
        plain.comments,
        plain.titles,
        plain.labels,
    )
    by_row = {
        (c, y): p for c, y, p in zip(pairs.comments, pairs.labels, pairs.parents, strict=True)
    }
    assert by_row[("A reply", 0)] == "A top" and by_row[("A top", 0)] is None
    assert by_row[("A top", 1)] is None and by_row[("B", 1)] is None
    assert by_row[("A reply", 1)] == "B"  # the only other thread: article a2's
    assert pairs.rows()[0] == (pairs.comments[0], "title a1", "body a1", pairs.parents[0])
    assert plain.rows()[0][3] is None
