"""No decision possible in time (model missing, no classify worker): held, never approved, CMS told."""

from __future__ import annotations

import pytest

from tests.faults.conftest import Stack

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.redis]

DEADLINE = {"DECISION_DEADLINE": 4, "SWEEP_PENDING_AGE": 1}


def assert_held_by_the_failure_policy(stack: Stack, ids: list[str]) -> None:
    stack.wait_until(lambda: stack.decided(ids) == len(ids), 60, "the failure policy")
    assert set(stack.statuses(ids).values()) == {"held"}
    assert stack.decisions_per_comment(ids) == dict.fromkeys(ids, 1)
    for comment_id in ids:
        decision = stack.decision_of(comment_id)
        assert (decision.action, decision.decided_by) == ("hold", "system")
        assert [r["code"] for r in decision.reasons] == ["no_decision"]
        assert decision.model_version is None
    stack.wait_until(lambda: all(stack.cms.log.for_comment(c) for c in ids), 60, "callbacks")
    for comment_id in ids:
        told = stack.cms.log.for_comment(comment_id)[-1]
        assert told["status"] == "held"
        assert told["decision"]["reasons"][0]["code"] == "no_decision"
    assert (
        'moderation_decisions_total{action="hold",decided_by="system",language="und",'
        'model="none",reason="no_decision"}' in stack.metrics()
    )


@pytest.mark.parametrize("stack", [DEADLINE], indirect=True)
def test_a_missing_model_holds_comments_with_a_reason_and_tells_the_cms(stack: Stack) -> None:
    empty = stack.tmp / "no-models"
    empty.mkdir()
    stack.config["MODELS_DIR"] = str(empty)
    stack.web()
    stack.worker("worker", "classify,callbacks,maintenance", beat=True)
    stack.register_article()
    code, body = stack.wait_until(lambda: _model_check(stack), 30, "/readyz to name the model")
    assert code == 503 and body["failing"] == ["model"]
    ids = ["nomodel-1", "nomodel-2", "nomodel-3"]
    for comment_id in ids:
        assert stack.post_comment(comment_id).status_code == 202
    assert_held_by_the_failure_policy(stack, ids)


@pytest.mark.parametrize("stack", [DEADLINE], indirect=True)
def test_with_no_classify_worker_comments_are_held_after_the_deadline(stack: Stack) -> None:
    stack.web()
    stack.worker("sweeper", "callbacks,maintenance", beat=True)  # nobody consumes "classify"
    stack.register_article()
    ids = ["noworker-1", "noworker-2"]
    for comment_id in ids:
        assert stack.post_comment(comment_id).status_code == 202
    assert_held_by_the_failure_policy(stack, ids)
    code, body = stack.readyz()
    assert code == 503 and "classify_workers" in body["failing"]


def _model_check(stack: Stack) -> tuple[int, dict[str, object]] | None:
    code, body = stack.readyz()
    checks = body["checks"]
    return (code, body) if checks["classify_workers"]["ok"] else None
