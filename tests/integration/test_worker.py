"""Real Celery worker processes on a real Redis, against SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from moderation.storage.tables import CallbackAttempt, CallbackDelivery, Comment
from tests.support.cms import CallbackLog, callback_server
from tests.support.processes import service_env
from tests.support.signed import CALLBACK_SECRET
from tests.support.worker import WorkerProcess

pytestmark = [pytest.mark.worker, pytest.mark.slow]

ARTICLE = {
    "title": "Kazakhstan and Uzbekistan sign a water-sharing agreement",
    "body": "The two governments agreed on how to share the water of the Syr Darya river for irrigation.",
    "language": "en",
}


@pytest.fixture
def callbacks() -> Iterator[tuple[str, CallbackLog]]:
    with callback_server(CALLBACK_SECRET) as server:
        yield server


@pytest.fixture
def test_config(
    test_config: dict[str, Any], callbacks: tuple[str, CallbackLog], tmp_path: Path
) -> dict[str, Any]:
    url, _ = callbacks
    return {
        **test_config,
        "CALLBACK_URL": url,
        "CALLBACK_BACKOFF_BASE": 0.2,
        "CALLBACK_BACKOFF_MAX": 1.0,
        "SWEEP_INTERVAL": 0.5,
        "SWEEP_PENDING_AGE": 2.0,
    }


@pytest.fixture
def worker(app: Flask, test_config: dict[str, Any], tmp_path: Path) -> Iterator[WorkerProcess]:
    process = WorkerProcess(
        service_env(test_config, tmp_path), log_path=tmp_path / "worker.log", beat=True
    )
    process.start()
    yield process
    process.stop()


def post(cms: Callable[..., Any], comment_id: str, text: str, wait: int = 0) -> Any:
    url = "/api/v1/comments" + (f"?wait={wait}" if wait else "")
    return cms(
        "POST",
        url,
        {"id": comment_id, "article_id": "a1", "author": {"name": "Reader"}, "text": text},
    )


@pytest.fixture
def article(cms: Callable[..., Any]) -> None:
    assert cms("PUT", "/api/v1/articles/a1", ARTICLE).status_code == 201


@pytest.mark.usefixtures("article", "worker")
def test_a_comment_is_decided_by_a_real_worker_and_the_cms_is_told(
    cms: Callable[..., Any], callbacks: tuple[str, CallbackLog]
) -> None:
    response = post(
        cms, "w1", "Good to see both countries agree on sharing the river water.", wait=10_000
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] in {"approved", "held", "rejected"}
    decision = body["decision"]
    assert decision["action"] in {"approve", "hold", "reject"}
    assert decision["decided_by"] == "model" and decision["model_version"]
    assert set(decision["scores"]) == {"toxicity", "off_topic", "spam"}
    _, log = callbacks
    delivered = log.wait_for("w1")
    assert delivered["status"] == body["status"]
    assert delivered["decision"]["action"] == decision["action"]
    assert log.idempotency_keys[-1].startswith("w1:")


@pytest.mark.usefixtures("article", "worker")
def test_a_clearly_toxic_comment_is_not_approved(cms: Callable[..., Any]) -> None:
    response = post(
        cms, "w2", "You are a stupid idiot and a moron, shut up you pathetic loser.", wait=10_000
    )
    assert response.status_code == 200
    decision = response.get_json()["decision"]
    assert decision["action"] in {"hold", "reject"}
    toxicity = [r for r in decision["reasons"] if r["code"] == "toxicity"]
    assert toxicity and toxicity[0]["score"] >= 0.3
    assert toxicity[0]["spans"], "a toxicity reason carries the words behind it"


def _third_posting_is_repeated(cms: Callable[..., Any], prefix: str, texts: list[str]) -> None:
    """Post three texts waiting for each decision: only the third is held as repeated."""
    decisions = []
    for n, text in enumerate(texts):
        response = post(cms, f"{prefix}{n}", text, wait=10_000)
        assert response.status_code == 200, response.get_json()
        decisions.append(response.get_json()["decision"])
    codes = [[r["code"] for r in d["reasons"]] for d in decisions]
    assert "repeated" not in codes[0] and "repeated" not in codes[1], codes
    assert "repeated" in codes[2] and decisions[2]["action"] in {"hold", "reject"}
    (repeated,) = [r for r in decisions[2]["reasons"] if r["code"] == "repeated"]
    assert repeated["detail"].startswith(
        "the same or a nearly identical text was posted 2 times before"
    )


@pytest.mark.usefixtures("article", "worker")
def test_the_third_copy_of_a_text_is_held_as_repeated(cms: Callable[..., Any]) -> None:
    text = "Great analysis of the water deal, more people should read this one."
    _third_posting_is_repeated(cms, "copy", [text, text.upper(), text.replace(",", "")])


@pytest.mark.usefixtures("article", "worker")
def test_the_third_near_copy_of_a_campaign_is_held_as_repeated(cms: Callable[..., Any]) -> None:
    """A campaign that changes the price each time is still one text."""
    campaign = "Earn ${} a day from home! Call Aigerim on +7 701 555 12 34 or visit quick-cash.kz"
    _third_posting_is_repeated(cms, "near", [campaign.format(p) for p in (500, 700, 900)])


@pytest.mark.usefixtures("article")
def test_comments_stored_while_no_worker_runs_are_decided_once_one_starts(
    app: Flask, cms: Callable[..., Any], test_config: dict[str, Any], tmp_path: Path
) -> None:
    for n in range(5):
        assert (
            post(cms, f"q{n}", f"Comment number {n} about the water agreement.").status_code == 202
        )
    worker = WorkerProcess(service_env(test_config, tmp_path), log_path=tmp_path / "worker.log")
    worker.start()
    try:
        wait_for_status(app, [f"q{n}" for n in range(5)])
    finally:
        worker.stop()


@pytest.mark.usefixtures("article")
def test_a_lost_message_is_recovered_by_the_sweeper(
    app: Flask, cms: Callable[..., Any], test_config: dict[str, Any], tmp_path: Path, redis_url: str
) -> None:
    assert post(cms, "lost", "Water is the key issue for farmers in the region.").status_code == 202
    import redis

    from moderation.queueing import PENDING_KEY

    redis.Redis.from_url(redis_url).delete("classify", PENDING_KEY)  # the id and task are gone
    worker = WorkerProcess(
        service_env(test_config, tmp_path), log_path=tmp_path / "worker.log", beat=True
    )
    worker.start()
    try:
        wait_for_status(app, ["lost"], timeout=30)
        with app.extensions["moderation"].db.session() as session:
            comment = session.get(Comment, "lost")
            assert comment is not None and comment.enqueue_count >= 2
    finally:
        worker.stop()


@pytest.mark.usefixtures("article", "worker")
def test_callbacks_are_retried_until_the_cms_accepts_them(
    app: Flask, cms: Callable[..., Any], callbacks: tuple[str, CallbackLog]
) -> None:
    _, log = callbacks
    log.fail_next = 3
    assert (
        post(cms, "retry", "The agreement should help farmers downstream.", wait=10_000).status_code
        == 200
    )
    log.wait_for("retry", timeout=60)
    # The CMS has the callback; the worker records the delivery once the answer is back.
    deadline = time.monotonic() + 30
    while True:
        with app.extensions["moderation"].db.session() as session:
            delivery = session.query(CallbackDelivery).filter_by(comment_id="retry").one()
            attempts = session.query(CallbackAttempt).filter_by(delivery_id=delivery.id).all()
            status, codes = delivery.status, [a.status_code for a in attempts]
        if status == "delivered" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert status == "delivered"
    assert codes == [500, 500, 500, 204]


def wait_for_status(app: Flask, ids: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.extensions["moderation"].db.session() as session:
            statuses = {c.id: c.status for c in session.query(Comment).filter(Comment.id.in_(ids))}
        if all(statuses.get(i, "pending") != "pending" for i in ids):
            return
        time.sleep(0.2)
    raise AssertionError(f"still pending after {timeout}s: {statuses}")
