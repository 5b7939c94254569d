"""The browser tier: the workspace served over real HTTP, driven by a real Chromium.

Debian's ``chromium`` is driven by Playwright through ``executable_path`` (Playwright's own
browser download is not used). Without Chromium or Playwright the tier is skipped with a clear
message, except under CI=true where that is a failure (``.ci/run`` installs Chromium).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.support.cms import CallbackLog, callback_server
from tests.support.processes import service_env
from tests.support.servers import free_port, unavailable
from tests.support.signed import CALLBACK_SECRET
from tests.support.worker import WorkerProcess

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_path() -> str:
    for candidate in (os.environ.get("MODERATION_CHROMIUM", ""), *CHROMIUM_CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium")
    if found is None:
        unavailable("Chromium is not installed (apt-get install chromium, or run .ci/run)")
        raise AssertionError
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed (pip install -e '.[dev]')")
        raise
    executable = chromium_path()
    playwright = sync_playwright().start()
    args = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium refuses root with a sandbox
    chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def callbacks() -> Iterator[tuple[str, CallbackLog]]:
    with callback_server(CALLBACK_SECRET) as server:
        yield server


@pytest.fixture
def test_config(test_config: dict[str, Any], callbacks: tuple[str, CallbackLog]) -> dict[str, Any]:
    return {**test_config, "CALLBACK_URL": callbacks[0], "SESSION_COOKIE_SECURE": False}


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on a real port in a thread (several threads, like gunicorn's)."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def worker(app: Flask, test_config: dict[str, Any], tmp_path: Path) -> Iterator[WorkerProcess]:
    """A real Celery worker for the callbacks queue: moderator decisions reach the stand-in CMS."""
    process = WorkerProcess(
        service_env(test_config, tmp_path), queues="callbacks", log_path=tmp_path / "worker.log"
    )
    process.start()
    yield process
    process.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page that records dialogs, page errors and console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    problems: list[str] = []
    tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # A CSP violation (say, an inline script that slipped into a template) is a console error.
    tab.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    tab.problems = problems
    yield tab
    context.close()
