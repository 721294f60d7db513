"""Coverage charts as PNG or SVG bytes, for the dashboard, the report and ``docs/``.

Drawn with matplotlib's object API on the Agg canvas (no pyplot: no global figure state, safe
in a multi-threaded server) in DejaVu Sans, which ships with matplotlib and has every
Vietnamese letter. SVG keeps its text as text (searchable, small) and is byte-for-byte
stable: a fixed ``svg.hashsalt`` and no date in its metadata. Titles, axis labels and legends
say what the campaign calls its target and its further levels (``Campaign.label``).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from datetime import date
from typing import Any

from matplotlib import rc_context
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation
from matplotlib.typing import RcKeyType

from ingest.campaigns import Campaign
from reports import wording
from reports.export import KIND_NAMES, PROGRESS_NAMES
from reports.model import KINDS, Counts, Coverage, Progress, Thresholds, UnitCoverage

FORMATS = ("png", "svg")
PROGRESS_COLOURS = {Progress.REACHED: "#2e7d32", Progress.ON_TRACK: "#f9a825",
                    Progress.LAGGING: "#c62828"}  # fmt: skip
UNKNOWN_COLOUR = "#9e9e9e"
TARGET_COLOUR = "#37474f"
#: The trend's lines: the target outcome first, then each further level (cycled).
SERIES_COLOURS = ("#1565c0", "#00897b", "#6a1b9a", "#ef6c00", "#5d4037")
MARKERS = ("o", "s", "^", "D", "v")
STYLE: dict[RcKeyType, Any] = {
    "font.family": ["sans-serif"],  # SVG text names a generic fallback after DejaVu Sans
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "svg.fonttype": "none",
    "svg.hashsalt": "vssid-campaign",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
DPI = 120
#: Most unit bars in one chart (a district has ~50 units; a whole city or the country many
#: more): beyond it the units furthest from the target are drawn, and the chart says so.
MAX_BARS = 60
#: Most names of units with an unknown headcount listed under the chart.
MAX_NAMED = 40


def coverage_by_unit(coverage: Coverage, format: str = "png") -> bytes:
    """The campaign's done % per unit, grouped by kind of unit and coloured by progress,
    against the target; units whose headcount is unknown are left out and named under the
    chart. With more than :data:`MAX_BARS` units, only the ones with the lowest coverage are
    drawn."""
    _check(format)
    campaign = coverage.campaign
    done = wording.lower_first(campaign.label(campaign.done.key))
    known = [u for u in coverage.units if u.total.done_pct is not None]
    drawn = {u.code for u in sorted(known, key=lambda u: (u.total.done_pct or 0.0, u.code))
             [:MAX_BARS]}  # fmt: skip
    rows: list[tuple[str, UnitCoverage | None]] = []  # a kind's heading, then its units
    for kind in KINDS:
        units = [u for u in known if u.kind == kind and u.code in drawn]
        if units:
            rows.append((KIND_NAMES[kind][0].upper(), None))
            units.sort(key=lambda u: -(u.total.done_pct or 0.0))
            rows += [(u.name_vi, u) for u in units]
    unknown = [u.name_vi for u in coverage.units if u.total.done_pct is None]
    t = coverage.thresholds
    with rc_context(STYLE):
        fig = Figure(figsize=(10, 1.6 + 0.24 * max(len(rows), 4)), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ys = range(len(rows), 0, -1)
        bars = [(y, u) for y, (_, u) in zip(ys, rows, strict=True) if u is not None]
        pcts = [u.total.done_pct or 0.0 for _, u in bars]
        ax.barh([y for y, _ in bars], pcts, height=0.7,
                color=[PROGRESS_COLOURS[u.progress] if u.progress else UNKNOWN_COLOUR
                       for _, u in bars])  # fmt: skip
        for (y, _), pct in zip(bars, pcts, strict=True):
            ax.text(pct + 0.8, y, _pct(pct), va="center", fontsize=7.5, zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})  # fmt: skip
        ax.set_yticks(list(ys), [name for name, _ in rows])
        for label, (_, unit) in zip(ax.get_yticklabels(), rows, strict=True):
            if unit is None:
                label.set_fontweight("bold")
        ax.tick_params(axis="y", length=0, labelsize=8)
        ax.set_ylim(0.4, len(rows) + 0.6)
        ax.set_xlim(0, max([t.target + 12, *[p + 10 for p in pcts]]))
        ax.set_xlabel(f"Tỷ lệ {done} (%)")
        ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
        ax.set_axisbelow(True)
        _target_line(ax, t.target, vertical=True)
        # Below the axis, where no bar can be: 34 pt under the axes, past the axis label.
        below = ax.transAxes + ScaledTranslation(0, -34 / 72, fig.dpi_scale_trans)
        ax.legend(handles=_progress_legend(t), loc="upper center", bbox_to_anchor=(0.5, 0),
                  bbox_transform=below, ncols=4, fontsize=8, frameon=False)  # fmt: skip
        total = coverage.total.counts
        summary = (
            f"Tổng cộng: {_pct(total.done_pct)} {done} ({_int(total.done)}/"
            f"{_int(total.denominator)} người)"
            if total.done_pct is not None
            else "Chưa có đơn vị nào xác định được tổng số"
        )
        if len(known) > len(drawn):
            summary += f"\n{len(drawn)} đơn vị có tỷ lệ thấp nhất trong {_int(len(known))} đơn vị"
        ax.set_title(
            f"{wording.title(campaign)}: tỷ lệ {done} theo đơn vị – tính đến ngày "
            f"{coverage.as_of:%d/%m/%Y}\n{summary}",
            loc="left", fontsize=11, fontweight="bold", pad=18,
        )  # fmt: skip
        if unknown:
            names = "; ".join(unknown[:MAX_NAMED])
            if len(unknown) > MAX_NAMED:
                names += f" và {_int(len(unknown) - MAX_NAMED)} đơn vị khác"
            note = f"Chưa xác định tổng số, không vẽ ({_int(len(unknown))}): {names}"
            ax.annotate(textwrap.fill(note, 150), xy=(0, 0), xycoords="axes fraction",
                        xytext=(0, -62), textcoords="offset points", va="top", fontsize=8,
                        style="italic")  # fmt: skip
        return _save(fig, format, f"{wording.title(campaign)}: tỷ lệ {done} theo đơn vị")


def trend(
    campaign: Campaign,
    points: Sequence[tuple[date, Counts]],
    target: float | None = None,
    format: str = "png",
) -> bytes:
    """The campaign's done % and each further level's % per day (``points``: each day's total
    counts, as ``reports.trend.trend`` gives them) against the ``target`` (the campaign's
    unless given); a day whose denominator is unknown leaves a gap."""
    _check(format)
    target = campaign.target_pct if target is None else target
    days = [day for day, _ in points]
    series = [
        (campaign.label(campaign.done.key), [_value(c.done_pct) for _, c in points]),
        *((campaign.label(k), [_value(c.level_pct(k)) for _, c in points])
          for k in campaign.level_keys),
    ]  # fmt: skip
    with rc_context(STYLE):
        fig = Figure(figsize=(10, 4.8), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        title = f"{wording.title(campaign)}: tiến độ theo ngày"
        if days:
            title += f" – từ {days[0]:%d/%m/%Y} đến {days[-1]:%d/%m/%Y}"
            # Days as ordinals with our own dd/mm labels: typed, and no locale or date
            # converter state involved.
            xs = [day.toordinal() for day in days]
            for n, (label, values) in enumerate(series):
                colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
                ax.plot(xs, values, marker=MARKERS[n % len(MARKERS)], markersize=3,
                        color=colour, label=f"{label} (%)")  # fmt: skip
                _label_last(ax, xs, values, colour)
            step = max(1, math.ceil(len(days) / 12))
            ticks = days[::-step][::-1]  # counted back from the last day, which is always shown
            ax.set_xticks([d.toordinal() for d in ticks], [f"{d:%d/%m}" for d in ticks])
            ax.legend(loc="lower right", fontsize=8, framealpha=0.95)
        else:
            ax.text(0.5, 0.5, "Chưa có số liệu", ha="center", va="center",
                    transform=ax.transAxes, fontsize=12, color="#757575")  # fmt: skip
            ax.set_xticks([])
        known = [v for _, values in series for v in values if not math.isnan(v)]
        ax.set_ylim(0, max([target, *known]) + 12)
        ax.set_ylabel("Tỷ lệ (%)")
        ax.set_xlabel("Ngày")
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        _target_line(ax, target, vertical=False)
        ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
        return _save(fig, format, f"{wording.title(campaign)}: tiến độ theo ngày")


def _value(pct: float | None) -> float:
    return math.nan if pct is None else pct


def _check(format: str) -> None:
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {format!r}")


def _target_line(ax: Any, target: float, *, vertical: bool) -> None:
    label = _target_label(target)
    if vertical:
        ax.axvline(target, color=TARGET_COLOUR, linestyle="--", linewidth=1.2)
        ax.text(target, 1.0, label, transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=8, fontweight="bold", color=TARGET_COLOUR)  # fmt: skip
    else:
        ax.axhline(target, color=TARGET_COLOUR, linestyle="--", linewidth=1.2)
        ax.text(0.005, target, label, transform=ax.get_yaxis_transform(), ha="left",
                va="bottom", fontsize=8, fontweight="bold", color=TARGET_COLOUR)  # fmt: skip


def _target_label(target: float) -> str:
    return f"Mục tiêu {_pct(target, digits=None)}"


def _progress_legend(t: Thresholds) -> list[Artist]:
    ranges = {
        Progress.REACHED: f"≥ {_pct(t.target, None)}",
        Progress.ON_TRACK: f"{_pct(t.on_track, None)} – dưới {_pct(t.target, None)}",
        Progress.LAGGING: f"dưới {_pct(t.on_track, None)}",
    }
    target = Line2D([], [], color=TARGET_COLOUR, linestyle="--", label=_target_label(t.target))
    return [
        *(
            Patch(color=colour, label=f"{PROGRESS_NAMES[progress][0]} ({ranges[progress]})")
            for progress, colour in PROGRESS_COLOURS.items()
        ),
        target,
    ]


def _label_last(ax: Any, xs: list[int], series: list[float], colour: str) -> None:
    known = [(x, v) for x, v in zip(xs, series, strict=True) if not math.isnan(v)]
    if known:
        x, value = known[-1]
        ax.annotate(_pct(value), (x, value), xytext=(4, 4), textcoords="offset points",
                    fontsize=8, color=colour, fontweight="bold")  # fmt: skip


def _pct(value: float | None, digits: int | None = 1) -> str:
    """87.3 as "87,3%": Vietnamese writes a decimal comma."""
    if value is None:
        return "—"
    text = f"{value:g}" if digits is None else f"{value:.{digits}f}"
    return text.replace(".", ",") + "%"


def _int(value: int | None) -> str:
    """1234 as "1.234": Vietnamese groups thousands with a dot."""
    return "—" if value is None else f"{value:,}".replace(",", ".")


def _save(fig: Figure, format: str, title: str) -> bytes:
    out = io.BytesIO()
    metadata: dict[str, Any] = {"Title": title}
    if format == "svg":
        metadata["Date"] = None  # no timestamp, so the same figures give the same bytes
    fig.savefig(out, format=format, metadata=metadata, bbox_inches="tight", pad_inches=0.2)
    return out.getvalue()
