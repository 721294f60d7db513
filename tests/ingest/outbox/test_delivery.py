"""Delivery at least once: the wire of DESIGN §8 on a real socket, retries with the same
delivery id, leases between workers, giving up after about a day."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ingest.db import utcnow
from ingest.models import DeliveryState, HookAttempt, HookDelivery
from ingest.outbox import Event, delivery, emit, event_id, subscriptions, wire
from tests.receiver import receiver

SECRET = "s3cr3t-of-the-receiver-2026"


def _sessions(session: Session) -> sessionmaker[Session]:
    return sessionmaker(bind=session.get_bind(), expire_on_commit=False)


def _one_event(session: Session, url: str, **hook: object) -> str:
    subscriptions.add(session, url, SECRET, ["submission.accepted"], **hook)  # type: ignore[arg-type]
    event = Event(event_id("test", 1), "submission.accepted", "vssid",
                  {"submission_id": 1, "unit_code": "27184"})  # fmt: skip
    emit(session, [event])
    session.commit()
    return event.id


def _drain(sessions: sessionmaker[Session], base: float, rounds: int = 200) -> None:
    """Deliver until nothing is pending (each round waits out the backoff)."""
    for _ in range(rounds):
        delivery.deliver_due(sessions, base=base)
        with sessions() as s:
            pending = s.scalar(
                select(func.count()).where(HookDelivery.state == DeliveryState.PENDING.value)
            )
        if not pending:
            return
        time.sleep(base / 2)


def test_signature__recomputed_from_the_raw_body__verifies(session: Session):
    with receiver() as hook:
        sent_id = _one_event(session, hook.url)
        delivery.deliver_due(_sessions(session))
        [got] = hook.wait_for(1)

    stamp = got.headers["X-Vssid-Timestamp"]
    expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + got.body, hashlib.sha256)
    assert got.headers["X-Vssid-Signature"] == "sha256=" + expected.hexdigest()
    assert abs(int(stamp) - time.time()) < 60
    assert got.headers["X-Vssid-Event"] == "submission.accepted"
    assert got.headers["X-Vssid-Delivery"] == sent_id
    document = json.loads(got.body)
    assert set(document) == {"id", "type", "created_at", "campaign", "data"}
    assert document["id"] == sent_id
    assert document["campaign"] == "vssid"
    assert document["data"] == {"submission_id": 1, "unit_code": "27184"}
    assert wire.verify(SECRET, stamp, got.body, got.headers["X-Vssid-Signature"], time.time())
    assert not wire.verify("another-secret-xxxxxx", stamp, got.body,
                           got.headers["X-Vssid-Signature"], time.time())  # fmt: skip


def test_receiver_answering_500_then_200__same_delivery_id_twice__then_nothing(
    session: Session,
):
    sessions = _sessions(session)
    with receiver([500]) as hook:
        sent_id = _one_event(session, hook.url)
        _drain(sessions, base=0.2)
        for _ in range(5):  # later rounds find nothing due
            delivery.deliver_due(sessions, base=0.2)
            time.sleep(0.1)
        received = list(hook.received)

    assert [r.headers["X-Vssid-Delivery"] for r in received] == [sent_id, sent_id]
    assert received[0].body == received[1].body
    row = session.scalars(select(HookDelivery)).one()
    assert (row.state, row.attempts, row.last_status) == ("delivered", 2, 200)
    statuses = session.scalars(select(HookAttempt.status).order_by(HookAttempt.id)).all()
    assert statuses == [500, 200]


def test_claim__leased_to_one_worker__another_gets_nothing_until_it_runs_out(session: Session):
    sessions = _sessions(session)
    _one_event(session, "http://127.0.0.1:9/never")
    with sessions() as first:
        taken = delivery.claim(first, 10)
        first.commit()
    with sessions() as second:
        again = delivery.claim(second, 10)
        second.commit()
        later = delivery.claim(second, 10, now=utcnow() + delivery.LEASE + timedelta(seconds=1))
        second.commit()

    assert len(taken) == 1
    assert again == []
    assert [c.delivery_id for c in later] == [taken[0].delivery_id]


def test_receiver_down__retried_with_backoff__failed_after_about_a_day(session: Session):
    sessions = _sessions(session)
    _one_event(session, "http://127.0.0.1:9/refused")  # port 9 (discard): connection refused
    base = 0.005  # a "day" is 7.2 s at this base: 1 + log2(1440) ≈ 11 attempts
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        delivery.deliver_due(sessions, base=base)
        session.rollback()  # read afresh
        if session.scalars(select(HookDelivery.state)).one() == DeliveryState.FAILED.value:
            break
        time.sleep(0.05)

    row = session.scalars(select(HookDelivery)).one()
    assert row.state == DeliveryState.FAILED.value
    assert 9 <= row.attempts <= 12
    attempts = session.scalars(select(HookAttempt).order_by(HookAttempt.id)).all()
    assert all(a.status is None and "Connection" in a.answer for a in attempts)
    gaps = [(b.attempted_at - a.attempted_at).total_seconds() for a, b in pairwise(attempts)]
    assert gaps[-1] > 4 * gaps[1]  # exponential, not constant


def test_personal_values__masked_unless_the_subscription_may_see_them(session: Session):
    with receiver() as masked, receiver() as shown:
        subscriptions.add(session, masked.url, SECRET, ["person.changed"])
        subscriptions.add(session, shown.url, SECRET, ["person.changed"], personal=True)
        emit(session, [Event(event_id("p", 1), "person.changed", "vssid",
                             {"person_key": "0791000001", "record": None},
                             personal=("person_key",))])  # fmt: skip
        session.commit()
        delivery.deliver_due(_sessions(session))
        [hidden] = masked.wait_for(1)
        [clear] = shown.wait_for(1)

    assert hidden.document["data"]["person_key"] == "***"
    assert clear.document["data"]["person_key"] == "0791000001"


def test_subscription__wrong_campaign_or_type__gets_no_delivery(session: Session):
    subscriptions.add(session, "http://127.0.0.1:9/a", SECRET, ["submission.flagged"])
    subscriptions.add(session, "http://127.0.0.1:9/b", SECRET, ["submission.accepted"],
                      campaign="vneid")  # fmt: skip
    kept = subscriptions.add(session, "http://127.0.0.1:9/c", SECRET, ["submission.accepted"],
                             campaign="vssid")  # fmt: skip
    emit(session, [Event(event_id("x"), "submission.accepted", "vssid", {})])
    assert emit(session, [Event(event_id("x"), "submission.accepted", "vssid", {})]) == 0
    session.commit()

    assert session.scalars(select(HookDelivery.subscription_id)).all() == [kept.id]
