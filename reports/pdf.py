"""One campaign's coverage report as a PDF: the statistical appendix the committee signs.

Laid out as Decree 30/2020/NĐ-CP, Appendix I, asks: A4 (turned, for the table's width),
Times New Roman 13 (Liberation Serif, its metric-compatible twin under the SIL Open Font
License, is embedded: ``reports/fonts``, with its licence), the heading in two columns (the
parent and the issuing agency and "Số: …" at the left; the nation's name and motto, then the
italic place and date at the right), the bold centred title, the body, then "Nơi nhận:" at
the bottom left and the signature block (KT./TM. line, title, room to sign, name) at the
bottom right. The body is the summary table of the Excel workbook's first sheet
(``reports.excel``): units under their kind with subtotals and the total, its notes, and
the sentence that reconciles the "not done" total with the personal list.

Built with reportlab's Platypus: pip alone installs it (no LibreOffice, no Pango). The
table's header repeats on every page, and its last rows, the notes and the closing are one
``NOSPLIT`` block of the same table: no header alone at a page's foot, no signature alone on
a page. Every value a person typed goes through ``reports.neutral.markup``.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ingest.campaigns import Campaign
from reports import neutral, wording
from reports.export import KIND_NAMES, PROGRESS_NAMES, SOURCE_NAMES
from reports.layout import DASH, NATION, day, place_and_date
from reports.model import KINDS, Counts, Coverage, Progress, Rollup, UnitCoverage

FONTS = Path(__file__).parent / "fonts"
FAMILY = "LiberationSerif"  # metric-compatible with Times New Roman (Decree 30's font)
#: How many of the table's last rows stay on the page of the notes and the signature.
KEEP_ROWS = 3
#: Decree 30's margins (top, bottom, left, right): 20-25, 20-25, 30-35 and 15-20 mm.
MARGINS = (20 * mm, 20 * mm, 30 * mm, 15 * mm)
HEADER_ROWS = 3  # labels, sub-labels, column numbers
GREY = colors.HexColor("#808080")
FILLS = {"header": "#DDEBF7", "group": "#F2F2F2", "subtotal": "#EDEDED", "total": "#D9D9D9"}
PROGRESS_FILL = {Progress.REACHED: "#C6EFCE", Progress.ON_TRACK: "#FFEB9C",
                 Progress.LAGGING: "#FFC7CE"}  # fmt: skip


@lru_cache(maxsize=1)
def _fonts() -> str:
    """Register Liberation Serif's four faces once; returns the family's name."""
    faces = {"": "Regular", "-Bold": "Bold", "-Italic": "Italic", "-BoldItalic": "BoldItalic"}
    for suffix, face in faces.items():
        pdfmetrics.registerFont(TTFont(FAMILY + suffix, FONTS / f"LiberationSerif-{face}.ttf"))
    pdfmetrics.registerFontFamily(
        FAMILY, normal=FAMILY, bold=f"{FAMILY}-Bold", italic=f"{FAMILY}-Italic",
        boldItalic=f"{FAMILY}-BoldItalic",
    )  # fmt: skip
    return FAMILY


def _style(size: float = 13, *, bold: bool = False, italic: bool = False,
           align: int = TA_CENTER, leading: float | None = None) -> ParagraphStyle:  # fmt: skip
    face = _fonts() + ("-Bold" if bold else "") + ("Italic" if italic and bold else "")
    if italic and not bold:
        face += "-Italic"
    return ParagraphStyle(face + str(size), fontName=face, fontSize=size, alignment=align,
                          leading=leading or size * 1.2)  # fmt: skip


def _p(text: str, style: ParagraphStyle, *, typed: bool = False) -> Paragraph:
    """A paragraph of plain ``text`` (neutralised when a person ``typed`` it)."""
    return Paragraph(neutral.markup(text, typed=typed).replace("\n", "<br/>"), style)


def document(coverage: Coverage, scope_label: str | None = None) -> bytes:
    """The report as PDF bytes (no personal data: names are the Excel workbook's);
    ``scope_label`` names a part of the district ("Các phường"), as in the workbook."""
    campaign = coverage.campaign
    out = io.BytesIO()
    page = landscape(A4)
    top, bottom, left, right = MARGINS
    heading = wording.scoped(wording.appendix_title(campaign), scope_label)
    footer = f"{campaign.report.agency} – {wording.title(campaign)} – tính đến ngày " + day(
        coverage.as_of
    )
    doc = SimpleDocTemplate(
        out, pagesize=page, topMargin=top, bottomMargin=bottom, leftMargin=left,
        rightMargin=right,
        title=f"{heading.replace(chr(10), ' – ')} – {day(coverage.as_of)}",
        author=campaign.report.agency or wording.title(campaign),
        subject=wording.title(campaign), lang="vi-VN",
        # the canvas starts in Times' twin, not Helvetica: every font in the file is embedded
        initialFontName=_fonts(), initialFontSize=13, initialLeading=15.6,
    )  # fmt: skip
    width = page[0] - left - right

    def footer_line(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_fonts(), 9)
        canvas.drawString(left, 10 * mm, footer[:160])
        canvas.restoreState()

    height = page[1] - top - bottom - 12  # the frame's own padding, 6 pt above and below
    story = [
        *_heading(coverage, width, scope_label),
        Spacer(1, 4 * mm),
        _table(coverage, width, height, scope_label),
    ]
    doc.build(story, onFirstPage=footer_line, onLaterPages=footer_line, canvasmaker=_Numbered)
    return out.getvalue()


class _Numbered(Canvas):  # type: ignore[misc]
    """A canvas that writes "Trang n/N" on each page once it knows N (reportlab's recipe:
    keep each page's state, draw the numbers on saving)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for state in self._pages:
            self.__dict__.update(state)
            width = self._pagesize[0]
            self.setFont(_fonts(), 9)
            self.drawRightString(width - MARGINS[3], 10 * mm,
                                 f"Trang {self._pageNumber}/{len(self._pages)}")  # fmt: skip
            super().showPage()
        super().save()


def _heading(coverage: Coverage, width: float, scope_label: str | None = None) -> list[Any]:
    """The agencies, "Số: …", the nation, place and date; the title and the lines under it."""
    campaign = coverage.campaign
    report = campaign.report
    left = [_p(report.parent_agency, _style(12))] if report.parent_agency else []
    if report.agency:
        left.append(_p(report.agency, _style(12, bold=True)))
    if report.report_number:
        left.append(_p(f"Số: {report.report_number}", _style(13)))
    right = [
        _p(NATION[0], _style(12, bold=True)),
        Paragraph(f"<u>{NATION[1]}</u>", _style(13, bold=True)),  # the motto is underlined
        Spacer(1, 2 * mm),
        _p(place_and_date(report.place, coverage.as_of), _style(13, italic=True)),
    ]
    block = Table([[left, right]], colWidths=[width * 0.42, width * 0.58])
    block.setStyle(_block_style())
    target = (
        f"Chỉ tiêu: {coverage.thresholds.target:g}% {wording.people(campaign)} "
        f"{wording.lower_first(wording.done_label(campaign))}."
    ).replace(".0%", "%")
    lines: list[Any] = [
        block,
        Spacer(1, 5 * mm),
        _p(wording.scoped(wording.appendix_title(campaign), scope_label), _style(14, bold=True)),
        _p(wording.attached_to(campaign, coverage.as_of), _style(13, italic=True)),
        _p(f"Tính đến ngày {day(coverage.as_of)}", _style(13, italic=True)),
    ]
    lines += [_p(text, _style(12, italic=True)) for text in report.legal_basis]
    lines.append(_p(target, _style(12, italic=True)))
    return lines


# --- the table ----------------------------------------------------------------------------


def _table(
    coverage: Coverage, width: float, height: float, scope_label: str | None = None
) -> Table:
    """The summary table, its notes and the closing, as one table (see the module's note)."""
    campaign = coverage.campaign
    levels = campaign.level_keys
    reasons = _has_reasons(coverage)
    done_label = wording.done_label(campaign)
    not_label = wording.not_label(campaign)
    head = _style(10, bold=True)
    labels = ["STT", "Tên đơn vị", "Nguồn số liệu", "Tổng số (người)", done_label, ""]
    subs = ["", "", "", "", "Số người", "Tỷ lệ"]
    numbers = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6 = 5/4)"]
    for n, key in enumerate(levels):
        col = 7 + 2 * n
        labels += [campaign.label(key), ""]
        subs += ["Số người", "Tỷ lệ"]
        numbers += [f"({col})", f"({col + 1} = {col}/4)"]
    labels.append(f"{not_label} (người)")
    subs.append("")
    numbers.append(f"({len(numbers) + 1} = 4 − 5)")
    if reasons:
        labels.append(f"Lý do chủ yếu {wording.lower_first(not_label)} (số người)")
        subs.append("")
        numbers.append(f"({len(numbers) + 1})")
    labels.append("Đánh giá")
    subs.append("")
    numbers.append(f"({len(numbers) + 1})")
    last = len(labels) - 1
    fixed = [9 * mm, 0.0, 20 * mm, 17 * mm] + [15 * mm, 15 * mm] * (1 + len(levels))
    fixed += [18 * mm] + ([0.0] if reasons else []) + [17 * mm]
    spare = width - sum(fixed)
    widths = [w or (spare * (0.45 if reasons else 1.0)) for w in fixed]
    if reasons:
        widths[-2] = spare * 0.55
    rows: list[list[Any]] = [
        [_p(t, head) for t in labels],
        [_p(t, head) for t in subs],
        [_p(t, _style(8, italic=True)) for t in numbers],
    ]
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), _fonts(), 10),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor(FILLS["header"])),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for col, label in enumerate(labels):  # a label over its two sub-labels, or over both rows
        if label and col < last and not labels[col + 1] and subs[col]:
            style.append(("SPAN", (col, 0), (col + 1, 0)))
        elif label and not subs[col]:
            style.append(("SPAN", (col, 0), (col, 1)))
    cell = _style(10, align=TA_LEFT)
    bold = _style(10, bold=True, align=TA_LEFT)
    rollups = {r.key: r for r in coverage.kinds}
    numerals = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
    kinds = [k for k in KINDS if any(u.kind == k for u in coverage.units)]
    for numeral, kind in zip(numerals, kinds, strict=False):
        units = [u for u in coverage.units if u.kind == kind]
        r = len(rows)
        rows.append([numeral, _p(KIND_NAMES[kind][0].upper(), bold), *[""] * (last - 1)])
        style += [("BACKGROUND", (0, r), (-1, r), colors.HexColor(FILLS["group"])),
                  ("SPAN", (1, r), (-1, r)),
                  ("FONT", (0, r), (0, r), f"{_fonts()}-Bold", 10)]  # fmt: skip
        for n, unit in enumerate(units, start=1):
            source = SOURCE_NAMES.get(unit.source, (DASH,))[0]
            values: list[Any] = [str(n), _p(unit.name_vi, cell, typed=True),
                                 _p(source, _style(10))]  # fmt: skip
            values += _counts(campaign, unit.total)
            if reasons:
                values.append(_p(_reasons(campaign, unit.reasons), _style(9, align=TA_LEFT)))
            values.append(_progress(unit.progress))
            style += _paint(len(rows), last, unit.progress)
            rows.append(values)
        rows.append(_total(campaign, f"Cộng {KIND_NAMES[kind][0]}", rollups[kind], units,
                           reasons, bold))  # fmt: skip
        r = len(rows) - 1
        style += [("BACKGROUND", (0, r), (-2, r), colors.HexColor(FILLS["subtotal"])),
                  ("FONT", (0, r), (-1, r), f"{_fonts()}-Bold", 10),
                  *_paint(r, last, rollups[kind].progress)]  # fmt: skip
    rows.append(
        _total(
            campaign,
            wording.total_label(scope_label),
            coverage.total,
            coverage.units,
            reasons,
            bold,
        )
    )
    total_row = len(rows) - 1
    style += [("BACKGROUND", (0, total_row), (-2, total_row), colors.HexColor(FILLS["total"])),
              ("FONT", (0, total_row), (-1, total_row), f"{_fonts()}-Bold", 10),
              *_paint(total_row, last, coverage.total.progress)]  # fmt: skip
    style += [
        ("GRID", (0, 0), (-1, total_row), 0.5, GREY),
        ("ALIGN", (0, HEADER_ROWS), (0, total_row), "CENTER"),
        ("ALIGN", (2, HEADER_ROWS), (2, total_row), "CENTER"),
        ("ALIGN", (3, HEADER_ROWS), (last - (2 if reasons else 1), total_row), "RIGHT"),
        ("ALIGN", (last, HEADER_ROWS), (last, total_row), "CENTER"),
    ]
    # the closing: notes, then "Nơi nhận" and the signature, as rows of the same table, so
    # that the last rows, the notes and the signature are one block that never splits
    for note in [_p("Ghi chú:", _style(10.5, bold=True, italic=True, align=TA_LEFT))] + [
        _p(f"- {text}", _style(10.5, italic=True, align=TA_LEFT))
        for text in wording.summary_notes(coverage, "không tính vào số liệu trên")
    ]:
        style.append(("SPAN", (0, len(rows)), (-1, len(rows))))
        rows.append([note, *[""] * last])
    style.append(("TOPPADDING", (0, total_row + 1), (-1, total_row + 1), 8))
    style.append(("SPAN", (0, len(rows)), (-1, len(rows))))
    style.append(("TOPPADDING", (0, len(rows)), (-1, len(rows)), 10))
    rows.append([_closing(campaign, width), *[""] * last])
    table = Table(rows, colWidths=widths, repeatRows=HEADER_ROWS)
    table.setStyle(TableStyle(style))
    # one block from the last rows to the signature; when that is taller than a page (a long
    # list of units without a headcount in the notes), from fewer rows, at least the last note
    table.wrap(width, 1e6)  # laid out whole (a page's height would stop at the page's foot)
    heights = table._rowHeights
    room = height - sum(heights[:HEADER_ROWS])
    first = max(HEADER_ROWS, total_row - KEEP_ROWS + 1)
    while first < len(rows) - 2 and sum(heights[first:]) > room:
        first += 1
    table = Table(rows, colWidths=widths, repeatRows=HEADER_ROWS)
    table.setStyle(TableStyle([*style, ("NOSPLIT", (0, first), (-1, -1))]))
    return table


