"""Redis dies while comments arrive: intake keeps answering, and nothing is lost once it is back."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.faults.conftest import Stack

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.redis]


def test_intake_accepts_comments_while_redis_is_down_and_all_are_decided_after(
    stack: Stack,
) -> None:
    stack.web()
    stack.worker("worker", "classify,callbacks,maintenance", beat=True)
    stack.register_article()
    before = [f"before-{n}" for n in range(3)]
    for comment_id in before:
        assert stack.post_comment(comment_id).status_code == 202
    stack.wait_until(lambda: stack.decided(before) == 3, 60, "decisions before the outage")

    stack.redis.stop(kill=True)
    during = [f"during-{n}" for n in range(15)]
    slowest = 0.0
    for comment_id in during:
        started = time.perf_counter()
        response = stack.post_comment(comment_id)
        slowest = max(slowest, time.perf_counter() - started)
        assert response.status_code == 202, response.text
    assert slowest < 2.0, f"intake took {slowest:.2f}s with Redis down"
    assert set(stack.statuses(during).values()) == {"pending"}  # stored, not lost
    code, body = stack.readyz()
    assert code == 503 and "redis" in body["failing"]

    stack.redis.start()  # same port and data directory: what a restart looks like
    stack.wait_until(
        lambda: stack.decided(during) == len(during),
        60,
        "decisions for comments sent during the outage",
    )
    assert stack.decisions_per_comment(before + during) == dict.fromkeys(before + during, 1)
    for comment_id in during:
        assert stack.decision_of(comment_id).decided_by == "model"  # classified, not timed out
    stack.wait_until(
        lambda: all(stack.cms.keys_for(c) for c in during), 60, "callbacks for every comment"
    )
    metrics = stack.metrics()
    assert 'moderation_enqueue_failures_total{task="classify_comment"}' in metrics


def test_a_hung_redis_delays_one_request_not_every_request(stack: Stack) -> None:
    """SIGSTOP: connections open but nothing answers, the worst kind of Redis outage."""
    stack.web()
    stack.worker("worker", "classify,callbacks,maintenance", beat=True)
    stack.register_article()
    assert stack.post_comment("warm").status_code == 202
    stack.wait_until(lambda: stack.decided(["warm"]) == 1, 60, "a first decision")
    assert stack.redis.process is not None
    os.kill(stack.redis.process.pid, signal.SIGSTOP)
    ids = [f"hung-{n}" for n in range(6)]
    try:
        took = []
        for comment_id in ids:
            started = time.perf_counter()
            assert stack.post_comment(comment_id).status_code == 202
            took.append(time.perf_counter() - started)
    finally:
        os.kill(stack.redis.process.pid, signal.SIGCONT)
    # The first publish waits for the socket timeout; the pause spares the rest (a slow
    # machine may let one more request probe when a 5 s pause ends).
    assert max(took) < 25, took
    assert sum(1 for t in took if t > 1.0) <= 2, took
    stack.wait_until(lambda: stack.decided(ids) == len(ids), 60, "decisions after Redis resumes")
    assert stack.decisions_per_comment(ids) == dict.fromkeys(ids, 1)
