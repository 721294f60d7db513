"""The log's consumers in the server: in the background of every worker, before every read,
one more registered without touching intake, and their status on the command line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.consumers import CONSUMERS, SUBMISSIONS, Batch, Consumer, Pipeline, tallies
from ingest.models import Person, Submission
from reports import coverage
from tests.conftest import FORMS_DIR
from tests.ingest.consumers.test_tallies import post, tables
from tests.reports.test_coverage import person, scenario  # noqa: F401  (a fixture)
from webhook import create_app, pipeline


def post_people(client: FlaskClient, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        name = "Người Mới " + "ABCDEFGHIKLMNOPQRSTU"[n % 20] + "ABCD"[n // 20]  # no digits
        answers = person(f"07970000{n:02d}", name, "27190", "vien_chuc", "account_active",
                         "2021-03-19T09:00:00+07:00")  # fmt: skip
        assert post(client, f"uuid:d{n}", answers).status_code == 201


def pending(app: Flask, session: Session) -> bool:
    session.commit()
    return app.extensions["vssid.pipeline"].pending(session)


@pytest.mark.usefixtures("scenario")
def test_background_worker__applies_the_log_without_a_reader(
    app: Flask, client: FlaskClient, session: Session
):
    app.config["CONSUMERS_INTERVAL_SECONDS"] = 0.05
    worker = pipeline.start(app)
    assert worker is not None
    try:
        post_people(client, 12)
        deadline = time.monotonic() + 20
        while pending(app, session) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pending(app, session)  # nobody read anything: the worker did it
    finally:
        worker.stop()
    assert not worker.thread.is_alive()
    assert session.scalar(select(func.count()).select_from(Person)) >= 12
    kept = tables(session)
    tallies.rebuild(session)
    assert tables(session) == kept


def test_start__off_when_interval_is_zero(app: Flask):
    app.config["CONSUMERS_INTERVAL_SECONDS"] = 0
    assert pipeline.start(app) is None


@pytest.mark.usefixtures("scenario")
def test_read__settles_first(app: Flask, client: FlaskClient, session: Session):
    post_people(client, 3)
    assert pending(app, session)
    client.post("/login", data={"username": "lanh.dao", "password": "mật-khẩu-thử-1"})
    response = client.get("/api/v1/coverage?by=unit", auth=("lanh.dao", "mật-khẩu-thử-1"))
    assert response.status_code == 200
    assert not pending(app, session)  # read-your-writes: the answer counts the new people
    ward = next(r for r in response.json["rows"] if r["unit_code"] == "27190")
    assert ward["installed"] >= 3


def counting_consumer(counts: dict[str, int]) -> Consumer:
    """A consumer that counts the submissions of each form: registered, never in intake."""

    def apply(session: Session, batch: Batch) -> None:
        ids = list(batch.of(SUBMISSIONS))
        for form_id in session.scalars(select(Submission.form_id).where(Submission.id.in_(ids))):
            counts[form_id or "?"] = counts.get(form_id or "?", 0) + 1

    return Consumer("counter", apply)


@pytest.mark.usefixtures("published")
def test_new_consumer__one_registration__counts_every_submission(
    database_url: str, tmp_path: Path, client: FlaskClient, session: Session
):
    counts: dict[str, int] = {}
    app = create_app(
        {
            "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
            "MEDIA_DIR": str(tmp_path / "media"), "FORMS_DIR": str(FORMS_DIR),
            "CONSUMERS": (*CONSUMERS, counting_consumer(counts)),
        }
    )  # fmt: skip
    try:
        extended = app.test_client()
        from ingest.registry import accounts
        from tests.conftest import REALM
        from tests.wire import KOBO_SECRET

        accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
        session.commit()
        for n in range(3):
            answers = person(f"07990000{n:02d}", "Người Thử " + "ABC"[n], "27184", "cong_chuc",
                             "account_active", "2021-03-19T09:00:00+07:00")  # fmt: skip
            assert post(extended, f"uuid:cnt{n}", answers).status_code == 201
        assert counts == {}  # intake did not call it
        with app.app_context():
            pipeline.settle()
        assert counts == {"vssid_install": 3}
        with app.app_context():
            pipeline.settle()  # applied once: its cursor moved past them
        assert counts == {"vssid_install": 3}
    finally:
        app.extensions["vssid.db"].engine.dispose()


def test_pipeline__unknown_upstream_or_stream__refused():
    with pytest.raises(ValueError, match="unknown"):
        Pipeline((Consumer("late", lambda _s, _b: None, after="nobody"),))
    with pytest.raises(ValueError, match="unknown streams"):
        Consumer("odd", lambda _s, _b: None, streams=("mail",))


@pytest.mark.usefixtures("scenario")
def test_consumers_status__each_consumer_and_stream__behind_then_zero(
    client: FlaskClient, runner: FlaskCliRunner
):
    post_people(client, 2)
    before = runner.invoke(args=["consumers", "status"])
    assert before.exit_code == 0, before.output
    lines = {tuple(line.split()[:2]): line.split() for line in before.output.splitlines()[1:]}
    assert set(lines) >= {("projection", "submission"), ("rules", "review"),
                          ("tallies", "roster_import")}  # fmt: skip
    assert lines[("projection", "submission")][-1] == "2"
    ran = runner.invoke(args=["consumers", "run", "--once"])
    assert ran.exit_code == 0 and "log entries applied" in ran.output
    after = runner.invoke(args=["consumers", "status"])
    assert all(line.split()[-1] == "0" for line in after.output.splitlines()[1:])


@pytest.mark.usefixtures("scenario")
def test_real_server__workers_apply_the_log_without_a_reader(
    app: Flask, database_url: str, session: Session, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    import http.client
    import json as json_module

    from tests.server import vssid_server
    from tests.wire import KOBO_SECRET

    monkeypatch.setenv("VSSID_CONSUMERS_INTERVAL_SECONDS", "0.2")
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
        while pending(app, session) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not pending(app, session)
    report = coverage.compute(
        session, campaigns.load(session, "vssid"), coverage.parse_day("2021-03-25")
    )
    ward = next(u for u in report.units if u.code == "27190")
    assert ward.total.done >= 6
    kept = tables(session)
    tallies.rebuild(session)
    assert tables(session) == kept
