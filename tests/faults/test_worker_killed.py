"""A worker is SIGKILLed in the middle of a burst: one decision per comment, every CMS told."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections import Counter

import pytest

from tests.faults.conftest import Stack

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.redis]

BURST = 80


def test_sigkill_mid_burst_gives_each_comment_exactly_one_decision_and_a_callback(
    stack: Stack,
) -> None:
    stack.web()
    # The sweeper (beat) lives apart from the worker we kill, as in production.
    stack.worker("sweeper", "maintenance", beat=True)
    victim = stack.worker("victim", "classify,callbacks", concurrency=2)
    stack.register_article()

    ids = [f"burst-{n}" for n in range(BURST)]
    refused: list[str] = []

    def send_burst() -> None:
        for comment_id in ids:
            if stack.post_comment(comment_id).status_code != 202:
                refused.append(comment_id)

    sender = threading.Thread(target=send_burst)
    sender.start()
    stack.wait_until(lambda: stack.decided(ids) >= 10, 60, "the first decisions of the burst")
    assert victim.process is not None
    victim.stop(signal.SIGKILL)  # the whole worker, its pool processes included
    decided_at_kill = stack.decided(ids)
    sender.join(timeout=60)
    assert not refused, refused
    assert decided_at_kill < BURST, "the kill must land mid-burst"

    stack.worker("replacement", "classify,callbacks", concurrency=2)
    stack.wait_until(lambda: stack.decided(ids) == BURST, 90, "a decision for every comment")
    per_comment = stack.decisions_per_comment(ids)
    assert per_comment == dict.fromkeys(ids, 1), {k: v for k, v in per_comment.items() if v != 1}

    # At least once to the CMS, always with the same key for the same decision.
    stack.wait_until(
        lambda: all(stack.cms.keys_for(c) for c in ids), 90, "a callback for every comment"
    )
    for comment_id in ids:
        decision = stack.decision_of(comment_id)
        assert set(stack.cms.keys_for(comment_id)) == {f"{comment_id}:{decision.id}"}
    repeats = Counter(p["comment_id"] for p in stack.cms.log.received)
    print(
        f"killed at {decided_at_kill}/{BURST} decided; repeated callbacks: "
        f"{sum(n - 1 for n in repeats.values())}"
    )
    # A delivery killed after its POST but before it was recorded is sent again once its
    # claim lapses: the records converge to delivered (the CMS drops the repeat by its key).
    stack.wait_until(
        lambda: {d.status for d in stack.deliveries(ids)} == {"delivered"},
        150,
        "every delivery recorded as delivered",
    )


def test_a_pool_process_killed_mid_task_has_its_comment_redelivered(stack: Stack) -> None:
    """Only one pool process dies: Celery requeues its task at once (reject_on_worker_lost)."""
    stack.web()
    stack.worker("sweeper", "callbacks,maintenance", beat=True)
    worker = stack.worker("worker", "classify", concurrency=2)
    stack.register_article()
    ids = [f"pool-{n}" for n in range(30)]

    def send_burst() -> None:
        for comment_id in ids:
            assert stack.post_comment(comment_id).status_code == 202

    sender = threading.Thread(target=send_burst)
    sender.start()
    stack.wait_until(lambda: stack.decided(ids) >= 3, 60, "the first decisions")
    assert worker.process is not None
    children = subprocess.run(
        ["pgrep", "-P", str(worker.process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert children, "the worker has pool processes"
    os.kill(int(children[0]), signal.SIGKILL)
    sender.join(timeout=60)
    stack.wait_until(lambda: stack.decided(ids) == len(ids), 90, "a decision for every comment")
    assert stack.decisions_per_comment(ids) == dict.fromkeys(ids, 1)
    stack.wait_until(lambda: all(stack.cms.keys_for(c) for c in ids), 90, "every callback")
