"""Fixtures shared by every tier: configuration, databases, a real Redis, signed clients."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from moderation import create_app
from tests.support.servers import RedisServer, postgres_database
from tests.support.signed import CALLBACK_SECRET, SECRET, encode, signed_headers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    if redis_server.process is None:
        redis_server.start()
    redis_server.client().flushall()
    return redis_server.url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that uses this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'moderation.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def test_config(database_url: str, redis_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "WEBHOOK_SECRET": SECRET,
        "CALLBACK_SECRET": CALLBACK_SECRET,
        "SECRET_KEY": "test-secret-key",
        "TESTING": True,
    }


@pytest.fixture
def app(test_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(test_config)
    app.extensions["moderation"].db.upgrade()
    yield app
    app.extensions["moderation"].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def cms(client: FlaskClient) -> Callable[..., Any]:
    """Send a signed CMS request: ``cms("POST", "/api/v1/comments", payload)``."""

    def send(
        method: str,
        url: str,
        payload: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        body = raw if raw is not None else (encode(payload) if payload is not None else b"")
        return client.open(
            url, method=method, data=body, headers={**signed_headers(body), **(headers or {})}
        )

    return send


@pytest.fixture(scope="session")
def example_article() -> dict[str, Any]:
    return json.loads((EXAMPLES / "article.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def example_comments() -> list[dict[str, Any]]:
    lines = (EXAMPLES / "comments.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def article_payload(article: dict[str, Any]) -> dict[str, Any]:
    """The fields of the example article that the article endpoint accepts."""
    return {k: article[k] for k in ("title", "body", "section", "language") if k in article}
