"""The Excel report, read back with openpyxl: layout, numbers, print setup and privacy.

``sample()`` is a small hand-made report of the shipped VssID campaign (``vssid()``: its
definition resolved from ``forms/``, no database) with every case (units of each kind, an
unknown headcount, reasons, findings); ``district10()`` is District 10's real unit list with
plausible figures, for the LibreOffice check and the pictures in ``docs/``. Other campaigns'
workbooks: ``test_excel_campaign``.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import subprocess
import zipfile
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ingest.campaigns import Campaign, publish
from ingest.collation import text_key
from ingest.forms.registry import compile_xlsform
from reports.excel import SHEETS, workbook
from reports.layout import DASH
from reports.model import (
    Counts,
    Coverage,
    Finding,
    Rollup,
    Thresholds,
    UnitCoverage,
)
from reports.wording import not_done_split, report_title

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2021, 3, 31)
T = Thresholds()
Cats = dict[str, tuple[int | None, int, int]]


@cache
def vssid() -> Campaign:
    """The shipped VssID campaign, resolved from forms/vssid.campaign.toml and its forms."""
    definition = publish.read(REPO / "forms" / "vssid.campaign.toml")
    compiled = {path: compile_xlsform(path) for path in definition.form_files}
    return publish.resolve(definition, compiled)


CATEGORIES = vssid().category_keys


def unit(
    code: str,
    name: str,
    kind: str,
    cats: Cats,
    source: str | None = "roster",
    reasons: dict[str, int] | None = None,
) -> UnitCoverage:
    """A unit row; ``cats`` maps a category to (denominator, installed, active)."""
    empty = Counts(None if source is None else 0, 0, {"active": 0})
    categories = {
        c: Counts(cats[c][0], cats[c][1], {"active": cats[c][2]}) if c in cats else empty
        for c in CATEGORIES
    }
    known = [c.denominator for c in categories.values() if c.denominator is not None]
    total = Counts(
        sum(known) if source is not None else None,
        sum(c.done for c in categories.values()),
        {"active": sum(c.level("active") for c in categories.values())},
    )
    progress = T.progress(total.done_pct)
    return UnitCoverage(code, name, code, kind, None, source, total, categories, progress,
                        reasons or {})  # fmt: skip


def _rollup(key: str, counts: list[tuple[str, Counts]]) -> Rollup:
    total = sum((c for _, c in counts), Counts(0))
    unknown = tuple(code for code, c in counts if c.denominator is None)
    return Rollup(key, total, len(counts), unknown, T.progress(total.done_pct))


def build(units: list[UnitCoverage], findings: tuple[Finding, ...] = (), as_of: date = AS_OF
          ) -> Coverage:  # fmt: skip
    """A Coverage with rollups summed as ``reports.coverage`` sums them."""
    kinds = ("department", "public_service", "party_mass_org", "ward")
    return Coverage(
        campaign=vssid(),
        as_of=as_of,
        thresholds=T,
        units=tuple(units),
        kinds=tuple(_rollup(k, [(u.code, u.total) for u in units if u.kind == k]) for k in kinds),
        categories=tuple(
            _rollup(c, [(u.code, u.categories[c]) for u in units]) for c in CATEGORIES
        ),
        total=_rollup("total", [(u.code, u.total) for u in units]),
        findings=findings,
        finding_counts=dict(Counter(f.unit_code for f in findings)),
    )


FINDINGS = (
    Finding("not_on_roster", "Q10-NV", "0012345678", "Lê Minh Khôi", "cong_chuc"),
    Finding("not_on_roster", "27184", "0123456789", "Nguyễn Thị Hồng Nhung", "cong_chuc"),
    Finding("not_on_roster", "27184", "0791234567", "Trần Văn Bình", None),
)
PERSONAL: list[dict[str, Any]] = [
    {"unit_code": "27163", "unit_name": "Phường 15", "full_name": "Phạm Thị Thu Trang",
     "person_key": "0201234567", "bhxh_code": "0201234567", "category": "cong_chuc",
     "outcome": "not_installed", "reasons": ["forgot_password"]},
    {"unit_code": "27163", "unit_name": "Phường 15", "full_name": "Võ Văn Tâm",
     "person_key": "0309876543", "bhxh_code": "0309876543", "category": "nguoi_lao_dong",
     "outcome": "no_smartphone", "reasons": ["no_smartphone", "other"]},
    {"unit_code": "Q10-TTYT", "unit_name": "Trung tâm Y tế Quận 10", "full_name": "Đặng Quốc Huy",
     "person_key": "7901000123", "bhxh_code": "7901000123", "category": "vien_chuc",
     "outcome": None, "reasons": []},
]  # fmt: skip
SECRETS = (
    [f.full_name for f in FINDINGS]
    + [f.person_key for f in FINDINGS]
    + [p[k] for p in PERSONAL for k in ("full_name", "bhxh_code")]
)


def sample() -> Coverage:
    cc, vc, nld = CATEGORIES
    return build(
        [
            unit("Q10-VP", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân Quận 10", "department",
                 {cc: (30, 30, 28), nld: (8, 8, 6)}),
            unit("Q10-NV", "Phòng Nội vụ Quận 10", "department", {cc: (12, 10, 9)},
                 reasons={"forgot_password": 1, "pending_approval": 1}),
            unit("Q10-TP", "Phòng Tư pháp Quận 10", "department", {cc: (None, 3, 2)}, source=None),
            unit("Q10-TTYT", "Trung tâm Y tế Quận 10", "public_service",
                 {vc: (220, 150, 120), nld: (40, 20, 15)}, source="declared",
                 reasons={"no_smartphone": 12, "no_registered_phone": 30, "declined": 5,
                          "other": 3}),
            unit("Q10-TTVH", "Trung tâm Văn hóa Quận 10 (cơ sở Trung tâm Văn hóa Hòa Bình)",
                 "public_service", {vc: (25, 22, 20), nld: (10, 9, 7)}, source="unit_report"),
            unit("Q10-MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam Quận 10", "party_mass_org",
                 {cc: (15, 15, 15)}),
            unit("Q10-HLHPN", "Hội Liên hiệp Phụ nữ Quận 10", "party_mass_org",
                 {cc: (9, 6, 4), nld: (2, 1, 1)},
                 reasons={"forgot_password": 2, "phone_unsupported": 1, "no_smartphone": 1}),
            unit("27184", "Phường 1", "ward", {cc: (22, 21, 18), nld: (6, 5, 3)},
                 reasons={"pending_approval": 2}),
            unit("27166", "Phường 13", "ward", {cc: (25, 25, 25), nld: (5, 5, 4)},
                 source="declared"),
            unit("27163", "Phường 15", "ward", {cc: (24, 15, 10), nld: (7, 3, 1)},
                 reasons={"no_registered_phone": 6, "forgot_password": 4, "declined": 2,
                          "other": 1}),
        ],
        FINDINGS,
    )  # fmt: skip


def district10(as_of: date = AS_OF) -> Coverage:
    """District 10's unit list (forms/district10_units.csv) with plausible, seeded figures."""
    rng = random.Random(952)
    big = {"Q10-MN": (0, 420, 160), "Q10-TH": (0, 610, 120), "Q10-THCS": (0, 480, 90),
           "Q10-TTYT": (0, 230, 60), "Q10-VP": (38, 0, 15)}  # fmt: skip
    sources = {"Q10-TTYT": "declared", "Q10-TH": "unit_report", "27172": "declared",
               "Q10-BBT": None, "27169": None, "Q10-QU-TTCT": "unit_report"}  # fmt: skip
    weights = {"no_registered_phone": 5, "forgot_password": 4, "no_smartphone": 3,
               "pending_approval": 3, "phone_unsupported": 2, "declined": 1,
               "other": 1}  # fmt: skip
    with (REPO / "forms" / "district10_units.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    units = []
    for row in rows:
        kind = row["kind"]
        sizes = (
            big.get(row["code"])
            or {
                "ward": (rng.randint(18, 30), 0, rng.randint(4, 10)),
                "department": (rng.randint(8, 25), 0, rng.randint(1, 5)),
                "public_service": (0, rng.randint(10, 45), rng.randint(4, 20)),
                "party_mass_org": (rng.randint(6, 18), 0, rng.randint(1, 4)),
            }[kind]
        )
        share = 1.0 if rng.random() < 0.3 else rng.uniform(0.55, 0.99)
        source = sources.get(row["code"], "roster")
        cats: Cats = {}
        for category, size in zip(CATEGORIES, sizes, strict=True):
            if size:
                installed = round(size * share)
                active = round(installed * rng.uniform(0.7, 0.95))
                cats[category] = (size if source is not None else None, installed, active)
        missing = sum(s for s in sizes) - sum(c[1] for c in cats.values())
        reasons: dict[str, int] = {}
        for reason in rng.choices(list(weights), list(weights.values()), k=missing):
            reasons[reason] = reasons.get(reason, 0) + 1
        units.append(unit(row["code"], row["name_vi"], kind, cats, source, reasons))
    order = {"department": 0, "public_service": 1, "party_mass_org": 2, "ward": 3}
    units.sort(key=lambda u: (order[u.kind], text_key(u.name_vi)))
    findings = tuple(
        Finding("not_on_roster", code, f"79{n:08d}", f"Người thử {n}", "cong_chuc")
        for n, code in enumerate(("27184", "27184", "Q10-NV", "Q10-GDDT"))
    )
    return build(units, findings, as_of)


def read(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def find_row(ws: Any, text: str, column: int = 2) -> int:
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, column).value == text]
    assert len(rows) == 1, (text, rows)
    return rows[0]


