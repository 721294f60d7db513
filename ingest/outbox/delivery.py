"""Delivering events: claim the due deliveries, POST them, record each attempt.

At least once (DESIGN §8). A worker claims due deliveries in a short transaction of its own
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never wait on each other; the write
lock of ``BEGIN IMMEDIATE`` on SQLite) and moves each one's ``next_attempt_at`` a
:data:`LEASE` ahead: while the lease holds, no other worker or process takes it. It then
sends outside any transaction, with a :data:`TIMEOUT` for the whole exchange, and records the
attempt in another short transaction: a 2xx makes the delivery ``delivered`` (never sent
again); anything else schedules the next attempt after ``base × 2^(attempts-1)`` seconds,
until about a day (``base × 1440``: 24 h with the default 60 s) has passed since the event,
when it becomes ``failed`` (an administrator may still redeliver it). A worker killed between
the claim and the record leaves the delivery due again when its lease runs out: the receiver
may then see the same ``X-Vssid-Delivery`` twice, never zero times.

Nothing here runs in a request: the server's delivery thread and ``vssid hooks deliver``
call :func:`deliver_due`, with a bounded pool of sending threads.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ingest.db import begin_write, utcnow
from ingest.errors import ErrorCode, NotFound
from ingest.models import DeliveryState, HookAttempt, HookDelivery, HookSubscription, OutboxEvent
from ingest.outbox import wire

log = logging.getLogger(__name__)

#: Seconds a receiver has to answer (DESIGN §8).
TIMEOUT = 10.0
#: How long a claim keeps other workers off a delivery: past the timeout, with margin.
LEASE = timedelta(seconds=3 * TIMEOUT)
#: Characters of an answer kept in the attempt log.
ANSWER_CHARS = 1000
#: The default base of the exponential backoff, in seconds.
RETRY_BASE_SECONDS = 60.0
#: Retrying stops after ``base × GIVE_UP_FACTOR`` seconds (a day with the default base).
GIVE_UP_FACTOR = 1440


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery taken by this worker, with all it needs to send it."""

    delivery_id: int
    url: str
    secret: str
    event_id: str
    event_type: str
    body: bytes
    attempts: int
    event_created_at: datetime
    manual: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    """What one POST gave: an HTTP status (None: no answer), the answer's start, its time."""

    status: int | None
    answer: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


Sender = Callable[[Claimed], Result]


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def claim(
    session: Session, limit: int, now: datetime | None = None, ids: list[int] | None = None
) -> list[Claimed]:
    """Take up to ``limit`` due deliveries (or the deliveries ``ids``, due or not) for
    :data:`LEASE`; the caller commits at once."""
    now = now or utcnow()
    begin_write(session)
    d, s, e = HookDelivery, HookSubscription, OutboxEvent
    query = (
        select(d.id)
        .join(s, s.id == d.subscription_id)
        .where(s.active)
        .order_by(d.next_attempt_at, d.id)
        .limit(limit)
    )
    if ids is None:
        query = query.where(d.state == DeliveryState.PENDING.value, d.next_attempt_at <= now)
    else:
        query = query.where(d.id.in_(ids))
    if _is_pg(session):
        query = query.with_for_update(of=d, skip_locked=True)
    taken = list(session.scalars(query))
    if not taken:
        return []
    session.execute(
        update(d)
        .where(d.id.in_(taken))
        .values(next_attempt_at=now + LEASE, state=DeliveryState.PENDING.value)
    )
    rows = session.execute(
        select(d.id, d.attempts, s.url, s.secret, s.personal, e.id, e.type, e.created_at,
               e.campaign, e.data, e.personal)
        .join(s, s.id == d.subscription_id)
        .join(e, e.id == d.event_id)
        .where(d.id.in_(taken))
        .order_by(d.id)
    ).all()  # fmt: skip
    return [
        Claimed(
            delivery_id=row[0], attempts=row[1], url=row[2], secret=row[3], event_id=row[5],
            event_type=row[6], event_created_at=row[7],
            body=wire.body(row[5], row[6], row[7], row[8], row[9],
                           hidden=() if row[4] else row[10]),
            manual=ids is not None,
        )
        for row in rows
    ]  # fmt: skip


