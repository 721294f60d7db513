"""Events out (DESIGN §8): what an event is and how it is written (:mod:`events`), where
units stand against their target (:mod:`targets`), the wire of a webhook (:mod:`wire`),
the subscriptions (:mod:`subscriptions`) and delivery at least once (:mod:`delivery`). The
consumer of the log that writes the events is ``ingest.consumers.outbox``; ``webhook/`` runs
the delivery thread and the daily jobs. Nothing here knows Flask."""

from __future__ import annotations

from ingest.outbox.events import Event, emit, event_id

__all__ = ["Event", "emit", "event_id"]
