"""The units registry: importing unit lists (adds and updates, never deletes) and ``units.csv``."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.collation import text_key
from ingest.models import Unit
from ingest.registry import tabular, units
from tests.conftest import DEFAULT_UNITS

HEADER = "code,name_vi,name_en,kind,parent,headcount_cong_chuc\n"


def import_file(session: Session, path: Path) -> units.ImportReport:
    rows = tabular.read_rows(path, units.ALIASES, required=("code", "name_vi", "kind"))
    report = units.import_units(session, rows)
    session.commit()
    return report


def import_text(session: Session, tmp_path: Path, text: str) -> units.ImportReport:
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(session, path)


def stored(session: Session) -> dict[str, Unit]:
    session.expire_all()
    return {unit.code: unit for unit in session.scalars(select(Unit))}


def csv_rows(session: Session) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(units.units_csv(session).decode("utf-8"))))


def test_import__shipped_district10_units__48_units_with_14_wards(
    session: Session, default_units: units.ImportReport
):
    assert default_units.summary() == "48 added, 0 updated, 0 unchanged, 0 rejected"
    registry = stored(session)
    assert len(registry) == 48
    assert Counter(unit.kind for unit in registry.values()) == {
        "ward": 14,
        "department": 12,
        "public_service": 11,
        "party_mass_org": 11,
    }
    wards = [unit for unit in registry.values() if unit.kind == "ward"]
    assert all(len(unit.code) == 5 and unit.code.isdigit() for unit in wards)
    assert registry["27184"].name_vi == "Phường 1"
    assert registry["27184"].name_en == "Ward 1"
    assert registry["Q10-MN"].parent_code == "Q10-GDDT"


def test_import__shipped_units_again__all_unchanged(
    session: Session, default_units: units.ImportReport
):
    report = import_file(session, DEFAULT_UNITS)

    assert report.summary() == "0 added, 0 updated, 48 unchanged, 0 rejected"
    assert sorted(report.unchanged) == sorted(default_units.added)


def test_import__name_changed__reported_as_updated(session: Session, tmp_path: Path):
    import_text(
        session, tmp_path, HEADER + "27184,Phường 1,Ward 1,ward,,\n27190,Phường 2,,ward,,\n"
    )

    report = import_text(
        session, tmp_path, HEADER + "27184,Phường Một,Ward 1,ward,,\n27190,Phường 2,,ward,,\n"
    )

    assert (report.added, report.updated, report.unchanged) == ([], ["27184"], ["27190"])
    assert stored(session)["27184"].name_vi == "Phường Một"


@pytest.mark.parametrize(
    ("row", "field", "value"),
    [
        ("27184,Phường 1,Ward One,ward,,", "name_en", "Ward One"),
        ("27184,Phường 1,Ward 1,department,,", "kind", "department"),
        ("27184,Phường 1,Ward 1,ward,27190,", "parent_code", "27190"),
        ("27184,Phường 1,Ward 1,ward,,25", "headcount_cong_chuc", 25),
    ],
)
def test_import__other_field_changed__reported_as_updated(
    session: Session, tmp_path: Path, row: str, field: str, value: object
):
    import_text(
        session, tmp_path, HEADER + "27190,Phường 2,,ward,,\n27184,Phường 1,Ward 1,ward,,\n"
    )

    report = import_text(session, tmp_path, HEADER + row + "\n")

    assert report.updated == ["27184"]
    assert getattr(stored(session)["27184"], field) == value


def test_import__units_omitted_from_file__kept(
    session: Session, default_units: units.ImportReport, tmp_path: Path
):
    report = import_text(session, tmp_path, HEADER + "27184,Phường 1,Ward 1,ward,,\n")

    assert report.summary() == "0 added, 0 updated, 1 unchanged, 0 rejected"
    assert session.scalar(select(func.count()).select_from(Unit)) == 48


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        pytest.param(",Phường 3,,ward,,", "code is empty", id="empty-code"),
        pytest.param("P 3,Phường 3,,ward,,", "invalid code", id="code-with-space"),
        pytest.param("P/3,Phường 3,,ward,,", "invalid code", id="code-with-slash"),
        pytest.param("-P3,Phường 3,,ward,,", "invalid code", id="code-leading-dash"),
        pytest.param("Phường3,Phường 3,,ward,,", "invalid code", id="code-non-ascii"),
        pytest.param(f"{'X' * 65},Phường 3,,ward,,", "invalid code", id="code-too-long"),
        pytest.param("P3,,,ward,,", "name_vi is empty", id="empty-name"),
        pytest.param("P3,Phường 3,,village,,", "kind must be one of", id="unknown-kind"),
        pytest.param("P3,Phường 3,,,,", "kind must be one of", id="empty-kind"),
        pytest.param("P3,Phường 3,,ward,,-3", "headcount_cong_chuc", id="negative-headcount"),
        pytest.param("P3,Phường 3,,ward,,2.5", "headcount_cong_chuc", id="fractional-headcount"),
        pytest.param("P3,Phường 3,,ward,,mười", "headcount_cong_chuc", id="word-headcount"),
        pytest.param("P3,Phường 3,,ward,NOPE,", "unknown parent", id="unknown-parent"),
        pytest.param("P3,Phường 3,,ward,P3,", "own parent", id="own-parent"),
        pytest.param("P1,Phường Một,,ward,,", "trùng dòng 2", id="duplicate-code"),
    ],
)
def test_import__bad_row__rejected_with_row_number_and_good_rows_kept(
    session: Session, tmp_path: Path, bad_row: str, reason: str
):
    report = import_text(
        session,
        tmp_path,
        HEADER + "P1,Phường 1,,ward,,10\n" + bad_row + "\n" + "P2,Phường 2,,ward,P1,\n",
    )

    assert len(report.rejected) == 1
    number, why = report.rejected[0]
    assert number == 3
    assert reason in why
    assert report.added == ["P1", "P2"]
    registry = stored(session)
    assert set(registry) == {"P1", "P2"}
    assert registry["P1"].name_vi == "Phường 1"
    assert registry["P1"].headcount_cong_chuc == 10
    assert registry["P2"].parent_code == "P1"


def test_import__child_of_a_unit_with_unknown_parent__rejected_not_crashed(
    session: Session, tmp_path: Path
):
    # P1 names P2 as its parent; P2 itself names a parent nobody has, so P2 is rejected and
    # P1 then has no parent to point at either.
    report = import_text(
        session,
        tmp_path,
        HEADER + "P1,Phường 1,,ward,P2,\nP2,Phường 2,,ward,NOPE,\nP3,Phường 3,,ward,,\n",
    )

    assert sorted(number for number, _ in report.rejected) == [2, 3]
    assert report.added == ["P3"]
    assert set(stored(session)) == {"P3"}


def test_import__two_units_each_others_parent__cycle_rejected(session: Session, tmp_path: Path):
    report = import_text(
        session, tmp_path, HEADER + "P1,Phường 1,,ward,P2,\nP2,Phường 2,,ward,P1,\n"
    )

    assert report.rejected
    registry = stored(session)
    parents = {code: registry[code].parent_code for code in ("P1", "P2") if code in registry}
    assert parents != {"P1": "P2", "P2": "P1"}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Phường", "ward"),
        ("phường", "ward"),
        ("PHƯỜNG", "ward"),
        ("Phòng ban", "department"),
        ("Phòng, ban", "department"),
        ("Đơn vị sự nghiệp", "public_service"),
        ("Đảng, đoàn thể", "party_mass_org"),
        ("party_mass_org", "party_mass_org"),
    ],
)
def test_import__vietnamese_kind_name__accepted(
    session: Session, tmp_path: Path, kind: str, expected: str
):
    report = import_text(session, tmp_path, f'code,name_vi,kind\nP1,Đơn vị 1,"{kind}"\n')

    assert report.added == ["P1"]
    assert stored(session)["P1"].kind == expected


def test_import__vietnamese_headers__accepted(session: Session, tmp_path: Path):
    report = import_text(
        session,
        tmp_path,
        "Mã đơn vị,Tên đơn vị,Tên tiếng Anh,Loại,Đơn vị cấp trên,Số công chức,"
        "Số viên chức,Số người lao động\n"
        "Q10-GDDT,Phòng Giáo dục và Đào tạo Quận 10,Division of Education,Phòng ban,,12,,1\n"
        "Q10-MN,Các trường mầm non,,Đơn vị sự nghiệp,Q10-GDDT,3,250,40\n",
    )

    assert report.summary() == "2 added, 0 updated, 0 unchanged, 0 rejected"
    school = stored(session)["Q10-MN"]
    assert (school.name_vi, school.kind, school.parent_code) == (
        "Các trường mầm non",
        "public_service",
        "Q10-GDDT",
    )
    assert (
        school.headcount_cong_chuc,
        school.headcount_vien_chuc,
        school.headcount_nguoi_lao_dong,
    ) == (3, 250, 40)
    assert stored(session)["Q10-GDDT"].name_en == "Division of Education"


def test_import__parent_defined_later_in_file__ok(session: Session, tmp_path: Path):
    report = import_text(
        session,
        tmp_path,
        HEADER + "Q10-NTN,Nhà Thiếu nhi Quận 10,,public_service,Q10-QD,\n"
        "Q10-QD,Quận Đoàn 10,,party_mass_org,,\n",
    )

    assert report.rejected == []
    assert stored(session)["Q10-NTN"].parent_code == "Q10-QD"


def test_import__parent_already_in_registry__ok(
    session: Session, default_units: units.ImportReport, tmp_path: Path
):
    report = import_text(
        session, tmp_path, HEADER + "Q10-TH-01,Trường Tiểu học 1,,public_service,Q10-TH,\n"
    )

    assert report.added == ["Q10-TH-01"]
    assert stored(session)["Q10-TH-01"].parent_code == "Q10-TH"


def test_import__blank_headcount__keeps_declared_headcount(session: Session, tmp_path: Path):
    import_text(session, tmp_path, HEADER + "P1,Phường 1,,ward,,30\n")

    report = import_text(session, tmp_path, HEADER + "P1,Phường 1,,ward,,\n")

    assert report.unchanged == ["P1"]
    assert stored(session)["P1"].headcount_cong_chuc == 30


def test_import__zero_headcount__replaces_declared_headcount(session: Session, tmp_path: Path):
    import_text(session, tmp_path, HEADER + "P1,Phường 1,,ward,,30\n")

    report = import_text(session, tmp_path, HEADER + "P1,Phường 1,,ward,,0\n")

    assert report.updated == ["P1"]
    assert stored(session)["P1"].headcount_cong_chuc == 0


def test_import__xlsx__ok(session: Session, tmp_path: Path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Loại", "Đơn vị cấp trên", "Số công chức"])
    sheet.append([27184, "Phường 1", "Phường", None, 18])
    sheet.append(["Q10-YT", "Phòng Y tế Quận 10", "department", None, 6.0])
    sheet.append([None, None, None, None, None])
    sheet.append(["Q10-TTYT", "Trung tâm Y tế Quận 10", "public_service", "Q10-YT", -1])
    path = tmp_path / "units.xlsx"
    workbook.save(path)

    report = import_file(session, path)

    assert report.added == ["27184", "Q10-YT"]
    assert [number for number, _ in report.rejected] == [5]
    registry = stored(session)
    assert registry["27184"].kind == "ward"
    assert registry["27184"].headcount_cong_chuc == 18
    assert registry["Q10-YT"].headcount_cong_chuc == 6


def test_units_csv__empty_registry__header_only(session: Session):
    assert units.units_csv(session) == b"name,label,kind,parent\n"


def test_units_csv__shipped_units__departments_first_then_natural_order(
    session: Session, default_units: units.ImportReport
):
    content = units.units_csv(session)

    assert content.startswith(b"name,label,kind,parent\n")
    assert not content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(session)
    assert len(rows) == 48
    kinds = [row["kind"] for row in rows]
    assert kinds == sorted(kinds, key=units.KIND_ORDER.__getitem__)
    assert kinds[0] == "department"
    wards = [row["label"] for row in rows if row["kind"] == "ward"]
    assert wards == [f"Phường {n}" for n in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)]
    by_code = {row["name"]: row for row in rows}
    assert by_code["27184"] == {"name": "27184", "label": "Phường 1", "kind": "ward", "parent": ""}
    assert by_code["Q10-MN"]["parent"] == "Q10-GDDT"
    assert by_code["Q10-BBT"]["label"] == "Ban Bồi thường, giải phóng mặt bằng Quận 10"


def test_units_csv__numbers_inside_names__natural_order(session: Session, tmp_path: Path):
    import_text(
        session,
        tmp_path,
        HEADER + "A,Phường 10,,ward,,\nB,phường 2,,ward,,\nC,Phường 1,,ward,,\n"
        "D,Tổ 3 khu 12,,department,,\nE,Tổ 3 khu 2,,department,,\n",
    )

    assert [row["name"] for row in csv_rows(session)] == ["E", "D", "C", "B", "A"]


@pytest.mark.parametrize("name", ["Tổ 1²", "²", "Phòng 50 m²", "Khu ١٢"])
def test_text_key__superscripts_and_other_digits__no_error(name: str):
    assert text_key(name)
    assert text_key("Khu ٢") < text_key("Khu ١٢")
