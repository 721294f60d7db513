"""The Excel report's layout: how a sheet of a Vietnamese administrative report looks.

Decree 30/2020's layout: the agency's and the nation's headings side by side, the place and
date, the title, the date of the figures and the legal basis; header rows (a label over its
sub-labels) with a row of column numbers; bordered rows in Times New Roman, numbers
right-aligned and formatted, an unknown value as "—"; progress colours, live against the
target; notes; "Nơi nhận" (recipients) at the bottom left, the preparer's and the signer's
blocks; A4 print setup with page numbers. Every word of the heading and the closing is the
campaign's (``Campaign.report``). Rows are sized to their wrapped text, as neither Excel nor
LibreOffice grows a row to fit on opening. ``reports.excel`` decides what goes in each sheet;
this module only how it looks (openpyxl). Every cell is written by ``reports.neutral.put``:
text is never a formula, and a table's values (names people typed) are neutralised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

from ingest.campaigns import ReportHeader
from reports import neutral
from reports.model import Coverage, Progress, Thresholds

NATION = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
DASH = "—"
FONT = "Times New Roman"  # the font of Vietnamese administrative documents (Nghị định 30/2020)
FILL = {"header": "DDEBF7", "group": "F2F2F2", "subtotal": "EDEDED", "total": "D9D9D9"}
#: Excel's own "Good", "Neutral" and "Bad" colours: (fill, font).
PROGRESS_COLOURS = {
    Progress.REACHED: ("C6EFCE", "006100"),
    Progress.ON_TRACK: ("FFEB9C", "9C5700"),
    Progress.LAGGING: ("FFC7CE", "9C0006"),
}
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: How a column's cells are aligned and formatted, by the kind of value in it.
ALIGN = {"stt": "center", "text": "left", "center": "center", "count": "right", "pct": "right"}
NUMBER_FORMAT = {"count": "#,##0", "pct": "0.0%"}
#: The least width (Excel's units) of the agency's heading (left) and the nation's (right).
LEFT_WIDTH, RIGHT_WIDTH = 40.0, 48.0
#: Excel refuses a page header or footer longer than 255 characters (codes included).
FOOTER_MAX = 200

Header = Sequence[tuple[str, Sequence[str]]]  # top labels, each over its sub-labels (or none)
Cell = int | float | str | None


def pct(value: float) -> str:
    """A percentage as Vietnamese documents write it: ``87,5%``."""
    return f"{value:g}%".replace(".", ",")


def day(value: date) -> str:
    """A date as Vietnamese documents write it: ``31/03/2021``."""
    return f"{value:%d/%m/%Y}"


def place_and_date(place: str, value: date) -> str:
    """Decree 30/2020's place and date line, ``Quận 10, ngày 05 tháng 3 năm 2021``: a day
    below 10 and the months 1 and 2 take a leading zero."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    text = f"ngày {value.day:02d} tháng {month} năm {value.year}"
    return f"{place}, {text}" if place else "N" + text[1:]


def _font(*, bold: bool = False, italic: bool = False, size: float = 11, color: str | None = None
          ) -> Font:  # fmt: skip
    return Font(name=FONT, size=size, bold=bold, italic=italic, color=color)


def title_columns(widths: Sequence[float]) -> tuple[list[float], tuple[int, int, int]]:
    """Where a sheet of these column ``widths`` puts its headings: the agency's over columns
    1…left, the nation's (and the signer's block) over right…last. A narrow sheet (few
    columns) gets its right-hand columns widened so that the nation's heading fits."""
    out = [float(w) for w in widths]
    last = len(out)
    left = next((k for k in range(1, last) if sum(out[:k]) >= LEFT_WIDTH), max(last - 1, 1))
    right = max(
        (r for r in range(left + 1, last + 1) if sum(out[r - 1 :]) >= RIGHT_WIDTH),
        default=min(left + 1, last),
    )
    room = sum(out[right - 1 :])
    if room < RIGHT_WIDTH:
        scale = RIGHT_WIDTH / room
        out[right - 1 :] = [round(w * scale, 1) for w in out[right - 1 :]]
    return out, (left, right, last)


