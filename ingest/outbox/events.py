"""Writing events to the outbox: each event once, with one delivery per subscription that
wants it, in the caller's transaction.

An event's id is a UUID derived (version 5) from what caused it, e.g. ``submission:42:
accepted``: deriving the same event again, after a failed batch or a by-hand rewind of the
outbox's cursor, inserts nothing (``ON CONFLICT DO NOTHING``), so nothing is sent twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ingest.db import upsert, utcnow
from ingest.models import HookDelivery, HookSubscription, OutboxEvent

#: The namespace of event ids (uuid5 of the cause).
NAMESPACE = uuid.UUID("5b0c6f0e-3a51-4f35-9d0e-7a1c9b2f7e15")

_EVENT = cast(Table, OutboxEvent.__table__)
_DELIVERY = cast(Table, HookDelivery.__table__)


def event_id(*cause: object) -> str:
    """The id of the event caused by ``cause`` (the same cause, the same id)."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in cause)))


@dataclass(frozen=True, slots=True)
class Event:
    """An event to write: its id, type, campaign, data and which data keys are personal."""

    id: str
    type: str
    campaign: str | None
    data: dict[str, Any]
    personal: tuple[str, ...] = ()
    created_at: datetime = field(default_factory=utcnow)


def wanted_by(subscription: HookSubscription, event: Event) -> bool:
    """Whether ``subscription`` receives ``event``."""
    return (
        subscription.active
        and event.type in subscription.events
        and (subscription.campaign is None or subscription.campaign == event.campaign)
    )


def emit(session: Session, events: Sequence[Event]) -> int:
    """Write ``events`` (those not written before) and their deliveries; how many were new."""
    if not events:
        return 0
    subscriptions = list(session.scalars(select(HookSubscription).where(HookSubscription.active)))
    insert = upsert(session.get_bind().dialect)
    known = set(_existing(session, [e.id for e in events]))
    new = [e for e in {e.id: e for e in events}.values() if e.id not in known]
    if not new:
        return 0
    session.execute(
        insert(_EVENT).on_conflict_do_nothing(index_elements=["id"]),
        [
            {"id": e.id, "type": e.type, "campaign": e.campaign, "created_at": e.created_at,
             "data": e.data, "personal": list(e.personal)}
            for e in new
        ],
    )  # fmt: skip
    deliveries = [
        {"event_id": e.id, "subscription_id": s.id, "state": "pending", "attempts": 0,
         "created_at": e.created_at, "next_attempt_at": e.created_at}
        for e in new
        for s in subscriptions
        if wanted_by(s, e)
    ]  # fmt: skip
    if deliveries:
        session.execute(
            insert(_DELIVERY).on_conflict_do_nothing(
                index_elements=["event_id", "subscription_id"]
            ),
            deliveries,
        )
    return len(new)


def _existing(session: Session, ids: Iterable[str]) -> list[str]:
    wanted = sorted(set(ids))
    found: list[str] = []
    for start in range(0, len(wanted), 1000):
        found.extend(
            session.scalars(
                select(OutboxEvent.id).where(OutboxEvent.id.in_(wanted[start : start + 1000]))
            )
        )
    return found
