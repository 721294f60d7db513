"""Events out in the server: a background thread in every worker that delivers due webhook
deliveries and runs the once-a-day jobs (``webhook.daily``).

Nothing on the request path touches the outbox: intake appends to the log, the consumers
(another thread) write events, and this thread sends them with at most
``VSSID_HOOKS_CONCURRENCY`` requests at a time per process. A receiver that is slow or down
occupies these threads only, never a request. ``vssid hooks deliver`` does the same as a
separate process.
"""

from __future__ import annotations

import logging
import random
import threading

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from ingest.outbox import delivery
from webhook import daily
from webhook.database import database

log = logging.getLogger(__name__)


def deliver(app: Flask, rounds: int = 10) -> int:
    """Send what is due, up to ``rounds`` claims; how many deliveries were attempted."""
    sessions = app.extensions["vssid.db"].sessionmaker
    total = 0
    for _ in range(rounds):
        sent = delivery.deliver_due(
            sessions, base=float(app.config["HOOKS_RETRY_BASE_SECONDS"]),
            concurrency=int(app.config["HOOKS_CONCURRENCY"]),
        )  # fmt: skip
        total += sent
        if not sent:
            break
    return total


class Worker:
    """A daemon thread delivering webhooks every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="hooks", daemon=True)

    def start(self) -> Worker:
        self.thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self.stopped.set()
        self.thread.join(timeout)

    def run_once(self) -> int:
        with self.app.app_context():
            sent = deliver(self.app)
            daily.tick(self.app, database().sessionmaker)
            return sent

    def _run(self) -> None:
        jitter = random.uniform(0.8, 1.2)  # noqa: S311  (spreads wake-ups; not a secret)
        while not self.stopped.wait(self.interval * jitter):
            try:
                self.run_once()
            except SQLAlchemyError as error:  # the database is away: the next wake-up retries
                first = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
                log.warning("webhook delivery waits for the database: %s", first)
            except Exception:  # a bug, or the SMTP server: logged whole; retried next time
                log.exception("webhook delivery or a daily job failed")


def start(app: Flask) -> Worker | None:
    """Start the delivery thread for ``app`` unless ``HOOKS_INTERVAL_SECONDS`` is 0."""
    interval = float(app.config.get("HOOKS_INTERVAL_SECONDS") or 0)
    if interval <= 0:
        return None
    return Worker(app, interval).start()
