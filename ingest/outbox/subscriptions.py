"""Webhook subscriptions: add, list, remove, and what an administrator sees of their
deliveries and attempts. Store functions: they take a session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.errors import ErrorCode, InvalidInput, NotFound
from ingest.models import EVENT_TYPES, HookAttempt, HookDelivery, HookSubscription, OutboxEvent

#: The shortest secret accepted: an HMAC key anyone could guess signs nothing.
MIN_SECRET = 16


def add(
    session: Session, url: str, secret: str, events: Sequence[str], campaign: str | None = None,
    created_by: str = "", personal: bool = False,
) -> HookSubscription:  # fmt: skip
    """A new active subscription (:class:`ingest.errors.InvalidInput` when unusable)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(ErrorCode.HOOK_INVALID, reason=f"URL must be http(s)://…, not {url!r}")
    if len(secret) < MIN_SECRET:
        raise InvalidInput(
            ErrorCode.HOOK_INVALID,
            reason=f"bí mật cần ít nhất {MIN_SECRET} ký tự (the secret needs {MIN_SECRET}+ "
            "characters)",
        )
    wanted = sorted({e.strip() for e in events if e.strip()})
    unknown = [e for e in wanted if e not in EVENT_TYPES]
    if not wanted or unknown:
        raise InvalidInput(
            ErrorCode.HOOK_INVALID,
            reason=f"unknown event types {unknown}; known: {', '.join(EVENT_TYPES)}",
        )
    hook = HookSubscription(url=url, secret=secret, events=wanted, campaign=campaign or None,
                            created_by=created_by, personal=personal)  # fmt: skip
    session.add(hook)
    session.flush()
    return hook


def get(session: Session, hook_id: int) -> HookSubscription:
    """One subscription (:class:`ingest.errors.NotFound` when there is none)."""
    hook = session.get(HookSubscription, hook_id)
    if hook is None:
        raise NotFound(ErrorCode.HOOK_NOT_FOUND, hook_id=hook_id)
    return hook


def remove(session: Session, hook_id: int) -> None:
    """Delete a subscription with its deliveries and attempts."""
    session.delete(get(session, hook_id))
    session.flush()


@dataclass(frozen=True, slots=True)
class Listed:
    """A subscription as listed: never its secret; its deliveries per state."""

    id: int
    url: str
    events: tuple[str, ...]
    campaign: str | None
    personal: bool
    active: bool
    created_by: str
    created_at: datetime
    counts: dict[str, int]


def listing(session: Session) -> list[Listed]:
    """Every subscription, oldest first, with how many deliveries are in each state."""
    counts: dict[int, dict[str, int]] = {}
    for hook_id, state, n in session.execute(
        select(HookDelivery.subscription_id, HookDelivery.state, func.count()).group_by(
            HookDelivery.subscription_id, HookDelivery.state
        )
    ):
        counts.setdefault(hook_id, {})[state] = n
    return [
        Listed(h.id, h.url, tuple(h.events), h.campaign, h.personal, h.active, h.created_by,
               h.created_at, counts.get(h.id, {}))
        for h in session.scalars(select(HookSubscription).order_by(HookSubscription.id))
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One attempt of one delivery, for the attempt log."""

    delivery_id: int
    subscription_id: int
    event_id: str
    event_type: str
    state: str
    attempted_at: datetime | None
    status: int | None
    duration_ms: int | None
    answer: str
    manual: bool


def attempts(session: Session, hook_id: int | None = None, limit: int = 50) -> list[AttemptRow]:
    """The latest deliveries (of one subscription, or all) with each attempt, newest first;
    a delivery not attempted yet appears once with no attempt."""
    d, a, e = HookDelivery, HookAttempt, OutboxEvent
    query = (
        select(d.id, d.subscription_id, e.id, e.type, d.state, a.attempted_at, a.status,
               a.duration_ms, a.answer, a.manual)
        .join(e, e.id == d.event_id)
        .outerjoin(a, a.delivery_id == d.id)
        .order_by(d.id.desc(), a.id.desc())
        .limit(limit)
    )  # fmt: skip
    if hook_id is not None:
        query = query.where(d.subscription_id == hook_id)
    return [
        AttemptRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or "", bool(r[9]))
        for r in session.execute(query)
    ]
