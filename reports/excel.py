"""One campaign's coverage report as an Excel workbook, the one an agency hands to its superiors.

Sheets: ``Tổng hợp`` (per unit, grouped by kind, with subtotals and the total),
``Theo đối tượng`` (the same per category of the campaign, however many it has),
``Kiểm tra dữ liệu`` (data-quality findings and units whose headcount is unknown) and, only
when the caller may see personal data, ``Danh sách chưa …`` (who on the rosters is not done:
``Danh sách chưa cài đặt`` in VssID). Without ``personal`` the workbook holds no name and no
identifier: findings are counted per unit.

Every word that differs from one campaign to the next is the campaign's
(:class:`ingest.campaigns.Campaign`): the heading, title, legal basis, recipients and signer
(``campaign.report``), the column headers (the target's label, one pair of columns per further
level, "Chưa …", the identifier's label), the categories, and the labels of outcomes and
reasons (the form's own choices). Column numbers ("6 = 5/4") follow the columns there are.

Percentages are numbers (fractions with the ``0.0%`` format), so the committee can sort and
sum; an unknown denominator is "—", never 0. Written with openpyxl, already a dependency for
reading rosters; the report is a few hundred rows, where its speed does not matter.

This module decides what each sheet holds, row by row; how it looks (headings, header rows,
fonts, borders, colours, closing, print setup) is ``reports.layout``'s.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ingest.campaigns import Campaign
from reports import layout, wording
from reports.export import KIND_NAMES, PROGRESS_NAMES, SOURCE_NAMES
from reports.layout import DASH, FILL, Cell, Header
from reports.model import KINDS, Counts, Coverage, Progress, Rollup, UnitCoverage

#: The sheets every workbook has; the personal list's name is
#: :func:`reports.wording.personal_sheet`'s.
SHEETS = ("Tổng hợp", "Theo đối tượng", "Kiểm tra dữ liệu")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
#: What a person without any record yet is shown as, instead of an outcome.
NO_RECORD = "Chưa có phiếu ghi nhận"


def workbook(
    coverage: Coverage,
    personal: list[dict[str, Any]] | None = None,
    scope_label: str | None = None,
) -> bytes:
    """The report as .xlsx bytes; ``personal`` (who is not done, as ``reports.queries.not_done``
    yields them, with ``unit_code`` and ``unit_name``) adds names and identifiers: the
    personal list's sheet, and the findings by name. A campaign without persons (counts
    only) has no personal list. ``scope_label`` names a part of the district ("Các
    phường"): in the titles and the total rows, so no total reads as the district's."""
    campaign = coverage.campaign
    book = Workbook()
    _summary(book.active, coverage, scope_label)
    _by_category(book.create_sheet(SHEETS[1]), coverage, scope_label)
    _checks(book.create_sheet(SHEETS[2]), coverage, personal is not None)
    if personal is not None and campaign.person is not None:  # a count-only campaign has none
        _not_done(book.create_sheet(wording.personal_sheet(campaign, SHEETS)), coverage, personal)
    report = campaign.report
    props = book.properties
    props.title = f"{wording.report_title(campaign)} – tính đến ngày {layout.day(coverage.as_of)}"
    props.subject = wording.title(campaign)
    props.creator = props.lastModifiedBy = report.agency or wording.title(campaign)
    props.keywords = "; ".join(
        dict.fromkeys(
            k for k in (wording.title(campaign), campaign.id, report.number, report.place) if k
        )
    )
    props.description = "\n".join(report.legal_basis) or None
    props.language = "vi-VN"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _intro(coverage: Coverage) -> list[str]:
    """The lines under the title: each legal basis, then the target."""
    campaign = coverage.campaign
    target = (
        f"Chỉ tiêu: {layout.pct(coverage.thresholds.target)} {wording.people(campaign)} "
        f"{wording.lower_first(wording.done_label(campaign))}."
    )
    return [*campaign.report.legal_basis, target]


def _footer(coverage: Coverage) -> str:
    parts = (coverage.campaign.report.agency, wording.title(coverage.campaign))
    return " – ".join(p for p in parts if p) + f" – tính đến ngày {layout.day(coverage.as_of)}"


def _has_reasons(coverage: Coverage) -> bool:
    person = coverage.campaign.person
    return bool(person and person.reasons) or any(u.reasons for u in coverage.units)


# --- the sheets ---------------------------------------------------------------------------


@dataclass
class _Columns:
    """A table's columns: header (label, sub-labels), column numbers, kinds, widths."""

    header: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)

    def add(self, label: str, kind: str, width: float, number: str | None = None) -> int:
        """One column under its own label; returns its number."""
        self.header.append((label, ()))
        return self.cell(kind, width, number)

    def pair(self, label: str, of: int) -> int:
        """A count and its share of column ``of`` under one label; returns the count's number."""
        self.header.append((label, ("Số người", "Tỷ lệ")))
        col = self.cell("count", 9)
        self.cell("pct", 8.5, f"{col + 1} = {col}/{of}")
        return col

    def cell(self, kind: str, width: float, number: str | None = None) -> int:
        """One more column under the last label (its sub-labels); returns its number."""
        self.kinds.append(kind)
        self.widths.append(width)
        col = len(self.kinds)
        self.numbers.append(number or str(col))
        return col


