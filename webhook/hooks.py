"""Events out in the server: a background thread in every worker that delivers due webhook
deliveries and runs the once-a-day jobs (``webhook.daily``).

Nothing on the request path touches the outbox: intake appends to the log, the consumers
(another thread) write events, and this thread sends them with at most
``VSSID_HOOKS_CONCURRENCY`` requests at a time per process. A receiver that is slow or down
occupies these threads only, never a request. ``vssid hooks deliver`` does the same as a
separate process.
"""

from __future__ import annotations

from flask import Flask

from ingest.outbox import delivery
from webhook import background, daily
from webhook.background import Periodic
from webhook.database import database


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


def run(app: Flask) -> int:
    """Send what is due, then run the daily jobs; how many deliveries were attempted."""
    sent = deliver(app)
    daily.tick(app, database().sessionmaker)
    return sent


def start(app: Flask) -> Periodic | None:
    """Start the delivery thread for ``app`` unless ``HOOKS_INTERVAL_SECONDS`` is 0."""
    return background.start(app, "hooks", "HOOKS_INTERVAL_SECONDS", run,
                            "webhook delivery or a daily job")  # fmt: skip
