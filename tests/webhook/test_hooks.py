"""Events out from real submissions (through the Kobo hook), the ``vssid hooks`` commands,
replays that send nothing again, and ``unit.target_reached`` once per crossing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.models import EVENT_TYPES, HookAttempt, HookDelivery, OutboxEvent
from ingest.outbox import delivery, subscriptions
from tests.dashboard import scenario
from tests.pipeline import settle
from tests.receiver import receiver
from tests.wire import KOBO_SECRET

SECRET = "a-receiver-secret-1234"


def _events(session: Session) -> list[OutboxEvent]:
    session.rollback()  # read afresh
    return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.created_at)))


def _types(session: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for event in _events(session):
        counts[event.type] = counts.get(event.type, 0) + 1
    return counts


def test_events__the_scenario_through_kobo__accepted_flagged_and_people(
    client: FlaskClient, runner: FlaskCliRunner, session: Session, published: Any,
    tmp_path: Path,
):  # fmt: skip
    subscriptions.add(session, "http://127.0.0.1:9/all", SECRET, list(EVENT_TYPES))
    session.commit()
    scenario.load(client, runner, session, tmp_path)

    counts = _types(session)
    # 8 records: Dung's install date is after her record's end (flagged), the others accepted.
    assert counts["submission.accepted"] == 7
    assert counts["submission.flagged"] == 1
    assert counts["person.changed"] == 7  # a flagged record changes nobody
    assert "unit.target_reached" not in counts  # 40 %, 50 %, 8,3 %: none at 100 %
    flagged = next(e for e in _events(session) if e.type == "submission.flagged")
    assert flagged.data["unit_code"] == "27184"
    assert flagged.data["issues"]  # the codes only: no name, no answer
    assert scenario.FLAGGED_NAME not in json.dumps(flagged.data, ensure_ascii=False)
    assert session.query(HookDelivery).count() == len(_events(session))

    # A reviewer accepts Dung: one more submission.accepted and person.changed.
    dung = flagged.data["submission_id"]
    result = runner.invoke(args=["review", "accept", str(dung), "--reason", "ok", "--by", "a"])
    assert result.exit_code == 0, result.output
    settle(session)
    counts = _types(session)
    assert counts["submission.accepted"] == 8
    assert counts["person.changed"] == 8


def test_reprocess__replays_the_log__sends_nothing_again(
    client: FlaskClient, runner: FlaskCliRunner, session: Session, published: Any,
    tmp_path: Path,
):  # fmt: skip
    subscriptions.add(session, "http://127.0.0.1:9/all", SECRET, list(EVENT_TYPES))
    session.commit()
    scenario.load(client, runner, session, tmp_path)
    before = sorted(e.id for e in _events(session))

    result = runner.invoke(args=["reprocess"])
    assert result.exit_code == 0, result.output
    assert "outbox" not in result.output.splitlines()[0]  # never rewound
    settle(session)

    assert sorted(e.id for e in _events(session)) == before
    assert session.query(HookDelivery).count() == len(before)


def _kobo(client: FlaskClient, instance_id: str, code: str, state: str, end: str) -> None:
    answers = scenario.person(code, "Người Thử", "Q10-NV", "cong_chuc", state, end)
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        data=json.dumps({**answers, "meta/instanceID": instance_id}, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    assert response.status_code == 201, response.json


def test_unit_target_reached__once_per_crossing__again_after_dropping_below(
    client: FlaskClient, runner: FlaskCliRunner, session: Session, published: Any,
    tmp_path: Path,
):  # fmt: skip
    declared = tmp_path / "units.csv"
    declared.write_text(
        "code,name_vi,kind,headcount_cong_chuc\nQ10-NV,Phòng Nội vụ Quận 10,department,1\n",
        encoding="utf-8",
    )
    assert runner.invoke(args=["units", "import", str(declared)]).exit_code == 0
    scenario.accounts.create_user(session, "kobo", "integration", KOBO_SECRET, scenario.REALM)
    subscriptions.add(session, "http://127.0.0.1:9/t", SECRET, ["unit.target_reached"])
    session.commit()

    def reached() -> list[dict[str, Any]]:
        settle(session)
        return [e.data for e in _events(session) if e.type == "unit.target_reached"]

    _kobo(client, "uuid:t1", "0793000009", "account_active", "2021-03-20T09:00:00+07:00")
    assert [(d["unit_code"], d["done"], d["denominator"], d["crossing"]) for d in reached()] == [
        ("Q10-NV", 1, 1, 1)
    ]
    # Still at target: nothing new.
    _kobo(client, "uuid:t2", "0793000009", "installed_no_account", "2021-03-21T09:00:00+07:00")
    assert len(reached()) == 1
    # Drops below (the same person, later, not installed), then back: a second event.
    _kobo(client, "uuid:t3", "0793000009", "not_installed", "2021-03-22T09:00:00+07:00")
    assert len(reached()) == 1
    _kobo(client, "uuid:t4", "0793000009", "account_active", "2021-03-23T09:00:00+07:00")
    assert [d["crossing"] for d in reached()] == [1, 2]


def test_hooks_cli__add_list_attempts_redeliver_remove(
    app: Flask, runner: FlaskCliRunner, session: Session
):
    with receiver([503]) as hook:
        events = "submission.accepted,person.changed"
        add = ["hooks", "add", hook.url, "--secret", SECRET, "--events", events]
        result = runner.invoke(args=[*add, "--campaign", "vssid"])
        assert result.exit_code == 0, result.output
        listed = runner.invoke(args=["hooks", "list"])
        assert hook.url in listed.output and "vssid" in listed.output
        assert SECRET not in listed.output

        from ingest.outbox import Event, emit, event_id

        emit(session, [Event(event_id("cli"), "submission.accepted", "vssid", {"n": 1})])
        session.commit()
        sessions = sessionmaker(bind=session.get_bind(), expire_on_commit=False)
        delivery.deliver_due(sessions, base=3600)  # 503: next try in an hour
        delivery_id = session.scalars(select(HookDelivery.id)).one()

        attempts = runner.invoke(args=["hooks", "attempts"])
        assert "503" in attempts.output and "pending" in attempts.output
        again = runner.invoke(args=["hooks", "redeliver", str(delivery_id)])
        assert again.exit_code == 0, again.output
        assert "delivered" in again.output and "200" in again.output
        assert len(hook.received) == 2
        session.rollback()  # read afresh
        assert session.scalars(select(HookAttempt.manual).order_by(HookAttempt.id)).all() == [
            False, True,
        ]  # fmt: skip

    assert runner.invoke(args=["hooks", "redeliver", "999"]).exit_code == 1
    bad = runner.invoke(args=["hooks", "add", "ftp://x", "--secret", SECRET, "--events", "x"])
    assert bad.exit_code == 1 and "http" in bad.output
    weak = runner.invoke(args=["hooks", "add", "https://x.vn/h", "--secret", "short",
                               "--events", "person.changed"])  # fmt: skip
    assert weak.exit_code == 1
    hook_id = session.scalars(select(HookDelivery.subscription_id)).one()
    assert runner.invoke(args=["hooks", "remove", str(hook_id)]).exit_code == 0
    session.rollback()
    assert session.query(HookDelivery).count() == 0
