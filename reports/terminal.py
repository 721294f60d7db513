"""The coverage report as a text table for a terminal: at most 100 columns, people's words.

``vssid report coverage`` prints it. Units go under their kind's heading (``PHÒNG, BAN``),
by name, with the Vietnamese column headers of the Excel report and no internal code: a
unit's name too long for what :data:`WIDTH` leaves goes on on the next line, indented.
Numbers are written as Vietnamese documents write them (``1.790``, ``91,0%``); an unknown
headcount is "—".
The CSV and the JSON document keep the codes, for programs.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from reports import wording
from reports.export import KIND_NAMES, PROGRESS_NAMES, category_names
from reports.layout import DASH, day
from reports.model import Counts, Coverage, Progress

#: The widest line printed (a terminal's 100 columns).
WIDTH = 100
GAP = "  "


def table(coverage: Coverage, by: str = "unit") -> str:
    """The report ``by`` unit (under each kind's heading), kind or category, then the total."""
    campaign = coverage.campaign
    levels = campaign.level_keys
    header = [
        "Đơn vị" if by == "unit" else "Loại đơn vị" if by == "kind" else "Đối tượng",
        "Tổng số",
        wording.done_label(campaign),
        "Tỷ lệ",
        *(x for key in levels for x in (campaign.label(key), "Tỷ lệ")),
        wording.not_label(campaign),
        "Đánh giá",
    ]
    rows: list[tuple[str, list[str]] | str] = []  # a row, or a group's heading
    if by == "unit":
        kind = None
        for unit in coverage.units:
            if unit.kind != kind:
                kind = unit.kind
                rows.append(KIND_NAMES[kind][0].upper())
            rows.append((unit.name_vi, _numbers(coverage, unit.total, unit.progress)))
    else:
        names = (
            {k: v[0] for k, v in KIND_NAMES.items()}
            if by == "kind"
            else {k: v[0] for k, v in category_names(campaign).items()}
        )
        rollups = coverage.kinds if by == "kind" else coverage.categories
        for rollup in rollups:
            if by == "kind" and not rollup.units:
                continue
            rows.append((names[rollup.key], _numbers(coverage, rollup.counts, rollup.progress)))
    total = coverage.total
    rows.append(("TỔNG CỘNG", _numbers(coverage, total.counts, total.progress)))
    title = f"{wording.title(campaign)}: tiến độ tính đến ngày {day(coverage.as_of)}"
    return "\n".join([title, *_lines(header, rows)])


def _numbers(coverage: Coverage, counts: Counts, progress: Progress | None) -> list[str]:
    values = [_count(counts.denominator), _count(counts.done), _pct(counts.done_pct)]
    for key in coverage.campaign.level_keys:
        values += [_count(counts.level(key)), _pct(counts.level_pct(key))]
    return [*values, _count(counts.not_done), PROGRESS_NAMES.get(progress, (DASH,))[0]]


def _lines(header: Sequence[str], rows: Sequence[tuple[str, list[str]] | str]) -> list[str]:
    """Columns sized to their widest value; the name column takes what is left of the line."""
    data = [r for r in rows if not isinstance(r, str)]
    widths = [
        max(len(header[i + 1]), *(len(values[i]) for _name, values in data))
        for i in range(len(header) - 1)
    ]
    room = WIDTH - sum(widths) - len(GAP) * len(widths)
    name_width = max(16, min(room, max(len(header[0]), *(len(name) for name, _v in data))))

    def line(name: str, values: Sequence[str]) -> str:
        first, *more = textwrap.wrap(name, name_width) or [""]
        cells = [first.ljust(name_width)]
        cells += [v.rjust(w) for v, w in zip(values, widths, strict=True)]
        return "\n".join([GAP.join(cells).rstrip(), *("  " + m for m in more)])

    rule = "-" * min(WIDTH, name_width + sum(widths) + len(GAP) * len(widths))
    out = [line(header[0], header[1:]), rule]
    for row in rows:
        if isinstance(row, str):
            out.append(_cut(row, WIDTH))
        else:
            if row is data[-1]:
                out.append(rule)
            out.append(line(*row))
    return out


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}".replace(",", ".")


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}%".replace(".", ",")
