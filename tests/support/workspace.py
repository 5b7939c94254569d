"""Helpers for the moderator workspace tiers: accounts, logging in with the CSRF token."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from moderation import accounts

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_user(app: Flask, username: str, role: str = "moderator", password: str = PASSWORD) -> str:
    with app.extensions["moderation"].db.session() as session:
        accounts.create_user(session, username, password, role)
        session.commit()
    return username


def make_token(app: Flask, username: str) -> str:
    with app.extensions["moderation"].db.session() as session:
        _, token = accounts.create_token(session, username)
        session.commit()
    return token


def csrf_token(client: FlaskClient, path: str = "/moderate/login") -> str:
    page = client.get(path)
    match = CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post(
        "/moderate/login",
        data={"username": username, "password": password, "csrf_token": token},
    )


def form_post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    """A workspace form post with the CSRF token from the queue page, as a browser sends it."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/moderate/queue")})
