"""Roster imports: per campaign, added, updated, moved, removed, rejected, and history by
date; the identifier's format is the campaign form's own constraint."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.models import RosterEntry
from ingest.registry import roster, tabular

pytestmark = pytest.mark.usefixtures("published")
HEADER = "bhxh_code,full_name,birth_date,category,unit_code\n"


def load(session: Session, tmp_path: Path, body: str, as_of: str, name: str = "r.csv",
         campaign: str = "vssid", header: str = HEADER):  # fmt: skip
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    defined = campaigns.load(session, campaign)
    report = roster.import_roster(
        session,
        defined,
        tabular.read_rows(path, roster.aliases(defined), roster.REQUIRED),
        date.fromisoformat(as_of),
        path.name,
    )
    session.commit()
    return report


def members(session: Session, unit: str, day: str, campaign: str = "vssid") -> dict[str, str]:
    rows = session.scalars(
        select(RosterEntry).where(
            RosterEntry.campaign == campaign,
            RosterEntry.unit_code == unit,
            *roster.in_force(date.fromisoformat(day)),
        )
    )
    return {r.person_key: r.full_name for r in rows}


def test_first_import__added_and_stands_for_every_earlier_date(session: Session, tmp_path: Path):
    report = load(session, tmp_path, "0790000001,An,01/02/1980,Công chức,27184\n"
                  "0790000002,Bình,,vien_chuc,27184\n", "2021-03-01")  # fmt: skip
    assert report.added == ["0790000001", "0790000002"] and report.units == ["27184"]
    assert members(session, "27184", "2021-03-01") == {"0790000001": "An", "0790000002": "Bình"}
    # A unit's first roster is loaded after the campaign started: it counts before its date.
    assert members(session, "27184", "2021-02-28") == {"0790000001": "An", "0790000002": "Bình"}
    assert members(session, "27184", "2021-02-28", campaign="vneid") == {}


def test_second_import__from_its_date_only(session: Session, tmp_path: Path):
    load(session, tmp_path, "0790000001,An,,cong_chuc,27184\n", "2021-03-01")
    load(session, tmp_path, "0790000002,Bình,,cong_chuc,27184\n", "2021-03-10")
    assert members(session, "27184", "2021-02-01") == {"0790000001": "An"}
    assert members(session, "27184", "2021-03-10") == {"0790000002": "Bình"}


def test_campaigns__rosters_never_mix(session: Session, tmp_path: Path):
    load(session, tmp_path, "0790000001,An,,cong_chuc,27184\n", "2021-03-01")
    report = load(session, tmp_path, "001203004567,Chi,,vien_chuc,27184\n", "2021-03-01",
                  campaign="vneid", header=HEADER.replace("bhxh_code", "Số CCCD"))  # fmt: skip
    assert report.added == ["001203004567"]
    assert members(session, "27184", "2021-03-01") == {"0790000001": "An"}
    assert members(session, "27184", "2021-03-01", campaign="vneid") == {"001203004567": "Chi"}


def test_vneid__the_forms_constraint_decides_the_format(session: Session, tmp_path: Path):
    report = load(session, tmp_path, "001203004567,Chi,,vien_chuc,27184\n"
                  "0790000001,An,,cong_chuc,27184\n", "2021-03-01", campaign="vneid",
                  header=HEADER.replace("bhxh_code", "cccd"))  # fmt: skip
    assert report.added == ["001203004567"]
    ((number, why),) = report.rejected
    assert number == 3 and "Số định danh cá nhân" in why and "{12}" in why


def test_reimport__replaces_the_unit_roster_and_keeps_history(session: Session, tmp_path: Path):
    load(session, tmp_path, "0790000001,An,,cong_chuc,27184\n0790000002,Bình,,cong_chuc,27184\n",
         "2021-03-01")  # fmt: skip
    report = load(session, tmp_path, "0790000001,An,,cong_chuc,27184\n"
                  "0790000003,Chi,,nguoi_lao_dong,27184\n", "2021-03-15")  # fmt: skip
    assert (report.unchanged, report.added, report.removed) == (
        ["0790000001"], ["0790000003"], ["0790000002"],
    )  # fmt: skip
    assert set(members(session, "27184", "2021-03-10")) == {"0790000001", "0790000002"}
    assert set(members(session, "27184", "2021-03-15")) == {"0790000001", "0790000003"}


def test_changed_details__updated(session: Session, tmp_path: Path):
    load(session, tmp_path, "0790000001,An,,cong_chuc,27184\n", "2021-03-01")
    report = load(session, tmp_path, "0790000001,Nguyễn An,,cong_chuc,27184\n", "2021-03-10")
    assert report.updated == ["0790000001"]
    assert members(session, "27184", "2021-03-05") == {"0790000001": "An"}
    assert members(session, "27184", "2021-03-10") == {"0790000001": "Nguyễn An"}


def test_person_in_another_unit__moved(session: Session, tmp_path: Path):
    load(session, tmp_path, "0790000001,An,,cong_chuc,27184\n", "2021-03-01")
    report = load(session, tmp_path, "0790000001,An,,cong_chuc,27190\n", "2021-03-10")
    assert report.moved == [("0790000001", "27184", "27190")]
    assert members(session, "27184", "2021-03-10") == {}
    assert members(session, "27190", "2021-03-10") == {"0790000001": "An"}


def test_same_day_reimport__replaces_without_empty_periods(session: Session, tmp_path: Path):
    load(session, tmp_path, "0790000001,An,,cong_chuc,27184\n", "2021-03-01")
    load(session, tmp_path, "0790000002,Bình,,cong_chuc,27184\n", "2021-03-01")
    assert members(session, "27184", "2021-03-01") == {"0790000002": "Bình"}
    assert session.scalars(select(RosterEntry)).all()[0].person_key == "0790000002"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("12345,An,,cong_chuc,27184", "Mã số BHXH '12345' không đúng định dạng"),
        ("0790000001,,,cong_chuc,27184", "full_name"),
        ("0790000001,An,,giam_doc,27184", "category"),
        ("0790000001,An,,cong_chuc,NOPE", "unknown unit"),
        ("0790000001,An,31/02/1980,cong_chuc,27184", "birth date"),
    ],
)
def test_bad_rows__rejected_with_reason(session: Session, tmp_path: Path, line: str, reason: str):
    report = load(session, tmp_path, f"0790000009,Ok,,cong_chuc,27184\n{line}\n", "2021-03-01")
    assert report.added == ["0790000009"]
    ((number, why),) = report.rejected
    assert number == 3 and reason in why


def test_duplicate_code_in_file__second_rejected(session: Session, tmp_path: Path):
    report = load(session, tmp_path, "0790000001,An,,cong_chuc,27184\n"
                  "0790000001,An 2,,cong_chuc,27190\n", "2021-03-01")  # fmt: skip
    assert report.rejected == [(3, "mã 0790000001 trùng dòng 2")]


def test_older_roster_after_newer__refused_for_that_unit(session: Session, tmp_path: Path):
    load(session, tmp_path, "0790000001,An,,cong_chuc,27184\n", "2021-03-10")
    report = load(session, tmp_path, "0790000002,Bình,,cong_chuc,27184\n", "2021-03-01")
    assert report.added == [] and len(report.rejected) == 1
    assert members(session, "27184", "2021-03-10") == {"0790000001": "An"}


def test_xlsx_with_vietnamese_headers(session: Session, tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Mã số BHXH", "Họ và tên", "Ngày sinh", "Đối tượng", "Mã đơn vị"])
    sheet.append([1, "0790000001", "Đặng Thị Hương", date(1988, 5, 17), "Viên chức", "Q10-YT"])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    vssid = campaigns.load(session, "vssid")
    report = roster.import_roster(
        session, vssid, tabular.read_rows(path, roster.aliases(vssid), roster.REQUIRED),
        date(2021, 3, 1), path.name,
    )  # fmt: skip
    session.commit()
    assert report.added == ["0790000001"]
    entry = session.scalars(select(RosterEntry)).one()
    assert (entry.category, entry.birth_date) == ("vien_chuc", date(1988, 5, 17))
