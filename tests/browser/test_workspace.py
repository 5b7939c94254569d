"""Moderators in a real Chromium: log in, read the queue, decide with the keyboard and the mouse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.support.cms import CallbackLog
from tests.support.held import add_decided_comment
from tests.support.workspace import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = (
    "Read this <script>window.__pwned = 1; alert('script')</script> "
    '<img src="x" onerror="window.__pwned = 2; alert(\'img\')"> '
    "<a href=\"javascript:window.__pwned = 3; alert('link')\">click me</a> idiot"
)


def log_in(page: Any, base: str, username: str = "alice") -> None:
    page.goto(f"{base}/moderate/queue")
    assert "/moderate/login" in page.url  # no session: the login form first
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{base}/moderate/queue")


def item(page: Any, comment_id: str) -> Any:
    return page.locator(f'[data-comment-id="{comment_id}"]')


def assert_focused(page: Any, comment_id: str) -> None:
    """Fail unless the comment gets the keyboard focus within five seconds.

    After a decision the queue reloads and the page's script focuses a comment once the new
    DOM is ready; waiting for that moment avoids reading the focus before it.
    """
    script = "id => document.activeElement && document.activeElement.dataset.commentId === id"
    try:
        page.wait_for_function(script, arg=comment_id, timeout=5000)
    except Exception as error:  # playwright's TimeoutError; the package is imported lazily
        now = page.evaluate("document.activeElement && document.activeElement.dataset.commentId")
        raise AssertionError(f"focus is on {now!r}, not on {comment_id!r}") from error


@pytest.fixture
def sessions(app: Flask) -> Any:
    return app.extensions["moderation"].db.session


@pytest.mark.worker
def test_a_moderator_approves_with_the_keyboard_and_rejects_with_a_reason(
    app: Flask,
    sessions: Any,
    live_server: str,
    page: Any,
    worker: Any,
    cms: Callable[..., Any],
    callbacks: tuple[str, CallbackLog],
) -> None:
    make_user(app, "alice")
    add_decided_comment(
        sessions, "c1", "What a stupid idea, you idiot.", words=("stupid", "idiot"), age_minutes=45
    )
    add_decided_comment(
        sessions,
        "c2",
        "Cheap watches at example dot com",
        reason="spam",
        words=("Cheap watches",),
        score=0.9,
        age_minutes=20,
    )
    log_in(page, live_server)

    first = item(page, "c1")
    assert first.locator("mark").all_inner_texts() == ["stupid", "idiot"]
    assert "toxicity" in first.locator(".reasons").inner_text()
    assert "waiting 45 min" in first.inner_text()
    # The oldest comment is focused on arrival; "a" approves it.
    assert_focused(page, "c1")
    page.keyboard.press("a")
    page.wait_for_selector('[data-comment-id="c1"]', state="detached")
    assert "Approved 1 comment." in page.inner_text(".flashes")

    # "r" opens the reject panel of the focused comment with its reason list ready.
    assert_focused(page, "c2")
    page.keyboard.press("r")
    panel = item(page, "c2").locator("details.reject")
    assert panel.get_attribute("open") is not None
    page.select_option('[data-comment-id="c2"] select[name=reason_code]', "spam")
    page.fill('[data-comment-id="c2"] input[name=note]', "link farm")
    item(page, "c2").locator('[data-action="confirm-reject"]').click()
    page.wait_for_selector('[data-comment-id="c2"]', state="detached")
    assert "Rejected (spam) 1 comment." in page.inner_text(".flashes")
    assert page.problems == []

    # The CMS sees the moderators' decisions through its API and through the callback.
    approved = cms("GET", "/api/v1/comments/c1").get_json()
    assert approved["status"] == "approved" and approved["decision"]["decided_by"] == "alice"
    rejected = cms("GET", "/api/v1/comments/c2").get_json()
    assert rejected["status"] == "rejected" and rejected["decision"]["reasons"][0]["code"] == "spam"
    log = callbacks[1]
    assert log.wait_for("c1")["status"] == "approved"
    delivered = log.wait_for("c2")
    assert delivered["status"] == "rejected" and delivered["decision"]["decided_by"] == "alice"
    assert log.rejected == []  # every callback carried a valid signature


def test_comment_markup_is_shown_as_text_and_runs_nothing(
    app: Flask, sessions: Any, live_server: str, page: Any
) -> None:
    make_user(app, "alice")
    add_decided_comment(sessions, "evil", HOSTILE, words=("idiot",))
    log_in(page, live_server)
    text = item(page, "evil").locator(".text")
    assert text.inner_text() == HOSTILE  # exactly as written
    assert text.locator("script, img, a").count() == 0
    assert text.locator("mark").inner_text() == "idiot"
    text.click()
    page.keyboard.press("j")
    assert page.evaluate("window.__pwned") is None
    assert page.problems == []  # no alert(), no page error


def test_j_k_move_x_selects_and_bulk_approve(
    app: Flask, sessions: Any, live_server: str, page: Any
) -> None:
    make_user(app, "alice")
    for n in range(3):
        add_decided_comment(sessions, f"b{n}", f"borderline {n}", age_minutes=30 - n)
    log_in(page, live_server)
    focused = "document.activeElement.dataset.commentId"
    assert_focused(page, "b0")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate(focused) == "b2"
    page.keyboard.press("k")
    assert page.evaluate(focused) == "b1"
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.click("#bulk button.approve")
    page.wait_for_selector('[data-comment-id="b1"]', state="detached")
    assert "Approved 2 comments." in page.inner_text(".flashes")
    assert page.locator("[data-comment-id]").count() == 1
    assert page.problems == []


def test_the_second_moderator_sees_who_decided_first(
    app: Flask, sessions: Any, live_server: str, browser: Any, page: Any
) -> None:
    make_user(app, "alice")
    make_user(app, "bob")
    add_decided_comment(sessions, "c1", "contested")
    log_in(page, live_server, "alice")
    other = browser.new_context().new_page()
    log_in(other, live_server, "bob")
    item(page, "c1").locator('[data-action="approve"]').click()
    page.wait_for_selector('[data-comment-id="c1"]', state="detached")
    item(other, "c1").locator('[data-action="reject"]').click()
    other.select_option('[data-comment-id="c1"] select[name=reason_code]', "other")
    item(other, "c1").locator('[data-action="confirm-reject"]').click()
    other.wait_for_selector(".flash-error")
    assert "Already decided by alice (approved" in other.inner_text(".flashes")
    other.context.close()


def test_russian_comments_show_their_language_and_filter_by_it(
    app: Flask, sessions: Any, live_server: str, page: Any
) -> None:
    make_user(app, "alice")
    add_decided_comment(sessions, "en1", "You absolute idiot.", words=("idiot",), age_minutes=30)
    add_decided_comment(
        sessions, "ru1", "Автор, ты дурак и лжец.", words=("дурак",), age_minutes=20, language="ru"
    )
    log_in(page, live_server)
    russian = item(page, "ru1")
    assert russian.locator(".language").inner_text() == "ru"
    assert "Russian" in (russian.locator(".language").get_attribute("title") or "")
    options = page.locator("form.filters select[name=language] option").all_inner_texts()
    assert "ru (Russian)" in options and "en (English)" in options
    assert russian.locator("mark").inner_text() == "дурак"  # the span in Cyrillic text
    assert page.locator("[data-comment-id]").count() == 2

    page.select_option("form.filters select[name=language]", "ru")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector('[data-comment-id="en1"]', state="detached")
    assert [
        e.get_attribute("data-comment-id") for e in page.locator("[data-comment-id]").all()
    ] == ["ru1"]
    assert "language=ru" in page.url

    # The language label on a comment is a link to that language's queue.
    page.click("form.filters a.clear")
    page.wait_for_selector('[data-comment-id="en1"]')
    item(page, "en1").locator("a.language").click()
    page.wait_for_selector('[data-comment-id="ru1"]', state="detached")
    assert page.locator("[data-comment-id]").count() == 1
    assert page.problems == []


def test_a_repeated_text_links_to_its_copies(
    app: Flask, sessions: Any, live_server: str, page: Any
) -> None:
    make_user(app, "alice")
    spam = "Earn $500 a day from home, visit my profile to learn how"
    add_decided_comment(sessions, "s1", spam, action="approve", age_minutes=30)
    add_decided_comment(sessions, "s2", spam.lower(), action="approve", age_minutes=20)
    add_decided_comment(sessions, "s3", spam, reason="repeated", age_minutes=10, article_id="a2")
    add_decided_comment(sessions, "x1", "You absolute idiot.", words=("idiot",), age_minutes=5)
    log_in(page, live_server)
    repeated = item(page, "s3")
    assert repeated.locator(".badge.reason-repeated").inner_text() == "repeated"
    assert "posted 2 times before" in repeated.locator(".reasons").inner_text()

    repeated.locator('a[data-copies="approved"]').click()
    page.wait_for_selector('[data-comment-id="s1"]')
    assert sorted(
        e.get_attribute("data-comment-id") for e in page.locator("[data-comment-id]").all()
    ) == ["s1", "s2"]
    assert "same_text_as=s3" in page.url
    assert "s3" in page.inner_text(".same-text")
    assert page.problems == []


def test_audit_log_filters_from_its_form(
    app: Flask, sessions: Any, live_server: str, page: Any
) -> None:
    make_user(app, "alice")
    add_decided_comment(sessions, "a1", "borderline one", age_minutes=10)
    log_in(page, live_server)  # a "login" entry
    page.keyboard.press("a")  # approve the focused comment: a "review" entry
    page.wait_for_selector('[data-comment-id="a1"]', state="detached")

    page.goto(f"{live_server}/moderate/audit")
    assert page.locator("tr[data-audit-id]").count() == 2
    page.select_option("form.filters select[name=event]", "review")
    page.click("form.filters button[type=submit]")  # actor and comment id left empty
    page.wait_for_url("**event=review**")
    rows = page.locator("tr[data-audit-id]")
    assert rows.count() == 1
    assert "a1" in rows.first.inner_text() and "approve" in rows.first.inner_text()
    assert page.locator(".flashes .error").count() == 0
    assert page.problems == []


def test_a_moderator_switches_the_workspace_to_russian_and_decides_in_it(
    app: Flask, sessions: Any, live_server: str, page: Any
) -> None:
    """The switch in the header turns every page Russian and keeps it so after logging out;
    decisions taken in Russian send the same reason codes."""
    make_user(app, "alice")
    add_decided_comment(
        sessions, "ru1", "Автор, ты дурак и лжец.", words=("дурак",), age_minutes=125, language="ru"
    )
    add_decided_comment(sessions, "en1", "You absolute idiot.", words=("idiot",), age_minutes=5)
    log_in(page, live_server)
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("form.language-switch button[value=ru]")
    page.wait_for_selector("html[lang=ru]")
    assert "status=held" not in page.url and page.url.endswith("/moderate/queue")
    assert page.inner_text("section.queue h1").startswith("Ждут модератора")
    russian = item(page, "ru1")
    assert russian.locator(".badge").inner_text() == "токсичность"
    assert russian.locator(".detail").inner_text() == (
        "токсичность 0,70: не ниже порога одобрения 0,50"
    )
    assert russian.locator(".waiting").inner_text() == "ждёт 2 ч 5 мин"
    assert russian.locator("mark").get_attribute("title") == "токсичность"
    assert page.locator("form.language-switch button[value=ru]").is_disabled()

    # Reject with the keyboard, choosing the reason by its Russian name.
    russian.focus()
    page.keyboard.press("r")
    russian.locator("details.reject select").select_option(label="язык вражды")
    russian.locator('[data-action="confirm-reject"]').click()
    page.wait_for_selector('[data-comment-id="ru1"]', state="detached")
    assert "Отклонён 1 комментарий (язык вражды)." in page.inner_text(".flashes")
    with sessions() as s:
        from moderation.storage.tables import Comment, Decision

        comment = s.get(Comment, "ru1")
        assert comment is not None and comment.status == "rejected"
        decision = s.get(Decision, comment.decision_id)
        assert decision is not None and decision.reasons[0]["code"] == "hate_speech"

    page.click("form.logout button[type=submit]")
    page.wait_for_selector("form.login")
    assert page.inner_text(".flashes") == "Вы вышли из системы."
    assert page.inner_text("form.login h1") == "Войти"
    page.click("form.language-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("form.login h1") == "Log in"
    assert page.problems == []
