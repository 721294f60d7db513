"""Coverage charts as PNG or SVG bytes, for the dashboard, the report and ``docs/``.

Drawn with matplotlib's object API on the Agg canvas (no pyplot: no global figure state, safe
in a multi-threaded server) in DejaVu Sans, which ships with matplotlib and has every
Vietnamese letter. SVG keeps its text as text (searchable, small) and is byte-for-byte
stable: a fixed ``svg.hashsalt`` and no date in its metadata. Titles, axis labels and legends
say what the campaign calls its target and its further levels (``Campaign.label``), in
Vietnamese or English (``lang``), with units by their registry names in that language, and
say what the numbers cover (``scope``: "Toàn quận" only for the whole district).

``narrow`` draws for a phone: a figure about 430 px wide, so that at a 390 px screen its
smallest text is still about 11 px (the wide chart, 1,200 px shrunk to the screen, would
leave it at 4–5 px).
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Sequence
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
#: Figure widths in inches (at :data:`DPI`): a screen's or the report's, and a phone's.
WIDE, NARROW = 10.0, 3.2
#: The smallest font size (points) in a narrow chart. Its SVG is about 360 pt wide with the
#: unit names beside the axes, shown about 360 px wide on a 390 px screen: 12.5 pt ≈ 12 px.
NARROW_FONT = 12.5
#: A unit's name is wrapped at this many characters in a narrow chart (and a title at
#: :data:`NARROW_TITLE`).
NARROW_NAME = 18
NARROW_TITLE = 32

#: The charts' own words, by language.
WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "rate": "Tỷ lệ {done} (%)", "summary": "{scope}: {pct} {done} ({count}/{total} người)",
        "no_total": "{scope}: chưa có đơn vị nào xác định được tổng số",
        "lowest": "{drawn} đơn vị có tỷ lệ thấp nhất trong {known} đơn vị",
        "title_units": "{title}: tỷ lệ {done} theo đơn vị – tính đến ngày {day}",
        "by_unit": "{title}: tỷ lệ {done} theo đơn vị",
        "more": " và {count} đơn vị khác",
        "unknown": "Chưa xác định tổng số, không vẽ ({count}): {names}",
        "trend": "{title}: tiến độ theo ngày", "from_to": " – từ {first} đến {last}",
        "no_data": "Chưa có số liệu", "pct": "Tỷ lệ (%)", "day": "Ngày",
        "target": "Mục tiêu {pct}", "below": "dưới {pct}",
    },
    "en": {
        "rate": "{done} rate (%)", "summary": "{scope}: {pct} {done} ({count}/{total} {people})",
        "no_total": "{scope}: no unit has a known headcount yet",
        "lowest": "the {drawn} units with the lowest rates of {known}",
        "title_units": "{title}: {done} by unit – as of {day}",
        "by_unit": "{title}: {done} by unit",
        "more": " and {count} other units",
        "unknown": "Headcount unknown, not drawn ({count}): {names}",
        "trend": "{title}: progress by day", "from_to": " – {first} to {last}",
        "no_data": "No figures yet", "pct": "Rate (%)", "day": "Day",
        "target": "Target {pct}", "below": "below {pct}",
    },
}  # fmt: skip


def coverage_by_unit(
    coverage: Coverage,
    format: str = "png",
    lang: str = "vi",
    scope: tuple[str, str] = wording.WHOLE,
    narrow: bool = False,
) -> bytes:
    """The campaign's done % per unit, grouped by kind of unit and coloured by progress,
    against the target; units whose headcount is unknown are left out and named under the
    chart. With more than :data:`MAX_BARS` units, only the ones with the lowest coverage are
    drawn. ``scope`` (Vietnamese, English) names what the total covers."""
    _check(format)
    w = WORDS["en" if lang == "en" else "vi"]
    en = lang == "en"
    campaign = coverage.campaign
    done = wording.lower_first(campaign.label(campaign.done.key, lang))
    name_of = _namer(lang, narrow)
    known = [u for u in coverage.units if u.total.done_pct is not None]
    drawn = {u.code for u in sorted(known, key=lambda u: (u.total.done_pct or 0.0, u.code))
             [:MAX_BARS]}  # fmt: skip
    rows: list[tuple[str, UnitCoverage | None]] = []  # a kind's heading, then its units
    for kind in KINDS:
        units = [u for u in known if u.kind == kind and u.code in drawn]
        if units:
            rows.append((KIND_NAMES[kind][1 if en else 0].upper(), None))
            units.sort(key=lambda u: -(u.total.done_pct or 0.0))
            rows += [(name_of(u), u) for u in units]
    unknown = [_name(u, lang) for u in coverage.units if u.total.done_pct is None]
    t = coverage.thresholds
    # Each row as tall as its name's lines (a narrow chart wraps long names), top down.
    heights = [name.count("\n") + 1 for name, _ in rows]
    lines = sum(heights)
    ys = [lines - sum(heights[:n]) - heights[n] / 2 + 0.5 for n in range(len(rows))]
    with rc_context(_style(narrow)):
        width = NARROW if narrow else WIDE
        line = 0.36 if narrow else 0.24  # inches per line of a unit's name
        fig = Figure(figsize=(width, 1.6 + line * max(lines, 4)), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        bars = [(y, u) for y, (_, u) in zip(ys, rows, strict=True) if u is not None]
        pcts = [u.total.done_pct or 0.0 for _, u in bars]
        ax.barh([y for y, _ in bars], pcts, height=0.7,
                color=[PROGRESS_COLOURS[u.progress] if u.progress else UNKNOWN_COLOUR
                       for _, u in bars])  # fmt: skip
        small = _size(7.5, narrow)
        for (y, _), pct in zip(bars, pcts, strict=True):
            ax.text(pct + 0.8, y, _pct(pct, lang=lang), va="center", fontsize=small, zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})  # fmt: skip
        ax.set_yticks(ys, [name for name, _ in rows])
        for label, (_, unit) in zip(ax.get_yticklabels(), rows, strict=True):
            if unit is None:
                label.set_fontweight("bold")
        ax.tick_params(axis="y", length=0, labelsize=_size(8, narrow))
        ax.set_ylim(0.4, lines + 0.6)
        ax.set_xlim(0, max([t.target + 12, *[p + 10 for p in pcts]]))
        ax.set_xlabel(w["rate"].format(done=done))
        ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
        ax.set_axisbelow(True)
        _target_line(ax, t.target, vertical=True, lang=lang, narrow=narrow)
        # Below the axis, where no bar can be: 34 pt under the axes, past the axis label.
        below = ax.transAxes + ScaledTranslation(0, -34 / 72, fig.dpi_scale_trans)
        ax.legend(handles=_progress_legend(t, lang), loc="upper center", bbox_to_anchor=(0.5, 0),
                  bbox_transform=below, ncols=1 if narrow else 4, fontsize=_size(8, narrow),
                  frameon=False)  # fmt: skip
        total = coverage.total.counts
        where = scope[1] if en else scope[0]
        summary = (
            w["summary"].format(scope=where, pct=_pct(total.done_pct, lang=lang), done=done,
                                count=_int(total.done, lang), total=_int(total.denominator, lang),
                                people="person" if total.denominator == 1 else "people")
            if total.done_pct is not None
            else w["no_total"].format(scope=where)
        )  # fmt: skip
        if len(known) > len(drawn):
            summary += "\n" + w["lowest"].format(drawn=len(drawn), known=_int(len(known), lang))
        title = wording.title(campaign, lang)
        heading = w["title_units"].format(title=title, done=done, day=_day(coverage.as_of, lang))
        ax.set_title(
            f"{_fill(heading, narrow)}\n{_fill(summary, narrow)}",
            loc="left", fontsize=_size(11, narrow), fontweight="bold", pad=18,
        )  # fmt: skip
        if unknown:
            names = "; ".join(unknown[:MAX_NAMED])
            if len(unknown) > MAX_NAMED:
                names += w["more"].format(count=_int(len(unknown) - MAX_NAMED, lang))
            note = w["unknown"].format(count=_int(len(unknown), lang), names=names)
            ax.annotate(textwrap.fill(note, NARROW_TITLE if narrow else 150), xy=(0, 0),
                        xycoords="axes fraction", xytext=(0, -120 if narrow else -62),
                        textcoords="offset points", va="top", fontsize=_size(8, narrow),
                        style="italic")  # fmt: skip
        return _save(fig, format, w["by_unit"].format(title=title, done=done))


def trend(
    campaign: Campaign,
    points: Sequence[tuple[date, Counts]],
    target: float | None = None,
    format: str = "png",
    lang: str = "vi",
    scope: tuple[str, str] | None = None,
    narrow: bool = False,
) -> bytes:
    """The campaign's done % and each further level's % per day (``points``: each day's total
    counts, as ``reports.trend.trend`` gives them) against the ``target`` (the campaign's
    unless given); a day whose denominator is unknown leaves a gap. ``scope`` (Vietnamese,
    English), when given, names what the line covers."""
    _check(format)
    w = WORDS["en" if lang == "en" else "vi"]
    target = campaign.target_pct if target is None else target
    days = [day for day, _ in points]
    series = [
        (campaign.label(campaign.done.key, lang), [_value(c.done_pct) for _, c in points]),
        *((campaign.label(k, lang), [_value(c.level_pct(k)) for _, c in points])
          for k in campaign.level_keys),
    ]  # fmt: skip
    with rc_context(_style(narrow)):
        fig = Figure(figsize=(NARROW if narrow else WIDE, 4.0 if narrow else 4.8), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        title = w["trend"].format(title=wording.title(campaign, lang))
        if scope is not None:
            title += f" – {scope[1] if lang == 'en' else scope[0]}"
        if days:
            title += w["from_to"].format(first=_day(days[0], lang), last=_day(days[-1], lang))
            # Days as ordinals with our own dd/mm labels: typed, and no locale or date
            # converter state involved.
            xs = [day.toordinal() for day in days]
            for n, (label, values) in enumerate(series):
                colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
                ax.plot(xs, values, marker=MARKERS[n % len(MARKERS)], markersize=3,
                        color=colour, label=f"{label} (%)")  # fmt: skip
                _label_last(ax, xs, values, colour, lang, narrow)
            step = max(1, math.ceil(len(days) / (4 if narrow else 12)))
            ticks = days[::-step][::-1]  # counted back from the last day, which is always shown
            shown = [f"{d:%d/%m}" if lang != "en" else f"{d:%d %b}" for d in ticks]
            ax.set_xticks([d.toordinal() for d in ticks], shown)
            ax.legend(loc="lower right", fontsize=_size(8, narrow), framealpha=0.95)
        else:
            ax.text(0.5, 0.5, w["no_data"], ha="center", va="center",
                    transform=ax.transAxes, fontsize=12, color="#757575")  # fmt: skip
            ax.set_xticks([])
        known = [v for _, values in series for v in values if not math.isnan(v)]
        ax.set_ylim(0, max([target, *known]) + 12)
        ax.set_ylabel(w["pct"])
        ax.set_xlabel(w["day"])
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        _target_line(ax, target, vertical=False, lang=lang, narrow=narrow)
        ax.set_title(_fill(title, narrow), loc="left", fontsize=_size(11, narrow),
                     fontweight="bold")  # fmt: skip
        return _save(fig, format, w["trend"].format(title=wording.title(campaign, lang)))


def _value(pct: float | None) -> float:
    return math.nan if pct is None else pct


def _check(format: str) -> None:
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {format!r}")


def _style(narrow: bool) -> dict[RcKeyType, Any]:
    return {**STYLE, "font.size": NARROW_FONT} if narrow else STYLE


def _size(points: float, narrow: bool) -> float:
    """A font size, at least :data:`NARROW_FONT` in a narrow chart."""
    return max(points, NARROW_FONT) if narrow else points


def _fill(text: str, narrow: bool) -> str:
    """A title's lines wrapped to a narrow chart's width."""
    if not narrow:
        return text
    return "\n".join(textwrap.fill(line, NARROW_TITLE) for line in text.split("\n"))


def _name(unit: UnitCoverage, lang: str) -> str:
    """A unit's name in ``lang``: its registry English name in English, when it has one."""
    return unit.name_en if lang == "en" and unit.name_en else unit.name_vi


