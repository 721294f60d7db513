"""Does a slow webhook receiver slow intake? Intake throughput with and without 1,000+
events queued for a receiver that takes 5 s to answer each request, paired in one run.

Starts ``vssid serve`` (gunicorn, ``--workers``) against a fresh database with its delivery
threads on (``VSSID_HOOKS_INTERVAL_SECONDS=0.5``, ``VSSID_HOOKS_CONCURRENCY=8``) and a local
receiver that sleeps ``--delay`` seconds before answering 200. Then, alternately:

- ``without``: the subscription is paused (its deliveries are not claimed), and ``--count``
  distinct ODK Collect submissions are posted at ``--concurrency`` (bench/load.py's client);
- ``with``: the subscription is active, ``--events`` events are queued for it at once (as a
  backlog would be), and the same number of submissions are posted, each adding its own
  ``submission.accepted`` and ``person.changed`` events for the slow receiver.

Printed: submissions/s and latency per round, the receiver's requests during each round and
the most it held at once. Each round starts when the CPUs are idle (bench/machine.py).

Usage (from the repository root, with the project's venv)::

    .venv/bin/python bench/hooks.py --database-url sqlite:////tmp/vssid_hooks_bench.sqlite3
    .venv/bin/python bench/hooks.py --database-url postgresql+psycopg://postgres@127.0.0.1/DB
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from load import (  # noqa: E402  (bench/load.py)
    HEADER,
    Target,
    fresh_database,
    payloads,
    run_level,
    setup,
    vssid_serve,
)
from machine import wait_idle  # noqa: E402

SECRET = "bench-receiver-secret-2026"


class Slow:
    """A receiver that answers 200 after ``delay`` seconds; counts what it holds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.requests = 0
        self.holding = 0
        self.most = 0

    def enter(self) -> None:
        with self.lock:
            self.requests += 1
            self.holding += 1
            self.most = max(self.most, self.holding)

    def leave(self) -> None:
        with self.lock:
            self.holding -= 1


@contextmanager
def slow_receiver(delay: float) -> Iterator[tuple[Slow, int]]:
    state = Slow(delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            state.enter()
            try:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(state.delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            finally:
                state.leave()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state, server.server_address[1]
    finally:
        server.shutdown()


def subscribe(database_url: str, url: str) -> int:
    from ingest.db import make_engine, make_sessionmaker
    from ingest.outbox import subscriptions

    engine = make_engine(database_url)
    with make_sessionmaker(engine).begin() as session:
        hook_id = subscriptions.add(
            session, url, SECRET, ["submission.accepted", "person.changed"], created_by="bench"
        ).id
    engine.dispose()
    return hook_id


def set_active(database_url: str, hook_id: int, active: bool, backlog: int, tag: str) -> None:
    """Pause or resume the subscription; with ``backlog``, queue that many events for it."""
    from ingest.db import begin_write, make_engine, make_sessionmaker
    from ingest.models import HookSubscription
    from ingest.outbox import Event, emit, event_id

    engine = make_engine(database_url)
    with make_sessionmaker(engine).begin() as session:
        begin_write(session)  # SQLite: queue as a writer (the server writes all along)
        hook = session.get(HookSubscription, hook_id)
        assert hook is not None
        hook.active = active
        session.flush()
        if backlog:
            emit(
                session,
                [
                    Event(event_id("bench", tag, n), "submission.accepted", "vssid", {"n": n})
                    for n in range(backlog)
                ],
            )
    engine.dispose()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=1000, help="submissions per round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--events", type=int, default=1000, help="backlog queued per round")
    parser.add_argument("--delay", type=float, default=5.0, help="receiver's seconds")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--media-dir", type=Path, default=Path("/tmp/vssid_hooks_bench_media"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    fresh_database(args.database_url)
    username, password, token = setup(args.database_url, args.media_dir, "collect", "token")
    os.environ.update(
        VSSID_HOOKS_INTERVAL_SECONDS="0.5", VSSID_HOOKS_CONCURRENCY="8",
        VSSID_CONSUMERS_INTERVAL_SECONDS="1",
    )  # fmt: skip
    log = args.media_dir.parent / "vssid_hooks_bench_server.log"
    rows, lines = [], []
    with (
        slow_receiver(args.delay) as (slow, receiver_port),
        vssid_serve(args.database_url, args.media_dir, args.workers, log) as port,
    ):
        hook_id = subscribe(args.database_url, f"http://127.0.0.1:{receiver_port}/hook")
        target = Target("127.0.0.1", port, f"/key/{token}/submission", "token", username)
        for pair in range(args.pairs):
            for mode in ("without", "with") if pair % 2 == 0 else ("with", "without"):
                active = mode == "with"
                set_active(args.database_url, hook_id, active, args.events if active else 0,
                           f"{pair}")  # fmt: skip
                busy = wait_idle(patience=20)
                before, slow.most = slow.requests, slow.holding
                bodies = payloads("collect", args.count, pair * 2 + active, username)
                result, _ = run_level(target, bodies, args.concurrency, mode, busy)
                rows.append(result.row())
                lines.append(
                    f"{mode}: {result.rate:,.1f} subs/s, p95 {result.percentile(95):.0f} ms; "
                    f"receiver got {slow.requests - before} requests during the round, "
                    f"held at most {slow.most} at once"
                )
                print(lines[-1], flush=True)
        set_active(args.database_url, hook_id, False, 0, "end")
    print(HEADER)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
