"""Statuses, person records, unit reports and reprocessing
(docs/architecture.md §4 effective record).

Submissions enter through ``intake.receive`` exactly as the webhooks do, as Kobo-shaped JSON
(the simplest way to vary answers), on the real campaign forms.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.consumers import CONSUMERS, Pipeline
from ingest.db import Base
from ingest.models import Person, PersonRecord, Submission, SubmissionStatus, UnitReport
from ingest.registry import tabular, units
from ingest.submissions import intake, review
from ingest.submissions.media import MediaStore
from tests.pipeline import settle

pytestmark = pytest.mark.usefixtures("published")
NOW = datetime(2021, 3, 20, 3, 0, tzinfo=UTC)


def answers(**overrides: Any) -> dict[str, Any]:
    base = {
        "consent": "yes",
        "unit": "27184",
        "full_name": "Nguyễn Thị Lan",
        "bhxh_code": "0791234567",
        "category": "cong_chuc",
        "status": "account_active",
        "install_date": "2021-03-15",
        "end": "2021-03-16T09:00:00.000+07:00",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def submit(session: Session, tmp_path: Path, **kwargs: Any) -> intake.Receipt:
    """Receive a submission, then apply the consumers (as a server does before a read)."""
    receipt = submit_only(session, tmp_path, **kwargs)
    settle(session)
    return receipt


def submit_only(
    session: Session,
    tmp_path: Path,
    form_id: str = "vssid_install",
    instance_id: str | None = None,
    deprecated_id: str | None = None,
    **fields: Any,
) -> intake.Receipt:
    """Receive a submission and commit: the log row, nothing derived yet."""
    document = answers(**fields) if form_id == "vssid_install" else dict(fields)
    document["meta/instanceID"] = instance_id or f"uuid:{uuid.uuid4()}"
    if deprecated_id:
        document["meta/deprecatedID"] = deprecated_id
    incoming = intake.Incoming(
        source="kobo",
        payload=json.dumps(document, ensure_ascii=False).encode(),
        content_type="application/json",
        submitter="test",
        received_at=NOW,
        form_hint=form_id,
    )
    receipt = intake.receive(session, incoming, MediaStore(tmp_path / "media"))
    session.commit()
    return receipt


def state_of(session: Session, receipt: intake.Receipt) -> SubmissionStatus:
    state = session.get(SubmissionStatus, receipt.submission.id)
    assert state is not None
    return state


def test_valid_record__accepted_and_counted(session: Session, tmp_path: Path):
    receipt = submit(session, tmp_path)
    assert receipt.verdict == "accepted"
    record = session.get(PersonRecord, receipt.submission.id)
    assert record is not None
    assert (record.campaign, record.person_key, record.unit_code, record.category) == (
        "vssid",
        "0791234567",
        "27184",
        "cong_chuc",
    )
    assert (record.outcome, record.done, record.levels) == ("account_active", True, "active")
    person = session.get(Person, ("vssid", "0791234567"))
    assert person is not None and person.submission_id == receipt.submission.id


@pytest.mark.parametrize(
    ("status", "installed", "active"),
    [
        ("no_smartphone", False, False),
        ("not_installed", False, False),
        ("installed_no_account", True, False),
        ("registered_pending", True, False),
        ("account_active", True, True),
    ],
)
def test_installed_and_active__per_design(
    session: Session, tmp_path: Path, status: str, installed: bool, active: bool
):
    extra: dict[str, Any] = {"status": status}
    if not installed:
        extra.update(install_date=None, reasons="declined")
    receipt = submit(session, tmp_path, **extra)
    assert receipt.verdict == "accepted", receipt.issues
    person = session.get(Person, ("vssid", "0791234567"))
    assert person is not None
    assert (person.done, "active" in person.levels.split()) == (installed, active)


def test_invalid_code__flagged_not_counted_then_accepted_by_reviewer(
    session: Session, tmp_path: Path
):
    receipt = submit(session, tmp_path, bhxh_code="12345")
    assert receipt.verdict == "flagged"
    assert any(i["path"] == "bhxh_code" for i in receipt.issues)
    assert session.get(PersonRecord, receipt.submission.id) is None
    assert [s.id for s, _ in review.queue(session)] == [receipt.submission.id]
    review.decide(session, receipt.submission.id, "accept", "Mã cũ, đã xác minh", "admin", NOW)
    settle(session)
    assert state_of(session, receipt).review_state == "accepted"
    assert session.get(Person, ("vssid", "12345")) is not None
    assert review.queue(session) == []


def test_reviewer_rejects__never_counts(session: Session, tmp_path: Path):
    receipt = submit(session, tmp_path)
    review.decide(session, receipt.submission.id, "reject", "Trùng người", "admin", NOW)
    settle(session)
    assert state_of(session, receipt).review_state == "rejected"
    assert session.get(Person, ("vssid", "0791234567")) is None


def test_effective_record__latest_collected_wins_not_latest_arrived(
    session: Session, tmp_path: Path
):
    later = submit(session, tmp_path, status="account_active", end="2021-03-18T10:00:00+07:00")
    submit(
        session, tmp_path, status="not_installed", install_date=None, reasons="no_smartphone",
        end="2021-03-10T10:00:00+07:00",
    )  # fmt: skip
    person = session.get(Person, ("vssid", "0791234567"))
    assert person is not None and person.submission_id == later.submission.id
    assert person.levels == "active"


def test_edit_chain__only_the_latest_version_counts(session: Session, tmp_path: Path):
    first = submit(session, tmp_path, instance_id="uuid:a1", status="not_installed",
                   install_date=None, reasons="forgot_password")  # fmt: skip
    second = submit(session, tmp_path, instance_id="uuid:a2", deprecated_id="uuid:a1",
                    status="installed_no_account")  # fmt: skip
    third = submit(session, tmp_path, instance_id="uuid:a3", deprecated_id="uuid:a2")
    assert [state_of(session, r).review_state for r in (first, second, third)] == [
        "superseded", "superseded", "accepted",
    ]  # fmt: skip
    records = session.scalars(select(PersonRecord)).all()
    assert [r.submission_id for r in records] == [third.submission.id]
    person = session.get(Person, ("vssid", "0791234567"))
    assert person is not None and person.levels == "active"


def test_same_code_in_two_units__both_flagged(session: Session, tmp_path: Path):
    first = submit(session, tmp_path, unit="27184")
    second = submit(session, tmp_path, unit="27190")
    assert state_of(session, first).review_state == "flagged"
    assert state_of(session, second).review_state == "flagged"
    assert {i["code"] for i in state_of(session, first).issues} == {"domain.person_two_units"}
    assert session.get(Person, ("vssid", "0791234567")) is None


def test_same_code_same_unit__not_a_conflict(session: Session, tmp_path: Path):
    submit(session, tmp_path, unit="27184")
    second = submit(session, tmp_path, unit="27184", end="2021-03-19T09:00:00+07:00")
    assert state_of(session, second).review_state == "accepted"


def test_install_date_after_collection__flagged(session: Session, tmp_path: Path):
    receipt = submit(session, tmp_path, install_date="2021-03-17", end="2021-03-16T09:00:00+07:00")
    assert receipt.verdict == "flagged"
    # The form's own rule (". <= today()", today being the day of collection) says it once.
    assert [i["code"] for i in receipt.issues if i["path"] == "install_date"] == [
        "value.constraint"
    ]


def test_unit_report__projected(session: Session, tmp_path: Path):
    fields = {
        "unit": "Q10-NV", "report_date": "2021-03-19", "end": "2021-03-19T16:00:00+07:00",
        "headcount_cong_chuc": "20", "installed_cong_chuc": "18", "active_cong_chuc": "15",
        "headcount_vien_chuc": "0", "installed_vien_chuc": "0", "active_vien_chuc": "0",
        "headcount_nguoi_lao_dong": "4", "installed_nguoi_lao_dong": "2",
        "active_nguoi_lao_dong": "1",
    }  # fmt: skip
    receipt = submit(session, tmp_path, form_id="vssid_unit_report", **fields)
    assert receipt.verdict == "accepted", receipt.issues
    report = session.get(UnitReport, receipt.submission.id)
    assert report is not None
    assert (report.unit_code, report.report_date.isoformat()) == ("Q10-NV", "2021-03-19")
    assert report.campaign == "vssid"
    assert report.figures["cong_chuc"] == {"headcount": 20, "done": 18, "levels": {"active": 15}}
    assert report.figures["nguoi_lao_dong"] == {"headcount": 4, "done": 2, "levels": {"active": 1}}


def _snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    session.rollback()
    tables = ("submission_status", "person_record", "person", "unit_report")
    result = {}
    for name in tables:
        table = Base.metadata.tables[name]
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        result[name] = [tuple(row) for row in rows]
    return result


def _reprocess(session: Session) -> None:
    pipeline = Pipeline(CONSUMERS)
    pipeline.rewind(session)
    session.commit()
    sessions = sessionmaker(bind=session.get_bind(), expire_on_commit=False)
    pipeline.run_until_idle(sessions, limit=2, wait=True)
    session.expire_all()


def test_reprocess__twice_gives_identical_tables(session: Session, tmp_path: Path):
    submit(session, tmp_path, instance_id="uuid:b1")
    submit(
        session,
        tmp_path,
        instance_id="uuid:b2",
        deprecated_id="uuid:b1",
        status="registered_pending",
    )
    submit(session, tmp_path, bhxh_code="0790000001", unit="27190")
    submit(session, tmp_path, bhxh_code="0790000001", unit="27193")
    flagged = submit(session, tmp_path, bhxh_code="bad")
    review.decide(session, flagged.submission.id, "accept", "ok", "admin", NOW)
    settle(session)
    before = _snapshot(session)
    _reprocess(session)
    once = _snapshot(session)
    _reprocess(session)
    assert once == _snapshot(session) == before


def test_reprocess__after_units_change(session: Session, tmp_path: Path):
    receipt = submit(session, tmp_path, unit="Q10-NEW")
    assert receipt.verdict == "flagged"
    extra = tmp_path / "new.csv"
    extra.write_text("code,name_vi,kind\nQ10-NEW,Trường Mầm non Mới,public_service\n")
    units.import_units(session, tabular.read_rows(extra, units.ALIASES))
    session.commit()
    _reprocess(session)
    assert state_of(session, receipt).review_state == "accepted"
    assert session.get(Person, ("vssid", "0791234567")) is not None


def test_log_is_never_touched_by_reprocess(session: Session, tmp_path: Path):
    submit(session, tmp_path)
    before = [(s.id, s.payload, s.instance_id) for s in session.scalars(select(Submission))]
    _reprocess(session)
    session.rollback()
    assert [(s.id, s.payload, s.instance_id) for s in session.scalars(select(Submission))] == before
