"""Retention: ``vssid privacy purge`` erases a campaign's personal data once its period is
over, and the coverage numbers stay identical."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.models import Erasure, Person, RosterEntry, Submission
from ingest.privacy import retention, traces
from reports import coverage
from tests.dashboard.scenario import FLAGGED_NAME, ROSTER, SUBMISSIONS
from tests.pipeline import settle
from tests.privacy.conftest import COUNTS, PHOTO_CODE, media_dir, snapshot


def purge(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=["privacy", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_purge__before_its_date__nothing_due(runner: FlaskCliRunner, district: Session):
    output = purge(runner, "--today", "2026-12-06", "--by", "quan.tri")
    assert "vssid: hạn 01/01/2027 (chưa đến hạn / not due)" in output
    assert district.scalars(select(Erasure)).all() == []


def test_purge__dry_run__says_what_is_due_changes_nothing(
    runner: FlaskCliRunner, district: Session
):
    output = purge(runner, "--dry-run", "--today", "2027-01-01")
    assert "vssid: hạn 01/01/2027 (ĐẾN HẠN / due); 9 phiếu" in output
    assert district.scalars(select(Erasure)).all() == []


def test_purge__due__personal_data_gone_numbers_identical(
    runner: FlaskCliRunner, district: Session, app: Flask
):
    session = district
    flagged = session.scalars(select(Submission.id).where(Submission.instance_id == "uuid:dung"))
    note = runner.invoke(args=["review", "reject", str(flagged.one()), "--by", "quan.tri",
                               "--reason", f"Đã gọi {FLAGGED_NAME}, sai đơn vị"])  # fmt: skip
    assert note.exit_code == 0, note.output
    settle(session)
    vssid = campaigns.load(session, "vssid")
    days = [date(2021, 3, 20), date(2021, 3, 31), date(2026, 12, 31)]
    before = [coverage.compute(session, vssid, day) for day in days]
    counts = snapshot(session, COUNTS)
    people = [line.split(",")[:2] for line in ROSTER.splitlines()[1:]]
    values = [v for pair in people for v in pair]
    values += [a["bhxh_code"] for _, a in SUBMISSIONS] + [a["full_name"] for _, a in SUBMISSIONS]
    values += [PHOTO_CODE, "0987654321"]
    assert traces.find(session, values, media_dir(app))

    output = purge(runner, "--today", "2027-01-01", "--by", "quan.tri")

    session.rollback()
    assert "đã xoá dữ liệu cá nhân của" in output
    assert snapshot(session, COUNTS) == counts
    left = traces.find(session, values, media_dir(app))
    assert left == [], [(t.where, t.rows) for t in left]
    assert all(
        p.person_key.startswith("erased-") and p.full_name == ""
        for p in session.scalars(select(Person).where(Person.campaign == "vssid"))
    )
    assert all(e.birth_date is None for e in session.scalars(select(RosterEntry)))
    assert [coverage.compute(session, vssid, day) for day in days] == before
    # Nothing is left to purge: a second run does nothing.
    plans = {p.campaign.id: p for p in retention.schedules(session)}
    assert plans["vssid"].submissions == 0 and plans["vssid"].persons == 0
    purge(runner, "--today", "2027-01-02", "--by", "quan.tri")
    session.rollback()
    assert len(session.scalars(select(Erasure)).all()) == 1
