"""Events out: the outbox, webhook subscriptions, their deliveries and attempts, and the
small state that makes time- and threshold-driven events happen once.

The outbox (``outbox_event``) is written by the outbox consumer of the log
(``ingest.outbox.consumer``) and by the daily tick (``campaign.daily_summary``); each event
gets one ``hook_delivery`` per subscription that wants it, in the same transaction, so an
event is never written without knowing whom it goes to. Deliveries are claimed, sent and
recorded by ``ingest.outbox.delivery``; every attempt is a ``hook_attempt`` row.

Unlike the derived tables, nothing here is rebuilt by a replay: an outbox that is emptied
and refilled would send again what it already sent (DESIGN §8: a delivered event is not sent
again).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ingest.db import Base, JSONType, UTCDateTime, one_of, utcnow


class EventType(StrEnum):
    """The events the server sends (DESIGN §8)."""

    SUBMISSION_ACCEPTED = "submission.accepted"
    SUBMISSION_FLAGGED = "submission.flagged"
    PERSON_CHANGED = "person.changed"
    UNIT_TARGET_REACHED = "unit.target_reached"
    CAMPAIGN_DAILY_SUMMARY = "campaign.daily_summary"


EVENT_TYPES = tuple(EventType)


class DeliveryState(StrEnum):
    """A delivery's state: ``pending`` (due at ``next_attempt_at``), ``delivered`` (a 2xx
    came back), ``failed`` (retried for about a day without success; redeliverable)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


DELIVERY_STATES = tuple(DeliveryState)


class OutboxEvent(Base):
    """One event, as every subscriber receives it: the body is built from these columns.

    ``id`` is derived from what caused the event (``ingest.outbox.events.event_id``), so
    deriving the same event twice writes it once.
    """

    __tablename__ = "outbox_event"
    __table_args__ = (
        CheckConstraint(one_of("type", EVENT_TYPES), name="type"),
        Index(None, "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    campaign: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Keys of ``data`` holding personal values, sent only to subscriptions allowed them.
    personal: Mapped[list[str]] = mapped_column(JSONType, default=list)


class HookSubscription(Base):
    """Where events go: a URL, the secret that signs them, which types, which campaign.

    The secret is kept as given because the HMAC needs it; it is never shown again
    (``vssid hooks list`` and the admin page print only its last characters' absence).
    """

    __tablename__ = "hook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(255))
    #: The event types wanted (values of :class:`EventType`).
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Only this campaign's events (None: every campaign's).
    campaign: Mapped[str | None] = mapped_column(String(32))
    #: Whether events carry personal values (a person's identifier) unmasked.
    personal: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(150), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HookDelivery(Base):
    """One event to one subscription: its state, when it is next due, and its attempts.

    ``next_attempt_at`` is also the lease: a worker that claims a delivery moves it past the
    send's timeout, so no other worker takes it while it is being sent; a worker that dies
    leaves it due again when the lease runs out (at least once).
    """

    __tablename__ = "hook_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id"),
        CheckConstraint(one_of("state", DELIVERY_STATES), name="state"),
        Index("ix_hook_delivery_due", "state", "next_attempt_at"),
        Index(None, "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("outbox_event.id", ondelete="CASCADE"))
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("hook_subscription.id", ondelete="CASCADE")
    )
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last attempt's HTTP status (None: no answer, see the attempt's error).
    last_status: Mapped[int | None]


class HookAttempt(Base):
    """One POST of a delivery: when, how long, the status and the start of the answer."""

    __tablename__ = "hook_attempt"
    __table_args__ = (Index(None, "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("hook_delivery.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    status: Mapped[int | None]
    #: The answer's first characters, or why there was none (timeout, refused…).
    answer: Mapped[str] = mapped_column(Text, default="")
    #: Whether an administrator asked for this attempt (``vssid hooks redeliver``).
    manual: Mapped[bool] = mapped_column(default=False)


class UnitTarget(Base):
    """Whether a unit stands at or above its campaign's target, as the outbox last saw it,
    and how many times it crossed upwards (part of each ``unit.target_reached`` id)."""

    __tablename__ = "unit_target_state"

    campaign: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    reached: Mapped[bool] = mapped_column(default=False)
    crossings: Mapped[int] = mapped_column(default=0)


class DailyRun(Base):
    """A once-a-day job that ran (or runs) for a local day: ``digest`` or ``summary``.

    The primary key makes the run happen once across workers and machines: whoever inserts
    the row does the job."""

    __tablename__ = "daily_run"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(Text, default="")
