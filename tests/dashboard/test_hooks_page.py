"""The outgoing webhooks page: administrators only, subscriptions without their secrets,
the attempt log, and redelivery by a CSRF-protected POST."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.models import HookDelivery
from ingest.outbox import Event, delivery, emit, event_id, subscriptions
from tests.dashboard.scenario import csrf_token
from tests.receiver import receiver

SECRET = "page-secret-never-shown-42"


def test_hooks_page__admin_sees_attempts__redelivers_with_csrf(
    signed_in: Callable[[str], FlaskClient], session: Session
):
    with receiver([500]) as hook:
        admin = signed_in("quan.tri")  # the scenario is loaded: its events are written
        subscriptions.add(session, hook.url, SECRET, ["submission.accepted"])
        emit(session, [Event(event_id("page"), "submission.accepted", "vssid", {"n": 1})])
        session.commit()
        sessions = sessionmaker(bind=session.get_bind(), expire_on_commit=False)
        while delivery.deliver_due(sessions, base=3600):
            pass
        page = admin.get("/hooks")
        assert page.status_code == 200
        assert hook.url in page.text and SECRET not in page.text
        assert "submission.accepted" in page.text and ">500<" in page.text
        first = session.scalars(select(HookDelivery.id).order_by(HookDelivery.id)).first()
        assert first is not None

        refused = admin.post(f"/hooks/deliveries/{first}/redeliver")
        assert refused.status_code == 400  # no CSRF token
        done = admin.post(f"/hooks/deliveries/{first}/redeliver",
                          data={"csrf_token": csrf_token(page.text)})  # fmt: skip
        assert done.status_code == 302
        session.rollback()
        row = session.get(HookDelivery, first)
        assert row is not None and row.state == "pending"
        missing = admin.post("/hooks/deliveries/999999/redeliver",
                             data={"csrf_token": csrf_token(page.text)})  # fmt: skip
        assert missing.status_code == 404
        english = admin.get("/hooks?lang=en")
        assert "Outgoing webhooks" in english.text and "Redeliver" in english.text


def test_hooks_page__manager_and_unit__forbidden(signed_in: Callable[[str], FlaskClient]):
    for username in ("lanh.dao", "phuong1"):
        browser = signed_in(username)
        assert browser.get("/hooks").status_code == 403
        assert "/hooks" not in browser.get("/").text