@dataclass(frozen=True)
class _Summary:
    columns: _Columns
    done: int  # the done count's column (its percentage is the next)
    reasons: bool

    @property
    def last(self) -> int:
        return len(self.columns.kinds)


def _summary_columns(coverage: Coverage) -> _Summary:
    campaign = coverage.campaign
    columns = _Columns()
    columns.add("STT", "stt", 5)
    columns.add("Tên đơn vị", "text", 40)
    columns.add("Nguồn số liệu", "center", 12)
    total = columns.add("Tổng số (người)", "count", 11)
    done = columns.pair(wording.done_label(campaign), total)
    for key in campaign.level_keys:
        columns.pair(campaign.label(key), total)
    not_label = wording.not_label(campaign)
    columns.add(f"{not_label} (người)", "count", 9, f"{len(columns.kinds) + 1} = {total} − {done}")
    reasons = _has_reasons(coverage)
    if reasons:
        columns.add(f"Lý do chủ yếu {wording.lower_first(not_label)} (số người)", "text", 42)
    columns.add("Đánh giá", "center", 9)
    return _Summary(columns, done, reasons)


def _summary(ws: Any, coverage: Coverage, scope_label: str | None = None) -> None:
    ws.title = SHEETS[0]
    table = _summary_columns(coverage)
    widths, spans = layout.title_columns(table.columns.widths)
    layout.widths(ws, widths)
    campaign = coverage.campaign
    title = wording.scoped(wording.appendix_title(campaign), scope_label)
    row = layout.title(ws, coverage, title, spans, _intro(coverage),
                       wording.attached_to(campaign, coverage.as_of))  # fmt: skip
    header: Header = table.columns.header
    head, row = row, layout.header(ws, row, header, table.columns.numbers)
    first = row
    kinds = table.columns.kinds
    for numeral, kind, units, rollup in _groups(coverage):
        layout.row(ws, row, [numeral, KIND_NAMES[kind][0].upper(), *[None] * (table.last - 2)],
                   kinds, bold=True, fill=FILL["group"])  # fmt: skip
        row += 1
        for n, unit in enumerate(units, start=1):
            source = SOURCE_NAMES.get(unit.source, (unit.source or DASH,))[0]
            values = [n, unit.name_vi, source, *_counts(coverage.campaign, unit.total)]
            if table.reasons:
                values.append(_reasons(coverage.campaign, unit.reasons))
            layout.row(ws, row, [*values, _progress_name(unit.progress)], kinds)
            layout.paint_progress(ws.cell(row, table.last), unit.progress)
            row += 1
        _total_row(ws, row, table, coverage, f"Cộng {KIND_NAMES[kind][0]}", rollup, units,
                   FILL["subtotal"])  # fmt: skip
        row += 1
    _total_row(ws, row, table, coverage, wording.total_label(scope_label), coverage.total,
               coverage.units, FILL["total"])  # fmt: skip
    done_pct = get_column_letter(table.done + 1)
    layout.colour_percentages(ws, [done_pct], first, row, coverage.thresholds)
    ws.freeze_panes = f"C{first}"
    total = row
    row = _summary_notes(ws, row + 2, coverage, table.last)
    end = layout.closing(ws, row + 1, coverage.campaign.report, spans)
    layout.print_setup(ws, _footer(coverage), title_rows=(head, first - 1), landscape=True)
    keep_from = max(first, total - layout.KEEP_ROWS + 1)  # the last rows, the total among them
    layout.keep_with_closing(ws, keep_from, end, (head, first - 1))


