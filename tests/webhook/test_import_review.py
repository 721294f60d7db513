"""``vssid import`` of real-layout exports, ``vssid review`` and ``vssid reprocess`` (CLI),
and the review queue API with its role checks."""

from __future__ import annotations

import base64
import json
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import Person, Submission, SubmissionStatus
from tests.conftest import PASSWORD, make_user
from tests.wire import DATA

pytestmark = pytest.mark.usefixtures("published")


def basic(user: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()}


def review_states(session: Session) -> dict[str, str]:
    session.rollback()
    rows = session.execute(
        select(Submission.instance_id, SubmissionStatus.review_state).join(
            SubmissionStatus, SubmissionStatus.submission_id == Submission.id
        )
    )
    return {instance_id: review_state for instance_id, review_state in rows}


def test_import__kobo_export__each_row_validated_and_projected(
    runner: FlaskCliRunner, session: Session
):
    result = runner.invoke(
        args=["import", str(DATA / "kobo_export_vssid_install.csv"), "--form", "vssid_install"]
    )
    assert result.exit_code == 0, result.output
    assert "2 accepted, 1 flagged" in result.output
    assert "dòng (row) 4: flagged" in result.output
    assert review_states(session) == {
        "uuid:1b2c3d4e-0001-4a5b-8c6d-000000000001": "accepted",
        "uuid:1b2c3d4e-0002-4a5b-8c6d-000000000002": "accepted",
        "uuid:1b2c3d4e-0003-4a5b-8c6d-000000000003": "flagged",
    }
    row = session.scalars(select(Submission).order_by(Submission.id)).first()
    assert row is not None and row.source == "import"
    assert row.collected_at is not None and row.collected_at.isoformat().startswith(
        "2021-03-22T01:12:30"
    )
    nam = session.get(Person, ("vssid", "0791000002"))
    assert nam is not None and not nam.done and nam.unit_code == "27199"


def test_import__same_file_twice__nothing_stored_twice(runner: FlaskCliRunner, session: Session):
    path = str(DATA / "kobo_export_vssid_install.csv")
    assert runner.invoke(args=["import", path, "--form", "vssid_install"]).exit_code == 0
    again = runner.invoke(args=["import", path, "--form", "vssid_install"])
    assert again.exit_code == 0
    assert "3 duplicate" in again.output
    session.rollback()
    assert len(session.scalars(select(Submission)).all()) == 3


def test_import__unit_sheet_without_ids__reimport_idempotent(
    runner: FlaskCliRunner, session: Session
):
    path = str(DATA / "unit_sheet_vssid_install.csv")
    first = runner.invoke(args=["import", path, "--form", "vssid_install"])
    assert "2 accepted" in first.output, first.output
    second = runner.invoke(args=["import", path, "--form", "vssid_install"])
    assert "2 duplicate" in second.output
    session.rollback()
    assert session.get(Person, ("vssid", "0792000002")) is not None


def test_import__unknown_form__fails_cleanly(runner: FlaskCliRunner):
    result = runner.invoke(
        args=["import", str(DATA / "unit_sheet_vssid_install.csv"), "--form", "nope"]
    )
    assert result.exit_code == 1
    assert "form.not_found" in result.output


def _flagged_and_ok(runner: FlaskCliRunner, session: Session) -> tuple[int, int]:
    runner.invoke(
        args=["import", str(DATA / "kobo_export_vssid_install.csv"), "--form", "vssid_install"]
    )
    session.rollback()
    rows = {s.instance_id: s.id for s in session.scalars(select(Submission))}
    return (
        rows["uuid:1b2c3d4e-0003-4a5b-8c6d-000000000003"],
        rows["uuid:1b2c3d4e-0001-4a5b-8c6d-000000000001"],
    )


def test_review_cli__accept_with_reason(runner: FlaskCliRunner, session: Session):
    flagged, _ok = _flagged_and_ok(runner, session)
    listing = runner.invoke(args=["review", "list"])
    assert f"{flagged}\tvssid_install\t27199" in listing.output
    assert "Lý Thị Hoa" not in listing.output  # no personal data in the listing
    result = runner.invoke(
        args=["review", "accept", str(flagged), "--reason", "Mã đã xác minh", "--by", "admin"]
    )
    assert result.exit_code == 0 and "accepted" in result.output
    session.rollback()
    assert session.get(Person, ("vssid", "12345")) is not None
    result = runner.invoke(args=["review", "reject", "999999", "--reason", "x", "--by", "a"])
    assert result.exit_code == 1 and "submission.not_found" in result.output


def test_reprocess_cli__reports_count(runner: FlaskCliRunner, session: Session):
    _flagged_and_ok(runner, session)
    result = runner.invoke(args=["reprocess", "--batch", "2"])
    assert result.exit_code == 0
    assert "3 submissions reprocessed" in result.output


