"""The coverage report as an Excel workbook that BHXH Quận 10 hands to the district committee.

Sheets: ``Tổng hợp`` (per unit, grouped by kind, with subtotals and the district total),
``Theo đối tượng`` (the same per staff category), ``Kiểm tra dữ liệu`` (data-quality findings
and units whose headcount is unknown) and, only when the caller may see personal data,
``Danh sách chưa cài đặt`` (who on the rosters has not installed). Without ``personal`` the
workbook holds no name and no BHXH code: findings are counted per unit.

Percentages are numbers (fractions with the ``0.0%`` format), so the committee can sort and
sum; an unknown denominator is "—", never 0. Written with openpyxl, already a dependency for
reading rosters; the report is a few hundred rows, where its speed does not matter.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from reports.export import CATEGORY_NAMES, KIND_NAMES, SOURCE_NAMES, STATUS_NAMES
from reports.model import CATEGORIES, KINDS, Counts, Coverage, Rollup, Thresholds, UnitCoverage

SHEETS = ("Tổng hợp", "Theo đối tượng", "Kiểm tra dữ liệu", "Danh sách chưa cài đặt")
AGENCY = ("BẢO HIỂM XÃ HỘI TP. HỒ CHÍ MINH", "BẢO HIỂM XÃ HỘI QUẬN 10")
NATION = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
TITLE = "BÁO CÁO TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID – BHXH SỐ"
DIRECTIVE = "Thực hiện Công văn số 952/UBND-VX ngày 10/3/2021 của Ủy ban nhân dân Quận 10"
REASON_NAMES = {
    "no_smartphone": "Không có điện thoại thông minh",
    "phone_unsupported": "Điện thoại không cài được ứng dụng",
    "no_registered_phone": "Chưa đăng ký số điện thoại với BHXH",
    "forgot_password": "Quên mật khẩu",
    "pending_approval": "Chờ BHXH duyệt tài khoản",
    "declined": "Không muốn cài đặt",
    "other": "Lý do khác",
}
PERSON_STATUS_NAMES = {
    "no_smartphone": "Không có điện thoại thông minh",
    "not_installed": "Có điện thoại, chưa cài đặt",
    "installed_no_account": "Đã cài đặt, chưa đăng ký tài khoản",
    "registered_pending": "Đã đăng ký, chờ BHXH duyệt",
    "account_active": "Đã có tài khoản",
    None: "Chưa có phiếu ghi nhận",
}
DASH = "—"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
FONT = "Times New Roman"  # the font of Vietnamese administrative documents (Nghị định 30/2020)
FILL = {"header": "DDEBF7", "group": "F2F2F2", "subtotal": "EDEDED", "total": "D9D9D9"}
#: Excel's own "Good", "Neutral" and "Bad" colours: (fill, font).
STATUS_COLOURS = {
    "reached": ("C6EFCE", "006100"),
    "on_track": ("FFEB9C", "9C5700"),
    "lagging": ("FFC7CE", "9C0006"),
}
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: How a column's cells are aligned and formatted, by the kind of value in it.
ALIGN = {"stt": "center", "text": "left", "center": "center", "count": "right", "pct": "right"}
NUMBER_FORMAT = {"count": "#,##0", "pct": "0.0%"}

Header = Sequence[tuple[str, Sequence[str]]]  # top labels, each over its sub-labels (or none)
Cell = int | float | str | None


def workbook(coverage: Coverage, personal: list[dict[str, Any]] | None = None) -> bytes:
    """The report as .xlsx bytes; ``personal`` (who has not installed) adds names and codes."""
    book = Workbook()
    _summary(book.active, coverage)
    _by_category(book.create_sheet(SHEETS[1]), coverage)
    _checks(book.create_sheet(SHEETS[2]), coverage, personal is not None)
    if personal is not None:
        _not_installed(book.create_sheet(SHEETS[3]), coverage, personal)
    props = book.properties
    props.title = f"{TITLE} – tính đến ngày {_day(coverage.as_of)}"
    props.subject = "Tiến độ cài đặt ứng dụng VssID của công chức, viên chức, người lao động"
    props.creator = props.lastModifiedBy = "BHXH Quận 10"
    props.keywords = "VssID; BHXH số; Quận 10"
    props.description = DIRECTIVE
    props.language = "vi-VN"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the sheets ---------------------------------------------------------------------------

SUMMARY_HEADER: Header = (
    ("STT", ()),
    ("Tên đơn vị", ()),
    ("Nguồn số liệu", ()),
    ("Tổng số CC-VC-NLĐ (người)", ()),
    ("Đã cài đặt ứng dụng", ("Số người", "Tỷ lệ")),
    ("Đã có tài khoản, đang sử dụng", ("Số người", "Tỷ lệ")),
    ("Chưa cài đặt (người)", ()),
    ("Lý do chủ yếu chưa cài đặt (số người)", ()),
    ("Đánh giá", ()),
)
SUMMARY_NUMBERS = ("1", "2", "3", "4", "5", "6 = 5/4", "7", "8 = 7/4", "9 = 4 − 5", "10", "11")
SUMMARY_KINDS = ("stt", "text", "center", "count", "count", "pct", "count", "pct", "count",
                 "text", "center")  # fmt: skip
SUMMARY_WIDTHS = (5, 40, 12, 11, 9, 8.5, 9, 8.5, 9, 42, 9)


def _summary(ws: Any, coverage: Coverage) -> None:
    ws.title = SHEETS[0]
    _widths(ws, SUMMARY_WIDTHS)
    row = _title(ws, coverage, TITLE, (3, 8, len(SUMMARY_WIDTHS)))
    head, row = row, _header(ws, row, SUMMARY_HEADER, SUMMARY_NUMBERS)
    first = row
    for numeral, kind, units, rollup in _groups(coverage):
        _row(ws, row, [numeral, KIND_NAMES[kind][0].upper(), *[None] * 9], SUMMARY_KINDS,
             bold=True, fill=FILL["group"])  # fmt: skip
        row += 1
        for n, unit in enumerate(units, start=1):
            source = SOURCE_NAMES.get(unit.source, (unit.source or DASH,))[0]
            values = [n, unit.name_vi, source, *_counts(unit.total), _reasons(unit.reasons)]
            _row(ws, row, [*values, _status_name(unit.status)], SUMMARY_KINDS)
            _paint_status(ws.cell(row, 11), unit.status)
            row += 1
        _total_row(ws, row, f"Cộng {KIND_NAMES[kind][0]}", rollup, units, FILL["subtotal"])
        row += 1
    _total_row(ws, row, "TỔNG CỘNG", coverage.total, coverage.units, FILL["total"])
    _colour_percentages(ws, ["F"], first, row, coverage.thresholds)
    ws.freeze_panes = f"C{first}"
    row = _summary_notes(ws, row + 2, coverage)
    _signatures(ws, row + 1, (2, 10))
    _print_setup(ws, coverage.as_of, title_rows=(head, first - 1), landscape=True)


def _total_row(
    ws: Any, row: int, label: str, rollup: Rollup, units: Iterable[UnitCoverage], fill: str
) -> None:
    reasons: Counter[str] = Counter()
    for unit in units:
        reasons.update(unit.reasons)
    known = len(rollup.units_unknown) < rollup.units
    values = [None, label, None, *_counts(rollup.counts, known), _reasons(reasons)]
    _row(ws, row, [*values, _status_name(rollup.status)], SUMMARY_KINDS, bold=True, fill=fill)
    _paint_status(ws.cell(row, 11), rollup.status)


def _summary_notes(ws: Any, row: int, coverage: Coverage) -> int:
    t = coverage.thresholds
    names = {u.code: u.name_vi for u in coverage.units}
    unknown = coverage.total.units_unknown
    notes = [
        "Tỷ lệ = số người ÷ tổng số CC-VC-NLĐ của đơn vị. Cộng và Tổng cộng chỉ tính các đơn vị "
        "đã xác định tổng số.",
        "Nguồn số liệu: Danh sách = danh sách CC-VC-NLĐ đã nạp; Đơn vị khai báo = tổng số do "
        "đơn vị khai báo; Báo cáo đơn vị = báo cáo tổng hợp gần nhất của đơn vị.",
        f"Đánh giá: Đạt từ {_pct(t.target)} trở lên; Gần đạt từ {_pct(t.on_track)} đến dưới "
        f"{_pct(t.target)}; Chậm dưới {_pct(t.on_track)}.",
    ]
    if unknown:
        notes.append(
            f"Đơn vị chưa xác định tổng số CC-VC-NLĐ ({len(unknown)}), ghi “{DASH}” và không tính "
            "vào Cộng, Tổng cộng: " + "; ".join(names.get(c, c) for c in unknown) + "."
        )
    if coverage.findings_total:
        notes.append(
            f"Có {coverage.findings_total} người đã cài đặt nhưng không có trong danh sách của "
            f"đơn vị: xem sheet “{SHEETS[2]}”."
        )
    _text(ws, row, "Ghi chú:", bold=True, italic=True)
    for note in notes:
        row += 1
        _merged_text(ws, row, f"- {note}", len(SUMMARY_WIDTHS), italic=True)
    return row + 1


BY_CATEGORY_SUBS = ("Tổng số", "Đã cài đặt", "Tỷ lệ", "Đang sử dụng")
BY_CATEGORY_KINDS = ("stt", "text", *("count", "count", "pct", "count") * len(CATEGORIES))
BY_CATEGORY_WIDTHS = (5, 38, *(9, 9, 8, 9) * len(CATEGORIES))


def _by_category(ws: Any, coverage: Coverage) -> None:
    _widths(ws, BY_CATEGORY_WIDTHS)
    title = "TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID THEO ĐỐI TƯỢNG"
    row = _title(ws, coverage, title, (2, 8, len(BY_CATEGORY_WIDTHS)))
    header: list[tuple[str, Sequence[str]]] = [("STT", ()), ("Tên đơn vị", ())]
    header += [(CATEGORY_NAMES[c][0], BY_CATEGORY_SUBS) for c in CATEGORIES]
    head, row = row, _header(ws, row, header)
    first = row
    for numeral, kind, units, _rollup in _groups(coverage):
        _row(ws, row, [numeral, KIND_NAMES[kind][0].upper(), *[None] * 12], BY_CATEGORY_KINDS,
             bold=True, fill=FILL["group"])  # fmt: skip
        row += 1
        for n, unit in enumerate(units, start=1):
            values = [n, unit.name_vi, *_category_counts(unit.categories)]
            _row(ws, row, values, BY_CATEGORY_KINDS)
            row += 1
        sums = {c: sum((u.categories[c] for u in units), Counts(0)) for c in CATEGORIES}
        known = {c: any(u.categories[c].denominator is not None for u in units) for c in CATEGORIES}
        values = [None, f"Cộng {KIND_NAMES[kind][0]}", *_category_counts(sums, known)]
        _row(ws, row, values, BY_CATEGORY_KINDS, bold=True, fill=FILL["subtotal"])
        row += 1
    totals = {r.key: r.counts for r in coverage.categories}
    known = {r.key: len(r.units_unknown) < r.units for r in coverage.categories}
    values = [None, "TỔNG CỘNG", *_category_counts(totals, known)]
    _row(ws, row, values, BY_CATEGORY_KINDS, bold=True, fill=FILL["total"])
    columns = [get_column_letter(3 + 4 * i + 2) for i in range(len(CATEGORIES))]
    _colour_percentages(ws, columns, first, row, coverage.thresholds)
    ws.freeze_panes = f"C{first}"
    note = (
        f"Ghi chú: tổng số {DASH} là đơn vị chưa xác định tổng số theo đối tượng; Cộng và "
        "Tổng cộng chỉ tính các đơn vị đã xác định tổng số."
    )
    _merged_text(ws, row + 2, note, len(BY_CATEGORY_WIDTHS), italic=True)
    _print_setup(ws, coverage.as_of, title_rows=(head, first - 1), landscape=True)


def _checks(ws: Any, coverage: Coverage, personal: bool) -> None:
    _widths(ws, (6, 42, 26, 16, 16))
    row = _title(ws, coverage, "KIỂM TRA DỮ LIỆU", (2, 3, 5)) - 1
    names = {u.code: u.name_vi for u in coverage.units}
    _text(ws, row, "1. Người đã cài đặt nhưng không có trong danh sách CC-VC-NLĐ của đơn vị",
          bold=True)  # fmt: skip
    row += 1
    if not coverage.findings_total:
        _text(ws, row, "Không có.", italic=True)
    elif personal and coverage.findings:
        header = ("STT", "Đơn vị", "Họ và tên", "Mã số BHXH", "Đối tượng")
        row = _header(ws, row, [(h, ()) for h in header])
        for n, f in enumerate(coverage.findings, start=1):
            category = CATEGORY_NAMES.get(f.category or "", (DASH,))[0]
            values: list[Cell] = [
                n,
                names.get(f.unit_code, f.unit_code),
                f.full_name,
                f.bhxh_code,
                category,
            ]
            _row(ws, row, values, ("stt", "text", "text", "center", "text"))
            ws.cell(row, 4).number_format = "@"  # a BHXH code is text: its leading zeros matter
            row += 1
    else:
        row = _header(ws, row, [(h, ()) for h in ("STT", "Đơn vị", "Số người")])
        for n, (code, count) in enumerate(coverage.finding_counts.items(), start=1):
            _row(ws, row, [n, names.get(code, code), count], ("stt", "text", "count"))
            row += 1
        _merged_text(ws, row, "Họ tên từng người chỉ có trong bản báo cáo dành cho người được "
                     "phép xem dữ liệu cá nhân.", 5, italic=True)  # fmt: skip
    row += 2
    _text(ws, row, "2. Đơn vị chưa xác định tổng số CC-VC-NLĐ (không tính vào tổng cộng)",
          bold=True)  # fmt: skip
    row += 1
    unknown = [u for u in coverage.units if u.total.denominator is None]
    if not unknown:
        _text(ws, row, "Không có.", italic=True)
    else:
        labels = ("STT", "Đơn vị", "Loại đơn vị", "Đã cài đặt (người)")
        row = _header(ws, row, [(h, ()) for h in labels])
        for n, unit in enumerate(unknown, start=1):
            values = [n, unit.name_vi, KIND_NAMES[unit.kind][0], unit.total.installed]
            _row(ws, row, values, ("stt", "text", "text", "count"))
            row += 1
        _merged_text(ws, row, "Đề nghị đơn vị gửi danh sách CC-VC-NLĐ hoặc khai báo tổng số để "
                     "tính tỷ lệ.", 5, italic=True)  # fmt: skip
    _print_setup(ws, coverage.as_of, title_rows=None, landscape=False)


NOT_INSTALLED_HEADER = ("STT", "Đơn vị", "Họ và tên", "Mã số BHXH", "Đối tượng", "Tình trạng",
                        "Lý do chưa cài đặt")  # fmt: skip
NOT_INSTALLED_KINDS = ("stt", "text", "text", "center", "text", "text", "text")


def _not_installed(ws: Any, coverage: Coverage, personal: list[dict[str, Any]]) -> None:
    _widths(ws, (6, 34, 26, 14, 15, 28, 36))
    title = "DANH SÁCH CC-VC-NLĐ CHƯA CÀI ĐẶT ỨNG DỤNG VssID"
    row = _title(ws, coverage, title, (2, 5, 7)) - 1
    _merged_text(ws, row, "Tài liệu có dữ liệu cá nhân: chỉ dùng để hỗ trợ cài đặt, không chia "
                 "sẻ ra ngoài.", 7, bold=True, italic=True)  # fmt: skip
    head = row + 1
    row = _header(ws, head, [(h, ()) for h in NOT_INSTALLED_HEADER])
    first = row
    names = {u.code: u.name_vi for u in coverage.units}
    for n, person in enumerate(personal, start=1):
        unit = person.get("unit_name") or names.get(person.get("unit_code") or "", DASH)
        category = CATEGORY_NAMES.get(person.get("category") or "", (DASH,))[0]
        status = PERSON_STATUS_NAMES.get(person.get("status"), str(person.get("status")))
        reasons = "; ".join(REASON_NAMES.get(r, r) for r in person.get("reasons") or ())
        values: list[Cell] = [n, unit, person.get("full_name"), person.get("bhxh_code"), category,
                              status]  # fmt: skip
        _row(ws, row, [*values, reasons], NOT_INSTALLED_KINDS)
        ws.cell(row, 4).number_format = "@"
        row += 1
    ws.freeze_panes = f"C{first}"
    ws.auto_filter.ref = f"A{head}:G{max(row - 1, head + 1)}"
    _print_setup(ws, coverage.as_of, title_rows=(head, first - 1), landscape=True)


# --- values -------------------------------------------------------------------------------


def _groups(coverage: Coverage) -> Iterator[tuple[str, str, list[UnitCoverage], Rollup]]:
    """Each kind of unit present, in the report's order: numeral, kind, units, subtotal."""
    rollups = {r.key: r for r in coverage.kinds}
    kinds = [k for k in KINDS if any(u.kind == k for u in coverage.units)]
    for numeral, kind in zip(ROMAN, kinds, strict=False):
        yield numeral, kind, [u for u in coverage.units if u.kind == kind], rollups[kind]


