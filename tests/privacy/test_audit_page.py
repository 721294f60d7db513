"""The audit trail's page (``/audit``) and downloads: administrators only, newest first,
every filter, pages, English, CSV and Excel of the filtered rows holding no personal value,
and looking at the trail is itself recorded."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from ingest.privacy import audit
from tests.dashboard import scenario
from tests.privacy.conftest import rows

AS_OF = scenario.AS_OF
NAMES = [line.split(",")[1] for line in scenario.ROSTER.splitlines()[1:]]


def seed(session: Session) -> None:
    """Three rows on 1, 2 and 3 December 2026 (10:00 in Vietnam)."""
    for day, account, action, unit, person in (
        (1, "lanh.dao", "review_queue", None, None),
        (2, "phuong1", "unit_people", "27184", None),
        (3, "quan.tri", "submission", "27184", "0791000004"),
    ):
        entry = audit.record(session, account=account, role="admin", action=action,
                             address="198.51.100.9", path="/x", unit_code=unit,
                             person_key=person, rows=day)  # fmt: skip
        entry.at = datetime(2026, 12, day, 3, 0, tzinfo=UTC)
    session.commit()


def shown(html: str) -> list[int]:
    """The ids of the rows on the page, in order."""
    return [int(part.split('"')[0]) for part in html.split('data-entry="')[1:]]


def test_audit_page__not_for_managers_or_units(signed_in: Callable[[str], FlaskClient]):
    for username in ("lanh.dao", "phuong1"):
        browser = signed_in(username)
        assert browser.get("/audit").status_code == 403
        assert browser.get("/audit/export.csv").status_code == 403
        assert "/audit" not in browser.get("/").text


def test_audit_page__admin__newest_first__filters__recorded(
    signed_in: Callable[[str], FlaskClient], session: Session
):
    admin = signed_in("quan.tri")
    seed(session)
    first, second, third = (e.id for e in rows(session))

    page = admin.get("/", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert 'href="/audit' in page.text  # in the admin's menu
    everything = admin.get("/audit", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert everything.status_code == 200
    assert "Nhật ký truy cập dữ liệu cá nhân" in everything.text
    assert shown(everything.text) == [third, second, first]
    assert "0791000004" in everything.text and "Xem một phiếu" in everything.text

    def ids(query: str) -> list[int]:
        response = admin.get(f"/audit?{query}")
        assert response.status_code == 200, response.text
        return [i for i in shown(response.text) if i in (first, second, third)]

    assert ids("account=phuong1") == [second]
    assert ids("action=review_queue") == [first]
    assert ids("unit=27184") == [third, second]
    assert ids("person=0791000004") == [third]
    assert ids("from=02/12/2026&to=02/12/2026") == [second]
    assert ids("from=2026-12-02") == [third, second]
    assert ids("to=1/12/2026") == [first]
    assert admin.get("/audit?from=31/02/2026").status_code == 400
    assert admin.get("/audit?action=peeked").status_code == 400

    viewed = [e for e in rows(session) if e.action == "audit_view"]
    assert len(viewed) == 1 + 7  # the page itself, then the filtered ones (not the 400s)
    assert (viewed[0].account, viewed[0].address, viewed[0].rows) == ("quan.tri", "192.0.2.1", 3)
    person = next(e for e in viewed if e.person_key)
    assert (person.person_key, person.rows) == ("0791000004", 1)  # who looked into whom


def test_audit_page__pages__english(signed_in: Callable[[str], FlaskClient], session: Session):
    admin = signed_in("quan.tri")
    seed(session)
    first, second, _third = (e.id for e in rows(session))

    one = admin.get("/audit?per_page=1&page=2&account=phuong1")
    paged = admin.get("/audit?per_page=2&page=2&to=03/12/2026")
    english = admin.get("/audit?lang=en")

    assert shown(one.text) == [second]
    assert shown(paged.text) == [first]  # newest first: 3, 2 on page 1
    assert "Rows" not in paged.text and "Dòng 3–3 trong 3." in paged.text
    assert 'rel="prev"' in paged.text and "account=" not in paged.text
    assert "Personal data access log" in english.text and "Download Excel" in english.text
    assert "One submission" in english.text


def test_audit_exports__filtered_rows__no_personal_values__recorded(
    signed_in: Callable[[str], FlaskClient], session: Session
):
    admin, unit = signed_in("quan.tri"), signed_in("phuong1")
    # Real views first: a unit's list of people, an Excel file with names, one submission.
    assert unit.get(f"/units/27184?as_of={AS_OF}").status_code == 200
    assert admin.get(f"/download/coverage.xlsx?as_of={AS_OF}").status_code == 200
    review = admin.get("/review")
    assert scenario.FLAGGED_NAME in review.text
    written = len(rows(session))

    exported = admin.get("/audit/export.csv")
    filtered = admin.get("/audit/export.csv?account=phuong1")
    book = admin.get("/audit/export.xlsx?unit=27184")

    assert exported.status_code == filtered.status_code == book.status_code == 200
    assert exported.headers["Cache-Control"] == "no-store"
    assert exported.headers["Content-Disposition"].startswith("attachment; filename=nhat-ky")
    text = exported.data.decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text)))
    assert len(records) == 1 + written
    assert {r[4] for r in records[1:]} == {"unit_people", "export_names", "review_queue"}
    assert not [name for name in NAMES if name in text]
    assert [r[2] for r in csv.reader(io.StringIO(filtered.data.decode("utf-8-sig")))][1:] == [
        "phuong1"
    ]
    sheet = load_workbook(io.BytesIO(book.data)).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "STT (No.)" and [r[6] for r in cells[1:]] == ["27184"]
    assert not [name for name in NAMES if name in str(cells)]

    exports = [e for e in rows(session) if e.action == "audit_export"]
    assert [(e.rows, e.unit_code) for e in exports] == [(written, None), (1, None), (1, "27184")]
    assert admin.get("/audit/export.pdf").status_code == 404
