"""The log's consumers in the server: registered once per app, run in the background of every
worker process, and applied before a page or API answer that reads what they derive.

``app.config["CONSUMERS"]`` (default :data:`ingest.consumers.CONSUMERS`) is the registration:
a deployment or a test that adds a consumer hands a longer tuple to ``create_app``.
Every ``CONSUMERS_INTERVAL_SECONDS`` (with some jitter, so workers do not wake together) a
worker runs each consumer until it has nothing left; the consumers' locks (``ingest.consumers
.runner``) let one process at a time apply a consumer's batch, so any number of workers and
machines may run them. ``vssid consumers run`` does the same as a separate process.
"""

from __future__ import annotations

import logging
import random
import threading

from flask import Flask, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from ingest.consumers import CONSUMERS, Pipeline
from webhook.database import database

log = logging.getLogger(__name__)


#: The blueprints whose reads settle first: the JSON API and the dashboard.
READERS = ("api", "dashboard")


def init_app(app: Flask) -> None:
    """Register the app's consumers, and settle them before the readers' GETs."""
    app.extensions["vssid.pipeline"] = Pipeline(app.config.get("CONSUMERS") or CONSUMERS)
    for blueprint in READERS:
        app.before_request_funcs.setdefault(blueprint, []).append(settle_before_reading)


def pipeline() -> Pipeline:
    """The current app's consumers."""
    found: Pipeline = current_app.extensions["vssid.pipeline"]
    return found


def settle() -> None:
    """Read-your-writes: apply what the log holds that the consumers have not applied yet."""
    seconds = float(current_app.config["SETTLE_SECONDS"])
    if not pipeline().settle(database().sessionmaker, seconds):
        log.warning("consumers still behind after %.0f s: answering with what they have", seconds)


def settle_before_reading() -> None:
    """A ``before_request`` hook: settle before every read of derived data."""
    if request.method in ("GET", "HEAD") and not (request.endpoint or "").endswith(".static"):
        settle()


class Worker:
    """A daemon thread running the consumers every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="consumers", daemon=True)

    def start(self) -> Worker:
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopped.set()
        self.thread.join(timeout)

    def run_once(self) -> int:
        """Run every consumer until it has nothing left; the log entries applied."""
        with self.app.app_context():
            return pipeline().run_until_idle(database().sessionmaker)

    def _run(self) -> None:
        jitter = random.uniform(0.8, 1.2)  # noqa: S311  (spreads wake-ups; not a secret)
        while not self.stopped.wait(self.interval * jitter):
            try:
                self.run_once()
            except SQLAlchemyError as error:  # the database is away: the next wake-up retries
                first = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
                log.warning("the log's consumers wait for the database: %s", first)
            except Exception:  # a bug: logged whole; the next wake-up tries again
                log.exception("running the log's consumers failed")


def start(app: Flask) -> Worker | None:
    """Start the background consumers for ``app`` unless ``CONSUMERS_INTERVAL_SECONDS`` is 0."""
    interval = float(app.config.get("CONSUMERS_INTERVAL_SECONDS") or 0)
    if interval <= 0:
        return None
    return Worker(app, interval).start()