def _namer(lang: str, narrow: bool) -> Callable[[UnitCoverage], str]:
    def name(unit: UnitCoverage) -> str:
        text = _name(unit, lang)
        return textwrap.fill(text, NARROW_NAME) if narrow else text

    return name


def _day(value: date, lang: str) -> str:
    return f"{value:%d %b %Y}" if lang == "en" else f"{value:%d/%m/%Y}"


def _target_line(
    ax: Any, target: float, *, vertical: bool, lang: str = "vi", narrow: bool = False
) -> None:
    label = _target_label(target, lang)
    size = _size(8, narrow)
    if vertical:
        ax.axvline(target, color=TARGET_COLOUR, linestyle="--", linewidth=1.2)
        ax.text(target, 1.0, label, transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=size, fontweight="bold", color=TARGET_COLOUR)  # fmt: skip
    else:
        ax.axhline(target, color=TARGET_COLOUR, linestyle="--", linewidth=1.2)
        ax.text(0.005, target, label, transform=ax.get_yaxis_transform(), ha="left",
                va="bottom", fontsize=size, fontweight="bold", color=TARGET_COLOUR)  # fmt: skip


def _target_label(target: float, lang: str = "vi") -> str:
    return WORDS[_lang(lang)]["target"].format(pct=_pct(target, digits=None, lang=lang))


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "vi"