def values(ws: Any, row: int, first: int = 4, last: int = 9) -> list[Any]:
    return [ws.cell(row, c).value for c in range(first, last + 1)]


# --- Tổng hợp -----------------------------------------------------------------------------


def test_sheets__without_personal__three_sheets() -> None:
    book = read(workbook(sample()))
    assert book.sheetnames == list(SHEETS)
    assert book.active.title == "Tổng hợp"


def test_sheets__with_personal__list_of_not_installed() -> None:
    assert read(workbook(sample(), PERSONAL)).sheetnames == [*SHEETS, "Danh sách chưa cài đặt"]


def test_summary__title_date_and_directive() -> None:
    ws = read(workbook(sample()))["Tổng hợp"]
    assert ws["A1"].value == "BẢO HIỂM XÃ HỘI TP. HỒ CHÍ MINH"
    assert ws["A2"].value == "BẢO HIỂM XÃ HỘI QUẬN 10"
    assert ws["J3"].value == "Quận 10, ngày 31 tháng 3 năm 2021"
    assert ws["A3"].value == "Số: …/BC-BHXH"
    title = "PHỤ LỤC\nTIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID – BHXH SỐ"  # an appendix, not the báo cáo
    assert report_title(vssid()) == "BÁO CÁO TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID – BHXH SỐ"
    assert ws["A4"].value == title and ws["A4"].font.b
    assert ws["A5"].value == "(Kèm theo Báo cáo số …/BC-BHXH ngày 31/3/2021)"
    assert ws["A6"].value == "Tính đến ngày 31/03/2021"
    assert ws["A7"].value.startswith(
        "Thực hiện Công văn số 952/UBND-VX ngày 10/3/2021 của Ủy ban nhân dân Quận 10"
    )
    assert ws["A8"].value == "Chỉ tiêu: 100% công chức, viên chức và người lao động đã cài đặt."
    assert ws["B10"].value == "Tên đơn vị"
    assert ws["D10"].value == "Tổng số (người)"
    assert (ws["E10"].value, ws["E11"].value, ws["F11"].value) == ("Đã cài đặt", "Số người",
                                                                   "Tỷ lệ")  # fmt: skip
    assert (ws["G10"].value, ws["I10"].value) == ("Đang sử dụng", "Chưa cài đặt (người)")
    assert ws["F12"].value == "(6 = 5/4)" and ws["I12"].value == "(9 = 4 − 5)"


