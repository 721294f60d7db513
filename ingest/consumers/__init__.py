"""Consumers of the log: everything derived from it, each with its own cursor.

This is the one place where consumers are registered, in the order they depend on each other:
the projection (review states, person records, unit reports), the cross-record rules, the
persons (each one's effective record), the coverage tallies, and the outbox (events out,
``ingest.outbox``: never replayed). A new consumer (notifications…) is one more entry here,
or one more in the tuple a deployment hands to :class:`Pipeline`; intake never changes for
it.
"""

from __future__ import annotations

from ingest.consumers import outbox, persons, projection, rules, tallies
from ingest.consumers.runner import (
    REVIEWS,
    ROSTERS,
    STREAMS,
    SUBMISSIONS,
    Batch,
    Consumer,
    Lag,
    Pipeline,
)

#: The consumers every deployment runs, in order.
CONSUMERS: tuple[Consumer, ...] = (
    projection.CONSUMER,
    rules.CONSUMER,
    persons.CONSUMER,
    tallies.CONSUMER,
    outbox.CONSUMER,
)

__all__ = [
    "CONSUMERS",
    "REVIEWS",
    "ROSTERS",
    "STREAMS",
    "SUBMISSIONS",
    "Batch",
    "Consumer",
    "Lag",
    "Pipeline",
]