def widths(ws: Any, widths: Sequence[float]) -> None:
    """Set the columns' widths (Excel's units) and hide the grid lines."""
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.sheet_view.showGridLines = False


def title(
    ws: Any, coverage: Coverage, title: str, columns: tuple[int, int, int],
    intro: Sequence[str] = (), attached_line: str = "",
) -> int:  # fmt: skip
    """Decree 30/2020's heading: the governing and the issuing agency beside the nation's
    name and motto, the number line ("Số: …/BC-BHXH") and the place and date, the ``title``,
    ``attached_line`` (an appendix's "(Kèm theo Báo cáo số …)"), the date of the figures, then
    each line of ``intro`` (the legal basis, the target); returns the row after a blank one."""
    report = coverage.campaign.report
    left, right, last = columns
    agencies = [a for a in (report.parent_agency, report.agency) if a]
    agencies += [""] * (2 - len(agencies))
    issuing = len([a for a in agencies if a])  # the last named agency is the issuing one: bold
    for row, (agency, nation) in enumerate(zip(agencies, NATION, strict=True), start=1):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=left)
        ws.merge_cells(start_row=row, start_column=right, end_row=row, end_column=last)
        for col, text, bold in ((1, agency, row == issuing), (right, nation, True)):
            cell = neutral.put(ws, row, col, text or None, typed=False)
            cell.font = _font(bold=bold, size=12 if col == right and row == 2 else 11)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[row].height = _height(
            max(_lines(agency, _width(ws, 1, left), row == issuing),
                _lines(nation, _width(ws, right, last), True))
        )  # fmt: skip
    if report.report_number:  # "Số: …/BC-BHXH" under the issuing agency
        ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=left)
        number = neutral.put(ws, 3, 1, f"Số: {report.report_number}", typed=False)
        number.font = _font(size=12)
        number.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=3, start_column=right, end_row=3, end_column=last)
    when = neutral.put(ws, 3, right, place_and_date(report.place, coverage.as_of), typed=False)
    when.font = _font(italic=True, size=12)
    when.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[3].height = 18.0
    width = _width(ws, 1, last)
    lines = [
        (title, _font(bold=True, size=14), 21.0 * _lines(title, width * 0.75, True) + 3.0),
        *([(attached, _font(italic=True, size=12), 18.0)] if (attached := attached_line) else []),
        (f"Tính đến ngày {day(coverage.as_of)}", _font(italic=True, size=12), 18.0),
        *((text, _font(italic=True), _height(_lines(text, width))) for text in intro),
    ]
    for row, (text, font, height) in enumerate(lines, start=4):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        cell = neutral.put(ws, row, 1, text, typed=False)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[row].height = height
    return 4 + len(lines) + 1


def header(ws: Any, row: int, header: Header, numbers: Sequence[str] | None = None) -> int:
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
        neutral.put(ws, row, col, label, typed=False)
        lines = _lines(label, _width(ws, col, col + span - 1), bold=True)
        if subs:
            top = max(top, lines)
        else:
            tall = max(tall, lines)
        for i, text in enumerate(subs):
            neutral.put(ws, row + 1, col + i, text, typed=False)
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
        number = neutral.put(ws, last_header + 1, c, f"({text})", typed=False)
        _style(number, _font(italic=True, size=9), "center")
    return last_header + 2


def row(ws: Any, row: int, values: Sequence[Cell], kinds: Sequence[str], *, bold: bool = False,
        fill: str | None = None) -> None:  # fmt: skip
    """One bordered row of a table: each cell aligned and formatted by its column's kind, an
    unknown ("—") centred; taller when a text wraps."""
    lines = 1
    for col, (value, kind) in enumerate(zip(values, kinds, strict=True), start=1):
        cell = neutral.put(ws, row, col, value)  # a table's values: names people typed
        dash = value == DASH
        _style(cell, _font(bold=bold), "center" if dash else ALIGN[kind], fill=fill)
        if kind in NUMBER_FORMAT and not dash:
            cell.number_format = NUMBER_FORMAT[kind]
        if isinstance(value, str):
            lines = max(lines, _lines(value, _width(ws, col), bold))
    ws.row_dimensions[row].height = _height(lines)  # explicit: keep_with_closing counts on it


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