def _counts(counts: Counts, known: bool = True) -> list[Cell]:
    return [
        _known(counts.denominator, known), counts.installed, _fraction(counts.installed_pct),
        counts.active, _fraction(counts.active_pct), _known(counts.not_installed, known),
    ]  # fmt: skip


def _category_counts(
    categories: Mapping[str, Counts], known: Mapping[str, bool] | None = None
) -> list[Cell]:
    values: list[Cell] = []
    for category in CATEGORIES:
        c = categories[category]
        den = _known(c.denominator, known is None or known[category])
        values += [den, c.installed, _fraction(c.installed_pct), c.active]
    return values


def _known(value: int | None, known: bool = True) -> Cell:
    """A headcount, or "—" when unknown; a sum over no known unit is unknown too, not 0."""
    return DASH if value is None or not known else value


def _fraction(pct: float | None) -> Cell:
    """87.3 (%) as the number 0.873, which Excel shows as 87.3% with the ``0.0%`` format."""
    return DASH if pct is None else round(pct / 100, 4)


def _reasons(reasons: Mapping[str, int], top: int = 3) -> str:
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return "; ".join(f"{REASON_NAMES.get(code, code)} ({count})" for code, count in ranked)


def _status_name(status: str | None) -> str:
    return STATUS_NAMES.get(status, (status or DASH,))[0]