def _total_row(
    ws: Any,
    row: int,
    table: _Summary,
    coverage: Coverage,
    label: str,
    rollup: Rollup,
    units: Iterable[UnitCoverage],
    fill: str,
) -> None:
    reasons: Counter[str] = Counter()
    for unit in units:
        reasons.update(unit.reasons)
    known = len(rollup.units_unknown) < rollup.units
    values = [None, label, None, *_counts(coverage.campaign, rollup.counts, known)]
    if table.reasons:
        values.append(_reasons(coverage.campaign, reasons))
    layout.row(ws, row, [*values, _progress_name(rollup.progress)], table.columns.kinds,
               bold=True, fill=fill)  # fmt: skip
    layout.paint_progress(ws.cell(row, table.last), rollup.progress)


def _summary_notes(ws: Any, row: int, coverage: Coverage, last: int) -> int:
    notes = wording.summary_notes(coverage, f"xem sheet “{SHEETS[2]}”")
    layout.text(ws, row, "Ghi chú:", bold=True, italic=True)
    for note in notes:
        row += 1
        layout.merged_text(ws, row, f"- {note}", last, italic=True)
    return row + 1


def _category_columns(campaign: Campaign) -> _Columns:
    """STT, name, then per category: headcount, done, its share, and each further level."""
    columns = _Columns()
    columns.add("STT", "stt", 5)
    columns.add("Tên đơn vị", "text", 38)
    subs = (
        "Tổng số",
        wording.done_label(campaign),
        "Tỷ lệ",
        *map(campaign.label, campaign.level_keys),
    )
    for category in campaign.category_keys:
        columns.header.append((campaign.label(category), subs))
        for kind, width in (("count", 9), ("count", 9), ("pct", 8)):
            columns.cell(kind, width)
        for _key in campaign.level_keys:
            columns.cell("count", 9)
    return columns


def _by_category(ws: Any, coverage: Coverage, scope_label: str | None = None) -> None:
    campaign = coverage.campaign
    keys = campaign.category_keys
    columns = _category_columns(campaign)
    widths, spans = layout.title_columns(columns.widths)
    layout.widths(ws, widths)
    title = wording.scoped(wording.sheet_title(campaign, "THEO ĐỐI TƯỢNG"), scope_label)
    row = layout.title(ws, coverage, title, spans, _intro(coverage))
    head, row = row, layout.header(ws, row, columns.header)
    first = row
    kinds = columns.kinds
    for numeral, kind, units, _rollup in _groups(coverage):
        layout.row(ws, row, [numeral, KIND_NAMES[kind][0].upper(), *[None] * (len(kinds) - 2)],
                   kinds, bold=True, fill=FILL["group"])  # fmt: skip
        row += 1
        for n, unit in enumerate(units, start=1):
            values = [n, unit.name_vi, *_category_counts(campaign, unit.categories)]
            layout.row(ws, row, values, kinds)
            row += 1
        sums = {c: sum((_category(u, c) for u in units), Counts(0)) for c in keys}
        known = {c: any(_category(u, c).denominator is not None for u in units) for c in keys}
        values = [None, f"Cộng {KIND_NAMES[kind][0]}", *_category_counts(campaign, sums, known)]
        layout.row(ws, row, values, kinds, bold=True, fill=FILL["subtotal"])
        row += 1
    totals = {r.key: r.counts for r in coverage.categories}
    known = {r.key: len(r.units_unknown) < r.units for r in coverage.categories}
    values = [None, wording.total_label(scope_label), *_category_counts(campaign, totals, known)]
    layout.row(ws, row, values, kinds, bold=True, fill=FILL["total"])
    per = 3 + len(campaign.level_keys)
    pcts = [get_column_letter(3 + per * i + 2) for i in range(len(keys))]
    layout.colour_percentages(ws, pcts, first, row, coverage.thresholds)
    ws.freeze_panes = f"C{first}"
    note = (
        f"Ghi chú: tổng số {DASH} là đơn vị chưa xác định tổng số theo đối tượng; Cộng và "
        "Tổng cộng chỉ tính các đơn vị đã xác định tổng số."
    )
    layout.merged_text(ws, row + 2, note, len(kinds), italic=True)
    layout.print_setup(ws, _footer(coverage), title_rows=(head, first - 1), landscape=True)


