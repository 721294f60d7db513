"""The Excel report and the charts follow the campaign: its words, its levels, its categories.

Three campaigns built by hand (no database): one like VssID (a further level, three
categories, reasons), one like VNeID (no further level, a 12-digit CCCD) and one like the
residents' outreach (one category, a level, counts only). Each workbook is read back with
openpyxl.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from datetime import date
from typing import Any

import openpyxl
import pytest

from ingest.campaigns.definition import (
    Campaign,
    Category,
    Level,
    PersonFields,
    ReportHeader,
    UnitReportFields,
)
from reports import charts
from reports.excel import SHEETS, workbook
from reports.model import (
    Counts,
    Coverage,
    Finding,
    Thresholds,
    UnitCoverage,
    category_rollup,
    rollup,
)
from reports.wording import PERSONAL_SHEET, personal_sheet

AS_OF = date(2021, 3, 5)
STAFF = (
    Category("cong_chuc", {"vi": "Công chức", "en": "Civil servants"}),
    Category("vien_chuc", {"vi": "Viên chức", "en": "Public employees"}),
    Category("nguoi_lao_dong", {"vi": "Người lao động", "en": "Employees"}),
)
RECIPIENTS = ("Ủy ban nhân dân Quận 10 (để báo cáo)", "Lưu: VT")

VSSID = Campaign(
    id="vssid",
    title={"vi": "Cài đặt ứng dụng VssID – BHXH số", "en": "VssID installation"},
    forms=("vssid_install",),
    categories=STAFF,
    done=Level("installed", frozenset({"installed_no_account", "account_active"}),
               {"vi": "Đã cài đặt", "en": "Installed"},
               {"vi": "Chưa cài đặt", "en": "Not installed"}),
    levels=(Level("active", frozenset({"account_active"}),
                  {"vi": "Đang sử dụng", "en": "Active"}),),
    person=PersonFields(identifier="bhxh_code", outcome="status", reasons="reasons"),
    identifier_label={"vi": "Mã số BHXH", "en": "Social insurance number"},
    outcome_labels={"not_installed": {"vi": "Có điện thoại, chưa cài đặt"},
                    "no_smartphone": {"vi": "Không có điện thoại thông minh"}},
    reason_labels={"forgot_password": {"vi": "Quên mật khẩu tài khoản VssID"},
                   "no_smartphone": {"vi": "Không có điện thoại thông minh"},
                   "other": {"vi": "Lý do khác"}},
    report=ReportHeader(
        parent_agency="BẢO HIỂM XÃ HỘI TP. HỒ CHÍ MINH",
        agency="BẢO HIỂM XÃ HỘI QUẬN 10",
        number="952/UBND-VX",
        place="Quận 10",
        letter_date=date(2021, 3, 10),
        title={"vi": "BÁO CÁO TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID – BHXH SỐ"},
        legal_basis=("Thực hiện Công văn số 952/UBND-VX ngày 10/3/2021 của Ủy ban nhân dân "
                     "Quận 10",),
        recipients=RECIPIENTS,
        signer_title="GIÁM ĐỐC",
        signer_name="Nguyễn Văn An",
    ),
)  # fmt: skip

VNEID = Campaign(
    id="vneid",
    title={"vi": "Kích hoạt tài khoản định danh điện tử mức 2", "en": "Level-2 e-identity"},
    forms=("vneid_level2",),
    categories=STAFF,
    done=Level("activated", frozenset({"activated_level2"}),
               {"vi": "Đã kích hoạt mức 2", "en": "Activated"},
               {"vi": "Chưa kích hoạt mức 2", "en": "Not activated"}),
    person=PersonFields(identifier="cccd", outcome="vneid_status", reasons="reasons"),
    identifier_label={"vi": "Số CCCD", "en": "Citizen ID number"},
    outcome_labels={"pending_level2": {"vi": "Đã nộp hồ sơ mức 2, chờ duyệt"},
                    "not_registered": {"vi": "Chưa đăng ký"}},
    reason_labels={"no_chip_card": {"vi": "Chưa có CCCD gắn chip"}},
    report=ReportHeader(
        parent_agency="ỦY BAN NHÂN DÂN TP. HỒ CHÍ MINH",
        agency="ỦY BAN NHÂN DÂN QUẬN 10",
        place="Quận 10",
        title={"vi": "BÁO CÁO TIẾN ĐỘ KÍCH HOẠT TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2"},
        legal_basis=("Căn cứ Nghị định số 59/2022/NĐ-CP ngày 05/9/2022 của Chính phủ",
                     "Thực hiện Đề án 06 của Chính phủ"),
        recipients=("Công an Quận 10", "Lưu: VP"),
        signer_title="CHỦ TỊCH",
        signer_name="Trần Thị Bình",
    ),
)  # fmt: skip

RESIDENTS = Campaign(
    id="vssid_residents",
    title={"vi": "Hỗ trợ người dân cài đặt VssID", "en": "Residents"},
    forms=("vssid_outreach",),
    categories=(Category("resident", {"vi": "Người dân", "en": "Residents"}),),
    done=Level("reached", frozenset(), {"vi": "Đã tiếp cận", "en": "Reached"},
               {"vi": "Chưa tiếp cận", "en": "Not reached"}),
    levels=(Level("helped", frozenset(), {"vi": "Đã hỗ trợ cài đặt", "en": "Helped"}),),
    unit_report=UnitReportFields(mode="sum", done="reached_{category}",
                                 levels={"helped": "helped_{category}"}),
    denominators="file",
    report=ReportHeader(
        agency="BẢO HIỂM XÃ HỘI QUẬN 10",
        place="Quận 10",
        title={"vi": "BÁO CÁO TIẾN ĐỘ TIẾP CẬN NGƯỜI DÂN"},
        legal_basis=("Thực hiện Công văn số 952/UBND-VX",),
        recipients=("Ủy ban nhân dân Quận 10",),
        signer_title="GIÁM ĐỐC",
    ),
)  # fmt: skip

#: Per unit: code, name, kind, {category: (denominator, done, further level)}, source, reasons.
UNITS: list[tuple[str, str, str, dict[int, tuple[int | None, int, int]], str | None,
                  dict[str, int]]] = [
    ("Q10-NV", "Phòng Nội vụ Quận 10", "department", {0: (12, 10, 9)}, "roster",
     {"forgot_password": 2}),
    ("Q10-TP", "Phòng Tư pháp Quận 10", "department", {0: (None, 3, 2)}, None, {}),
    ("Q10-TTYT", "Trung tâm Y tế Quận 10", "public_service", {1: (220, 150, 120),
     2: (40, 20, 15)}, "declared", {"no_smartphone": 12, "other": 3}),
    ("27184", "Phường 1", "ward", {0: (22, 21, 18), 2: (6, 5, 3)}, "roster", {}),
]  # fmt: skip


def coverage(campaign: Campaign, findings: tuple[Finding, ...] = ()) -> Coverage:
    """The sample units counted in ``campaign``'s categories, summed as the model sums."""
    thresholds = Thresholds.of(campaign)
    level = campaign.level_keys[:1]
    rows = []
    for code, name, kind, cats, source, reasons in UNITS:
        categories = {}
        for n, category in enumerate(campaign.category_keys):
            den, done, further = cats.get(n, (None if source is None else 0, 0, 0))
            categories[category] = Counts(den, done, dict.fromkeys(level, further))
        known = [c.denominator for c in categories.values() if c.denominator is not None]
        total = Counts(
            sum(known) if source is not None else None,
            sum(c.done for c in categories.values()),
            {k: sum(c.level(k) for c in categories.values()) for k in level},
        )
        rows.append(UnitCoverage(code, name, code, kind, None, source, total, categories,
                                 thresholds.progress(total.done_pct),
                                 reasons if campaign.person else {}))  # fmt: skip
    kinds = dict.fromkeys(u.kind for u in rows)
    return Coverage(
        campaign=campaign,
        as_of=AS_OF,
        thresholds=thresholds,
        units=tuple(rows),
        kinds=tuple(rollup(k, [u for u in rows if u.kind == k], thresholds) for k in kinds),
        categories=tuple(category_rollup(c, rows, thresholds) for c in campaign.category_keys),
        total=rollup("total", rows, thresholds),
        findings=findings,
        finding_counts=dict(Counter(f.unit_code for f in findings)),
    )


