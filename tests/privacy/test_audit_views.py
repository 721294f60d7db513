"""Every view of person-level data leaves one row in the audit trail (who, what, how many
people, masked or not, from where), views of counts leave none, and a view whose row cannot
be written shows nothing: a 503 in Vietnamese, then English.

The scenario (``tests.dashboard.scenario``): Phường 1 (27184) has 3 people on its roster not
done as of 31/03/2021 (Cường, Dung: flagged, Em) and one done but not on it (Phúc); Phường 2
(27190) one not done (Hà). Dung's record is the flagged one.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import AccessLog, Submission, SubmissionStatus
from ingest.privacy import audit as trail
from tests.conftest import PASSWORD
from tests.dashboard import scenario
from tests.privacy.conftest import rows

AS_OF = scenario.AS_OF
ADDRESS = {"REMOTE_ADDR": "203.0.113.7"}
#: Every name the scenario's people have (roster and records).
NAMES = sorted(
    {line.split(",")[1] for line in scenario.ROSTER.splitlines()[1:]}
    | {answers["full_name"] for _id, answers in scenario.SUBMISSIONS}
)


def flagged(session: Session) -> Submission:
    """Dung's flagged record."""
    query = select(Submission).join(
        SubmissionStatus, SubmissionStatus.submission_id == Submission.id
    ).where(SubmissionStatus.review_state == "flagged")  # fmt: skip
    (submission,) = session.scalars(query)
    return submission


def only(session: Session) -> AccessLog:
    (entry,) = rows(session)
    return entry


def no_personal_values(entries: list[AccessLog]) -> None:
    """No name of the scenario in any column of any row."""
    for entry in entries:
        text = " ".join(str(getattr(entry, c.key)) for c in AccessLog.__table__.columns)
        assert not [name for name in NAMES if name in text], text


def test_unit_page__unit_account__one_row_with_the_people_shown(
    signed_in: Callable[[str], FlaskClient], session: Session
):
    browser = signed_in("phuong1")
    page = browser.get(f"/units/27184?as_of={AS_OF}", environ_base=ADDRESS)

    assert page.status_code == 200
    assert "Hoàng Văn Em" in page.text and "Vũ Văn Phúc" in page.text
    entry = only(session)
    assert (entry.account, entry.role, entry.action, entry.campaign, entry.unit_code) == (
        "phuong1", "unit", "unit_people", "vssid", "27184"
    )  # fmt: skip
    shown = page.text.count('<td class="code">')  # one identifier cell per person listed
    assert entry.rows == shown == 4
    assert (entry.masked, entry.address, entry.path) == (False, "203.0.113.7", "/units/27184")
    assert entry.person_key is None and entry.submission_id is None
    no_personal_values([entry])


def test_unit_page__manager__names_withheld__no_row(
    signed_in: Callable[[str], FlaskClient], session: Session
):
    """A manager's unit page shows counts only ("names are shown only to administrators and
    the unit's focal point"): an anonymous view, so no row."""
    page = signed_in("lanh.dao").get(f"/units/27184?as_of={AS_OF}")

    assert page.status_code == 200 and 'data-testid="names-hidden"' in page.text
    assert "Hoàng Văn Em" not in page.text
    assert rows(session) == []


def test_review_desk__manager__masked_row_with_the_submission_and_person(
    signed_in: Callable[[str], FlaskClient], session: Session
):
    dung = flagged(session)
    manager = signed_in("lanh.dao")

    one = manager.get(f"/review/submission/{dung.id}", environ_base=ADDRESS)
    queue = manager.get("/review")

    assert one.status_code == queue.status_code == 200
    assert scenario.FLAGGED_NAME not in one.text  # masked for a manager
    first, second = rows(session)
    assert (first.action, first.submission_id, first.person_key, first.unit_code) == (
        "submission", dung.id, "0791000004", "27184"
    )  # fmt: skip
    assert (first.rows, first.masked, first.role, first.address) == (
        1, True, "manager", "203.0.113.7"
    )  # fmt: skip
    assert (second.action, second.rows, second.masked, second.path) == (
        "review_queue", 1, True, "/review"
    )  # fmt: skip


def test_review_queue__empty__no_row(signed_in: Callable[[str], FlaskClient], session: Session):
    page = signed_in("quan.tri").get("/review?status=rejected")

    assert page.status_code == 200
    assert rows(session) == []


def test_excel_download__admin__names__one_row(
    signed_in: Callable[[str], FlaskClient], session: Session
):
    admin = signed_in("quan.tri")

    response = admin.get(f"/download/coverage.xlsx?as_of={AS_OF}", environ_base=ADDRESS)

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    text = " ".join(str(c) for ws in book for r in ws.iter_rows(values_only=True) for c in r)
    assert "Hoàng Văn Em" in text and "Vũ Thu Hà" in text and "Vũ Văn Phúc" in text
    entry = only(session)
    assert (entry.action, entry.account, entry.campaign, entry.unit_code) == (
        "export_names", "quan.tri", "vssid", None
    )  # fmt: skip
    assert (entry.rows, entry.masked, entry.address) == (5, False, "203.0.113.7")
    assert entry.path == "/download/coverage.xlsx"


