"""Periodic work in the background of every server worker: the log's consumers
(``webhook.pipeline``) and webhook deliveries with the daily jobs (``webhook.hooks``).

Each is a daemon thread that wakes every ``interval`` seconds, with some jitter so the workers
of a server do not wake together, and runs its job in the app's context. A database that is
away is waited for (one line in the log, the next wake-up retries); anything else is logged
whole and retried the same way, so a bug never kills the thread.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


class Periodic:
    """A daemon thread running ``job(app)`` every ``interval`` seconds until :meth:`stop`."""

    def __init__(
        self, app: Flask, name: str, interval: float, job: Callable[[Flask], int], what: str
    ) -> None:
        self.app = app
        self.interval = interval
        self.job = job
        self.what = what  # for the log: "the log's consumers", "webhook delivery"
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Periodic:
        self.thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self.stopped.set()
        self.thread.join(timeout)

    def run_once(self) -> int:
        """Run the job once, now, in the app's context; what it returns."""
        with self.app.app_context():
            return self.job(self.app)

    def _run(self) -> None:
        jitter = random.uniform(0.8, 1.2)  # noqa: S311  (spreads wake-ups; not a secret)
        while not self.stopped.wait(self.interval * jitter):
            try:
                self.run_once()
            except SQLAlchemyError as error:  # the database is away: the next wake-up retries
                first = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
                log.warning("%s waits for the database: %s", self.what, first)
            except Exception:  # a bug, or the SMTP server: logged whole; retried next time
                log.exception("%s failed", self.what)


def start(
    app: Flask, name: str, interval_key: str, job: Callable[[Flask], int], what: str
) -> Periodic | None:
    """Start ``job`` every ``app.config[interval_key]`` seconds, unless that is 0."""
    interval = float(app.config.get(interval_key) or 0)
    if interval <= 0:
        return None
    return Periodic(app, name, interval, job, what).start()
