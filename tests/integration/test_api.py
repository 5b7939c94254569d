"""The CMS API against real databases (SQLite and PostgreSQL) and a real Redis."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from moderation.queueing import PENDING_KEY
from tests.conftest import article_payload
from tests.support.servers import RedisServer
from tests.support.signed import SECRET, encode, signed_headers

ARTICLE = {"title": "Blinken visits Central Asia", "body": "Diplomacy and trade.", "language": "en"}


def comment(**change: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "article_id": "a1",
        "author": {"name": "Reader"},
        "text": "Good article.",
        **change,
    }


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == status
    assert body["message"]
    return body


@pytest.fixture
def registered(cms: Callable[..., Any]) -> None:
    assert cms("PUT", "/api/v1/articles/a1", ARTICLE).status_code == 201


def test_article_put_creates_then_updates(cms: Callable[..., Any]) -> None:
    first = cms("PUT", "/api/v1/articles/a1", ARTICLE)
    assert first.status_code == 201
    assert first.get_json()["title"] == ARTICLE["title"]
    second = cms("PUT", "/api/v1/articles/a1", {**ARTICLE, "title": "Updated"})
    assert second.status_code == 200
    assert second.get_json()["title"] == "Updated"


def test_the_example_article_is_accepted(
    cms: Callable[..., Any], example_article: dict[str, Any]
) -> None:
    response = cms(
        "PUT", f"/api/v1/articles/{example_article['id']}", article_payload(example_article)
    )
    assert response.status_code == 201
    assert response.get_json()["section"] == "Diplomacy"


@pytest.mark.usefixtures("registered")
def test_an_accepted_comment_is_pending_stored_and_enqueued(
    cms: Callable[..., Any], redis_server: RedisServer
) -> None:
    response = cms("POST", "/api/v1/comments", comment())
    assert response.status_code == 202
    body = response.get_json()
    assert body["id"] == "c1" and body["status"] == "pending" and body["decision"] is None
    # Committed first, then enqueued by id only: the id on the pending list, and one task
    # to drain it.
    client = redis_server.client()
    assert client.lrange(PENDING_KEY, 0, -1) == [b"c1"]
    queued = [json.loads(m) for m in client.lrange("classify", 0, -1)]
    assert [m["headers"]["task"] for m in queued] == ["moderation.classify_pending"]
    read = cms("GET", "/api/v1/comments/c1")
    assert read.status_code == 200 and read.get_json()["status"] == "pending"


def test_an_inline_article_registers_the_article(cms: Callable[..., Any]) -> None:
    response = cms("POST", "/api/v1/comments", comment(article_id="new", article=ARTICLE))
    assert response.status_code == 202
    assert cms("PUT", "/api/v1/articles/new", ARTICLE).status_code == 200


@pytest.mark.usefixtures("registered")
def test_the_same_comment_again_is_idempotent_and_other_content_conflicts(
    cms: Callable[..., Any],
) -> None:
    assert cms("POST", "/api/v1/comments", comment()).status_code == 202
    again = cms("POST", "/api/v1/comments", comment())
    assert again.status_code == 200 and again.get_json()["id"] == "c1"
    # Whitespace around the text is stripped before comparing, so this is the same comment.
    assert cms("POST", "/api/v1/comments", comment(text="  Good article. ")).status_code == 200
    conflict = assert_error(cms("POST", "/api/v1/comments", comment(text="Edited")), 409)
    assert "c1" in conflict["message"]
    assert cms("GET", "/api/v1/comments/c1").get_json()["status"] == "pending"


@pytest.mark.usefixtures("registered")
def test_wait_returns_202_when_no_decision_arrives_in_time(cms: Callable[..., Any]) -> None:
    response = cms("POST", "/api/v1/comments?wait=300", comment())
    assert response.status_code == 202
    assert response.get_json()["status"] == "pending"


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        (comment(text="x" * 1501), "text", "1501 characters long; the limit is 1500"),
        (comment(text="   "), "text", "must not be empty"),
        ({k: v for k, v in comment().items() if k != "text"}, "text", "Missing"),
        (comment(author={}), "author", "Missing"),
        (comment(author={"name": ""}), "author", "Length"),
        (comment(author={"name": "R", "email": "nope"}), "author", "email"),
        (comment(text=12), "text", "Not a valid string"),
        (comment(id=["x"]), "id", "Not a valid string"),
        (comment(article_id="unknown"), "article_id", "Unknown article"),
        (comment(extra="x"), "extra", "Unknown field"),
    ],
)
def test_bad_comments_get_422_with_field_messages(
    cms: Callable[..., Any], payload: dict[str, Any], field: str, fragment: str
) -> None:
    body = assert_error(cms("POST", "/api/v1/comments", payload), 422)
    assert fragment.lower() in json.dumps(body["errors"][field]).lower()
    assert cms("GET", f"/api/v1/comments/{payload.get('id', 'c1')}").status_code in {404, 422}


def test_non_json_bodies_get_400_or_415(cms: Callable[..., Any]) -> None:
    assert_error(cms("POST", "/api/v1/comments", raw=b"{not json"), 400)
    assert_error(cms("POST", "/api/v1/comments", raw=b"[1, 2]"), 400)
    nested = assert_error(cms("POST", "/api/v1/comments", raw=b"[" * 50_000), 400)  # < 64 KB
    assert "nested too deeply" in nested["message"]
    assert_error(
        cms("POST", "/api/v1/comments", raw=b"id=1", headers={"Content-Type": "text/plain"}), 415
    )


def test_an_oversized_body_gets_413(cms: Callable[..., Any]) -> None:
    big = encode(comment(text="x" * 70_000))
    assert_error(cms("POST", "/api/v1/comments", raw=big), 413)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Moderation-Signature": "nonsense"},
        {"X-Moderation-Signature": "t=1,v1=" + "0" * 64},
    ],
)
def test_unsigned_or_badly_signed_requests_get_401(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    body = encode(comment())
    for method, url in [
        ("POST", "/api/v1/comments"),
        ("PUT", "/api/v1/articles/a1"),
        ("GET", "/api/v1/comments/c1"),
    ]:
        response = client.open(
            url, method=method, data=body, headers={"Content-Type": "application/json", **headers}
        )
        assert_error(response, 401)


def test_a_replayed_old_signature_gets_401(client: FlaskClient) -> None:
    import time

    body = encode(ARTICLE)
    old = signed_headers(body, timestamp=int(time.time()) - 301)
    body_json = assert_error(client.put("/api/v1/articles/a1", data=body, headers=old), 401)
    assert "tolerance" in body_json["message"]


def test_a_signature_with_the_wrong_secret_gets_401(client: FlaskClient) -> None:
    body = encode(ARTICLE)
    assert_error(
        client.put("/api/v1/articles/a1", data=body, headers=signed_headers(body, secret="other")),
        401,
    )
    assert SECRET != "other"


def test_unknown_comment_is_404_and_unknown_route_is_json(
    cms: Callable[..., Any], client: FlaskClient
) -> None:
    assert_error(cms("GET", "/api/v1/comments/nope"), 404)
    assert_error(client.get("/nowhere"), 404)
    assert_error(client.delete("/healthz"), 405)


def test_bad_wait_and_long_ids_are_refused(cms: Callable[..., Any]) -> None:
    assert_error(cms("POST", "/api/v1/comments?wait=20000", comment()), 422)
    assert_error(cms("POST", "/api/v1/comments?wait=soon", comment()), 422)
    assert_error(cms("PUT", "/api/v1/articles/" + "a" * 129, ARTICLE), 404)


def test_health_needs_no_auth_and_openapi_is_published(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/v1/comments" in spec["paths"]