def paint_progress(cell: Any, progress: Progress | None) -> None:
    """Colour a progress cell as Excel's Good, Neutral or Bad."""
    if progress is not None:
        fill, colour = PROGRESS_COLOURS[progress]
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.font = _font(bold=True, color=colour)


def colour_percentages(
    ws: Any, columns: Sequence[str], first: int, last: int, thresholds: Thresholds
) -> None:
    """Colour done percentages against the target, live: edited figures recolour.
    ``ISNUMBER`` first, because Excel ranks the text "—" above every number."""
    target, on_track = thresholds.target / 100, thresholds.on_track / 100
    for column in columns:
        top = f"{column}{first}"
        rules = (
            (f"AND(ISNUMBER({top}),{top}>={target})", Progress.REACHED),
            (f"AND(ISNUMBER({top}),{top}>={on_track})", Progress.ON_TRACK),
            (f"ISNUMBER({top})", Progress.LAGGING),
        )
        for formula, progress in rules:
            fill, colour = PROGRESS_COLOURS[progress]
            rule = FormulaRule(formula=[formula], stopIfTrue=True, font=Font(color=colour),
                               fill=PatternFill("solid", fgColor=fill, bgColor=fill))  # fmt: skip
            ws.conditional_formatting.add(f"{top}:{column}{last}", rule)


def text(ws: Any, row: int, text: str, *, bold: bool = False, italic: bool = False) -> None:
    """A line of text in the first column, unbordered."""
    neutral.put(ws, row, 1, text, typed=False).font = _font(bold=bold, italic=italic)


