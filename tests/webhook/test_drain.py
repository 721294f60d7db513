"""The coverage tallies' queue applied in the background (webhook.drain) and in batches."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.consumers import tallies
from ingest.models import TallyQueue
from reports import coverage
from tests.ingest.consumers.test_tallies import post, tables
from tests.reports.test_coverage import person, scenario  # noqa: F401  (a fixture)
from webhook import drain


def queue_people(client: FlaskClient, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        name = "Người Mới " + "ABCDEFGHIKLMNOPQRSTU"[n % 20] + "ABCD"[n // 20]  # no digits
        answers = person(f"07970000{n:02d}", name, "27190", "vien_chuc", "account_active",
                         "2021-03-19T09:00:00+07:00")  # fmt: skip
        assert post(client, f"uuid:d{n}", answers).status_code == 201


def queued(session: Session) -> int:
    session.commit()
    return session.scalar(select(func.count()).select_from(TallyQueue)) or 0


@pytest.mark.usefixtures("scenario")
def test_refresh_with_limit__drains_in_batches_to_the_same_tallies(
    client: FlaskClient, session: Session
):
    coverage.compute(session, coverage.parse_day("2021-03-20"))  # built; queue empty
    queue_people(client, 25)
    assert queued(session) == 25
    assert tallies.refresh(session, limit=10) == 10
    assert queued(session) == 15
    rounds = 1
    while tallies.refresh(session, limit=10):
        rounds += 1
    assert rounds == 3 and queued(session) == 0
    kept = tables(session)
    tallies.rebuild(session)
    assert tables(session) == kept


@pytest.mark.usefixtures("scenario")
def test_background_drainer__applies_the_queue_between_reports(
    app: Flask, client: FlaskClient, session: Session
):
    coverage.compute(session, coverage.parse_day("2021-03-20"))
    app.config["TALLY_REFRESH_SECONDS"] = 0.05
    drainer = drain.start(app)
    assert drainer is not None
    try:
        queue_people(client, 12)
        deadline = time.monotonic() + 20
        while queued(session) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert queued(session) == 0  # nobody asked for a report: the worker did it
    finally:
        drainer.stop()
    assert not drainer.thread.is_alive()
    ward = next(u for u in coverage.compute(session, coverage.parse_day("2021-03-25")).units
                if u.code == "27190")  # fmt: skip
    assert ward.total.installed >= 12
    kept = tables(session)
    tallies.rebuild(session)
    assert tables(session) == kept


def test_start__off_when_interval_is_zero(app: Flask):
    app.config["TALLY_REFRESH_SECONDS"] = 0
    assert drain.start(app) is None


@pytest.mark.usefixtures("scenario")
def test_real_server__workers_drain_without_a_report(
    database_url: str, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import http.client
    import json as json_module

    from tests.server import vssid_server
    from tests.wire import KOBO_SECRET

    coverage.compute(session, coverage.parse_day("2021-03-20"))
    monkeypatch.setenv("VSSID_TALLY_REFRESH_SECONDS", "0.2")
    with vssid_server(database_url, tmp_path / "media", workers=2) as port:
        for n in range(6):
            answers = person(f"07980000{n:02d}", "Người Mới " + "ABCDEF"[n], "27190", "cong_chuc",
                             "account_active", "2021-03-19T09:00:00+07:00")  # fmt: skip
            body = json_module.dumps({**answers, "meta/instanceID": f"uuid:s{n}"}).encode()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request(
                "POST", "/kobo/submission?form_id=vssid_install", body,
                {"Content-Type": "application/json", "Authorization": f"Token {KOBO_SECRET}"},
            )  # fmt: skip
            assert connection.getresponse().status == 201
            connection.close()
        deadline = time.monotonic() + 20
        while queued(session) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert queued(session) == 0
    kept = tables(session)
    tallies.rebuild(session)
    assert tables(session) == kept
