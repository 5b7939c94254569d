"""Publishing pauses after a failure so a hung Redis cannot hold every intake thread."""

from __future__ import annotations

from typing import Any

import pytest

from moderation import queueing


class Broker:
    """A stand-in Celery app whose ``send_task`` fails while ``down`` is set."""

    def __init__(self) -> None:
        self.down = False
        self.sent: list[Any] = []

    def send_task(self, name: str, args: list[Any], retry: bool) -> None:
        self.sent.append((name, args))
        if self.down:
            raise ConnectionError("redis is down")


@pytest.fixture
def broker() -> Broker:
    return Broker()


def test_after_a_failure_publishing_is_skipped_until_the_pause_ends(broker: Broker) -> None:
    broker.down = True
    assert not queueing.enqueue_delivery(broker, 1)  # type: ignore[arg-type]
    assert not queueing.enqueue_delivery(broker, 2)  # type: ignore[arg-type]
    assert len(broker.sent) == 1  # the second was not even tried
    assert queueing.publish_pause(Broker()).allow()  # type: ignore[arg-type]


def test_one_probe_after_the_pause_and_success_closes_it(broker: Broker) -> None:
    broker.down = True
    queueing.enqueue_delivery(broker, 1)  # type: ignore[arg-type]
    pause = queueing.publish_pause(broker)  # type: ignore[arg-type]
    pause._until = 1.0  # the pause is over
    broker.down = False
    assert pause.allow() and not pause.allow()  # one probe at a time
    pause.succeeded()
    assert queueing.enqueue_delivery(broker, 2)  # type: ignore[arg-type]
    assert queueing.enqueue_delivery(broker, 3)  # type: ignore[arg-type]
    assert [args for _, args in broker.sent] == [[1], [2], [3]]


def test_classification_is_paused_by_a_failed_publish_too(broker: Broker) -> None:
    class DownRedis:
        def pipeline(self, transaction: bool = True) -> Any:
            raise ConnectionError("redis is down")

    redis_client: Any = DownRedis()
    assert not queueing.enqueue_classification(broker, redis_client, "c1")  # type: ignore[arg-type]
    pause = queueing.publish_pause(broker)  # type: ignore[arg-type]
    assert not pause.allow()  # paused: the next comment is stored and left to the sweeper
