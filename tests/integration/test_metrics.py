"""``GET /metrics``: Prometheus text, intake outcomes, scrape-time state, and real processes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from moderation import metrics
from moderation.classifier import compiled
from moderation.storage.database import Database
from moderation.storage.tables import Comment, utcnow
from tests.support.processes import GunicornProcess, service_env
from tests.support.servers import postgres_database
from tests.support.signed import CALLBACK_SECRET, SECRET, encode, signed_headers
from tests.support.worker import WorkerProcess

MODEL_VERSION = json.loads(
    (Path(__file__).resolve().parents[2] / "models" / "model_card.json").read_text()
)["model_version"]
ARTICLE = {
    "title": "Water-sharing agreement signed",
    "body": "Irrigation and rivers.",
    "language": "en",
}


def comment(comment_id: str, text: str = "A sensible point about the river.") -> dict[str, Any]:
    return {"id": comment_id, "article_id": "a1", "author": {"name": "Reader"}, "text": text}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, keyed by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def total(text: str, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples that have ``labels`` (and any others)."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples(text).items() if n == name and wanted <= set(found))


def scrape(client: FlaskClient) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    return response.get_data(as_text=True)


@pytest.fixture
def registered(cms: Callable[..., Any]) -> None:
    assert cms("PUT", "/api/v1/articles/a1", ARTICLE).status_code == 201


def test_every_metric_name_starts_with_moderation(client: FlaskClient) -> None:
    text = scrape(client)
    ours = {n for n, _ in samples(text) if not n.startswith(("python_", "process_"))}
    assert ours and all(n.startswith("moderation_") for n in ours), ours
    assert value(text, "moderation_redis_up") == 1
    assert value(text, "moderation_database_up") == 1
    for queue in ("classify", "callbacks", "maintenance"):
        assert ("moderation_queue_depth", (("queue", queue),)) in samples(text)


@pytest.mark.usefixtures("registered")
def test_intake_outcomes_are_counted_including_invalid_and_unsigned(
    client: FlaskClient, cms: Callable[..., Any]
) -> None:
    def count(outcome: str) -> float:
        return value(scrape(client), "moderation_comments_received_total", outcome=outcome)

    before = {o: count(o) for o in ("accepted", "duplicate", "invalid", "unauthorized", "conflict")}
    assert cms("POST", "/api/v1/comments", comment("m1")).status_code == 202
    assert cms("POST", "/api/v1/comments", comment("m1")).status_code == 200
    assert cms("POST", "/api/v1/comments", comment("m1", "Other text")).status_code == 409
    assert cms("POST", "/api/v1/comments", {"id": "m2", "article_id": "a1"}).status_code == 422
    assert cms("POST", "/api/v1/comments", raw=b"{not json").status_code == 400
    assert client.post("/api/v1/comments", json=comment("m3")).status_code == 401
    after = {o: count(o) for o in before}
    assert {o: after[o] - before[o] for o in before} == {
        "accepted": 1,
        "duplicate": 1,
        "invalid": 2,
        "unauthorized": 1,
        "conflict": 1,
    }
    assert total(scrape(client), "moderation_intake_duration_seconds_count") >= 6


@pytest.mark.usefixtures("registered")
def test_queue_depth_is_read_from_redis(cms: Callable[..., Any], client: FlaskClient) -> None:
    for n in range(3):
        assert cms("POST", "/api/v1/comments", comment(f"q{n}")).status_code == 202
    text = scrape(client)
    # Three ids wait on the pending list; one drain task was sent for all of them.
    assert value(text, "moderation_queue_depth", queue="classify_pending") == 3
    assert value(text, "moderation_queue_depth", queue="classify") == 1


@pytest.mark.usefixtures("registered")
def test_backlog_gauges_come_from_the_database(
    app: Flask, cms: Callable[..., Any], client: FlaskClient
) -> None:
    text = scrape(client)
    assert value(text, "moderation_oldest_held_comment_age_seconds") == 0
    assert cms("POST", "/api/v1/comments", comment("h1")).status_code == 202
    with app.extensions["moderation"].db.session() as session:
        held = session.get(Comment, "h1")
        assert held is not None
        held.status, held.received_at = "held", utcnow() - timedelta(seconds=600)
        session.commit()
    text = scrape(client)
    assert 600 <= value(text, "moderation_oldest_held_comment_age_seconds") < 700
    assert value(text, "moderation_comments", status="held") == 1
    assert value(text, "moderation_callback_deliveries", status="failed") == 0


def test_reviews_and_overturns_are_counted_by_language(client: FlaskClient) -> None:
    reviewed = {"from_action": "hold", "to_action": "approve", "language": "ru"}
    overturned = {"from_action": "reject", "to_action": "approve", "language": "en"}
    kept = {"from_action": "reject", "to_action": "reject", "language": "en"}
    text = scrape(client)
    before = {
        (name, tuple(labels.values())): value(text, name, **labels)
        for name in ("moderation_reviews_total", "moderation_overturns_total")
        for labels in (reviewed, overturned, kept)
    }
    metrics.record_review("hold", "approve", "ru")  # a review of a held comment
    metrics.record_review("reject", "approve", "en")  # an overturn
    metrics.record_review("reject", "reject", "en")  # a review that agrees with the model
    text = scrape(client)

    def added(name: str, labels: dict[str, str]) -> float:
        return value(text, name, **labels) - before[name, tuple(labels.values())]

    assert [added("moderation_reviews_total", x) for x in (reviewed, overturned, kept)] == [1, 1, 1]
    assert [added("moderation_overturns_total", x) for x in (reviewed, overturned, kept)] == [
        0,
        1,
        0,
    ]


def test_model_scores_are_observed_by_score_language_and_model(client: FlaskClient) -> None:
    def count(name: str, score: str, language: str, model: str | None) -> float:
        labels = {"score": score, "language": language} | ({"model": model} if model else {})
        return value(scrape(client), name, **labels)

    observed, missing = "moderation_model_score_count", "moderation_model_scores_missing_total"
    before = {
        (name, score, code, model): count(name, score, code, model)
        for name, model in ((observed, "m.1"), (observed, "other"), (missing, None))
        for score in ("toxicity", "off_topic", "spam")
        for code in ("ru", "kk", "other")
    }
    bucket = {"score": "toxicity", "language": "ru", "model": "m.1", "le": "0.1"}
    low_bucket = value(scrape(client), "moderation_model_score_bucket", **bucket)
    metrics.record_scores({"toxicity": 0.07, "off_topic": None, "spam": 0.5}, "ru", "m.1")
    metrics.record_scores({"toxicity": 0.9, "off_topic": 0.2, "spam": 0.01}, "ru", "m.1")
    metrics.record_scores(dict.fromkeys(("toxicity", "off_topic", "spam")), "kk", "m.1")
    metrics.record_scores({"toxicity": 0.5, "off_topic": 0.5, "spam": 0.5}, '"}<b>', "<i>")
    after = {key: count(*key) for key in before}
    added = {key: after[key] - before[key] for key in before if after[key] != before[key]}
    assert added == {
        (observed, "toxicity", "ru", "m.1"): 2,
        (observed, "spam", "ru", "m.1"): 2,
        (observed, "off_topic", "ru", "m.1"): 1,
        (missing, "off_topic", "ru", None): 1,
        (observed, "toxicity", "other", "other"): 1,
        (observed, "off_topic", "other", "other"): 1,
        (observed, "spam", "other", "other"): 1,
    }
    text = scrape(client)
    assert value(text, "moderation_model_score_bucket", **bucket) == low_bucket + 1  # 0.07, not 0.9
    assert "<b>" not in text and "<i>" not in text


def test_scoring_time_and_batch_size_are_observed(client: FlaskClient) -> None:
    text = scrape(client)
    before = (
        value(text, "moderation_scoring_duration_seconds_count"),
        value(text, "moderation_scoring_batch_size_sum"),
    )
    metrics.record_scoring(0.004, 12)
    metrics.record_scoring(-1.0, 1)  # a clock step back is observed as 0, not negative
    text = scrape(client)
    assert value(text, "moderation_scoring_duration_seconds_count") == before[0] + 2
    assert value(text, "moderation_scoring_batch_size_sum") == before[1] + 13
    assert value(text, "moderation_scoring_duration_seconds_bucket", le="0.001") >= 1


def test_decisions_are_counted_by_language_and_model_with_bounded_labels(
    client: FlaskClient,
) -> None:
    from moderation.storage.tables import utcnow

    now = utcnow()
    labels = {"action": "hold", "reason": "repeated", "decided_by": "model"}
    cases = [  # (language, model version) given -> (language, model) labels counted
        (("ru-Latn", "2026.11.30.2+newsroom.ab12"), ("ru-Latn", "2026.11.30.2+newsroom.ab12")),
        ((None, None), ("und", "none")),
        (('"}<script>', "<img>"), ("other", "other")),
    ]

    def count(language: str, model: str) -> float:
        text = scrape(client)
        return value(text, "moderation_decisions_total", **labels, language=language, model=model)

    before = {counted: count(*counted) for _, counted in cases}
    for (language, model), _ in cases:
        metrics.record_decision("hold", [{"code": "repeated"}], "model", now, now, language, model)
    for _, counted in cases:
        assert count(*counted) == before[counted] + 1, counted
    text = scrape(client)
    assert "<script>" not in text and "<img>" not in text


def test_a_moderator_review_of_a_model_decision_counts_as_an_overturn(
    app: Flask, client: FlaskClient
) -> None:
    from tests.support.held import add_decided_comment
    from tests.support.workspace import make_token, make_user

    sessions = app.extensions["moderation"].db.session
    add_decided_comment(sessions, "held1", "you idiot")
    add_decided_comment(sessions, "passed", "you fool", action="approve")
    make_user(app, "olga")
    token = make_token(app, "olga")
    overturned = {"from_action": "approve", "to_action": "reject", "language": "en"}
    reviewed = {"from_action": "hold", "to_action": "reject", "language": "en"}
    before = {
        k: value(scrape(client), "moderation_overturns_total", **v)
        for k, v in (("o", overturned), ("r", reviewed))
    }
    reviews_before = value(scrape(client), "moderation_reviews_total", **reviewed)
    for comment_id in ("held1", "passed"):
        response = client.post(
            f"/api/v1/comments/{comment_id}/review",
            json={"action": "reject", "reason_code": "abusive"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.get_json()
    text = scrape(client)
    assert value(text, "moderation_overturns_total", **overturned) == before["o"] + 1
    # Deciding a held comment is a review, not an overturn of the model.
    assert value(text, "moderation_overturns_total", **reviewed) == before["r"]
    assert value(text, "moderation_reviews_total", **reviewed) == reviews_before + 1


def test_a_metrics_token_protects_the_endpoint(app: Flask, client: FlaskClient) -> None:
    app.config["METRICS_TOKEN"] = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_redis_down_shows_as_a_gauge_not_an_error(client: FlaskClient, redis_server: Any) -> None:
    redis_server.stop(kill=True)
    try:
        text = scrape(client)
        assert value(text, "moderation_redis_up") == 0
        assert value(text, "moderation_database_up") == 1
    finally:
        redis_server.start()


@pytest.fixture
def postgres_config(redis_url: str) -> Iterator[dict[str, Any]]:
    """One database is enough for the multi-process check: PostgreSQL, as in production."""
    with postgres_database() as url:
        database = Database(url)
        database.upgrade()
        database.dispose()
        yield {
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "WEBHOOK_SECRET": SECRET,
            "CALLBACK_SECRET": CALLBACK_SECRET,
        }


@pytest.mark.worker
@pytest.mark.slow
def test_counts_add_up_across_gunicorn_and_celery_processes(
    postgres_config: dict[str, Any], tmp_path: Path
) -> None:
    """Two gunicorn processes and a worker share PROMETHEUS_MULTIPROC_DIR; every scrape agrees."""
    test_config = postgres_config
    prom = tmp_path / "prometheus"
    prom.mkdir()
    config = {
        **test_config,
        "DECISION_DEADLINE": 3,
        "SWEEP_INTERVAL": 0.5,
        "HEARTBEAT_INTERVAL": 0.5,
    }
    env = service_env(config, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(prom))
    web = GunicornProcess(env, tmp_path / "web.log", workers=2)
    worker = WorkerProcess(env, log_path=tmp_path / "worker.log", beat=True)
    try:
        web.start()
        worker.start()

        def send(method: str, path: str, payload: Any) -> requests.Response:
            body = encode(payload)
            return requests.request(
                method, web.base + path, data=body, headers=signed_headers(body), timeout=30
            )

        assert send("PUT", "/api/v1/articles/a1", ARTICLE).status_code == 201
        ids = [f"mp{n}" for n in range(8)]
        for comment_id in ids:
            assert send("POST", "/api/v1/comments", comment(comment_id)).status_code == 202
        assert send("POST", "/api/v1/comments", {"id": "bad"}).status_code == 422
        deadline = time.monotonic() + 45
        while True:
            text = requests.get(web.base + "/metrics", timeout=10).text
            # A decision is counted, then its latency and scores observed: a scrape may fall
            # in between.
            counted = min(
                total(text, "moderation_decisions_total"),
                total(text, "moderation_decision_latency_seconds_count"),
                total(text, "moderation_model_score_count", score="spam", language="en"),
            )
            if counted >= len(ids) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert total(text, "moderation_decisions_total") == len(ids)
        by_language = {
            labels: v
            for (n, labels), v in samples(text).items()
            if n == "moderation_decisions_total"
        }
        assert {dict(labels)["language"] for labels in by_language} == {"en"}
        assert {dict(labels)["model"] for labels in by_language} == {MODEL_VERSION}
        assert total(text, "moderation_decision_latency_seconds_count") == len(ids)
        # Every model decision's scores, from the worker's processes; batches add up to them.
        served = {
            dict(labels)["model"] for (n, labels) in samples(text) if n.endswith("_score_count")
        }
        assert served == {MODEL_VERSION}
        for score in ("toxicity", "off_topic", "spam"):
            observed = total(text, "moderation_model_score_count", score=score, language="en")
            assert observed == len(ids), score
        assert value(text, "moderation_scoring_batch_size_sum") == len(ids)
        assert value(text, "moderation_scoring_duration_seconds_count") >= 1
        assert value(text, "moderation_scoring_duration_seconds_sum") > 0
        assert value(text, "moderation_workers_live", queue="classify") >= 1
        running = "compiled" if compiled.enabled() else "numpy"
        assert value(text, "moderation_classify_workers_by_featuriser", featuriser=running) >= 1
        for _ in range(6):  # whichever gunicorn process answers, the sum is the same
            text = requests.get(web.base + "/metrics", timeout=10).text
            assert value(text, "moderation_comments_received_total", outcome="accepted") == len(ids)
            assert value(text, "moderation_comments_received_total", outcome="invalid") == 1
    finally:
        worker.stop()
        web.stop()
