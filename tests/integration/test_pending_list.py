"""The pending list and its drain tasks, against a real Redis (kombu's Redis transport)."""

from __future__ import annotations

import json

import pytest
import redis
from celery import Celery

from moderation import queueing
from moderation.celery_app import celery_config
from moderation.queueing import (
    CLASSIFY_PENDING,
    KICK_KEY,
    PENDING_KEY,
    call_for_help,
    enqueue_classification,
    kick_classification,
    release_pending,
    take_pending,
)

pytestmark = pytest.mark.redis


@pytest.fixture
def broker(redis_url: str) -> Celery:
    app = Celery("pending-list-test")
    app.config_from_object(celery_config({"REDIS_URL": redis_url, "SWEEP_INTERVAL": 10.0}))
    return app


def drain_tasks(client: redis.Redis) -> list[str]:
    return [json.loads(m)["headers"]["task"] for m in client.lrange("classify", 0, -1)]


def test_comments_queued_together_share_one_drain_task(broker: Celery, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert enqueue_classification(broker, client, "a")
    assert enqueue_classification(broker, client, "b", "c")
    assert client.lrange(PENDING_KEY, 0, -1) == [b"a", b"b", b"c"]
    assert drain_tasks(client) == [CLASSIFY_PENDING]
    assert not kick_classification(broker, client)  # one is already on its way
    assert drain_tasks(client) == [CLASSIFY_PENDING]


def test_a_draining_task_holds_the_flag_and_releasing_it_lets_new_comments_kick(
    broker: Celery, redis_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    enqueue_classification(broker, client, *[f"c{n}" for n in range(5)])
    assert take_pending(client, 3) == (["c0", "c1", "c2"], 2)
    enqueue_classification(broker, client, "during")  # the drain task is busy: no new task
    assert drain_tasks(client) == [CLASSIFY_PENDING]
    assert take_pending(client, 3) == (["c3", "c4", "during"], 0)
    assert take_pending(client, 3) == ([], 0)
    assert release_pending(client, 3) == []  # the task stops and clears the flag
    assert client.get(KICK_KEY) is None
    enqueue_classification(broker, client, "late")
    assert drain_tasks(client) == [CLASSIFY_PENDING, CLASSIFY_PENDING]
    assert take_pending(client) == (["late"], 0)


def test_a_comment_that_arrives_while_the_task_stops_is_not_stranded(
    broker: Celery, redis_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    enqueue_classification(broker, client, "first")
    assert take_pending(client) == (["first"], 0)
    enqueue_classification(broker, client, "racer")  # flag held: no task sent for it
    assert drain_tasks(client) == [CLASSIFY_PENDING]
    assert release_pending(client) == ["racer"]  # ...so the stopping task takes it itself


def test_a_long_backlog_calls_in_one_more_process_at_a_time(
    broker: Celery, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A longer interval than the service's 200 ms: on a busy machine sending the first task
    # can take longer than that, and the test is about the second call, not the clock.
    monkeypatch.setattr(queueing, "HELP_INTERVAL_MS", 60_000)
    client = redis.Redis.from_url(redis_url)
    assert call_for_help(broker, client)
    assert not call_for_help(broker, client)  # within HELP_INTERVAL_MS of the last call
    assert drain_tasks(client) == [CLASSIFY_PENDING]
    client.delete(queueing.HELP_KEY)  # the interval is over
    assert call_for_help(broker, client)
    assert drain_tasks(client) == [CLASSIFY_PENDING, CLASSIFY_PENDING]


def test_a_lost_drain_task_blocks_new_ones_only_until_the_flag_expires(
    broker: Celery, redis_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    enqueue_classification(broker, client, "x")
    client.delete("classify")  # the task message is lost; the flag is still set
    enqueue_classification(broker, client, "y")
    assert drain_tasks(client) == []
    client.delete(KICK_KEY)  # the flag expires (KICK_TTL_MS)
    assert kick_classification(broker, client)  # what the sweeper does when ids are listed
    assert drain_tasks(client) == [CLASSIFY_PENDING]
    assert take_pending(client) == (["x", "y"], 0)