def _pct(value: float) -> str:
    return f"{value:g}%".replace(".", ",")


def _day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


# --- layout -------------------------------------------------------------------------------


def _font(*, bold: bool = False, italic: bool = False, size: float = 11, color: str | None = None
          ) -> Font:  # fmt: skip
    return Font(name=FONT, size=size, bold=bold, italic=italic, color=color)


def _widths(ws: Any, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.sheet_view.showGridLines = False


def _title(ws: Any, coverage: Coverage, title: str, columns: tuple[int, int, int]) -> int:
    """The agency and national headings, the title, the date and the directive; the next row."""
    left, right, last = columns
    for row, (agency, nation) in enumerate(zip(AGENCY, NATION, strict=True), start=1):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=left)
        ws.merge_cells(start_row=row, start_column=right, end_row=row, end_column=last)
        for col, text, bold in ((1, agency, row == 2), (right, nation, True)):
            cell = ws.cell(row, col, text)
            cell.font = _font(bold=bold, size=12 if col == right and row == 2 else 11)
            cell.alignment = Alignment(horizontal="center", vertical="center")
    directive = (
        f"{DIRECTIVE}; chỉ tiêu: {_pct(coverage.thresholds.target)} công chức, viên chức và "
        "người lao động cài đặt ứng dụng VssID."
    )
    lines = (
        (title, _font(bold=True, size=14), 24.0),
        (f"Tính đến ngày {_day(coverage.as_of)}", _font(italic=True, size=12), 18.0),
        (directive, _font(italic=True), _height(_lines(directive, _width(ws, 1, last)))),
    )
    for row, (text, font, height) in enumerate(lines, start=4):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        cell = ws.cell(row, 1, text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[row].height = height
    return 8


def _header(ws: Any, row: int, header: Header, numbers: Sequence[str] | None = None) -> int:
    """Two header rows (a label over its sub-labels, or one label over both) and a row of
    column numbers, as Vietnamese report forms have; returns the first row after them."""
    col = 1
    two_rows = any(subs for _, subs in header)
    top = sub = tall = 1  # lines needed: labels over sub-labels, sub-labels, labels over both
    for label, subs in header:
        span = max(len(subs), 1)
        end_row = row if subs or not two_rows else row + 1
        if span > 1 or end_row > row:
            ws.merge_cells(
                start_row=row, start_column=col, end_row=end_row, end_column=col + span - 1
            )
        ws.cell(row, col, label)
        lines = _lines(label, _width(ws, col, col + span - 1), bold=True)
        if subs:
            top = max(top, lines)
        else:
            tall = max(tall, lines)
        for i, text in enumerate(subs):
            ws.cell(row + 1, col + i, text)
            sub = max(sub, _lines(text, _width(ws, col + i), bold=True))
        col += span
    last_header = row + 1 if two_rows else row
    if two_rows:
        heights = [_height(top), _height(sub)]
        heights[1] = max(heights[1], _height(tall) - heights[0])
    else:
        heights = [_height(max(top, tall))]
    for r, height in enumerate(heights, start=row):
        ws.row_dimensions[r].height = height
        for c in range(1, col):
            _style(ws.cell(r, c), _font(bold=True), "center", fill=FILL["header"])
    numbers = numbers or [str(n) for n in range(1, col)]
    for c, text in enumerate(numbers, start=1):
        _style(ws.cell(last_header + 1, c, f"({text})"), _font(italic=True, size=9), "center")
    return last_header + 2


def _row(ws: Any, row: int, values: Sequence[Cell], kinds: Sequence[str], *, bold: bool = False,
         fill: str | None = None) -> None:  # fmt: skip
    lines = 1
    for col, (value, kind) in enumerate(zip(values, kinds, strict=True), start=1):
        cell = ws.cell(row, col, value)
        dash = value == DASH
        _style(cell, _font(bold=bold), "center" if dash else ALIGN[kind], fill=fill)
        if kind in NUMBER_FORMAT and not dash:
            cell.number_format = NUMBER_FORMAT[kind]
        if isinstance(value, str):
            lines = max(lines, _lines(value, _width(ws, col), bold))
    if lines > 1:
        ws.row_dimensions[row].height = _height(lines)


def _lines(text: str, width: float, bold: bool = False) -> int:
    """How many lines ``text`` wraps to in a column ``width`` wide (Excel's units). Neither
    Excel nor LibreOffice grows a row to fit on opening a file reliably, so rows are sized."""
    per_line = max(1.0, width * (1.28 if bold else 1.38) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _height(lines: int) -> float:
    return 13.5 * lines + 3.0


def _width(ws: Any, first: int, last: int | None = None) -> float:
    columns = range(first, (last or first) + 1)
    return float(sum(ws.column_dimensions[get_column_letter(c)].width or 9 for c in columns))


def _style(cell: Any, font: Font, align: str, *, fill: str | None = None) -> None:
    cell.font = font
    indent = 1 if align in ("left", "right") else 0  # keep text off the cell's borders
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True, indent=indent)
    cell.border = BOX
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)


