"""The CMS callback endpoint is down or answers 500: retries, a dead-letter list, a replay."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from moderation.storage.tables import CallbackAttempt
from tests.faults.conftest import Stack

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.redis]


def test_deliveries_retry_through_an_outage_and_arrive_once_the_cms_is_back(stack: Stack) -> None:
    stack.cms.down()  # connection refused
    stack.web()
    stack.worker("worker", "classify,callbacks,maintenance", beat=True)
    stack.register_article()
    ids = [f"cb-{n}" for n in range(5)]
    for comment_id in ids:
        assert stack.post_comment(comment_id).status_code == 202
    stack.wait_until(lambda: stack.decided(ids) == len(ids), 60, "decisions")
    stack.wait_until(
        lambda: all(d.attempts >= 2 for d in stack.deliveries(ids)), 60, "failed attempts"
    )
    stack.cms.log.fail_next = 10  # back, but answering 500 for a while
    stack.cms.up()
    stack.wait_until(
        lambda: all(d.status == "delivered" for d in stack.deliveries(ids)), 60, "deliveries"
    )
    for comment_id in ids:
        decision = stack.decision_of(comment_id)
        assert set(stack.cms.keys_for(comment_id)) == {f"{comment_id}:{decision.id}"}
    with stack.db.session() as session:
        codes = list(session.scalars(select(CallbackAttempt.status_code)))
    assert None in codes and 500 in codes and 204 in codes  # down, then 500s, then accepted
    metrics = stack.metrics()
    for outcome in ("network_error", "http_error", "delivered"):
        assert f'moderation_callback_attempts_total{{outcome="{outcome}"}}' in metrics


@pytest.mark.parametrize("stack", [{"CALLBACK_GIVE_UP_AFTER": 2}], indirect=True)
def test_given_up_deliveries_are_listed_and_replayed_by_the_command(stack: Stack) -> None:
    stack.cms.down()
    stack.web()
    stack.worker("worker", "classify,callbacks,maintenance", beat=True)
    stack.register_article()
    ids = ["dead-1", "dead-2"]
    for comment_id in ids:
        assert stack.post_comment(comment_id).status_code == 202
    stack.wait_until(
        lambda: {d.status for d in stack.deliveries(ids)} == {"failed"}, 60, "the dead letter"
    )
    listed = moderation_command(stack, "callbacks", "list")
    assert all(comment_id in listed for comment_id in ids), listed
    assert 'moderation_callback_deliveries{status="failed"} 2.0' in stack.metrics()

    stack.cms.up()
    replayed = moderation_command(stack, "callbacks", "replay")
    assert "2 deliveries put back in line" in replayed
    stack.wait_until(
        lambda: {d.status for d in stack.deliveries(ids)} == {"delivered"}, 60, "the replay"
    )
    for comment_id in ids:
        decision = stack.decision_of(comment_id)
        assert stack.cms.keys_for(comment_id) == [f"{comment_id}:{decision.id}"]


def moderation_command(stack: Stack, *args: str) -> str:
    command = str(Path(sys.executable).parent / "moderation")
    done = subprocess.run(
        [command, *args],
        env={**os.environ, **stack.env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return done.stdout + done.stderr