def merged_text(ws: Any, row: int, text: str, last: int, *, bold: bool = False,
                italic: bool = False) -> None:  # fmt: skip
    """A note across the table's width; merged cells do not grow to fit, so size the row."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    cell = neutral.put(ws, row, 1, text, typed=False)
    cell.font = _font(bold=bold, italic=italic)
    cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    ws.row_dimensions[row].height = _height(_lines(text, _width(ws, 1, last), bold))


def closing(ws: Any, row: int, report: ReportHeader, columns: tuple[int, int, int]) -> int:
    """Decree 30/2020's closing from ``row``: "Nơi nhận:" and the recipients at the bottom
    left (columns 1…left), the preparer's block ("NGƯỜI LẬP BIỂU") between, the signer's
    title, the place for the signature and seal, and the signer's name at the right
    (right…last). Returns the last row written."""
    left, right, last = columns
    items = [item.strip().rstrip(";.") for item in report.recipients]
    recipients: list[tuple[str, Font, str]] = []
    if items:
        recipients.append(("Nơi nhận:", _font(bold=True, italic=True, size=12), "left"))
    for n, item in enumerate(items, start=1):
        recipients.append((f"- {item}{'.' if n == len(items) else ';'}", _font(), "left"))
    preparer = [("NGƯỜI LẬP BIỂU", _font(bold=True), "center"),
                ("(Ký, ghi rõ họ tên)", _font(italic=True), "center")]  # fmt: skip
    signer = [
        *(
            [(report.signer_authority, _font(bold=True), "center")]
            if report.signer_authority
            else []
        ),
        (report.signer_title or "THỦ TRƯỞNG ĐƠN VỊ", _font(bold=True), "center"),
        ("(Ký tên, đóng dấu)", _font(italic=True), "center"),
        *[("", _font(), "center")] * 4,  # room for the signature and the seal
        (report.signer_name, _font(bold=True), "center"),
    ]
    blocks = [((right, last), signer)]
    if right - left > 1:
        blocks += [((1, left), recipients), ((left + 1, right - 1), preparer)]
    else:  # no room between: the preparer signs under the recipients
        spacer = [("", _font(), "left")] if recipients else []
        blocks.append(((1, left), [*recipients, *spacer, *preparer]))
    end = row
    for (first, final), lines in blocks:
        for r, (text, font, align) in enumerate(lines, start=row):
            if not text:
                continue
            if final > first:
                ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=final)
            cell = neutral.put(ws, r, first, text, typed=False)
            cell.font = font
            cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=True)
            needed = _height(_lines(text, _width(ws, first, final), bool(font.b)))
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, needed)
            end = max(end, r)
    return end


def print_setup(
    ws: Any, footer_text: str, *, title_rows: tuple[int, int] | None, landscape: bool
) -> None:
    """A4, one page wide, header rows on every page, page numbers in the footer."""
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.6, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3)
    # One page wide by a scale worked out here, not "fit to 1 page wide": Excel ignores manual
    # page breaks (keep_with_closing's) on a sheet printed "fit to"
    setup.scale = math.floor(_scale(ws) * 100)
    if title_rows is not None:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    footer = ws.oddFooter
    footer.left.text = footer_text[:FOOTER_MAX].replace("&", "&&")  # "&" starts a code
    footer.right.text = "Trang &P/&N"
    for part in (footer.left, footer.right):
        part.font, part.size = FONT, 9


#: A4 in points (portrait), and how many of a table's last rows stay with the closing.
A4 = (595.3, 841.9)
KEEP_ROWS = 3
#: Row heights and the scale are estimates (a font's metrics differ a little between Excel
#: and LibreOffice): a block that ends within this share of a page from the page's foot
#: counts as split too, so the break comes early rather than late.
SLACK = 0.1


def keep_with_closing(ws: Any, keep_from: int, end: int, title_rows: tuple[int, int]) -> None:
    """Keep the rows ``keep_from``…``end`` (a table's last rows, its notes, "Nơi nhận" and the
    signature) on one page: when the sheet's natural page breaks would split them (or leave
    them at a page's very foot, where an estimate may be wrong), break the page before
    ``keep_from`` instead. Neither Excel nor LibreOffice keeps rows together, so the pages
    are worked out here from the rows' heights, the print scale and the margins; rows have
    explicit heights (``row``), so the estimate is the renderer's own."""
    margins = ws.page_margins
    printable_h = _page(ws)[1] - (margins.top + margins.bottom) * 72
    capacity = printable_h / ((ws.page_setup.scale or 100) / 100)
    repeated = sum(_row_height(ws, r) for r in range(title_rows[0], title_rows[1] + 1))
    used, page, page_of = 0.0, 1, {}
    for r in range(1, end + 1):
        h = _row_height(ws, r)
        if used + h > capacity and used > 0:
            page, used = page + 1, repeated
        used += h
        page_of[r] = page
    block = sum(_row_height(ws, r) for r in range(keep_from, end + 1))
    split = page_of[keep_from] != page_of[end] or used > capacity * (1 - SLACK)
    if split and block + repeated <= capacity * (1 - SLACK):
        ws.row_breaks.append(Break(id=keep_from - 1))


def _page(ws: Any) -> tuple[float, float]:
    """The page's width and height in points (A4, turned as the sheet prints)."""
    return (A4[1], A4[0]) if ws.page_setup.orientation == "landscape" else A4


def _scale(ws: Any) -> float:
    """The print scale that makes the sheet's columns one page wide (at most 1)."""
    margins = ws.page_margins
    printable_w = _page(ws)[0] - float(margins.left + margins.right) * 72
    sheet_w = sum(_points(ws.column_dimensions[get_column_letter(c)].width or 9)
                  for c in range(1, ws.max_column + 1))  # fmt: skip
    return min(1.0, printable_w / sheet_w)


def _points(width: float) -> float:
    """A column's width (characters of the workbook's default font) in points, at its widest:
    Excel draws a character 7 px wide (Calibri), LibreOffice up to 9.5 px when Calibri and
    its twin Carlito are missing. Sized for the widest, the table fits the page everywhere."""
    return (width * 9.5 + 5) * 0.75


def _row_height(ws: Any, row: int) -> float:
    return float(ws.row_dimensions[row].height or 15.0)