def personal(campaign: Campaign) -> list[dict[str, Any]]:
    """Who is not done, as ``reports.queries.not_done`` yields them (plus the unit)."""
    field = campaign.person.identifier if campaign.person else "person_key"
    code = "012345678901" if campaign is VNEID else "0201234567"
    outcome = next(iter(campaign.outcome_labels), None)
    return [
        {"person_key": code, field: code, "full_name": "Phạm Thị Thu Trang",
         "category": "nguoi_lao_dong", "outcome": outcome,
         "reasons": list(campaign.reason_labels)[:2], "unit_code": "27184",
         "unit_name": "Phường 1"},
        {"person_key": "0309876543", field: "0309876543", "full_name": "Võ Văn Tâm",
         "category": "cong_chuc", "outcome": None, "reasons": [], "unit_code": "Q10-NV"},
    ]  # fmt: skip


FINDING = Finding("not_on_roster", "27184", "0123456789", "Nguyễn Thị Hồng Nhung", "cong_chuc")


def read(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def find(ws: Any, text: str, column: int | None = None) -> tuple[int, int]:
    """The one cell holding ``text`` (in ``column``, if given)."""
    hits = [
        (c.row, c.column)
        for row in ws.iter_rows()
        for c in row
        if c.value == text and (column is None or c.column == column)
    ]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def header_row(ws: Any) -> list[Any]:
    row, _ = find(ws, "Tên đơn vị", 2)
    return [ws.cell(row, c).value for c in range(1, ws.max_column + 1)]


def every_text(data: bytes) -> str:
    """Every cell of every sheet, and every XML part (properties, headers, shared strings)."""
    book = read(data)
    cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [z.read(name).decode("utf-8") for name in z.namelist()]
    return "\n".join(cells + parts)


# --- the heading and the closing are the campaign's ---------------------------------------


@pytest.mark.parametrize("campaign", [VSSID, VNEID, RESIDENTS], ids=lambda c: c.id)
def test_heading__agency_title_place_date_and_legal_basis(campaign: Campaign) -> None:
    ws = read(workbook(coverage(campaign)))["Tổng hợp"]
    report = campaign.report
    agencies = [a for a in (report.parent_agency, report.agency) if a]
    assert [ws.cell(r, 1).value for r in range(1, len(agencies) + 1)] == agencies
    assert ws.cell(len(agencies), 1).font.b  # the issuing agency is bold
    assert find(ws, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")[0] == 1
    assert find(ws, "Quận 10, ngày 05 tháng 3 năm 2021")[0] == 3
    number = report.report_number  # "…/BC-BHXH", or none in this definition
    assert ws["A3"].value == (f"Số: {number}" if number else None)
    assert ws["A4"].value == "PHỤ LỤC\n" + report.title["vi"].removeprefix("BÁO CÁO ")
    attached = f"Báo cáo số {number}" if number else "báo cáo"
    assert ws["A5"].value == f"(Kèm theo {attached} ngày 5/3/2021)"
    assert ws["A6"].value == "Tính đến ngày 05/03/2021"
    for n, basis in enumerate(report.legal_basis, start=7):
        assert ws.cell(n, 1).value == basis
    target = ws.cell(7 + len(report.legal_basis), 1).value
    assert target.startswith("Chỉ tiêu: 100% ")
    assert target.endswith(campaign.done.label["vi"].lower() + ".")


@pytest.mark.parametrize("campaign", [VSSID, VNEID, RESIDENTS], ids=lambda c: c.id)
def test_closing__recipients_preparer_and_signer(campaign: Campaign) -> None:
    ws = read(workbook(coverage(campaign)))["Tổng hợp"]
    report = campaign.report
    row, column = find(ws, "Nơi nhận:")
    assert column == 1
    items = [ws.cell(row + n, 1).value for n in range(1, len(report.recipients) + 1)]
    assert items == [f"- {r};" for r in report.recipients[:-1]] + [f"- {report.recipients[-1]}."]
    signer_row, signer_column = find(ws, report.signer_title)
    authority = 1 if report.signer_authority else 0  # "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC"
    assert signer_row == row + authority and signer_column > 2
    if authority:
        assert ws.cell(row, signer_column).value == report.signer_authority
    assert ws.cell(signer_row + 1, signer_column).value == "(Ký tên, đóng dấu)"
    if report.signer_name:
        assert find(ws, report.signer_name) == (signer_row + 6, signer_column)
    _row, preparer_column = find(ws, "NGƯỜI LẬP BIỂU")
    assert 1 < preparer_column < signer_column


@pytest.mark.parametrize("campaign", [VSSID, VNEID, RESIDENTS], ids=lambda c: c.id)
def test_properties__from_the_campaign(campaign: Campaign) -> None:
    props = read(workbook(coverage(campaign))).properties
    assert props.title == f"{campaign.report.title['vi']} – tính đến ngày 05/03/2021"
    assert props.subject == campaign.title["vi"]
    assert props.creator == campaign.report.agency
    assert campaign.title["vi"] in props.keywords
    assert props.description == "\n".join(campaign.report.legal_basis)


# --- columns follow the levels ------------------------------------------------------------


def test_summary__vssid__done_and_one_level() -> None:
    ws = read(workbook(coverage(VSSID)))["Tổng hợp"]
    assert header_row(ws) == [
        "STT", "Tên đơn vị", "Nguồn số liệu", "Tổng số (người)", "Đã cài đặt", None,
        "Đang sử dụng", None, "Chưa cài đặt (người)", "Lý do chủ yếu chưa cài đặt (số người)",
        "Đánh giá",
    ]  # fmt: skip
    row, _ = find(ws, "Tên đơn vị", 2)
    assert [ws.cell(row + 1, c).value for c in range(5, 9)] == ["Số người", "Tỷ lệ"] * 2
    assert [ws.cell(row + 2, c).value for c in range(1, 12)] == [
        "(1)", "(2)", "(3)", "(4)", "(5)", "(6 = 5/4)", "(7)", "(8 = 7/4)", "(9 = 4 − 5)",
        "(10)", "(11)",
    ]  # fmt: skip
    nv, _ = find(ws, "Phòng Nội vụ Quận 10", 2)
    assert [ws.cell(nv, c).value for c in range(4, 12)] == [
        12, 10, pytest.approx(0.833), 9, 0.75, 2, "Quên mật khẩu tài khoản VssID (2)", "Gần đạt"
    ]  # fmt: skip
    assert ws.cell(nv, 6).number_format == "0.0%"
    (ranges,) = [str(r.sqref) for r in ws.conditional_formatting]
    assert ranges.startswith("F")
    assert ws.freeze_panes == f"C{row + 3}"
    assert ws.print_title_rows == f"${row}:${row + 2}"


def test_summary__vneid__no_level_no_pair() -> None:
    ws = read(workbook(coverage(VNEID)))["Tổng hợp"]
    assert header_row(ws) == [
        "STT", "Tên đơn vị", "Nguồn số liệu", "Tổng số (người)", "Đã kích hoạt mức 2", None,
        "Chưa kích hoạt mức 2 (người)", "Lý do chủ yếu chưa kích hoạt mức 2 (số người)",
        "Đánh giá",
    ]  # fmt: skip
    row, _ = find(ws, "Tên đơn vị", 2)
    assert [ws.cell(row + 2, c).value for c in range(1, 10)] == [
        "(1)", "(2)", "(3)", "(4)", "(5)", "(6 = 5/4)", "(7 = 4 − 5)", "(8)", "(9)"
    ]  # fmt: skip
    total, _ = find(ws, "TỔNG CỘNG", 2)
    # Phòng Tư pháp's headcount is unknown: neither its 3 nor its people count.
    assert [ws.cell(total, c).value for c in (4, 5, 7)] == [300, 206, 94]
    assert ws.cell(total, 9).value == "Chậm"


def test_summary__residents__one_level_no_reasons() -> None:
    ws = read(workbook(coverage(RESIDENTS)))["Tổng hợp"]
    assert header_row(ws) == [
        "STT", "Tên đơn vị", "Nguồn số liệu", "Tổng số (người)", "Đã tiếp cận", None,
        "Đã hỗ trợ cài đặt", None, "Chưa tiếp cận (người)", "Đánh giá",
    ]  # fmt: skip
    notes = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "tổng số người dân của đơn vị" in notes
    assert "cộng các báo cáo của đơn vị" in notes  # a summed unit report, not the latest


@pytest.mark.parametrize(
    ("campaign", "first_columns"),
    [(VSSID, [3, 7, 11]), (VNEID, [3, 6, 9]), (RESIDENTS, [3])],
    ids=["vssid", "vneid", "residents"],
)
def test_by_category__one_block_per_category(campaign: Campaign, first_columns: list[int]) -> None:
    ws = read(workbook(coverage(campaign)))["Theo đối tượng"]
    row, _ = find(ws, "Tên đơn vị", 2)
    labels = [c.label["vi"] for c in campaign.categories]
    assert [ws.cell(row, c).value for c in first_columns] == labels
    per = 3 + len(campaign.levels)
    assert ws.max_column == 2 + per * len(labels)
    subs = [
        "Tổng số",
        campaign.done.label["vi"],
        "Tỷ lệ",
        *(lv.label["vi"] for lv in campaign.levels),
    ]
    assert [ws.cell(row + 1, c).value for c in range(3, 3 + per)] == subs
    assert len(list(ws.conditional_formatting)) == len(labels)
    title = campaign.report.title["vi"].removeprefix("BÁO CÁO ")
    assert ws["A4"].value == f"{title} THEO ĐỐI TƯỢNG"


# --- personal data: the identifier's label, text cells, outcome and reason labels --------


def test_personal__vssid__sheet_identifier_outcome_and_reasons() -> None:
    book = read(workbook(coverage(VSSID, (FINDING,)), personal(VSSID)))
    assert book.sheetnames == [*SHEETS, "Danh sách chưa cài đặt"]
    ws = book["Danh sách chưa cài đặt"]
    row, _ = find(ws, "Phạm Thị Thu Trang", 3)
    assert [ws.cell(row, c).value for c in range(1, 8)] == [
        1, "Phường 1", "Phạm Thị Thu Trang", "0201234567", "Người lao động",
        "Có điện thoại, chưa cài đặt",
        "Quên mật khẩu tài khoản VssID; Không có điện thoại thông minh",
    ]  # fmt: skip
    assert ws.cell(row, 4).data_type == "s" and ws.cell(row, 4).number_format == "@"
    head, _ = find(ws, "Họ và tên", 3)
    assert [ws.cell(head, c).value for c in (4, 7)] == ["Mã số BHXH", "Lý do chưa cài đặt"]
    assert ws.cell(row + 1, 6).value == "Chưa có phiếu ghi nhận"
    assert ws.cell(row + 1, 2).value == "Phòng Nội vụ Quận 10"
    checks = book["Kiểm tra dữ liệu"]
    found, _ = find(checks, "Nguyễn Thị Hồng Nhung", 3)
    assert [checks.cell(found, c).value for c in (2, 4, 5)] == ["Phường 1", "0123456789",
                                                                 "Công chức"]  # fmt: skip
    assert checks.cell(found, 4).number_format == "@"
    assert checks.cell(find(checks, "Họ và tên", 3)[0], 4).value == "Mã số BHXH"


def test_personal__vneid__cccd_text_with_its_label() -> None:
    book = read(workbook(coverage(VNEID), personal(VNEID)))
    assert book.sheetnames[-1] == "Danh sách chưa kích hoạt mức 2"
    ws = book["Danh sách chưa kích hoạt mức 2"]
    row, _ = find(ws, "Phạm Thị Thu Trang", 3)
    cell = ws.cell(row, 4)
    assert (cell.value, cell.data_type, cell.number_format) == ("012345678901", "s", "@")
    assert ws.cell(find(ws, "Họ và tên", 3)[0], 4).value == "Số CCCD"
    assert ws.cell(row, 6).value == "Đã nộp hồ sơ mức 2, chờ duyệt"
    assert ws.cell(row, 7).value == "Chưa có CCCD gắn chip"


def test_personal__residents__no_personal_sheet_without_persons() -> None:
    assert read(workbook(coverage(RESIDENTS), [])).sheetnames == list(SHEETS)


def test_personal_sheet__falls_back_when_too_long_or_invalid() -> None:
    long = Level("done", frozenset(), {"vi": "Xong"},
                 {"vi": "Chưa hoàn thành toàn bộ các bước đăng ký"})  # fmt: skip
    slash = Level("done", frozenset(), {"vi": "Xong"}, {"vi": "Chưa nộp/duyệt"})
    for level in (long, slash):
        campaign = Campaign("x", {"vi": "X"}, (), STAFF, level)
        assert personal_sheet(campaign, SHEETS) == PERSONAL_SHEET
    assert personal_sheet(VSSID, SHEETS) == "Danh sách chưa cài đặt"


# --- no word of another campaign -----------------------------------------------------------


def test_vneid__no_vssid_word_anywhere() -> None:
    text = every_text(workbook(coverage(VNEID, (FINDING,)), personal(VNEID)))
    for word in ("VssID", "BHXH", "cài đặt", "CC-VC-NLĐ", "Đang sử dụng"):
        assert word not in text, word
    assert "Đã kích hoạt mức 2" in text and "Số CCCD" in text


def test_privacy__without_personal__no_name_or_identifier() -> None:
    text = every_text(workbook(coverage(VSSID, (FINDING,))))
    for secret in ("Nguyễn Thị Hồng Nhung", "0123456789", "Mã số BHXH"):
        assert secret not in text


# --- charts -------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: bytes) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_charts__vneid__labels_from_the_campaign() -> None:
    labels = texts(charts.coverage_by_unit(coverage(VNEID), "svg"))
    assert "Tỷ lệ đã kích hoạt mức 2 (%)" in labels
    assert any(t.startswith("Kích hoạt tài khoản định danh điện tử mức 2: tỷ lệ") for t in labels)
    points = [(date(2021, 3, 1), Counts(100, 40)), (date(2021, 3, 2), Counts(100, 55))]
    trend = texts(charts.trend(VNEID, points, format="svg"))
    assert "Đã kích hoạt mức 2 (%)" in trend and "55,0%" in trend
    assert not [t for t in labels + trend if "VssID" in t or "cài đặt" in t]


def test_charts__trend__one_line_per_level() -> None:
    points = [(date(2021, 3, 1), Counts(200, 80, {"active": 50})),
              (date(2021, 3, 2), Counts(None, 0)),
              (date(2021, 3, 3), Counts(200, 120, {"active": 90}))]  # fmt: skip
    labels = texts(charts.trend(VSSID, points, format="svg"))
    assert {"Đã cài đặt (%)", "Đang sử dụng (%)", "60,0%", "45,0%"} <= set(labels)
    assert any("từ 01/03/2021 đến 03/03/2021" in t for t in labels)
