"""A real HTTP receiver of webhooks for the tests: it answers with the statuses it is given
(then 200), optionally after a pause, and keeps every request's headers and raw body."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True, slots=True)
class Received:
    """One request as it arrived."""

    headers: dict[str, str]
    body: bytes

    @property
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


class Receiver:
    """What the server behind :func:`receiver` saw and will answer."""

    def __init__(self, statuses: list[int], delay: float) -> None:
        self.statuses = list(statuses)
        self.delay = delay
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 200

    def record(self, received: Received) -> None:
        with self.lock:
            self.received.append(received)

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.received)} requests received, {count} expected")


@contextmanager
def receiver(statuses: list[int] | None = None, delay: float = 0.0, port: int = 0
             ) -> Iterator[Receiver]:  # fmt: skip
    """Serve on 127.0.0.1 (``port``, or a free one) until the block ends."""
    state = Receiver(statuses or [], delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.record(Received({k: v for k, v in self.headers.items()}, body))
            if state.delay:
                time.sleep(state.delay)
            status = state.next_status()
            answer = f"status {status}".encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a sender that hung up (killed mid-request) is what some tests do

    server = Server(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
