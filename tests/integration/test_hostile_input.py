"""Every route, sent hostile input (odd path values, query values and bodies), answers with a
4xx or a page, never a 500: on SQLite and on PostgreSQL, as the CMS (signed), as a moderator
with an API token and as a moderator signed in to the workspace."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from moderation.review import MAX_NOTE
from tests.support.held import add_decided_comment
from tests.support.signed import signed_headers
from tests.support.workspace import csrf_token, login, make_token, make_user

PATH_VALUES = ["c1", "x" * 129, "\x00", "%00", "..%2F..%2Fetc", "\u202e\ud800", "<script>"]
QUERY_VALUES = [
    "", "-1", "0", "9" * 40, "1e999", "nan", "\x00", "\ud800", "[" * 2000, "x" * 5000,
    "2026-13-45T99:99", "9999-12-31T23:59:59-05:00", "<script>alert(1)</script>", "' OR 1=1 --",
]  # fmt: skip
QUERY_NAMES = [
    "status", "reason", "article_id", "section", "language", "author", "same_text_as",
    "decided_by", "sort", "limit", "cursor", "actor", "event", "comment_id", "since", "until",
    "before", "wait", "next", "page",
]  # fmt: skip
BODIES: list[bytes] = [
    b"",
    b"[" * 50_000,
    b'{"id": [], "text": {}, "article_id": null}',
    b'{"id": "c1", "text": "x", "article_id": "a1", "author": {"name": "\\u0000"}}',
    b'{"action": "reject", "reason_code": "\\ud800", "note": 1e999}',
    b'{"title": NaN, "body": Infinity}',
    json.dumps({"id": "9" * 400, "text": "\u202e" * 1500, "article_id": "a"}).encode(),
    b"\xff\xfe\x00garbage",
]


def _encoded(value: str, safe: str = "") -> str:
    """``value`` percent-encoded, a lone surrogate as the (invalid UTF-8) bytes it would be."""
    return quote(value.encode("utf-8", "surrogatepass"), safe=safe)


def _urls(app: Flask) -> Iterator[tuple[str, str]]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for value in PATH_VALUES if rule.arguments else [""]:
                path = rule.rule
                for _ in rule.arguments:
                    path = path.split("<")[0] + _encoded(value, safe="%") + path.split(">", 1)[1]
                yield method, path


def _check(response: Any, method: str, url: str) -> None:
    if url.startswith("/readyz"):  # 503 is its answer while no worker runs (none does here)
        assert response.status_code in {200, 503}
        return
    assert response.status_code < 500, f"{method} {url[:120]!r}: {response.status_code}"
    if url.startswith("/api/v1/") and response.status_code >= 400:
        body = response.get_json(silent=True)
        assert body is not None and body["code"] == response.status_code, (method, url[:120])


FORM_VALUES = ["", "\x00", "x" * 70_000, "<script>alert(1)</script>", "reject", "//evil.example"]
FORM_FIELDS = ["comment_id", "action", "reason_code", "note", "next", "language"]


@pytest.fixture
def moderator(app: Flask) -> tuple[FlaskClient, str]:
    add_decided_comment(app.extensions["moderation"].db.session, "c1", "you idiot")
    make_user(app, "mod")
    client = app.test_client()
    assert login(client, "mod").status_code in {302, 303}
    return client, make_token(app, "mod")


def test_no_route_answers_hostile_input_with_a_500(
    app: Flask, moderator: tuple[FlaskClient, str]
) -> None:
    client, token = moderator
    bearer = {"Authorization": f"Bearer {token}"}
    for method, path in _urls(app):
        for name in QUERY_NAMES if method == "GET" else ["next", "wait"]:
            for value in QUERY_VALUES:
                url = f"{path}?{name}={_encoded(value)}"
                response = client.open(
                    url, method=method, headers={**signed_headers(b""), **bearer}
                )
                _check(response, method, url)
        if method == "GET":
            continue
        for body in BODIES:
            headers = {**signed_headers(body), **bearer, "Content-Type": "application/json"}
            _check(client.open(path, method=method, data=body, headers=headers), method, path)
            form = {"comment_id": "c1", "action": body.decode("latin-1"), "csrf_token": "x"}
            _check(client.open(path, method=method, data=form), method, path)


def test_no_workspace_form_answers_hostile_fields_with_a_500(
    moderator: tuple[FlaskClient, str],
) -> None:
    """The workspace's forms with a valid CSRF token, so the views themselves read them."""
    client, _ = moderator
    token = csrf_token(client, "/moderate/queue")
    for path in ["/moderate/review", "/moderate/language"]:
        for field in FORM_FIELDS:
            for value in FORM_VALUES:
                form = {"comment_id": "c1", "action": "approve", field: value, "csrf_token": token}
                _check(client.post(path, data=form), "POST", path)
    assert client.get("/moderate/queue").status_code == 200  # still signed in
    for field in ["username", "password", "next"]:
        for value in FORM_VALUES:
            guest = client.application.test_client()
            form = {"username": "mod", "password": "wrong", field: value}
            form["csrf_token"] = csrf_token(guest)
            _check(guest.post("/moderate/login", data=form), "POST", "/moderate/login")