def _checks(ws: Any, coverage: Coverage, personal: bool) -> None:
    campaign = coverage.campaign
    done = wording.done_label(campaign)
    widths, spans = layout.title_columns((6, 42, 26, 16, 16))
    layout.widths(ws, widths)
    row = layout.title(ws, coverage, "KIỂM TRA DỮ LIỆU", spans, _intro(coverage)) - 1
    names = {u.code: u.name_vi for u in coverage.units}
    layout.text(ws, row, f"1. Người {wording.lower_first(done)} nhưng không có trong danh sách của "
                "đơn vị", bold=True)  # fmt: skip
    row += 1
    if not coverage.findings_total:
        layout.text(ws, row, "Không có.", italic=True)
    elif personal and coverage.findings:
        header = ("STT", "Đơn vị", "Họ và tên", wording.identifier_label(campaign), "Đối tượng")
        row = layout.header(ws, row, [(h, ()) for h in header])
        for n, f in enumerate(coverage.findings, start=1):
            values: list[Cell] = [
                n,
                names.get(f.unit_code, f.unit_code),
                f.full_name,
                f.person_key,
                campaign.label(f.category) if f.category else DASH,
            ]
            layout.row(ws, row, values, ("stt", "text", "text", "center", "text"))
            ws.cell(row, 4).number_format = "@"  # an identifier is text: its leading zeros matter
            row += 1
    else:
        row = layout.header(ws, row, [(h, ()) for h in ("STT", "Đơn vị", "Số người")])
        for n, (code, count) in enumerate(coverage.finding_counts.items(), start=1):
            layout.row(ws, row, [n, names.get(code, code), count], ("stt", "text", "count"))
            row += 1
        layout.merged_text(ws, row, "Họ tên từng người chỉ có trong bản báo cáo dành cho người "
                           "được phép xem dữ liệu cá nhân.", 5, italic=True)  # fmt: skip
    row += 2
    layout.text(ws, row, "2. Đơn vị chưa xác định tổng số (không tính vào tổng cộng)", bold=True)
    row += 1
    unknown = [u for u in coverage.units if u.total.denominator is None]
    if not unknown:
        layout.text(ws, row, "Không có.", italic=True)
    else:
        labels = ("STT", "Đơn vị", "Loại đơn vị", f"{done} (người)")
        row = layout.header(ws, row, [(h, ()) for h in labels])
        for n, unit in enumerate(unknown, start=1):
            values = [n, unit.name_vi, KIND_NAMES[unit.kind][0], unit.total.done]
            layout.row(ws, row, values, ("stt", "text", "text", "count"))
            row += 1
        ask = "gửi danh sách hoặc khai báo tổng số" if campaign.person else "khai báo tổng số"
        layout.merged_text(ws, row, f"Đề nghị đơn vị {ask} để tính tỷ lệ.", 5, italic=True)
    layout.print_setup(ws, _footer(coverage), title_rows=None, landscape=False)


