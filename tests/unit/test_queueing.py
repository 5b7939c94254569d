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
    assert not queueing.enqueue_classification(broker, "c1")
    assert not queueing.enqueue_classification(broker, "c2")
    assert len(broker.sent) == 1  # the second was not even tried
    assert queueing.publish_pause(Broker()).allow()  # another app (another test) is not paused


def test_one_probe_after_the_pause_and_success_closes_it(broker: Broker) -> None:
    broker.down = True
    queueing.enqueue_classification(broker, "c1")
    pause = queueing.publish_pause(broker)
    pause._until = 1.0  # the pause is over
    broker.down = False
    assert pause.allow() and not pause.allow()  # one probe at a time
    pause.succeeded()
    assert queueing.enqueue_classification(broker, "c2")
    assert queueing.enqueue_classification(broker, "c3")
    assert [args for _, args in broker.sent] == [["c1"], ["c2"], ["c3"]]