REVIEW_FIELDS: list[dict[str, Any]] = [
    {"note": "\x00"},
    {"note": "x" * (MAX_NOTE + 1)},
    {"note": ["a"]},
    {"reason_code": "\x00"},
    {"action": "reject", "reason_code": None},
    {"action": ["approve"]},
    {"action": "approve", "extra": {"nested": [1, 2]}},
]


def test_a_held_comment_survives_hostile_reviews(
    app: Flask, moderator: tuple[FlaskClient, str]
) -> None:
    """Hostile review bodies for a comment that is really held: each refused (422), through
    the API and the workspace form alike, and the comment is still held afterwards."""
    client, token = moderator
    for fields in REVIEW_FIELDS:
        body = json.dumps({"action": "reject", "reason_code": "spam", **fields}).encode()
        response = client.post(
            "/api/v1/comments/c1/review",
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (fields, response.get_data(as_text=True))
    form = {"comment_id": "c1", "action": "reject", "reason_code": "spam", "note": "\x00"}
    form["csrf_token"] = csrf_token(client, "/moderate/queue")
    _check(client.post("/moderate/review", data=form), "POST", "/moderate/review")
    held = client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [item["id"] for item in held["items"]] == ["c1"]


COMMENT = {"id": "c9", "article_id": "a9", "author": {"name": "Reader"}, "text": "Good article."}
FIELD_VALUES: list[Any] = [
    None, "", "\x00", "\ud800", "x" * 5000, 1e308, -1, True, [], {}, [{"a": 1}],
    "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "2026-02-30T10:00:00Z",
    "javascript:alert(1)", "a@b", "999.999.999.999", "::ffff:1.2.3.4",
]  # fmt: skip
COMMENT_FIELDS = [
    "id", "article_id", "text", "parent_id", "submitted_at", "ip", "user_agent",
    ("author", "name"), ("author", "email"), ("author", "id"), "author", "article",
    ("article", "title"), ("article", "url"), ("article", "body"), ("article", "language"),
]  # fmt: skip


ARTICLE = {"title": "Water", "body": "The water deal.", "language": "en"}
ARTICLE_FIELDS = ["title", "body", "url", "section", "language", "id", "extra"]


@pytest.mark.parametrize(
    ("method", "url", "base", "fields"),
    [
        ("POST", "/api/v1/comments", COMMENT, COMMENT_FIELDS),
        ("PUT", "/api/v1/articles/a9", ARTICLE, ARTICLE_FIELDS),
    ],
)
def test_each_field_takes_hostile_values_without_a_500(
    app: Flask, method: str, url: str, base: dict[str, Any], fields: list[Any]
) -> None:
    """A valid comment (or article) with one field at a time set to an odd value: accepted
    (2xx) or refused (4xx, the API's error shape), on both databases."""
    client = app.test_client()
    for field in fields:
        for value in FIELD_VALUES:
            payload = json.loads(json.dumps(base))
            if isinstance(field, tuple):
                outer, inner = field
                payload[outer] = {"title": "Water", **(payload.get(outer) or {}), inner: value}
            else:
                payload[field] = value
            body = json.dumps(payload).encode("utf-8", "surrogatepass")
            headers = {**signed_headers(body), "Content-Type": "application/json"}
            response = client.open(url, method=method, data=body, headers=headers)
            _check(response, method, f"{url} {field}={value!r:.40}")