def _not_done(ws: Any, coverage: Coverage, personal: list[dict[str, Any]]) -> None:
    """Who on the rosters is not done: unit, name, identifier (text), category, the form's
    latest answer and the reasons given."""
    campaign = coverage.campaign
    not_label = wording.not_label(campaign)
    identifier = campaign.person.identifier if campaign.person else "person_key"
    reasons = _has_reasons(coverage)
    header = [
        "STT",
        "Đơn vị",
        "Họ và tên",
        wording.identifier_label(campaign),
        "Đối tượng",
        "Tình trạng",
    ]
    kinds = ["stt", "text", "text", "center", "text", "text"]
    sizes: list[float] = [6, 34, 26, 14, 15, 28]
    if reasons:
        header.append(f"Lý do {wording.lower_first(not_label)}")
        kinds.append("text")
        sizes.append(36)
    last = len(header)
    widths, spans = layout.title_columns(sizes)
    layout.widths(ws, widths)
    title = f"DANH SÁCH NGƯỜI {not_label.upper()}"
    row = layout.title(ws, coverage, title, spans, _intro(coverage)) - 1
    layout.merged_text(ws, row, "Tài liệu có dữ liệu cá nhân: chỉ dùng để hỗ trợ thực hiện, "
                       "không chia sẻ ra ngoài.", last, bold=True, italic=True)  # fmt: skip
    _named, unnamed, units = wording.not_done_split(coverage)
    if unnamed:  # the summary's total is larger: say by how much, and why
        row += 1
        label = wording.lower_first(not_label)
        layout.merged_text(ws, row, f"Danh sách gồm {len(personal)} người {label} ở các đơn vị "
                           f"đã nạp danh sách. Ngoài ra còn {unnamed} người {label} ở {units} "
                           "đơn vị chưa nạp danh sách, chỉ có trong số liệu tổng hợp (sheet "
                           f"“{SHEETS[0]}”), không nêu được họ tên.", last,
                           italic=True)  # fmt: skip
    head = row + 1
    row = layout.header(ws, head, [(h, ()) for h in header])
    first = row
    names = {u.code: u.name_vi for u in coverage.units}
    for n, person in enumerate(personal, start=1):
        unit = person.get("unit_name") or names.get(person.get("unit_code") or "", DASH)
        category = person.get("category")
        outcome = person.get("outcome")
        code = person.get(identifier) or person.get("person_key")
        values: list[Cell] = [
            n,
            unit,
            person.get("full_name"),
            None if code is None else str(code),
            campaign.label(category) if category else DASH,
            campaign.label(outcome) if outcome else NO_RECORD,
        ]
        if reasons:
            values.append("; ".join(campaign.label(r) for r in person.get("reasons") or ()))
        layout.row(ws, row, values, kinds)
        ws.cell(row, 4).number_format = "@"
        row += 1
    ws.freeze_panes = f"C{first}"
    ws.auto_filter.ref = f"A{head}:{get_column_letter(last)}{max(row - 1, head + 1)}"
    layout.print_setup(ws, _footer(coverage), title_rows=(head, first - 1), landscape=True)


# --- values -------------------------------------------------------------------------------


def _groups(coverage: Coverage) -> Iterator[tuple[str, str, list[UnitCoverage], Rollup]]:
    """Each kind of unit present, in the report's order: numeral, kind, units, subtotal."""
    rollups = {r.key: r for r in coverage.kinds}
    kinds = [k for k in KINDS if any(u.kind == k for u in coverage.units)]
    for numeral, kind in zip(ROMAN, kinds, strict=False):
        yield numeral, kind, [u for u in coverage.units if u.kind == kind], rollups[kind]


def _category(unit: UnitCoverage, key: str) -> Counts:
    """A unit's counts in one category (unknown when it has none)."""
    return unit.categories.get(key, Counts())


def _counts(campaign: Campaign, counts: Counts, known: bool = True) -> list[Cell]:
    """Headcount, done and its share, each level and its share, not done."""
    values: list[Cell] = [
        _known(counts.denominator, known), counts.done, _fraction(counts.done_pct),
    ]  # fmt: skip
    for key in campaign.level_keys:
        values += [counts.level(key), _fraction(counts.level_pct(key))]
    return [*values, _known(counts.not_done, known)]


def _category_counts(
    campaign: Campaign, categories: Mapping[str, Counts], known: Mapping[str, bool] | None = None
) -> list[Cell]:
    values: list[Cell] = []
    for category in campaign.category_keys:
        c = categories.get(category, Counts())
        den = _known(c.denominator, known is None or known.get(category, False))
        values += [den, c.done, _fraction(c.done_pct), *map(c.level, campaign.level_keys)]
    return values


def _known(value: int | None, known: bool = True) -> Cell:
    """A headcount, or "—" when unknown; a sum over no known unit is unknown too, not 0."""
    return DASH if value is None or not known else value


def _fraction(pct: float | None) -> Cell:
    """87.3 (%) as the number 0.873, which Excel shows as 87.3% with the ``0.0%`` format."""
    return DASH if pct is None else round(pct / 100, 4)


def _reasons(campaign: Campaign, reasons: Mapping[str, int], top: int = 3) -> str:
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return "; ".join(f"{campaign.label(code)} ({count})" for code, count in ranked)


def _progress_name(progress: Progress | None) -> str:
    return PROGRESS_NAMES.get(progress, (progress or DASH,))[0]
