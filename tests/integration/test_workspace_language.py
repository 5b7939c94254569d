"""The workspace in English or Russian: how the language is chosen, and what changes with it.

Over plain HTTP (Flask's test client) against a real SQLite database; the browser tier clicks
the switch in Chromium.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from moderation import create_app
from moderation.workspace.i18n import COOKIE
from tests.support.held import add_decided_comment
from tests.support.workspace import csrf_token, form_post, login, make_user

RUSSIAN = "ru-RU,ru;q=0.9,en;q=0.5"


@pytest.fixture
def held(app: Flask) -> None:
    s = app.extensions["moderation"].db.session
    add_decided_comment(s, "c1", "ты дурак", words=("дурак",), language="ru", age_minutes=125)
    add_decided_comment(s, "c2", "buy now buy now", reason="repeated", age_minutes=5)


@pytest.fixture
def moderator(app: Flask, client: FlaskClient) -> FlaskClient:
    make_user(app, "alice")
    assert login(client, "alice").status_code == 303
    return client


def page(client: FlaskClient, path: str = "/moderate/queue", **headers: Any) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def choose(client: FlaskClient, language: str, next_url: str = "/moderate/queue") -> Any:
    """Press the switch in the page header (every page has it: the login page, or the queue
    once logged in)."""
    logged_in = client.get("/moderate/login").status_code == 302
    token = csrf_token(client, "/moderate/queue" if logged_in else "/moderate/login")
    return client.post(
        "/moderate/language", data={"language": language, "next": next_url, "csrf_token": token}
    )


def test_the_login_page_follows_the_browser_language(client: FlaskClient) -> None:
    russian = page(client, "/moderate/login", **{"Accept-Language": RUSSIAN})
    assert '<html lang="ru">' in russian
    assert "Имя пользователя" in russian and "Войти" in russian
    english = page(client, "/moderate/login", **{"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english and "Username" in english
    # A browser that asks for neither gets the service's default (English here).
    assert "Username" in page(client, "/moderate/login", **{"Accept-Language": "kk,uz;q=0.8"})


@pytest.mark.usefixtures("held")
def test_the_queue_in_russian_names_reasons_and_rewords_details(moderator: FlaskClient) -> None:
    html = page(moderator, **{"Accept-Language": RUSSIAN})
    assert "Ждут модератора" in html  # the heading
    assert '<span class="badge reason-toxicity">токсичность</span>' in html
    assert '<span class="badge reason-repeated">повтор текста</span>' in html
    # The stored English details, re-worded, with Russian decimal commas.
    assert "токсичность 0,70: не ниже порога одобрения 0,50" in html
    assert "тот же текст уже публиковался 2 раза за последние 168 ч" in html
    assert "is at or above" not in html
    assert "ждёт 2 ч 5 мин" in html
    assert 'title="Определённый язык: русский; показать только комментарии на нём"' in html
    assert 'title="токсичность"' in html  # the highlighted word's mark names its reason
    # The codes a form sends stay the codes the API knows.
    assert '<option value="hate_speech">язык вражды</option>' in html


@pytest.mark.usefixtures("held")
def test_the_queue_in_english_shows_the_stored_details(moderator: FlaskClient) -> None:
    html = page(moderator, **{"Accept-Language": "en"})
    assert "toxicity 0.70 is at or above the approve threshold 0.50" in html
    assert "the same text was posted 2 times before in the last 168 hours" in html
    assert '<span class="badge reason-toxicity">toxicity</span>' in html


@pytest.mark.usefixtures("held")
def test_the_choice_outlasts_the_session_and_beats_the_browser(
    app: Flask, moderator: FlaskClient
) -> None:
    response = choose(moderator, "ru", "/moderate/queue?status=approved")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate/queue?status=approved"
    cookie = response.headers["Set-Cookie"]
    assert f"{COOKIE}=ru" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    assert "Одобрено моделью" in page(moderator, **{"Accept-Language": "en"})
    # Logging out clears the session, not the language.
    logout = form_post(moderator, "/moderate/logout", {})
    assert logout.status_code == 303
    assert "Вы вышли из системы." in page(moderator, "/moderate/login")
    assert login(moderator, "alice").status_code == 303
    assert "Очередь на проверку" in page(moderator)
    assert choose(moderator, "en").status_code == 303
    assert "Held queue" in page(moderator, **{"Accept-Language": RUSSIAN})


def test_russian_messages_on_the_login_page(app: Flask, client: FlaskClient) -> None:
    make_user(app, "bob")
    choose(client, "ru", "/moderate/login")
    token = csrf_token(client)
    response = client.post(
        "/moderate/login", data={"username": "bob", "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Неверное имя пользователя или пароль" in response.get_data(as_text=True)
    # The redirect to the login page flashes its message in Russian too.
    client.get("/moderate/queue")
    assert "Войдите, чтобы увидеть очередь модерации." in page(client, "/moderate/login")


@pytest.mark.usefixtures("held")
def test_flashes_after_a_decision_are_in_the_moderators_language(
    moderator: FlaskClient,
) -> None:
    choose(moderator, "ru")
    response = form_post(
        moderator,
        "/moderate/review",
        {"comment_id": ["c1", "c2"], "action": "reject", "reason_code": "offensive"},
    )
    assert response.status_code == 303
    assert "Отклонено 2 комментария (оскорбление)." in page(moderator)
    again = form_post(moderator, "/moderate/review", {"comment_id": "c1", "action": "approve"})
    assert again.status_code == 303
    assert "Комментарий c1: Уже решено: alice (отклонено," in page(moderator)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"language": "kk"}, 400),
        ({"language": ""}, 400),
        ({"language": "ru" * 5000}, 400),
    ],
)
def test_unknown_languages_are_refused(
    client: FlaskClient, data: dict[str, str], status: int
) -> None:
    token = csrf_token(client)
    response = client.post("/moderate/language", data={**data, "csrf_token": token})
    assert response.status_code == status
    assert "Unknown language" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers or COOKIE not in response.headers["Set-Cookie"]


def test_switching_needs_the_csrf_token_and_stays_inside_the_workspace(
    client: FlaskClient,
) -> None:
    refused = client.post("/moderate/language", data={"language": "ru"})
    assert refused.status_code == 400
    assert COOKIE not in refused.headers.get("Set-Cookie", "")
    outside = choose(client, "ru", "https://evil.example/phish")
    assert outside.status_code == 303
    assert outside.headers["Location"] == "/moderate/queue"


def test_a_forged_cookie_value_is_ignored(client: FlaskClient) -> None:
    client.set_cookie(COOKIE, "<script>")
    html = page(client, "/moderate/login", **{"Accept-Language": RUSSIAN})
    assert '<html lang="ru">' in html and "<script>" not in html


def test_the_default_language_is_configurable(test_config: dict[str, Any]) -> None:
    app = create_app({**test_config, "WORKSPACE_LANGUAGE": "ru"})
    app.extensions["moderation"].db.upgrade()
    try:
        html = page(app.test_client(), "/moderate/login", **{"Accept-Language": "kk"})
        assert "Имя пользователя" in html
    finally:
        app.extensions["moderation"].db.dispose()
    with pytest.raises(ValueError, match="MODERATION_WORKSPACE_LANGUAGE"):
        create_app({**test_config, "WORKSPACE_LANGUAGE": "de"})


def test_error_pages_speak_the_moderators_language(app: Flask, moderator: FlaskClient) -> None:
    choose(moderator, "ru")
    admins_only = moderator.get("/moderate/users")
    assert admins_only.status_code == 403
    assert "Список учётных записей видят только администраторы." in admins_only.get_data(
        as_text=True
    )
    too_large = moderator.post("/moderate/review", data={"note": "x" * 100_000})
    assert too_large.status_code == 413
    assert "Ошибка 413" in too_large.get_data(as_text=True)
    assert "Отправлено слишком много данных." in too_large.get_data(as_text=True)
    stale = moderator.get("/moderate/queue?cursor=not-a-cursor")
    assert stale.status_code == 200
    assert "Ссылка на эту страницу больше не действует" in stale.get_data(as_text=True)


def test_an_unknown_workspace_page_is_a_page_not_json(moderator: FlaskClient) -> None:
    choose(moderator, "ru")
    missing = moderator.get("/moderate/no-such-page")
    assert missing.status_code == 404
    assert missing.mimetype == "text/html"
    assert "Такой страницы нет." in missing.get_data(as_text=True)
    assert "default-src 'none'" in missing.headers["Content-Security-Policy"]
    # Outside the workspace a missing URL keeps the API's JSON error shape.
    api = moderator.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json and api.get_json()["code"] == 404


def test_english_error_pages_keep_their_words(moderator: FlaskClient) -> None:
    too_large = moderator.post(
        "/moderate/review", data={"note": "x" * 100_000}, headers={"Accept-Language": "en"}
    )
    assert too_large.status_code == 413
    assert "What was sent is too large." in too_large.get_data(as_text=True)
