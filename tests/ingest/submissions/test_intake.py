"""Intake appends one row to the log and derives nothing: what it concludes (the verdict and
its issues) is on that row, and the consumers make everything else out of it later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.db import Base
from ingest.models import Person, PersonRecord, Submission, SubmissionStatus, Unit
from ingest.registry import unit_codes
from ingest.submissions import intake, parse
from tests.ingest.consumers.test_projection import answers, submit_only
from tests.pipeline import settle

pytestmark = pytest.mark.usefixtures("published")
DERIVED = ("submission_status", "person_record", "person", "unit_report",
           "person_span", "coverage_tally", "reason_tally")  # fmt: skip


def _count(session: Session, table: str) -> int:
    return session.scalar(select(func.count()).select_from(Base.metadata.tables[table])) or 0


def test_receive__one_log_row_with_its_verdict__nothing_derived(session: Session, tmp_path: Path):
    receipt = submit_only(session, tmp_path, bhxh_code="12345")

    row = session.get(Submission, receipt.submission.id)
    assert row is not None and _count(session, "submission") == 1
    assert (row.verdict, row.person_key) == ("flagged", "12345")
    assert [(i["code"], i["path"]) for i in row.issues] == [("value.constraint", "bhxh_code")]
    assert {name: _count(session, name) for name in DERIVED} == dict.fromkeys(DERIVED, 0)

    assert settle(session) > 0
    state = session.get(SubmissionStatus, receipt.submission.id)
    assert state is not None and (state.review_state, state.issues) == ("flagged", row.issues)


def test_new_submission__parsed_once_by_intake(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    calls: list[str] = []
    original = parse.instance_from_kobo

    def counting(data: dict[str, Any]) -> parse.Instance:
        calls.append(str(data.get("meta/instanceID")))
        return original(data)

    monkeypatch.setattr(parse, "instance_from_kobo", counting)
    receipt = submit_only(session, tmp_path, instance_id="uuid:once")
    assert receipt.verdict == "accepted"
    assert calls == ["uuid:once"]


def test_bug_while_checking__payload_kept_and_flagged_for_a_person(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(*_args: Any) -> None:
        raise RuntimeError("a bug in a rule")

    monkeypatch.setattr(intake, "validate", broken)
    receipt = submit_only(session, tmp_path)
    assert receipt.verdict == "flagged"
    assert receipt.issues[0]["code"] == "internal.check_failed"
    settle(session)
    state = session.get(SubmissionStatus, receipt.submission.id)
    assert state is not None and state.review_state == "flagged"
    assert session.get(PersonRecord, receipt.submission.id) is None
    assert session.get(Person, ("vssid", answers()["bhxh_code"])) is None


def test_unit_added_after_codes_were_read__known_at_once(session: Session, tmp_path: Path):
    assert submit_only(session, tmp_path, unit="27190").verdict == "accepted"  # codes cached
    session.add(Unit(code="NEW-01", name_vi="Đơn vị mới", kind="department"))
    session.commit()
    assert "NEW-01" not in unit_codes.load(session).codes
    receipt = submit_only(session, tmp_path, unit="NEW-01", bhxh_code="0790000002")
    assert all(i["code"] != "domain.unit_unknown" for i in receipt.issues), receipt.issues
    assert "NEW-01" in unit_codes.load(session).codes
