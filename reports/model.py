"""The coverage report as values, and docs/architecture.md §4's arithmetic on them (no database).

:class:`Coverage` is one campaign's whole report as of a date: a :class:`UnitCoverage` row per
unit, :class:`Rollup` sums per kind of unit, per category and in total, and the data-quality
:class:`Finding` s. :class:`Counts` hold a denominator, the people ``done`` (the campaign's
target outcome) and the people at each further level. :func:`unit_row` applies §4's rules to
one unit's counts (its denominator's source: roster, declared headcount, unit report, else
unknown); :func:`rollup` and :func:`category_rollup` add the units whose denominator is known
and name the others; :func:`contribution` is what one unit adds to a total, for the trend.
``reports.queries`` reads the counts these take; ``reports.coverage`` and ``reports.trend`` put
the two together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from ingest.campaigns import Campaign
from ingest.collation import text_key
from ingest.models import DONE, PEOPLE
from ingest.registry.units import KIND_ORDER

KINDS = tuple(sorted(KIND_ORDER, key=KIND_ORDER.__getitem__))
#: The category of people counted whose category is not one of the campaign's.
UNKNOWN = "unknown"


class Progress(StrEnum):
    """A unit's or rollup's coverage progress against the target (None where unknown).

    The JSON document and the CLI still call it ``status`` (the API's contract).
    """

    REACHED = "reached"
    ON_TRACK = "on_track"
    LAGGING = "lagging"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``reached`` at or above ``target``; ``on_track`` at or above ``on_track``; else lagging."""

    target: float = 100.0
    on_track: float = 80.0

    @classmethod
    def of(cls, campaign: Campaign) -> Thresholds:
        return cls(campaign.target_pct, campaign.on_track_pct)

    def progress(self, pct: float | None) -> Progress | None:
        """The progress of a done percentage (None when it is unknown)."""
        if pct is None:
            return None
        if pct >= self.target:
            return Progress.REACHED
        return Progress.ON_TRACK if pct >= self.on_track else Progress.LAGGING


def percent(part: int, whole: int | None) -> float | None:
    """``part`` ÷ ``whole`` × 100 with one decimal (half up); None when unknown or zero."""
    if not whole:
        return None
    # Tenths of a percent rounded half up, in integers: floor(part × 1000 ÷ whole + ½).
    return ((2000 * part + whole) // (2 * whole)) / 10


@dataclass(frozen=True, slots=True)
class Counts:
    """A denominator (None: unknown), the people done and the people at each further level."""

    denominator: int | None = None
    done: int = 0
    levels: Mapping[str, int] = field(default_factory=dict)

    @property
    def done_pct(self) -> float | None:
        return percent(self.done, self.denominator)

    def level(self, key: str) -> int:
        return self.levels.get(key, 0)

    def level_pct(self, key: str) -> float | None:
        return percent(self.level(key), self.denominator)

    @property
    def not_done(self) -> int | None:
        if self.denominator is None:
            return None
        return max(self.denominator - self.done, 0)

    def __add__(self, other: Counts) -> Counts:
        if other.denominator is None:
            return self
        levels = dict(self.levels)
        for key, n in other.levels.items():
            levels[key] = levels.get(key, 0) + n
        return Counts((self.denominator or 0) + other.denominator, self.done + other.done, levels)


@dataclass(frozen=True, slots=True)
class UnitCoverage:
    """One unit's row: its denominator's source, totals, per category, and reasons."""

    code: str
    name_vi: str
    name_en: str
    kind: str
    parent_code: str | None
    source: str | None
    total: Counts
    categories: dict[str, Counts]
    progress: Progress | None
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rollup:
    """A sum over units with a known denominator; ``units_unknown`` names the rest."""

    key: str
    counts: Counts
    units: int
    units_unknown: tuple[str, ...]
    progress: Progress | None


@dataclass(frozen=True, slots=True)
class Finding:
    """A data-quality finding: a person done but not on their unit's roster."""

    kind: str
    unit_code: str
    person_key: str
    full_name: str
    category: str | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """One campaign's whole report as of a date."""

    campaign: Campaign
    as_of: date
    thresholds: Thresholds
    units: tuple[UnitCoverage, ...]
    kinds: tuple[Rollup, ...]
    categories: tuple[Rollup, ...]
    total: Rollup
    #: Listed only when asked for (personal data); counted per unit always.
    findings: tuple[Finding, ...]
    finding_counts: dict[str, int] = field(default_factory=dict)

    @property
    def findings_total(self) -> int:
        """People done but not on their unit's roster, over the units shown."""
        return sum(self.finding_counts.values())


@dataclass(frozen=True, slots=True)
class Figures:
    """A unit's own reported figures in one category: headcount (None: not reported), done,
    and each level."""

    headcount: int | None = None
    done: int = 0
    levels: Mapping[str, int] = field(default_factory=dict)


#: A unit's reported figures per category, as of a date (the latest report, or their sum).
Report = Mapping[str, Figures]

#: Counted people: per (category, on roster), the people of each measure (``people``,
#: ``done``, each level's key).
Tallied = dict[tuple[str, bool], dict[str, int]]


def unit_order(unit: Any) -> tuple[Any, ...]:
    """The order people look for units in: by kind, then by name in Vietnamese order
    (``ingest.collation``: Phường 2 < 10, "Đội" after "Dân"), then code."""
    return (KIND_ORDER[unit.kind], text_key(unit.name_vi), unit.code)


def tallied(rows: Iterable[tuple[str, str, bool, str, int]]) -> dict[str, Tallied]:
    """Rows of (unit, category, on roster, measure, people) per unit."""
    out: dict[str, Tallied] = defaultdict(dict)
    for unit, category, on_roster, measure, n in rows:
        per = out[unit].setdefault((category, bool(on_roster)), {})
        per[measure] = per.get(measure, 0) + int(n)
    return out


def _counts(measures: Mapping[str, int], levels: tuple[str, ...], with_people: bool) -> Counts:
    return Counts(
        measures.get(PEOPLE, 0) if with_people else None,
        measures.get(DONE, 0),
        {k: measures.get(k, 0) for k in levels},
    )


def _split(counted: Tallied, campaign: Campaign, on_roster: bool) -> dict[str, dict[str, int]]:
    """The measures of one side (roster members or not) per category (``unknown`` for a
    category outside the campaign's)."""
    out: dict[str, dict[str, int]] = {}
    for (category, flag), measures in counted.items():
        if flag != on_roster:
            continue
        key = category if category in campaign.category_keys else UNKNOWN
        into = out.setdefault(key, {})
        for measure, n in measures.items():
            into[measure] = into.get(measure, 0) + n
    return out


def declared_of(unit: Any, campaign: Campaign, declared: Mapping[str, Mapping[str, int]]
                ) -> dict[str, int] | None:  # fmt: skip
    """A unit's declared denominators per category (None: none declared): the units
    registry's ``headcount_*`` columns, or the campaign's own file."""
    if campaign.denominators == "file":
        values: Mapping[str, int | None] = declared.get(unit.code, {})
    else:
        values = {c: getattr(unit, f"headcount_{c}", None) for c in campaign.category_keys}
    if all(values.get(c) is None for c in campaign.category_keys):
        return None
    return {c: values.get(c) or 0 for c in campaign.category_keys}


def without_roster(
    unit: Any,
    campaign: Campaign,
    records: dict[str, dict[str, int]],
    report: Report | None,
    declared: dict[str, int] | None,
) -> tuple[str | None, dict[str, int] | None, dict[str, Figures]]:
    """docs/architecture.md §4 for a unit without a roster in force: the denominator's source,
    the denominator per category (None: unknown), and what is done per category from its
    person ``records`` (``unknown`` for records without a category), or from its unit report
    when it has no person records."""
    keys = campaign.category_keys
    denominators: dict[str, int] | None
    reported = report is not None and any(f.headcount is not None for f in report.values())
    if declared is not None:
        source, denominators = "declared", declared
    elif report is not None and reported:
        source = "unit_report"
        denominators = {c: (report[c].headcount or 0) if c in report else 0 for c in keys}
    else:
        source, denominators = None, None
    if records or report is None:
        figures = {
            c: Figures(None, m.get(DONE, 0), {k: m.get(k, 0) for k in campaign.level_keys})
            for c, m in records.items()
        }
        return source, denominators, figures
    return source, denominators, dict(report)


def unit_row(
    unit: Any,
    campaign: Campaign,
    counted: Tallied,
    report: Report | None,
    declared: dict[str, int] | None,
    reasons: dict[str, int],
    thresholds: Thresholds,
) -> UnitCoverage:
    """One unit's row from its roster counts, or else its record counts and unit report."""
    levels = campaign.level_keys
    roster = _split(counted, campaign, True)
    source: str | None
    extra = Figures()
    if any(m.get(PEOPLE, 0) for m in roster.values()):
        source = "roster"
        categories = {c: _counts(roster.get(c, {}), levels, True) for c in campaign.category_keys}
    else:
        source, denominators, figures = without_roster(
            unit, campaign, _split(counted, campaign, False), report, declared
        )
        categories = {
            c: Counts(
                None if denominators is None else denominators[c],
                figures[c].done if c in figures else 0,
                dict(figures[c].levels) if c in figures else {k: 0 for k in levels},
            )
            for c in campaign.category_keys
        }
        # Records without a category (outside any roster) still count in the unit's total.
        extra = figures.get(UNKNOWN, Figures())
    total = Counts(
        sum(c.denominator for c in categories.values() if c.denominator is not None)
        if source is not None
        else None,
        sum(c.done for c in categories.values()) + extra.done,
        {k: sum(c.level(k) for c in categories.values()) + extra.levels.get(k, 0) for k in levels},
    )
    return UnitCoverage(
        code=unit.code,
        name_vi=unit.name_vi,
        name_en=unit.name_en,
        kind=unit.kind,
        parent_code=unit.parent_code,
        source=source,
        total=total,
        categories=categories,
        progress=thresholds.progress(total.done_pct),
        reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def rollup(key: str, rows: list[UnitCoverage], thresholds: Thresholds) -> Rollup:
    """The sum of ``rows``' totals over the units whose denominator is known."""
    counts = Counts()  # stays unknown (None) when no unit's denominator is known
    for row in rows:
        counts = counts + row.total
    unknown = tuple(r.code for r in rows if r.total.denominator is None)
    return Rollup(key, counts, len(rows), unknown, thresholds.progress(counts.done_pct))


def category_rollup(category: str, rows: list[UnitCoverage], thresholds: Thresholds) -> Rollup:
    """The sum of one ``category`` over the units whose denominator for it is known."""
    counts = Counts()
    for row in rows:
        counts = counts + row.categories[category]
    unknown = tuple(r.code for r in rows if r.categories[category].denominator is None)
    return Rollup(category, counts, len(rows), unknown, thresholds.progress(counts.done_pct))


def contribution(
    unit: Any,
    campaign: Campaign,
    counted: Tallied,
    report: Report | None,
    declared: dict[str, int] | None,
    category: str | None,
) -> Counts:
    """What one unit adds to a rollup (its total's, or one category's): :func:`unit_row`'s
    rules without the rest of the row."""
    row = unit_row(unit, campaign, counted, report, declared, {}, Thresholds())
    return row.total if category is None else row.categories[category]
