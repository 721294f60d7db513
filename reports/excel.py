"""The coverage report as an Excel workbook that BHXH Quận 10 hands to the district committee.

Sheets: ``Tổng hợp`` (per unit, grouped by kind, with subtotals and the district total),
``Theo đối tượng`` (the same per staff category), ``Kiểm tra dữ liệu`` (data-quality findings
and units whose headcount is unknown) and, only when the caller may see personal data,
``Danh sách chưa cài đặt`` (who on the rosters has not installed). Without ``personal`` the
workbook holds no name and no BHXH code: findings are counted per unit.

Percentages are numbers (fractions with the ``0.0%`` format), so the committee can sort and
sum; an unknown denominator is "—", never 0. Written with openpyxl, already a dependency for
reading rosters; the report is a few hundred rows, where its speed does not matter.

This module decides what each sheet holds, row by row; how it looks (headings, header rows,
fonts, borders, colours, print setup) is ``reports.layout``'s.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from reports import layout
from reports.export import CATEGORY_NAMES, KIND_NAMES, PROGRESS_NAMES, SOURCE_NAMES
from reports.layout import DASH, DIRECTIVE, FILL, Cell, Header
from reports.model import CATEGORIES, KINDS, Counts, Coverage, Progress, Rollup, UnitCoverage

SHEETS = ("Tổng hợp", "Theo đối tượng", "Kiểm tra dữ liệu", "Danh sách chưa cài đặt")
TITLE = "BÁO CÁO TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID – BHXH SỐ"
REASON_NAMES = {
    "no_smartphone": "Không có điện thoại thông minh",
    "phone_unsupported": "Điện thoại không cài được ứng dụng",
    "no_registered_phone": "Chưa đăng ký số điện thoại với BHXH",
    "forgot_password": "Quên mật khẩu",
    "pending_approval": "Chờ BHXH duyệt tài khoản",
    "declined": "Không muốn cài đặt",
    "other": "Lý do khác",
}
APP_STATE_NAMES = {
    "no_smartphone": "Không có điện thoại thông minh",
    "not_installed": "Có điện thoại, chưa cài đặt",
    "installed_no_account": "Đã cài đặt, chưa đăng ký tài khoản",
    "registered_pending": "Đã đăng ký, chờ BHXH duyệt",
    "account_active": "Đã có tài khoản",
    None: "Chưa có phiếu ghi nhận",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


def workbook(coverage: Coverage, personal: list[dict[str, Any]] | None = None) -> bytes:
    """The report as .xlsx bytes; ``personal`` (who has not installed) adds names and codes."""
    book = Workbook()
    _summary(book.active, coverage)
    _by_category(book.create_sheet(SHEETS[1]), coverage)
    _checks(book.create_sheet(SHEETS[2]), coverage, personal is not None)
    if personal is not None:
        _not_installed(book.create_sheet(SHEETS[3]), coverage, personal)
    props = book.properties
    props.title = f"{TITLE} – tính đến ngày {layout.day(coverage.as_of)}"
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
    layout.widths(ws, SUMMARY_WIDTHS)
    row = layout.title(ws, coverage, TITLE, (3, 8, len(SUMMARY_WIDTHS)))
    head, row = row, layout.header(ws, row, SUMMARY_HEADER, SUMMARY_NUMBERS)
    first = row
    for numeral, kind, units, rollup in _groups(coverage):
        layout.row(ws, row, [numeral, KIND_NAMES[kind][0].upper(), *[None] * 9], SUMMARY_KINDS,
                   bold=True, fill=FILL["group"])  # fmt: skip
        row += 1
        for n, unit in enumerate(units, start=1):
            source = SOURCE_NAMES.get(unit.source, (unit.source or DASH,))[0]
            values = [n, unit.name_vi, source, *_counts(unit.total), _reasons(unit.reasons)]
            layout.row(ws, row, [*values, _progress_name(unit.progress)], SUMMARY_KINDS)
            layout.paint_progress(ws.cell(row, 11), unit.progress)
            row += 1
        _total_row(ws, row, f"Cộng {KIND_NAMES[kind][0]}", rollup, units, FILL["subtotal"])
        row += 1
    _total_row(ws, row, "TỔNG CỘNG", coverage.total, coverage.units, FILL["total"])
    layout.colour_percentages(ws, ["F"], first, row, coverage.thresholds)
    ws.freeze_panes = f"C{first}"
    row = _summary_notes(ws, row + 2, coverage)
    layout.signatures(ws, row + 1, (2, 10))
    layout.print_setup(ws, coverage.as_of, title_rows=(head, first - 1), landscape=True)


def _total_row(
    ws: Any, row: int, label: str, rollup: Rollup, units: Iterable[UnitCoverage], fill: str
) -> None:
    reasons: Counter[str] = Counter()
    for unit in units:
        reasons.update(unit.reasons)
    known = len(rollup.units_unknown) < rollup.units
    values = [None, label, None, *_counts(rollup.counts, known), _reasons(reasons)]
    layout.row(ws, row, [*values, _progress_name(rollup.progress)], SUMMARY_KINDS, bold=True,
               fill=fill)  # fmt: skip
    layout.paint_progress(ws.cell(row, 11), rollup.progress)


def _summary_notes(ws: Any, row: int, coverage: Coverage) -> int:
    t = coverage.thresholds
    names = {u.code: u.name_vi for u in coverage.units}
    unknown = coverage.total.units_unknown
    notes = [
        "Tỷ lệ = số người ÷ tổng số CC-VC-NLĐ của đơn vị. Cộng và Tổng cộng chỉ tính các đơn vị "
        "đã xác định tổng số.",
        "Nguồn số liệu: Danh sách = danh sách CC-VC-NLĐ đã nạp; Đơn vị khai báo = tổng số do "
        "đơn vị khai báo; Báo cáo đơn vị = báo cáo tổng hợp gần nhất của đơn vị.",
        f"Đánh giá: Đạt từ {layout.pct(t.target)} trở lên; Gần đạt từ "
        f"{layout.pct(t.on_track)} đến dưới {layout.pct(t.target)}; Chậm dưới "
        f"{layout.pct(t.on_track)}.",
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
    layout.text(ws, row, "Ghi chú:", bold=True, italic=True)
    for note in notes:
        row += 1
        layout.merged_text(ws, row, f"- {note}", len(SUMMARY_WIDTHS), italic=True)
    return row + 1


BY_CATEGORY_SUBS = ("Tổng số", "Đã cài đặt", "Tỷ lệ", "Đang sử dụng")
BY_CATEGORY_KINDS = ("stt", "text", *("count", "count", "pct", "count") * len(CATEGORIES))
BY_CATEGORY_WIDTHS = (5, 38, *(9, 9, 8, 9) * len(CATEGORIES))


def _by_category(ws: Any, coverage: Coverage) -> None:
    layout.widths(ws, BY_CATEGORY_WIDTHS)
    title = "TIẾN ĐỘ CÀI ĐẶT ỨNG DỤNG VssID THEO ĐỐI TƯỢNG"
    row = layout.title(ws, coverage, title, (2, 8, len(BY_CATEGORY_WIDTHS)))
    header: list[tuple[str, Sequence[str]]] = [("STT", ()), ("Tên đơn vị", ())]
    header += [(CATEGORY_NAMES[c][0], BY_CATEGORY_SUBS) for c in CATEGORIES]
    head, row = row, layout.header(ws, row, header)
    first = row
    for numeral, kind, units, _rollup in _groups(coverage):
        layout.row(ws, row, [numeral, KIND_NAMES[kind][0].upper(), *[None] * 12], BY_CATEGORY_KINDS,
                   bold=True, fill=FILL["group"])  # fmt: skip
        row += 1
        for n, unit in enumerate(units, start=1):
            values = [n, unit.name_vi, *_category_counts(unit.categories)]
            layout.row(ws, row, values, BY_CATEGORY_KINDS)
            row += 1
        sums = {c: sum((u.categories[c] for u in units), Counts(0)) for c in CATEGORIES}
        known = {c: any(u.categories[c].denominator is not None for u in units) for c in CATEGORIES}
        values = [None, f"Cộng {KIND_NAMES[kind][0]}", *_category_counts(sums, known)]
        layout.row(ws, row, values, BY_CATEGORY_KINDS, bold=True, fill=FILL["subtotal"])
        row += 1
    totals = {r.key: r.counts for r in coverage.categories}
    known = {r.key: len(r.units_unknown) < r.units for r in coverage.categories}
    values = [None, "TỔNG CỘNG", *_category_counts(totals, known)]
    layout.row(ws, row, values, BY_CATEGORY_KINDS, bold=True, fill=FILL["total"])
    columns = [get_column_letter(3 + 4 * i + 2) for i in range(len(CATEGORIES))]
    layout.colour_percentages(ws, columns, first, row, coverage.thresholds)
    ws.freeze_panes = f"C{first}"
    note = (
        f"Ghi chú: tổng số {DASH} là đơn vị chưa xác định tổng số theo đối tượng; Cộng và "
        "Tổng cộng chỉ tính các đơn vị đã xác định tổng số."
    )
    layout.merged_text(ws, row + 2, note, len(BY_CATEGORY_WIDTHS), italic=True)
    layout.print_setup(ws, coverage.as_of, title_rows=(head, first - 1), landscape=True)


def _checks(ws: Any, coverage: Coverage, personal: bool) -> None:
    layout.widths(ws, (6, 42, 26, 16, 16))
    row = layout.title(ws, coverage, "KIỂM TRA DỮ LIỆU", (2, 3, 5)) - 1
    names = {u.code: u.name_vi for u in coverage.units}
    layout.text(ws, row, "1. Người đã cài đặt nhưng không có trong danh sách CC-VC-NLĐ của đơn vị",
                bold=True)  # fmt: skip
    row += 1
    if not coverage.findings_total:
        layout.text(ws, row, "Không có.", italic=True)
    elif personal and coverage.findings:
        header = ("STT", "Đơn vị", "Họ và tên", "Mã số BHXH", "Đối tượng")
        row = layout.header(ws, row, [(h, ()) for h in header])
        for n, f in enumerate(coverage.findings, start=1):
            category = CATEGORY_NAMES.get(f.category or "", (DASH,))[0]
            values: list[Cell] = [
                n,
                names.get(f.unit_code, f.unit_code),
                f.full_name,
                f.bhxh_code,
                category,
            ]
            layout.row(ws, row, values, ("stt", "text", "text", "center", "text"))
            ws.cell(row, 4).number_format = "@"  # a BHXH code is text: its leading zeros matter
            row += 1
    else:
        row = layout.header(ws, row, [(h, ()) for h in ("STT", "Đơn vị", "Số người")])
        for n, (code, count) in enumerate(coverage.finding_counts.items(), start=1):
            layout.row(ws, row, [n, names.get(code, code), count], ("stt", "text", "count"))
            row += 1
        layout.merged_text(ws, row, "Họ tên từng người chỉ có trong bản báo cáo dành cho người "
                           "được phép xem dữ liệu cá nhân.", 5, italic=True)  # fmt: skip
    row += 2
    layout.text(ws, row, "2. Đơn vị chưa xác định tổng số CC-VC-NLĐ (không tính vào tổng cộng)",
                bold=True)  # fmt: skip
    row += 1
    unknown = [u for u in coverage.units if u.total.denominator is None]
    if not unknown:
        layout.text(ws, row, "Không có.", italic=True)
    else:
        labels = ("STT", "Đơn vị", "Loại đơn vị", "Đã cài đặt (người)")
        row = layout.header(ws, row, [(h, ()) for h in labels])
        for n, unit in enumerate(unknown, start=1):
            values = [n, unit.name_vi, KIND_NAMES[unit.kind][0], unit.total.installed]
            layout.row(ws, row, values, ("stt", "text", "text", "count"))
            row += 1
        layout.merged_text(ws, row, "Đề nghị đơn vị gửi danh sách CC-VC-NLĐ hoặc khai báo tổng số "
                           "để tính tỷ lệ.", 5, italic=True)  # fmt: skip
    layout.print_setup(ws, coverage.as_of, title_rows=None, landscape=False)


NOT_INSTALLED_HEADER = ("STT", "Đơn vị", "Họ và tên", "Mã số BHXH", "Đối tượng", "Tình trạng",
                        "Lý do chưa cài đặt")  # fmt: skip
NOT_INSTALLED_KINDS = ("stt", "text", "text", "center", "text", "text", "text")


def _not_installed(ws: Any, coverage: Coverage, personal: list[dict[str, Any]]) -> None:
    layout.widths(ws, (6, 34, 26, 14, 15, 28, 36))
    title = "DANH SÁCH CC-VC-NLĐ CHƯA CÀI ĐẶT ỨNG DỤNG VssID"
    row = layout.title(ws, coverage, title, (2, 5, 7)) - 1
    layout.merged_text(ws, row, "Tài liệu có dữ liệu cá nhân: chỉ dùng để hỗ trợ cài đặt, không "
                       "chia sẻ ra ngoài.", 7, bold=True, italic=True)  # fmt: skip
    head = row + 1
    row = layout.header(ws, head, [(h, ()) for h in NOT_INSTALLED_HEADER])
    first = row
    names = {u.code: u.name_vi for u in coverage.units}
    for n, person in enumerate(personal, start=1):
        unit = person.get("unit_name") or names.get(person.get("unit_code") or "", DASH)
        category = CATEGORY_NAMES.get(person.get("category") or "", (DASH,))[0]
        app_state = APP_STATE_NAMES.get(person.get("status"), str(person.get("status")))
        reasons = "; ".join(REASON_NAMES.get(r, r) for r in person.get("reasons") or ())
        values: list[Cell] = [n, unit, person.get("full_name"), person.get("bhxh_code"), category,
                              app_state]  # fmt: skip
        layout.row(ws, row, [*values, reasons], NOT_INSTALLED_KINDS)
        ws.cell(row, 4).number_format = "@"
        row += 1
    ws.freeze_panes = f"C{first}"
    ws.auto_filter.ref = f"A{head}:G{max(row - 1, head + 1)}"
    layout.print_setup(ws, coverage.as_of, title_rows=(head, first - 1), landscape=True)


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


def _progress_name(progress: Progress | None) -> str:
    return PROGRESS_NAMES.get(progress, (progress or DASH,))[0]
