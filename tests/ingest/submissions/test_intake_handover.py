"""What intake hands the subscribers (the parsed instance) and gets back (the status) is the
same as reading the log again would give, also when a subscriber fails half-way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ingest.consumers import projection
from ingest.models import InstallRecord, Person, SubmissionStatus
from ingest.registry import unit_codes
from ingest.submissions import parse
from tests.ingest.consumers.test_projection import submit

pytestmark = pytest.mark.usefixtures("published")


def test_new_submission__parsed_once(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    calls: list[str] = []
    original = parse.instance_from_kobo

    def counting(data: dict[str, Any]) -> parse.Instance:
        calls.append(str(data.get("meta/instanceID")))
        return original(data)

    monkeypatch.setattr(parse, "instance_from_kobo", counting)
    receipt = submit(session, tmp_path, instance_id="uuid:once")
    assert receipt.status == "accepted"
    assert calls == ["uuid:once"]
    assert session.get(InstallRecord, receipt.submission.id) is not None
    assert session.info.get("vssid.events.parsed") is None  # handed over, then dropped


def test_subscriber_bug_after_status__receipt_says_flagged(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):

    def broken(*_args: Any) -> None:
        raise RuntimeError("a bug after the status was decided")

    monkeypatch.setattr(projection, "refresh_person", broken)
    receipt = submit(session, tmp_path)
    assert receipt.status == "flagged"
    assert receipt.issues[0]["code"] == "internal.check_failed"
    state = session.get(SubmissionStatus, receipt.submission.id)
    assert state is not None and state.status == "flagged"
    assert session.get(InstallRecord, receipt.submission.id) is None
    assert session.get(Person, "0791234567") is None


def test_unit_added_after_codes_were_read__known_at_once(session: Session, tmp_path: Path):
    from ingest.models import Unit

    assert submit(session, tmp_path, unit="27190").status == "accepted"  # codes now cached
    session.add(Unit(code="NEW-01", name_vi="Đơn vị mới", kind="department"))
    session.commit()
    assert "NEW-01" not in unit_codes.load_registry(session).unit_codes
    receipt = submit(session, tmp_path, unit="NEW-01", bhxh_code="0790000002")
    assert all(i["code"] != "domain.unit_unknown" for i in receipt.issues), receipt.issues
    assert "NEW-01" in unit_codes.load_registry(session).unit_codes