def _progress_legend(t: Thresholds, lang: str = "vi") -> list[Artist]:
    below = WORDS[_lang(lang)]["below"]
    ranges = {
        Progress.REACHED: f"≥ {_pct(t.target, None, lang)}",
        Progress.ON_TRACK: f"{_pct(t.on_track, None, lang)} – "
        + below.format(pct=_pct(t.target, None, lang)),
        Progress.LAGGING: below.format(pct=_pct(t.on_track, None, lang)),
    }
    index = 1 if lang == "en" else 0
    target = Line2D(
        [], [], color=TARGET_COLOUR, linestyle="--", label=_target_label(t.target, lang)
    )
    return [
        *(
            Patch(color=colour, label=f"{PROGRESS_NAMES[progress][index]} ({ranges[progress]})")
            for progress, colour in PROGRESS_COLOURS.items()
        ),
        target,
    ]


def _label_last(
    ax: Any, xs: list[int], series: list[float], colour: str, lang: str = "vi",
    narrow: bool = False,
) -> None:  # fmt: skip
    known = [(x, v) for x, v in zip(xs, series, strict=True) if not math.isnan(v)]
    if known:
        x, value = known[-1]
        ax.annotate(_pct(value, lang=lang), (x, value), xytext=(4, 4), textcoords="offset points",
                    fontsize=_size(8, narrow), color=colour, fontweight="bold")  # fmt: skip


def _pct(value: float | None, digits: int | None = 1, lang: str = "vi") -> str:
    """87.3 as "87,3%": Vietnamese writes a decimal comma; English "87.3%"."""
    if value is None:
        return "—"
    text = f"{value:g}" if digits is None else f"{value:.{digits}f}"
    return (text if lang == "en" else text.replace(".", ",")) + "%"


def _int(value: int | None, lang: str = "vi") -> str:
    """1234 as "1.234": Vietnamese groups thousands with a dot; English "1,234"."""
    if value is None:
        return "—"
    return f"{value:,}" if lang == "en" else f"{value:,}".replace(",", ".")


def _save(fig: Figure, format: str, title: str) -> bytes:
    out = io.BytesIO()
    metadata: dict[str, Any] = {"Title": title}
    if format == "svg":
        metadata["Date"] = None  # no timestamp, so the same figures give the same bytes
    fig.savefig(out, format=format, metadata=metadata, bbox_inches="tight", pad_inches=0.2)
    return out.getvalue()
