"""The whole path with the trained model: signed CMS post, real worker, browser review, callback."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser.test_workspace import item, log_in
from tests.support.cms import CallbackLog
from tests.support.processes import service_env
from tests.support.worker import WorkerProcess
from tests.support.workspace import make_user

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.slow]

ARTICLE = {
    "title": "Kazakhstan and Uzbekistan sign a water-sharing agreement",
    "body": "The two governments agreed on how to share the water of the Syr Darya for irrigation.",
    "section": "Diplomacy",
    "language": "en",
}
OVERTURN = {"held": "approve", "approved": "reject", "rejected": "approve"}


@pytest.fixture
def full_worker(app: Flask, test_config: dict[str, Any], tmp_path: Path) -> Iterator[WorkerProcess]:
    if not (Path(app.config["MODELS_DIR"]) / "model_card.json").exists():
        pytest.skip("no trained model in models/ (make train): the real-path test needs one")
    process = WorkerProcess(
        service_env(test_config, tmp_path),
        queues="classify,callbacks",
        log_path=tmp_path / "worker.log",
    )
    process.start()
    yield process
    process.stop()


def test_a_model_decision_is_reviewed_in_the_browser_and_reaches_the_cms(
    app: Flask,
    full_worker: WorkerProcess,
    live_server: str,
    page: Any,
    cms: Callable[..., Any],
    callbacks: tuple[str, CallbackLog],
) -> None:
    make_user(app, "alice")
    assert cms("PUT", "/api/v1/articles/water", ARTICLE).status_code == 201
    comment = {
        "id": "real-1",
        "article_id": "water",
        "author": {"name": "Reader"},
        "text": "Sharing the river fairly matters more than who signed first, you clowns.",
    }
    assert cms("POST", "/api/v1/comments", comment).status_code == 202
    # No ?wait: a cold worker first loads the model, which can take longer than a CMS waits.
    deadline = time.monotonic() + 90
    status = "pending"
    while status == "pending" and time.monotonic() < deadline:
        time.sleep(0.2)
        status = cms("GET", "/api/v1/comments/real-1").get_json()["status"]
    assert status in OVERTURN, f"the worker did not decide the comment in 90 s ({status})"
    log_in(page, live_server)
    page.goto(f"{live_server}/moderate/queue?status={status}")
    action = OVERTURN[status]
    if action == "approve":
        item(page, "real-1").locator('[data-action="approve"]').click()
    else:
        item(page, "real-1").locator('[data-action="reject"]').click()
        page.select_option('[data-comment-id="real-1"] select[name=reason_code]', "other")
        item(page, "real-1").locator('[data-action="confirm-reject"]').click()
    page.wait_for_selector('[data-comment-id="real-1"]', state="detached")
    expected = {"approve": "approved", "reject": "rejected"}[action]
    assert cms("GET", "/api/v1/comments/real-1").get_json()["status"] == expected
    log = callbacks[1]
    deadline = time.monotonic() + 30
    while len(log.for_comment("real-1")) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    by = {p["decision"]["decided_by"]: p for p in log.for_comment("real-1")}
    assert set(by) == {"model", "alice"}, log.for_comment("real-1")
    assert by["model"]["status"] == status
    assert by["alice"]["status"] == expected