def due(session: Session, now: datetime | None = None) -> bool:
    """Whether some delivery is due (read-only: one probe of the due index)."""
    d, s = HookDelivery, HookSubscription
    query = (
        select(d.id)
        .join(s, s.id == d.subscription_id)
        .where(s.active, d.state == DeliveryState.PENDING.value,
               d.next_attempt_at <= (now or utcnow()))
        .limit(1)
    )  # fmt: skip
    return session.scalar(query) is not None


def post(claimed: Claimed, timeout: float = TIMEOUT) -> Result:
    """POST one delivery (stdlib ``urllib``: one request, no pool to keep; redirects are not
    followed, so a signed body never goes where the subscription did not say)."""
    stamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310  (the URL's scheme is checked on add)
        claimed.url, data=claimed.body, method="POST",
        headers=wire.headers(claimed.secret, claimed.event_id, claimed.event_type, stamp,
                             claimed.body),
    )  # fmt: skip
    started = time.monotonic()
    status: int | None
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status, answer = response.status, _read(response)
    except urllib.error.HTTPError as error:
        status, answer = error.code, _read(error)
    except (OSError, ValueError) as error:  # refused, reset, timed out, bad URL
        status, answer = None, f"{type(error).__name__}: {error}"[:ANSWER_CHARS]
    took = time.monotonic() - started
    if status is not None and took > timeout:  # answered, but later than allowed
        answer = f"answered after {took:.1f} s (limit {timeout:.0f} s): {answer}"[:ANSWER_CHARS]
        status = None
    return Result(status, answer, int(took * 1000))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _read(response: object) -> str:
    try:
        raw: bytes = response.read(ANSWER_CHARS * 4)  # type: ignore[attr-defined]
    except OSError as error:
        return f"(answer unreadable: {error})"
    return raw.decode("utf-8", "replace")[:ANSWER_CHARS]


def record(
    session: Session, claimed: Claimed, result: Result, base: float, now: datetime | None = None
) -> None:
    """Log the attempt and move the delivery on: delivered, due later, or failed."""
    now = now or utcnow()
    begin_write(session)
    session.add(
        HookAttempt(delivery_id=claimed.delivery_id, attempted_at=now, status=result.status,
                    duration_ms=result.duration_ms, answer=result.answer, manual=claimed.manual)
    )  # fmt: skip
    attempts = claimed.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "last_status": result.status}
    if result.ok:
        values |= {"state": DeliveryState.DELIVERED.value, "delivered_at": now}
    else:
        due = now + timedelta(seconds=base * 2 ** min(attempts - 1, 30))
        if due > claimed.event_created_at + timedelta(seconds=base * GIVE_UP_FACTOR):
            values |= {"state": DeliveryState.FAILED.value}
        else:
            values |= {"state": DeliveryState.PENDING.value, "next_attempt_at": due}
    session.execute(
        update(HookDelivery)
        .where(HookDelivery.id == claimed.delivery_id,
               HookDelivery.state != DeliveryState.DELIVERED.value)
        .values(**values)
    )  # fmt: skip


def deliver_due(
    sessions: sessionmaker[Session],
    base: float = RETRY_BASE_SECONDS,
    concurrency: int = 8,
    send: Sender = post,
    ids: list[int] | None = None,
) -> int:
    """Claim what is due (at most ``4 × concurrency``), send it on ``concurrency`` threads,
    record each attempt; how many were sent."""
    with sessions() as session:
        # Nothing due takes no write lock (SQLite has one for the whole database).
        if ids is None and not due(session):
            return 0
        session.rollback()
        claimed = claim(session, 4 * concurrency, ids=ids)
        session.commit()
    if not claimed:
        return 0

    def one(item: Claimed) -> None:
        result = send(item)
        with sessions() as session:
            record(session, item, result, base)
            session.commit()

    if len(claimed) == 1:
        one(claimed[0])
    else:
        with ThreadPoolExecutor(min(concurrency, len(claimed)), "hook-send") as pool:
            list(pool.map(one, claimed))
    return len(claimed)


def redeliver(session: Session, delivery_id: int) -> HookDelivery:
    """Make a delivery due now, whatever its state (an administrator's redelivery)."""
    delivery = session.get(HookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(ErrorCode.DELIVERY_NOT_FOUND, delivery_id=delivery_id)
    delivery.state = DeliveryState.PENDING.value
    delivery.next_attempt_at = utcnow()
    session.flush()
    return delivery