def test_summary__recipients_and_signer() -> None:
    ws = read(workbook(sample()))["Tổng hợp"]
    row = find_row(ws, "Nơi nhận:", column=1)
    assert ws.cell(row + 1, 1).value == "- Ủy ban nhân dân Quận 10 (để báo cáo);"
    assert ws.cell(row + 4, 1).value == "- Lưu: VT."
    assert [ws.cell(row + n, 10).value for n in range(3)] == [
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "(Ký tên, đóng dấu)",
    ]  # fmt: skip
    assert ws.cell(row + 7, 10).value == "Trần Thị Thu Hà"
    assert ws.cell(row, 3).value == "NGƯỜI LẬP BIỂU"


def test_summary__groups_in_order_with_heading_units_and_subtotal() -> None:
    ws = read(workbook(sample()))["Tổng hợp"]
    groups = [("I", "PHÒNG, BAN", "Cộng Phòng, ban", 3),
              ("II", "ĐƠN VỊ SỰ NGHIỆP", "Cộng Đơn vị sự nghiệp", 2),
              ("III", "ĐẢNG, ĐOÀN THỂ", "Cộng Đảng, đoàn thể", 2),
              ("IV", "PHƯỜNG", "Cộng Phường", 3)]  # fmt: skip
    previous = 11
    for numeral, heading, subtotal, size in groups:
        top, bottom = find_row(ws, heading), find_row(ws, subtotal)
        assert ws.cell(top, 1).value == numeral
        assert top > previous and bottom == top + size + 1
        assert [ws.cell(r, 1).value for r in range(top + 1, bottom)] == list(range(1, size + 1))
        previous = bottom
    assert find_row(ws, "TỔNG CỘNG") == previous + 1


