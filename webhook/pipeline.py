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

from flask import Flask, current_app, request

from ingest.consumers import CONSUMERS, Pipeline
from webhook import background
from webhook.background import Periodic
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


def run(app: Flask) -> int:
    """Run every consumer until it has nothing left; the log entries applied."""
    return pipeline().run_until_idle(database().sessionmaker)


def start(app: Flask) -> Periodic | None:
    """Start the background consumers for ``app`` unless ``CONSUMERS_INTERVAL_SECONDS`` is 0."""
    return background.start(app, "consumers", "CONSUMERS_INTERVAL_SECONDS", run,
                            "the log's consumers")  # fmt: skip
