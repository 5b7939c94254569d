"""Access control and safety of the /moderate pages, over plain HTTP (Flask's test client)."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from moderation import accounts
from moderation.login_throttle import LockoutPolicy
from moderation.storage.moderators import AuditEntry, LoginThrottle
from moderation.storage.tables import Comment
from tests.support.held import add_decided_comment
from tests.support.workspace import PASSWORD, csrf_token, form_post, login, make_user

PAGES = [
    "/moderate/",
    "/moderate/queue",
    "/moderate/queue?status=approved",
    "/moderate/audit",
    "/moderate/audit.json",
    "/moderate/users",
]
HOSTILE = 'Look <script>alert("x")</script> <img src=x onerror="alert(1)"> <a href="javascript:alert(2)">me</a>'


@pytest.fixture
def held(app: Flask) -> None:
    s = app.extensions["moderation"].db.session
    add_decided_comment(s, "c1", "you idiot", words=("idiot",), age_minutes=20)
    add_decided_comment(s, "c2", HOSTILE, words=("script",), age_minutes=10)


def status_of(app: Flask, comment_id: str) -> str:
    with app.extensions["moderation"].db.session() as s:
        return s.get(Comment, comment_id).status


@pytest.mark.parametrize("path", PAGES)
def test_every_page_without_a_session_sends_to_the_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/moderate/login?next=")


@pytest.mark.usefixtures("held")
@pytest.mark.parametrize("path", ["/moderate/review", "/moderate/logout"])
def test_posts_without_a_session_are_refused(app: Flask, client: FlaskClient, path: str) -> None:
    assert client.post(path, data={"comment_id": "c1", "action": "approve"}).status_code == 400
    # Even with a valid CSRF token (from the login page), no session means no decision.
    token = csrf_token(client)
    response = client.post(
        path, data={"comment_id": "c1", "action": "approve", "csrf_token": token}
    )
    assert response.status_code == 302 and "/moderate/login" in response.headers["Location"]
    assert status_of(app, "c1") == "held"


@pytest.mark.usefixtures("held")
def test_a_form_post_without_the_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    make_user(app, "alice")
    assert login(client, "alice").status_code == 303
    response = client.post("/moderate/review", data={"comment_id": "c1", "action": "approve"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    wrong = client.post(
        "/moderate/review", data={"comment_id": "c1", "action": "approve", "csrf_token": "x"}
    )
    assert wrong.status_code == 400
    assert status_of(app, "c1") == "held"


def test_the_login_form_itself_needs_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    make_user(app, "alice")
    response = client.post("/moderate/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 400


def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, "alice")
    response = login(client, "alice")
    assert response.status_code == 303 and response.headers["Location"] == "/moderate/queue"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/moderate/queue").status_code == 200
    assert form_post(client, "/moderate/logout", {}).status_code == 303
    assert client.get("/moderate/queue").status_code == 302


def test_the_cookie_is_secure_over_https(app: Flask) -> None:
    make_user(app, "alice")
    client = app.test_client()
    page = client.get("/moderate/login", base_url="https://localhost")
    assert "Secure" in page.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("username", "password"), [("alice", "wrong password!!"), ("nobody", PASSWORD), ("", "")]
)
def test_wrong_credentials_are_refused_and_audited(
    app: Flask, client: FlaskClient, username: str, password: str
) -> None:
    make_user(app, "alice")
    response = login(client, username, password)
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert client.get("/moderate/queue").status_code == 302
    with app.extensions["moderation"].db.session() as s:
        assert s.scalar(select(AuditEntry.event)) == "login_failed"


def test_a_disabled_user_cannot_log_in_and_their_session_ends(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, "alice")
    assert login(client, "alice").status_code == 303
    with app.extensions["moderation"].db.session() as s:
        accounts.disable_user(s, "alice")
        s.commit()
    assert client.get("/moderate/queue").status_code == 302
    assert login(app.test_client(), "alice").status_code == 401


def test_repeated_failures_lock_the_username_for_a_while(app: Flask, client: FlaskClient) -> None:
    make_user(app, "alice")
    app.config["LOGIN_MAX_FAILURES"] = 3
    for _ in range(2):
        assert login(client, "alice", "not the password").status_code == 401
    assert login(client, "alice", "not the password").status_code == 429  # the third locks
    locked = login(client, "alice")  # even the right password, while locked
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.get_data(as_text=True)


def test_one_address_failing_on_many_usernames_is_locked_too(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, "alice")
    app.config["LOGIN_MAX_FAILURES"] = 2  # 20 failures per address
    for n in range(20):
        login(client, f"user{n}", "guessing")
    assert login(client, "alice").status_code == 429
    assert login(app.test_client(), "alice").status_code == 429  # same address, new cookies


def test_login_never_redirects_off_site(app: Flask, client: FlaskClient) -> None:
    make_user(app, "alice")
    token = csrf_token(client)
    for target in ("https://evil.example/", "//evil.example/x", "/api/v1/queue"):
        response = client.post(
            "/moderate/login",
            data={"username": "alice", "password": PASSWORD, "csrf_token": token, "next": target},
        )
        assert response.headers["Location"] == "/moderate/queue"
        form_post(client, "/moderate/logout", {})
        token = csrf_token(client)


@pytest.mark.usefixtures("held")
def test_pages_carry_a_strict_csp_and_comment_html_is_inert(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, "alice")
    login(client, "alice")
    response = client.get("/moderate/queue")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    html = response.get_data(as_text=True)
    assert (
        "<script>alert" not in html and "<img src=x" not in html and 'href="javascript:' not in html
    )
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/" in html or "&lt;<mark" in html
    assert (
        'data-comment-id="c2"' in html
        and 'data-action="approve"' in html
        and 'data-action="reject"' in html
    )


@pytest.mark.usefixtures("held")
def test_moderators_approve_reject_and_see_who_was_first(app: Flask, client: FlaskClient) -> None:
    make_user(app, "alice")
    make_user(app, "bob")
    login(client, "alice")
    response = form_post(
        client,
        "/moderate/review",
        {
            "comment_id": "c1",
            "action": "reject",
            "reason_code": "abusive",
            "next": "/moderate/queue",
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == "/moderate/queue"
    assert "Rejected (abusive) 1 comment." in client.get("/moderate/queue").get_data(as_text=True)
    assert status_of(app, "c1") == "rejected"
    bob = app.test_client()
    login(bob, "bob")
    form_post(bob, "/moderate/review", {"comment_id": "c1", "action": "approve"})
    page = bob.get("/moderate/queue").get_data(as_text=True)
    assert "Comment c1: Already decided by alice (rejected" in page
    assert status_of(app, "c1") == "rejected"


@pytest.mark.usefixtures("held")
def test_bulk_approve_and_a_reject_without_a_reason_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, "alice")
    login(client, "alice")
    form_post(client, "/moderate/review", {"comment_id": ["c1", "c2"], "action": "reject"})
    assert "A rejection needs a reason code" in client.get("/moderate/queue").get_data(as_text=True)
    assert status_of(app, "c1") == "held"
    form_post(client, "/moderate/review", {"comment_id": ["c1", "c2"], "action": "approve"})
    assert "Approved 2 comments." in client.get("/moderate/queue").get_data(as_text=True)
    assert (status_of(app, "c1"), status_of(app, "c2")) == ("approved", "approved")
    audit = client.get("/moderate/audit.json?event=review").get_json()
    assert sorted(e["comment_id"] for e in audit["entries"]) == ["c1", "c2"]
    assert {e["detail"]["via"] for e in audit["entries"]} == {"workspace-bulk"}
    assert "c2" in client.get("/moderate/audit?actor=alice").get_data(as_text=True)


def test_parallel_wrong_passwords_are_all_counted(app: Flask) -> None:
    """Failures are counted with atomic SQL updates, so concurrent guesses cannot undercount."""
    make_user(app, "alice")
    policy = LockoutPolicy(max_failures=50, window_seconds=600, lockout_seconds=600)
    sessions = app.extensions["moderation"].db.session
    barrier = threading.Barrier(8)

    def guess() -> None:
        barrier.wait()
        for _ in range(3):
            with sessions() as s:
                accounts.authenticate(s, "alice", "wrong guess", policy)
                s.commit()

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with sessions() as s:
        assert s.get(LoginThrottle, "alice").failures == 24


def test_only_admins_see_the_accounts_page(app: Flask, client: FlaskClient) -> None:
    make_user(app, "alice")
    make_user(app, "root", role="admin")
    login(client, "alice")
    assert client.get("/moderate/users").status_code == 403
    assert "Accounts" not in client.get("/moderate/queue").get_data(as_text=True)
    admin = app.test_client()
    login(admin, "root")
    page = admin.get("/moderate/users")
    assert page.status_code == 200
    assert 'data-username="alice"' in page.get_data(as_text=True)


def test_the_queue_page_shows_the_language_and_filters_by_it(
    app: Flask, client: FlaskClient
) -> None:
    sessions = app.extensions["moderation"].db.session
    add_decided_comment(sessions, "en1", "you idiot", words=("idiot",), age_minutes=20)
    add_decided_comment(sessions, "ru1", "Автор дурак", age_minutes=10, language="ru")
    make_user(app, "lena")
    login(client, "lena")
    page = client.get("/moderate/queue").get_data(as_text=True)
    assert 'data-language="ru"' in page and 'data-language="en"' in page
    assert '<option value="ru"' in page
    only_ru = client.get("/moderate/queue?language=ru").get_data(as_text=True)
    assert 'data-comment-id="ru1"' in only_ru and 'data-comment-id="en1"' not in only_ru
