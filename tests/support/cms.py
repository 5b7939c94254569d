"""A stand-in CMS callback endpoint: a real HTTP server that verifies our signatures."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moderation import signing


@dataclass
class CallbackLog:
    secret: str
    fail_next: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    idempotency_keys: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def for_comment(self, comment_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [p for p in self.received if p["comment_id"] == comment_id]

    def wait_for(self, comment_id: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.for_comment(comment_id)
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(
            f"no callback for {comment_id} within {timeout}s (rejected: {self.rejected})"
        )


def _handler(log: CallbackLog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                signing.verify(log.secret, self.headers.get(signing.HEADER), body)
            except signing.SignatureError as exc:
                log.rejected.append(str(exc))
                self.send_response(401)
                self.end_headers()
                return
            with log.lock:
                if log.fail_next > 0:
                    log.fail_next -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                log.received.append(json.loads(body))
                log.idempotency_keys.append(self.headers.get("Idempotency-Key", ""))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def callback_server(secret: str) -> Iterator[tuple[str, CallbackLog]]:
    log = CallbackLog(secret=secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(log))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/moderation-callback", log
    finally:
        server.shutdown()
        server.server_close()