def test_api_queue__admin_sees_names_manager_masked(
    runner: FlaskCliRunner, client: FlaskClient, session: Session
):
    flagged, _ok = _flagged_and_ok(runner, session)
    make_user(session, "admin", "admin")
    make_user(session, "lanh.dao", "manager")
    admin = client.get("/api/v1/submissions?status=flagged", headers=basic("admin")).json
    assert [i["id"] for i in admin["items"]] == [flagged]
    assert admin["items"][0]["issues"][0]["path"] == "bhxh_code"
    assert "12345" in admin["items"][0]["issues"][0]["message_vi"]
    detail = client.get(f"/api/v1/submissions/{flagged}", headers=basic("admin")).json
    assert detail["values"]["full_name"] == "Lý Thị Hoa"
    manager = client.get(f"/api/v1/submissions/{flagged}", headers=basic("lanh.dao")).json
    assert manager["values"]["full_name"] == "L. T. H."
    assert manager["values"]["bhxh_code"] == "••345"
    assert manager["issues"][0]["message_en"] == "Invalid value (personal data hidden)."
    assert "12345" not in json.dumps(manager, ensure_ascii=False)


def test_api_queue__unit_sees_only_its_units(
    runner: FlaskCliRunner, client: FlaskClient, session: Session
):
    flagged, _ok = _flagged_and_ok(runner, session)
    make_user(session, "phuong5", "unit", unit_code="27199")
    make_user(session, "phuong1", "unit", unit_code="27184")
    own = client.get("/api/v1/submissions", headers=basic("phuong5")).json
    assert [i["id"] for i in own["items"]] == [flagged]
    other = client.get("/api/v1/submissions", headers=basic("phuong1")).json
    assert other["items"] == []
    assert client.get(f"/api/v1/submissions/{flagged}", headers=basic("phuong1")).status_code == 403


def test_api_review__admin_only_with_reason_then_status_changes(
    runner: FlaskCliRunner, client: FlaskClient, session: Session
):
    flagged, _ok = _flagged_and_ok(runner, session)
    make_user(session, "admin", "admin")
    make_user(session, "lanh.dao", "manager")
    url = f"/api/v1/submissions/{flagged}/review"
    body = {"decision": "accept", "reason": "Đã gọi điện xác minh"}
    assert client.post(url, json=body, headers=basic("lanh.dao")).status_code == 403
    missing = client.post(url, json={"decision": "accept"}, headers=basic("admin"))
    assert missing.status_code == 400 and missing.json["error"]["code"] == "review.invalid"
    done = client.post(url, json=body, headers=basic("admin"))
    assert done.status_code == 200
    assert done.json["status"] == "accepted"
    assert done.json["reviews"][0]["reviewer"] == "admin"
    assert done.json["reviews"][0]["reason"] == "Đã gọi điện xác minh"
    queue = client.get("/api/v1/submissions", headers=basic("admin")).json
    assert queue["items"] == []


@pytest.mark.parametrize(
    ("url", "status"),
    [("/api/v1/submissions?status=bogus", 400), ("/api/v1/submissions?limit=x", 400),
     ("/api/v1/submissions/424242", 404)],
)  # fmt: skip
def test_api__bad_requests(client: FlaskClient, session: Session, url: str, status: int):
    make_user(session, "admin", "admin")
    response = client.get(url, headers=basic("admin"))
    assert response.status_code == status
    assert "error" in response.json


def test_api__collector_forbidden_and_anonymous_challenged(
    client: FlaskClient, session: Session, collector: str
):
    assert client.get("/api/v1/submissions", headers=basic(collector)).status_code == 403
    assert client.get("/api/v1/submissions").status_code == 401


def test_review_cli__local_time_with_zone__limit_says_of_total(
    runner: FlaskCliRunner, session: Session
):
    flagged, _ok = _flagged_and_ok(runner, session)
    received = session.get(Submission, flagged)
    assert received is not None
    local = received.received_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    listing = runner.invoke(args=["review", "list"])
    assert f"\t{local:%Y-%m-%d %H:%M} +07\t" in listing.output
    assert listing.output.splitlines()[-1] == "1 flagged"
    accepted = runner.invoke(args=["review", "list", "--status", "accepted", "--limit", "1"])
    assert accepted.output.splitlines()[-1] == "1 of 2 accepted"


def test_review_cli__unknown_status__refused(runner: FlaskCliRunner):
    result = runner.invoke(args=["review", "list", "--status", "bogus"])
    assert result.exit_code == 2
    assert "'bogus' is not one of 'accepted', 'flagged', 'rejected'" in result.output
    assert runner.invoke(args=["review", "list", "--limit", "0"]).exit_code == 2
