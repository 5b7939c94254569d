"""The token-authenticated moderator API on real databases and a real Redis."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from moderation import accounts
from tests.support.held import add_decided_comment
from tests.support.servers import RedisServer
from tests.support.workspace import login, make_token, make_user


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"} and body["code"] == status
    return body


@pytest.fixture
def token(app: Flask) -> str:
    make_user(app, "alice")
    return make_token(app, "alice")


@pytest.fixture
def held(app: Flask) -> None:
    s = app.extensions["moderation"].db.session
    add_decided_comment(s, "c1", "you idiot", words=("idiot",), age_minutes=20)
    add_decided_comment(
        s, "c2", "buy pills", reason="spam", score=0.9, age_minutes=10, article_id="a2"
    )


def api(client: FlaskClient, token: str, method: str, url: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        return client.open(url, method=method, json=body, headers=headers)
    return client.open(url, method=method, headers=headers)


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/api/v1/queue"), ("POST", "/api/v1/comments/c1/review"), ("GET", "/api/v1/audit")],
)
@pytest.mark.parametrize(
    "header", [None, "Bearer nope", "Bearer mod_unknown", "Basic YWxpY2U6eA=="]
)
def test_every_call_without_a_valid_token_is_refused(
    client: FlaskClient, token: str, method: str, url: str, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.open(url, method=method, json={"action": "approve"}, headers=headers)
    body = assert_error(response, 401)
    assert "token" in body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_workspace_session_is_not_an_api_credential(
    app: Flask, client: FlaskClient, held: None
) -> None:
    make_user(app, "alice")
    assert login(client, "alice").status_code == 303
    assert_error(client.post("/api/v1/comments/c1/review", json={"action": "approve"}), 401)


@pytest.mark.usefixtures("held")
def test_a_disabled_users_token_stops_working(app: Flask, client: FlaskClient, token: str) -> None:
    assert api(client, token, "GET", "/api/v1/queue").status_code == 200
    with app.extensions["moderation"].db.session() as s:
        accounts.disable_user(s, "alice")
        s.commit()
    assert_error(api(client, token, "GET", "/api/v1/queue"), 401)


@pytest.mark.usefixtures("held")
def test_the_queue_lists_held_comments_with_reasons_spans_and_counts(
    client: FlaskClient, token: str
) -> None:
    response = api(client, token, "GET", "/api/v1/queue?status=held")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [i["id"] for i in body["items"]] == ["c1", "c2"]
    first = body["items"][0]
    assert first["text"] == "you idiot" and first["article"]["title"]
    assert first["decision"]["reasons"][0]["spans"][0]["start"] == 4
    assert first["author"]["history"] == {"approved": 0, "rejected": 0}
    assert first["waiting_seconds"] >= 20 * 60 - 5
    assert body["reason_counts"] == {"spam": 1, "toxicity": 1}
    assert [
        i["id"] for i in api(client, token, "GET", "/api/v1/queue?reason=spam").get_json()["items"]
    ] == ["c2"]
    assert [
        i["id"]
        for i in api(client, token, "GET", "/api/v1/queue?article_id=a1").get_json()["items"]
    ] == ["c1"]
    by_author = api(client, token, "GET", "/api/v1/queue?author=Reader&sort=score").get_json()
    assert [i["id"] for i in by_author["items"]] == ["c2", "c1"]


def test_the_queue_shows_and_filters_by_detected_language(
    app: Flask, client: FlaskClient, token: str
) -> None:
    s = app.extensions["moderation"].db.session
    add_decided_comment(s, "en1", "you idiot", words=("idiot",), age_minutes=20)
    add_decided_comment(s, "ru1", "Автор дурак", words=("дурак",), age_minutes=10, language="ru")
    add_decided_comment(
        s, "ru2", "avtor durak", words=("durak",), age_minutes=5, language="ru-Latn"
    )
    add_decided_comment(s, "x1", "rud_", words=("rud_",), age_minutes=3, language="rux")
    everything = api(client, token, "GET", "/api/v1/queue").get_json()["items"]
    assert {i["id"]: i["language"] for i in everything} == {
        "en1": "en",
        "ru1": "ru",
        "ru2": "ru-Latn",
        "x1": "rux",
    }
    # "ru" takes in Russian in Latin letters; "ru-Latn" is only that
    russian = api(client, token, "GET", "/api/v1/queue?language=ru").get_json()["items"]
    assert [i["id"] for i in russian] == ["ru1", "ru2"]
    latin = api(client, token, "GET", "/api/v1/queue?language=ru-Latn").get_json()["items"]
    assert [i["id"] for i in latin] == ["ru2"]
    # the prefix is matched literally: no LIKE wildcards from the query string
    assert api(client, token, "GET", "/api/v1/queue?language=r_").get_json()["items"] == []


def test_the_queue_lists_the_copies_of_a_text(app: Flask, client: FlaskClient, token: str) -> None:
    s = app.extensions["moderation"].db.session
    spam = "Earn $500 a day from home, visit my profile to learn how"
    add_decided_comment(s, "s1", spam, action="approve", age_minutes=30, article_id="a1")
    add_decided_comment(s, "s2", spam.upper() + "!!", action="approve", age_minutes=20)
    add_decided_comment(s, "s3", spam, reason="repeated", age_minutes=10, article_id="a2")
    add_decided_comment(s, "other", "you idiot", words=("idiot",), age_minutes=5)
    held = api(client, token, "GET", "/api/v1/queue?same_text_as=s3").get_json()["items"]
    assert [i["id"] for i in held] == ["s3"]
    assert held[0]["decision"]["reasons"][0]["code"] == "repeated"
    approved = api(client, token, "GET", "/api/v1/queue?status=approved&same_text_as=s3")
    assert [i["id"] for i in approved.get_json()["items"]] == ["s2", "s1"]
    unknown = api(client, token, "GET", "/api/v1/queue?same_text_as=nope").get_json()
    assert unknown["items"] == []


def test_the_copies_of_a_text_include_its_near_copies(
    app: Flask, client: FlaskClient, token: str
) -> None:
    s = app.extensions["moderation"].db.session
    spam = "Earn $500 a day from home! Call Aigerim on +7 701 555 12 34 or visit quick-cash.kz"
    add_decided_comment(s, "n1", spam.replace("500", "700"), action="approve", age_minutes=30)
    add_decided_comment(s, "n2", spam.replace("12 34", "98 76"), reason="repeated", age_minutes=20)
    add_decided_comment(s, "n3", spam, reason="repeated", age_minutes=10)
    add_decided_comment(s, "far", spam.replace("500", "9").replace("Aigerim", "D"), age_minutes=5)
    held = api(client, token, "GET", "/api/v1/queue?same_text_as=n3").get_json()["items"]
    assert [i["id"] for i in held] == ["n2", "n3"]  # oldest first; "far" is too different
    approved = api(client, token, "GET", "/api/v1/queue?status=approved&same_text_as=n3")
    assert [i["id"] for i in approved.get_json()["items"]] == ["n1"]
    assert_error(api(client, token, "GET", "/api/v1/queue?same_text_as=" + "x" * 129), 422)


@pytest.mark.usefixtures("held")
def test_the_queue_pages_with_a_cursor(client: FlaskClient, token: str) -> None:
    first = api(client, token, "GET", "/api/v1/queue?limit=1").get_json()
    assert [i["id"] for i in first["items"]] == ["c1"] and first["next_cursor"]
    second = api(
        client, token, "GET", f"/api/v1/queue?limit=1&cursor={first['next_cursor']}"
    ).get_json()
    assert [i["id"] for i in second["items"]] == ["c2"] and second["next_cursor"] is None
    body = assert_error(api(client, token, "GET", "/api/v1/queue?cursor=garbage"), 422)
    assert "cursor" in body["errors"]
    assert_error(api(client, token, "GET", "/api/v1/queue?limit=0"), 422)
    assert_error(api(client, token, "GET", "/api/v1/queue?status=pending"), 422)


@pytest.mark.usefixtures("held")
def test_a_review_decides_once_and_the_second_gets_409(
    app: Flask, client: FlaskClient, token: str, cms: Callable[..., Any]
) -> None:
    response = api(
        client,
        token,
        "POST",
        "/api/v1/comments/c1/review",
        {"action": "reject", "reason_code": "abusive", "note": "x"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "rejected"
    assert response.get_json()["decision"]["decided_by"] == "alice"
    # The CMS sees the same through its own signed API.
    assert cms("GET", "/api/v1/comments/c1").get_json()["status"] == "rejected"
    make_user(app, "bob")
    again = api(
        client, make_token(app, "bob"), "POST", "/api/v1/comments/c1/review", {"action": "approve"}
    )
    body = assert_error(again, 409)
    assert "Already decided by alice" in body["message"]
    assert cms("GET", "/api/v1/comments/c1").get_json()["status"] == "rejected"


@pytest.mark.usefixtures("held")
def test_bad_reviews_are_clear_4xx(client: FlaskClient, token: str) -> None:
    url = "/api/v1/comments/c1/review"
    assert (
        "reason_code"
        in assert_error(api(client, token, "POST", url, {"action": "reject"}), 422)["errors"]
    )
    assert (
        "reason_code"
        in assert_error(
            api(client, token, "POST", url, {"action": "reject", "reason_code": "rude"}), 422
        )["errors"]
    )
    assert (
        "action" in assert_error(api(client, token, "POST", url, {"action": "hold"}), 422)["errors"]
    )
    assert (
        "extra"
        in assert_error(api(client, token, "POST", url, {"action": "approve", "extra": 1}), 422)[
            "errors"
        ]
    )
    assert_error(
        api(client, token, "POST", "/api/v1/comments/nope/review", {"action": "approve"}), 404
    )
    for data in ("[]", "[" * 50_000):  # not an object; nested past what json reads
        raw = client.post(
            url,
            data=data,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert_error(raw, 400)


@pytest.mark.usefixtures("held")
def test_the_review_is_sent_to_the_cms_after_commit(
    app: Flask, client: FlaskClient, token: str, redis_server: RedisServer
) -> None:
    app.config["CALLBACK_URL"] = "http://cms.invalid/hook"
    assert (
        api(client, token, "POST", "/api/v1/comments/c2/review", {"action": "approve"}).status_code
        == 200
    )
    queued = [json.loads(m) for m in redis_server.client().lrange("callbacks", 0, -1)]
    assert [q["headers"]["task"] for q in queued] == ["moderation.deliver_callback"]


@pytest.mark.usefixtures("held")
def test_the_audit_log_as_json(client: FlaskClient, token: str) -> None:
    api(client, token, "POST", "/api/v1/comments/c1/review", {"action": "approve"})
    body = api(client, token, "GET", "/api/v1/audit?event=review").get_json()
    (entry,) = body["entries"]
    assert (
        entry["actor"] == "alice" and entry["comment_id"] == "c1" and entry["action"] == "approve"
    )
    assert entry["previous_status"] == "held" and entry["previous_decided_by"] == "model"
    assert entry["scores"]["toxicity"] == pytest.approx(0.7)
    assert entry["detail"]["via"] == "api"
    assert api(client, token, "GET", "/api/v1/audit?actor=bob").get_json()["entries"] == []
