"""What the CMS answers a callback with is read only as far as needed: a failure's excerpt is
short, storable text; a huge or endless body is never read whole (a real HTTP server)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from moderation import callbacks
from moderation.storage.tables import CallbackDelivery

HUGE = 50 * 1024 * 1024


class _Answers(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = 500 if self.path == "/fails" else 200
        self.send_response(status)
        self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        chunk = (b"\x00\xff\xfe oops " * 4096)[:65536]
        try:
            for _ in range(HUGE // len(chunk)):
                self.wfile.write(chunk)
        except OSError:  # the client stopped reading and closed: what we want
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def cms_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _delivery(url: str) -> CallbackDelivery:
    return CallbackDelivery(
        url=url, payload={"comment_id": "c1"}, comment_id="c1", decision_id=1, attempts=0
    )


def test_a_failed_answer_leaves_a_short_storable_excerpt(cms_url: str) -> None:
    started = time.monotonic()
    outcome = callbacks.post(_delivery(f"{cms_url}/fails"), "secret", timeout=5)
    assert outcome.status_code == 500
    assert outcome.error is not None and outcome.error.startswith("HTTP 500: ")
    assert len(outcome.error) <= len("HTTP 500: ") + 200
    assert "\x00" not in outcome.error and "oops" in outcome.error
    assert time.monotonic() - started < 5  # 50 MB were not read


def test_a_success_is_not_read_at_all(cms_url: str) -> None:
    started = time.monotonic()
    outcome = callbacks.post(_delivery(f"{cms_url}/ok"), "secret", timeout=5)
    assert outcome.status_code == 200 and outcome.error is None
    assert time.monotonic() - started < 5