def test_summary__subtotals_and_total_sum_known_units() -> None:
    ws = read(workbook(sample()))["Tổng hợp"]
    # Phòng Tư pháp's 3 installed are not counted: its headcount is unknown.
    assert values(ws, find_row(ws, "Cộng Phòng, ban")) == [50, 48, 0.96, 43, 0.86, 2]
    assert values(ws, find_row(ws, "Cộng Phường")) == [89, 74, 0.831, 61, 0.685, 15]
    total = find_row(ws, "TỔNG CỘNG")
    assert values(ws, total) == [460, 345, 0.75, 286, 0.622, 115]
    assert ws.cell(total, 11).value == "Chậm"
    assert ws.cell(total, 10).value.startswith("Chưa đăng ký số điện thoại với cơ quan BHXH (36); ")


def test_summary__unit_row__source_reasons_status() -> None:
    ws = read(workbook(sample()))["Tổng hợp"]
    row = find_row(ws, "Phường 15")
    assert ws.cell(row, 3).value == "Danh sách"
    assert values(ws, row) == [31, 18, 0.581, 11, 0.355, 13]
    assert ws.cell(row, 10).value == (
        "Chưa đăng ký số điện thoại với cơ quan BHXH (6); Quên mật khẩu tài khoản VssID (4); "
        "Không muốn cài đặt (2)"
    )
    assert ws.cell(row, 11).value == "Chậm"
    assert ws.cell(find_row(ws, "Trung tâm Y tế Quận 10"), 3).value == "Đơn vị khai báo"
    reached = ws.cell(find_row(ws, "Phường 13"), 11)
    assert reached.value == "Đạt"
    assert reached.fill.fgColor.rgb.endswith("C6EFCE")
    assert ws.cell(find_row(ws, "Phường 1"), 11).value == "Gần đạt"


def test_summary__percentages_are_numbers_with_percent_format() -> None:
    ws = read(workbook(sample()))["Tổng hợp"]
    row = find_row(ws, "Phòng Nội vụ Quận 10")
    for column, expected in ((6, 0.833), (8, 0.75)):
        cell = ws.cell(row, column)
        assert isinstance(cell.value, float)
        assert cell.value == pytest.approx(expected)
        assert cell.number_format == "0.0%"
    assert ws.cell(row, 4).number_format == "#,##0"


def test_summary__unknown_headcount__dash_never_zero() -> None:
    ws = read(workbook(sample()))["Tổng hợp"]
    row = find_row(ws, "Phòng Tư pháp Quận 10")
    assert values(ws, row) == [DASH, 3, DASH, 2, DASH, DASH]
    assert ws.cell(row, 3).value == DASH and ws.cell(row, 11).value == DASH
    notes = [ws.cell(r, 1).value or "" for r in range(find_row(ws, "TỔNG CỘNG"), ws.max_row + 1)]
    assert any("chưa xác định tổng số" in n and "Phòng Tư pháp Quận 10" in n for n in notes)