def _paint_status(cell: Any, status: str | None) -> None:
    if status in STATUS_COLOURS:
        fill, colour = STATUS_COLOURS[status]
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.font = _font(bold=True, color=colour)


def _colour_percentages(
    ws: Any, columns: Sequence[str], first: int, last: int, thresholds: Thresholds
) -> None:
    """Colour installed percentages against the target, live: edited figures recolour.
    ``ISNUMBER`` first, because Excel ranks the text "—" above every number."""
    target, on_track = thresholds.target / 100, thresholds.on_track / 100
    for column in columns:
        top = f"{column}{first}"
        rules = (
            (f"AND(ISNUMBER({top}),{top}>={target})", "reached"),
            (f"AND(ISNUMBER({top}),{top}>={on_track})", "on_track"),
            (f"ISNUMBER({top})", "lagging"),
        )
        for formula, status in rules:
            fill, colour = STATUS_COLOURS[status]
            rule = FormulaRule(formula=[formula], stopIfTrue=True, font=Font(color=colour),
                               fill=PatternFill("solid", fgColor=fill, bgColor=fill))  # fmt: skip
            ws.conditional_formatting.add(f"{top}:{column}{last}", rule)


def _text(ws: Any, row: int, text: str, *, bold: bool = False, italic: bool = False) -> None:
    ws.cell(row, 1, text).font = _font(bold=bold, italic=italic)