def test_excel_download__unit_account__its_unit_recorded(
    signed_in: Callable[[str], FlaskClient], session: Session
):
    response = signed_in("phuong1").get(f"/download/coverage.xlsx?as_of={AS_OF}")

    assert response.status_code == 200
    entry = only(session)
    assert (entry.action, entry.unit_code, entry.rows) == ("export_names", "27184", 4)


def test_downloads_without_names__no_row(signed_in: Callable[[str], FlaskClient], session: Session):
    admin, manager = signed_in("quan.tri"), signed_in("lanh.dao")
    for fmt in ("csv", "json", "pdf"):
        assert admin.get(f"/download/coverage.{fmt}?as_of={AS_OF}").status_code == 200
    assert manager.get(f"/download/coverage.xlsx?as_of={AS_OF}").status_code == 200

    assert rows(session) == []


def test_api__submission_detail_list_and_unit__rows(
    client: FlaskClient, campaign: None, session: Session
):
    dung = flagged(session)
    admin = ("quan.tri", PASSWORD)

    detail = client.get(f"/api/v1/submissions/{dung.id}", auth=admin, environ_base=ADDRESS)
    listed = client.get("/api/v1/submissions", auth=admin)
    unit = client.get(f"/api/v1/units/27184?as_of={AS_OF}", auth=admin)
    masked = client.get(f"/api/v1/submissions/{dung.id}", auth=("lanh.dao", PASSWORD))

    assert detail.status_code == listed.status_code == unit.status_code == 200
    assert detail.json["values"]["full_name"] == scenario.FLAGGED_NAME
    assert masked.json["values"]["full_name"] != scenario.FLAGGED_NAME
    one, many, people, manager = rows(session)
    assert (one.action, one.submission_id, one.person_key, one.unit_code, one.campaign) == (
        "api_submission", dung.id, "0791000004", "27184", "vssid"
    )  # fmt: skip
    assert (one.account, one.role, one.rows, one.masked, one.address) == (
        "quan.tri", "admin", 1, False, "203.0.113.7"
    )  # fmt: skip
    assert one.path == f"/api/v1/submissions/{dung.id}"
    assert (many.action, many.rows, many.path) == (
        "api_submissions", listed.json["count"], "/api/v1/submissions"
    )  # fmt: skip
    shown = len(unit.json["not_done"]) + len(unit.json["not_on_roster"])
    assert (people.action, people.unit_code, people.rows) == ("api_unit_people", "27184", shown)
    assert shown == 4
    assert (manager.action, manager.account, manager.masked) == (
        "api_submission", "lanh.dao", True
    )  # fmt: skip
    no_personal_values([one, many, people, manager])


def test_anonymous_counts__no_row(
    signed_in: Callable[[str], FlaskClient], client: FlaskClient, session: Session
):
    admin = signed_in("quan.tri")
    for path in ("/", f"/?as_of={AS_OF}", f"/charts/coverage.svg?as_of={AS_OF}",
                 f"/charts/trend.svg?as_of={AS_OF}"):  # fmt: skip
        assert admin.get(path).status_code == 200, path
    for path in (f"/api/v1/coverage?as_of={AS_OF}", "/api/v1/campaigns"):
        assert client.get(path, auth=("quan.tri", PASSWORD)).status_code == 200, path
    manager_unit = client.get(f"/api/v1/units/27184?as_of={AS_OF}", auth=("lanh.dao", PASSWORD))
    assert manager_unit.status_code == 200 and "not_done" not in manager_unit.json

    assert rows(session) == []


def test_audit_write_fails__503__the_data_is_not_shown(
    signed_in: Callable[[str], FlaskClient],
    client: FlaskClient,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
):
    dung = flagged(session)
    browser = signed_in("phuong1")

    def broken(*_args: object, **_kwargs: object) -> AccessLog:
        raise RuntimeError("disk full")

    monkeypatch.setattr(trail, "record", broken)
    page = browser.get(f"/units/27184?as_of={AS_OF}")
    english = browser.get(f"/review/submission/{dung.id}?lang=en")
    api = client.get(f"/api/v1/submissions/{dung.id}", auth=("quan.tri", PASSWORD))

    assert page.status_code == english.status_code == api.status_code == 503
    for shown in (page.text, english.text, api.text):
        assert not [name for name in NAMES if name in shown]
        assert "0791000005" not in shown and "Traceback" not in shown
    message = "Không ghi được nhật ký truy cập dữ liệu cá nhân"
    assert message in page.text and "could not be recorded" in page.text
    assert page.text.index(message) < page.text.index("could not be recorded")
    assert api.json["error"]["message"].startswith(message)
    assert page.headers.get("Retry-After") and api.headers.get("Retry-After")
    assert rows(session) == []


def test_cli_review_list__recorded(runner: FlaskCliRunner, campaign: None, session: Session):
    result = runner.invoke(args=["review", "list"])

    assert result.exit_code == 0, result.output
    entry = only(session)
    assert (entry.action, entry.role, entry.address, entry.rows, entry.masked) == (
        "cli_review", "cli", "local", 1, True
    )  # fmt: skip
    assert entry.account.startswith("cli:") and entry.path.endswith("review list")