def _closing(campaign: Campaign, width: float) -> Table:
    """ "Nơi nhận:" and the recipients (left), the signer's block (right)."""
    report = campaign.report
    items = [item.strip().rstrip(";.") for item in report.recipients]
    left: list[Any] = []
    if items:
        left.append(_p("Nơi nhận:", _style(12, bold=True, italic=True, align=TA_LEFT)))
        left += [
            _p(f"- {item}{'.' if n == len(items) else ';'}", _style(11, align=TA_LEFT))
            for n, item in enumerate(items, start=1)
        ]
    right: list[Any] = []
    if report.signer_authority:
        right.append(_p(report.signer_authority, _style(13, bold=True)))
    right += [
        _p(report.signer_title or "THỦ TRƯỞNG ĐƠN VỊ", _style(13, bold=True)),
        _p("(Ký tên, đóng dấu)", _style(12, italic=True)),
        Spacer(1, 18 * mm),  # room for the signature and the seal
        _p(report.signer_name, _style(13, bold=True)),
    ]
    block = Table([[left, right]], colWidths=[width * 0.5, width * 0.45])
    block.setStyle(_block_style())
    return block


def _block_style() -> TableStyle:
    """Two columns side by side, unruled; the table's own font is Times' twin too (reportlab
    would set Helvetica, unembedded, for its cells)."""
    return TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                       ("FONT", (0, 0), (-1, -1), _fonts(), 13)])  # fmt: skip