def _merged_text(ws: Any, row: int, text: str, last: int, *, bold: bool = False,
                 italic: bool = False) -> None:  # fmt: skip
    """A note across the table's width; merged cells do not grow to fit, so size the row."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    cell = ws.cell(row, 1, text)
    cell.font = _font(bold=bold, italic=italic)
    cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    ws.row_dimensions[row].height = _height(_lines(text, _width(ws, 1, last), bold))


def _signatures(ws: Any, row: int, columns: tuple[int, int]) -> None:
    for col, (role, hint) in zip(
        columns,
        (("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"), ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)")),
        strict=True,
    ):
        ws.cell(row, col, role).font = _font(bold=True)
        ws.cell(row + 1, col, hint).font = _font(italic=True)
        for r in (row, row + 1):
            ws.cell(r, col).alignment = Alignment(horizontal="center")


def _print_setup(
    ws: Any, as_of: date, *, title_rows: tuple[int, int] | None, landscape: bool
) -> None:
    """A4, one page wide, header rows on every page, page numbers in the footer."""
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0  # 0: as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.6, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3)
    if title_rows is not None:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    footer = ws.oddFooter
    footer.left.text = f"BHXH Quận 10 – tiến độ cài đặt VssID tính đến ngày {_day(as_of)}"
    footer.right.text = "Trang &P/&N"
    for part in (footer.left, footer.right):
        part.font, part.size = FONT, 9