def test_summary__group_of_unknown_units__subtotal_is_dash() -> None:
    cc = CATEGORIES[0]
    coverage = build([unit("Q10-TP", "Phòng Tư pháp Quận 10", "department", {cc: (None, 3, 2)},
                           source=None)])  # fmt: skip
    ws = read(workbook(coverage))["Tổng hợp"]
    assert values(ws, find_row(ws, "Cộng Phòng, ban")) == [DASH, 0, DASH, 0, DASH, DASH]
    assert values(ws, find_row(ws, "TỔNG CỘNG")) == [DASH, 0, DASH, 0, DASH, DASH]


def test_summary__conditional_colours_against_target() -> None:
    ws = read(workbook(sample()))["Tổng hợp"]
    (ranges,) = [str(r.sqref) for r in ws.conditional_formatting]
    assert ranges == f"F13:F{find_row(ws, 'TỔNG CỘNG')}"
    formulas = [rule.formula[0] for rule in ws.conditional_formatting[ranges]]
    assert formulas == ["AND(ISNUMBER(F13),F13>=1.0)", "AND(ISNUMBER(F13),F13>=0.8)",
                        "ISNUMBER(F13)"]  # fmt: skip


def test_summary__freeze_panes_and_print_setup() -> None:
    ws = read(workbook(sample()))["Tổng hợp"]
    assert ws.freeze_panes == "C13"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    # a scale of its own, not "fit to": Excel ignores manual page breaks on a sheet fit to
    assert 40 <= int(ws.page_setup.scale) <= 100
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$10:$12"
    assert ws.page_margins.left == pytest.approx(0.6)
    assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
    assert ws.column_dimensions["B"].width >= 35
    assert ws.cell(find_row(ws, "Phường 15"), 2).alignment.wrap_text


def test_properties() -> None:
    props = read(workbook(sample())).properties
    assert props.creator == "BẢO HIỂM XÃ HỘI QUẬN 10"
    assert "31/03/2021" in props.title
    assert props.subject == "Cài đặt ứng dụng VssID – BHXH số"


# --- Theo đối tượng -----------------------------------------------------------------------


def test_by_category__per_unit_subtotals_and_totals() -> None:
    ws = read(workbook(sample()))["Theo đối tượng"]
    assert [ws.cell(9, c).value for c in (3, 7, 11)] == ["Công chức", "Viên chức",
                                                         "Người lao động"]  # fmt: skip
    assert [ws.cell(10, c).value for c in (3, 4, 5, 6)] == ["Tổng số", "Đã cài đặt", "Tỷ lệ",
                                                            "Đang sử dụng"]  # fmt: skip
    assert ws["A4"].value == "TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID – BHXH SỐ THEO ĐỐI TƯỢNG"
    assert ws.freeze_panes == "C12"
    row = find_row(ws, "Trung tâm Y tế Quận 10")
    assert values(ws, row, 3, 14) == [0, 0, DASH, 0, 220, 150, 0.682, 120, 40, 20, 0.5, 15]
    assert values(ws, find_row(ws, "Phòng Tư pháp Quận 10"), 3, 6) == [DASH, 3, DASH, 2]
    assert values(ws, find_row(ws, "Cộng Đơn vị sự nghiệp"), 3, 14) == [
        0, 0, DASH, 0, 245, 172, 0.702, 140, 50, 29, 0.58, 22
    ]  # fmt: skip
    total = find_row(ws, "TỔNG CỘNG")
    assert values(ws, total, 3, 6) == [137, 122, 0.891, 109]
    assert ws.cell(total, 5).number_format == "0.0%"
    assert len(list(ws.conditional_formatting)) == 3


# --- Kiểm tra dữ liệu, Danh sách chưa cài đặt, privacy ------------------------------------


