"""Queue queries on SQLite and PostgreSQL: filters, orders, pages, counts, author history."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from moderation import queue, review
from tests.support.held import add_decided_comment


@pytest.fixture
def sessions(app: Flask) -> Any:
    s = app.extensions["moderation"].db.session
    add_decided_comment(
        s, "old", "an old insult, idiot", words=("idiot",), score=0.6, age_minutes=90
    )
    add_decided_comment(
        s,
        "spam",
        "buy cheap pills",
        reason="spam",
        score=0.95,
        age_minutes=30,
        article_id="a2",
        article_title="Markets",
        section="Business",
    )
    add_decided_comment(
        s, "new", "rather rude", score=0.8, age_minutes=5, author="Ann", author_id="u1"
    )
    add_decided_comment(s, "ru", "Автор, ты дурак", score=0.75, age_minutes=20, language="ru")
    add_decided_comment(
        s, "fine", "nice piece", action="approve", age_minutes=60, author="Ann", author_id="u1"
    )
    add_decided_comment(
        s,
        "gone",
        "rubbish",
        action="reject",
        score=0.97,
        age_minutes=40,
        author="Ann",
        author_id="u1",
    )
    return s


def ids(sessions: Any, **spec: Any) -> list[str]:
    with sessions() as s:
        return [i.comment.id for i in queue.list_queue(s, queue.QueueFilter(**spec)).items]


def test_held_comments_come_oldest_first_by_default(sessions: Any) -> None:
    assert ids(sessions) == ["old", "spam", "ru", "new"]
    assert ids(sessions, sort="newest") == ["new", "ru", "spam", "old"]
    assert ids(sessions, sort="score") == ["spam", "new", "ru", "old"]


def test_filters_by_reason_article_and_section(sessions: Any) -> None:
    assert ids(sessions, reason="spam") == ["spam"]
    assert ids(sessions, reason="toxicity") == ["old", "ru", "new"]
    assert ids(sessions, reason="off_topic") == []
    assert ids(sessions, article_id="a2") == ["spam"]
    assert ids(sessions, section="Politics") == ["old", "ru", "new"]
    assert ids(sessions, language="ru") == ["ru"]
    assert ids(sessions, language="en") == ["old", "spam", "new"]
    with sessions() as s:
        assert queue.languages(s, "held") == ["en", "ru"]
    assert ids(sessions, author="u1") == ["new"]  # by the CMS's author id
    assert ids(sessions, author="Reader") == ["old", "spam", "ru"]  # by name when there is no id


@pytest.mark.parametrize("sort", ["oldest", "newest", "score"])
def test_pages_cover_the_queue_once(sessions: Any, sort: str) -> None:
    seen, cursor = [], None
    with sessions() as s:
        for _ in range(5):
            page = queue.list_queue(s, queue.QueueFilter(sort=sort, limit=1, cursor=cursor))
            seen += [i.comment.id for i in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == ids(sessions, sort=sort)


def test_counts_per_reason_and_total(sessions: Any) -> None:
    with sessions() as s:
        assert queue.reason_counts(s, queue.QueueFilter()) == {"toxicity": 3, "spam": 1}
        assert queue.count_queue(s, queue.QueueFilter(reason="toxicity")) == 3
        assert queue.count_queue(s, queue.QueueFilter(language="ru")) == 1
        assert queue.sections(s, "held") == ["Business", "Politics"]


def test_each_item_carries_the_authors_history(sessions: Any) -> None:
    with sessions() as s:
        items = {i.comment.id: i for i in queue.list_queue(s, queue.QueueFilter()).items}
    assert (items["new"].history.approved, items["new"].history.rejected) == (1, 1)
    assert (items["old"].history.approved, items["old"].history.rejected) == (0, 0)
    assert items["old"].waiting_seconds > 89 * 60


def test_model_decisions_can_be_browsed_and_leave_once_a_human_decides(sessions: Any) -> None:
    assert ids(sessions, status="approved", decided_by="model") == ["fine"]
    review.submit_review(sessions, "fine", review.make_review("reject", "offensive"), "alice")
    assert ids(sessions, status="approved", decided_by="model") == []
    assert ids(sessions, status="rejected", decided_by="moderator") == ["fine"]
    assert ids(sessions, status="rejected", decided_by="model") == ["gone"]


def test_a_reply_comes_with_the_comment_it_answers(sessions: Any) -> None:
    add_decided_comment(sessions, "reply", "no, you are wrong", parent_id="fine", age_minutes=1)
    with sessions() as s:
        items = {i.comment.id: i for i in queue.list_queue(s, queue.QueueFilter()).items}
    assert items["reply"].parent == queue.Parent("fine", "Ann", "nice piece")
    assert items["old"].parent is None