def _total(campaign: Campaign, label: str, rollup: Rollup, units: Sequence[UnitCoverage],
           reasons: bool, style: ParagraphStyle) -> list[Any]:  # fmt: skip
    known = len(rollup.units_unknown) < rollup.units
    row: list[Any] = ["", _p(label, style), "", *_counts(campaign, rollup.counts, known)]
    if reasons:
        counted: Counter[str] = Counter()
        for unit in units:
            counted.update(unit.reasons)
        row.append(_p(_reasons(campaign, counted), _style(9, bold=True, align=TA_LEFT)))
    return [*row, _progress(rollup.progress)]


def _counts(campaign: Campaign, counts: Counts, known: bool = True) -> list[str]:
    values = [_count(counts.denominator if known else None), _count(counts.done),
              _pct(counts.done_pct)]  # fmt: skip
    for key in campaign.level_keys:
        values += [_count(counts.level(key)), _pct(counts.level_pct(key))]
    return [*values, _count(counts.not_done if known else None)]


def _paint(row: int, last: int, progress: Progress | None) -> list[tuple[Any, ...]]:
    if progress is None:
        return []
    return [("BACKGROUND", (last, row), (last, row), colors.HexColor(PROGRESS_FILL[progress]))]


def _has_reasons(coverage: Coverage) -> bool:
    person = coverage.campaign.person
    return bool(person and person.reasons) or any(u.reasons for u in coverage.units)


def _reasons(campaign: Campaign, reasons: Any, top: int = 3) -> str:
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return "; ".join(f"{campaign.label(code)} ({count})" for code, count in ranked)


def _progress(progress: Progress | None) -> str:
    return PROGRESS_NAMES.get(progress, (DASH,))[0]


def _count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}".replace(",", ".")


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}%".replace(".", ",")