def test_checks__without_personal__counts_per_unit_only() -> None:
    ws = read(workbook(sample()))["Kiểm tra dữ liệu"]
    assert ws.cell(find_row(ws, "Phường 1"), 3).value == 2
    assert ws.cell(find_row(ws, "Phòng Nội vụ Quận 10"), 3).value == 1
    unknown = find_row(ws, "Phòng Tư pháp Quận 10")
    assert [ws.cell(unknown, c).value for c in (3, 4)] == ["Phòng, ban", 3]


def test_checks__with_personal__names_and_codes_as_text() -> None:
    ws = read(workbook(sample(), PERSONAL))["Kiểm tra dữ liệu"]
    row = find_row(ws, "Nguyễn Thị Hồng Nhung", column=3)
    assert [ws.cell(row, c).value for c in (2, 4, 5)] == ["Phường 1", "0123456789", "Công chức"]
    assert ws.cell(row, 4).number_format == "@"


def test_not_installed__lists_people_with_status_and_reasons() -> None:
    ws = read(workbook(sample(), PERSONAL))["Danh sách chưa cài đặt"]
    row = find_row(ws, "Võ Văn Tâm", column=3)
    assert [ws.cell(row, c).value for c in range(1, 8)] == [
        2, "Phường 15", "Võ Văn Tâm", "0309876543", "Người lao động",
        "Không có điện thoại thông minh", "Không có điện thoại thông minh; Lý do khác",
    ]  # fmt: skip
    assert ws.cell(row, 4).number_format == "@"
    head = find_row(ws, "Họ và tên", column=3)
    assert [ws.cell(head, c).value for c in (4, 6, 7)] == ["Mã số BHXH", "Tình trạng",
                                                           "Lý do chưa cài đặt"]  # fmt: skip
    assert ws.cell(find_row(ws, "Đặng Quốc Huy", column=3), 6).value == "Chưa có phiếu ghi nhận"
    assert ws.auto_filter.ref.startswith("A")
    assert ws.page_setup.orientation == "landscape"


def _every_text(data: bytes) -> str:
    """Every cell of every sheet, and every XML part (properties, headers, shared strings)."""
    book = read(data)
    cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [z.read(name).decode("utf-8") for name in z.namelist()]
    return "\n".join(cells + parts)


def test_privacy__without_personal__no_name_or_bhxh_code_anywhere() -> None:
    text = _every_text(workbook(sample()))
    assert [s for s in SECRETS if s in text] == []


def test_privacy__with_personal__names_and_codes_present() -> None:
    text = _every_text(workbook(sample(), PERSONAL))
    assert [s for s in SECRETS if s not in text] == []


def test_district10__every_unit_once() -> None:
    coverage = district10()
    ws = read(workbook(coverage))["Tổng hợp"]
    names = [ws.cell(r, 2).value for r in range(12, ws.max_row + 1)]
    assert all(names.count(u.name_vi) == 1 for u in coverage.units)
    assert len(coverage.units) == 48


# --- LibreOffice --------------------------------------------------------------------------

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(OFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice__converts_to_pdf(tmp_path: Path) -> None:
    source = tmp_path / "bao-cao.xlsx"
    source.write_bytes(workbook(district10(), PERSONAL))
    subprocess.run(
        [str(OFFICE), "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.exists()
    assert pdf.read_bytes().startswith(b"%PDF")


def test_not_installed__says_how_many_more_are_counted_but_cannot_be_named() -> None:
    report = district10()
    named, unnamed, units = not_done_split(report)
    assert unnamed > 0 and named + unnamed == report.total.counts.not_done
    book = read(workbook(report, PERSONAL))
    ws = book["Danh sách chưa cài đặt"]
    texts = [str(c.value) for row in ws.iter_rows(max_row=15) for c in row if c.value]
    assert (
        f"Danh sách gồm {len(PERSONAL)} người chưa cài đặt ở các đơn vị đã nạp danh sách. "
        f"Ngoài ra còn {unnamed} người chưa cài đặt ở {units} đơn vị chưa nạp danh sách"
    ) in " ".join(texts)
    notes = " ".join(str(c.value) for row in book["Tổng hợp"].iter_rows() for c in row if c.value)
    assert f"gồm {named} người ở các đơn vị đã nạp danh sách" in notes
