"""Applying the coverage tallies' queue in the background, in each server worker.

Reports apply the queue themselves (``ingest.consumers.tallies.refresh``), so this only keeps
them fast: without it the first report after a burst of submissions would redo every person changed
since the last one (about 1 ms each). Every ``TALLY_REFRESH_SECONDS`` (with some jitter, so
workers do not wake together) a worker takes up to :data:`BATCH` queued people per short
transaction until the queue is empty; the lock inside ``refresh`` lets one worker at a time do
it, and an empty queue costs two small queries.
"""

from __future__ import annotations

import logging
import random
import threading

from flask import Flask

from ingest.consumers import tallies
from webhook.database import database

log = logging.getLogger(__name__)

#: Queued rows per transaction: short enough that SQLite's writers hardly wait.
BATCH = 500
#: Transactions per wake-up at most (writers may keep adding).
ROUNDS = 40


class Drainer:
    """A daemon thread draining the queue every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="tally-drain", daemon=True)

    def start(self) -> Drainer:
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopped.set()
        self.thread.join(timeout)

    def drain_once(self) -> int:
        """Apply the queue now, in batches; the number of people redone."""
        done = 0
        with self.app.app_context(), database().sessionmaker() as session:
            for _ in range(ROUNDS):
                people = tallies.refresh(session, limit=BATCH)
                done += people
                if people == 0 or self.stopped.is_set():
                    break
        return done

    def _run(self) -> None:
        jitter = random.uniform(0.8, 1.2)  # noqa: S311  (spreads wake-ups; not a secret)
        while not self.stopped.wait(self.interval * jitter):
            try:
                self.drain_once()
            except Exception:  # the next wake-up tries again; reports drain it anyway
                log.exception("applying the coverage tallies' queue failed")


def start(app: Flask) -> Drainer | None:
    """Start the background drain for ``app`` unless ``TALLY_REFRESH_SECONDS`` is 0."""
    interval = float(app.config.get("TALLY_REFRESH_SECONDS") or 0)
    if interval <= 0:
        return None
    return Drainer(app, interval).start()
