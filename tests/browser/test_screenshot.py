"""A screenshot of the queue with realistic data, for docs/moderator-workspace.md.

Always taken (so the page renders in a real browser); written to ``docs/moderator-queue.png``
only when ``MODERATION_UPDATE_SCREENSHOT=1``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from moderation import review
from tests.browser.test_workspace import item, log_in
from tests.support.held import add_decided_comment
from tests.support.workspace import make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "moderator-queue.png"
DOCS_RU = DOCS.with_name("moderator-queue-ru.png")


def realistic_queue(sessions: Any) -> None:
    water = {
        "article_id": "water-deal",
        "article_title": "Kazakhstan and Uzbekistan sign a water-sharing agreement",
        "section": "Diplomacy",
    }
    budget = {
        "article_id": "city-budget",
        "article_title": "City council cuts the library budget by a third",
        "section": "Local",
    }
    add_decided_comment(
        sessions,
        "cms-48213",
        "Anyone who believes this deal will last is a complete moron. Typical clowns in charge.",
        words=("moron", "clowns"),
        score=0.68,
        age_minutes=134,
        author="Dan K.",
        author_id="u-17",
        **water,
    )
    add_decided_comment(
        sessions,
        "cms-48240",
        "Great read! Also, I earn $500 a day from home, see my profile for the link >>> bit.ly/easy-cash",
        reason="spam",
        words=("$500 a day from home", "bit.ly/easy-cash"),
        score=0.81,
        age_minutes=71,
        author="Maria",
        author_id="u-203",
        **budget,
    )
    add_decided_comment(
        sessions,
        "cms-48251",
        "What does any of this have to do with the football results last night?",
        parent_id="cms-47001",
        reason="off_topic",
        words=("football results",),
        score=0.74,
        age_minutes=38,
        author="J. Ortega",
        **water,
    )
    add_decided_comment(
        sessions,
        "cms-48262",
        "Cutting libraries again. These people should be ashamed, the whole lot of them are crooks.",
        words=("crooks",),
        score=0.57,
        age_minutes=9,
        author="Dan K.",
        author_id="u-17",
        **budget,
    )
    # Dan's history: one comment approved before, one rejected.
    add_decided_comment(
        sessions,
        "cms-47001",
        "Good point about the river.",
        action="approve",
        age_minutes=3000,
        author="Dan K.",
        author_id="u-17",
        **water,
    )
    add_decided_comment(
        sessions,
        "cms-47002",
        "idiots, all of you",
        action="hold",
        words=("idiots",),
        age_minutes=2900,
        author="Dan K.",
        author_id="u-17",
        **water,
    )
    review.submit_review(sessions, "cms-47002", review.make_review("reject", "abusive"), "sam")


def test_screenshot_of_the_queue(app: Flask, live_server: str, page: Any, tmp_path: Path) -> None:
    sessions = app.extensions["moderation"].db.session
    make_user(app, "alice")
    realistic_queue(sessions)
    log_in(page, live_server)
    assert item(page, "cms-48213").locator("mark").count() == 2
    target = tmp_path / "moderator-queue.png"
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000
    if (
        os.environ.get("MODERATION_UPDATE_SCREENSHOT") == "1"
        and "sqlite" in app.config["DATABASE_URL"]
    ):
        shutil.copyfile(target, DOCS)


def russian_queue(sessions: Any) -> None:
    """The Russian edition's held queue: an insult, Russian typed in Latin letters, a spam
    advert and a comment in Kazakh."""
    water = {
        "article_id": "water-deal-ru",
        "article_title": "Казахстан и Узбекистан подписали соглашение о разделе воды",
        "section": "Дипломатия",
    }
    add_decided_comment(
        sessions,
        "cms-58102",
        "Автор, ты вообще читал соглашение? Дебил, позоришь редакцию.",
        words=("Дебил",),
        score=0.93,
        age_minutes=125,
        author="Тимур",
        language="ru",
        **water,
    )
    add_decided_comment(
        sessions,
        "cms-58117",
        "ty voobshe chital statyu? avtor mudak",
        words=("mudak",),
        score=0.88,
        age_minutes=64,
        author="Arman",
        language="ru-Latn",
        **water,
    )
    add_decided_comment(
        sessions,
        "cms-58120",
        "Зарабатывай от 5000 руб в день! Пиши в личку, ссылка в профиле",
        reason="spam",
        words=("5000 руб в день", "Пиши в личку"),
        score=0.62,
        age_minutes=31,
        author="Ольга",
        language="ru",
        **water,
    )
    add_decided_comment(
        sessions,
        "cms-58131",
        "Бұл келісім екі елге де пайдалы деп ойлаймын.",
        reason="unsupported_language",
        age_minutes=12,
        author="Айгүл",
        language="kk",
        **water,
    )


def test_screenshot_of_the_queue_in_russian(
    app: Flask, live_server: str, page: Any, tmp_path: Path
) -> None:
    sessions = app.extensions["moderation"].db.session
    make_user(app, "aigerim")
    russian_queue(sessions)
    log_in(page, live_server, "aigerim")
    page.click("form.language-switch button[value=ru]")
    page.wait_for_selector("html[lang=ru]")
    assert item(page, "cms-58131").locator(".badge").inner_text() == "язык не поддерживается"
    assert item(page, "cms-58131").locator(".detail").inner_text() == (
        "язык 'kk' не из тех, на которых обучены модели"
    )
    target = tmp_path / "moderator-queue-ru.png"
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000
    if (
        os.environ.get("MODERATION_UPDATE_SCREENSHOT") == "1"
        and "sqlite" in app.config["DATABASE_URL"]
    ):
        shutil.copyfile(target, DOCS_RU)
