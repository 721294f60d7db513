"""The coverage report as values, and docs/architecture.md §4's arithmetic on them (no database).

:class:`Coverage` is the whole report as of a date: a :class:`UnitCoverage` row per unit,
:class:`Rollup` sums per kind of unit, per staff category and in total, and the data-quality
:class:`Finding` s. :func:`unit_row` applies §4's rules to one unit's counts (its denominator's
source: roster, declared headcount, unit report, else unknown); :func:`rollup` and
:func:`category_rollup` add the units whose denominator is known and name the others;
:func:`contribution` is what one unit adds to a total, for the trend. ``reports.queries`` reads
the counts these take; ``reports.coverage`` and ``reports.trend`` put the two together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from ingest import campaign
from ingest.models import UnitReport
from ingest.registry.units import KIND_ORDER, natural_key

CATEGORIES = campaign.CATEGORIES
KINDS = tuple(sorted(KIND_ORDER, key=KIND_ORDER.__getitem__))


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

    def progress(self, pct: float | None) -> Progress | None:
        """The progress of an installed percentage (None when it is unknown)."""
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
    """A denominator (None: unknown) and the installed and active numerators."""

    denominator: int | None = None
    installed: int = 0
    active: int = 0

    @property
    def installed_pct(self) -> float | None:
        return percent(self.installed, self.denominator)

    @property
    def active_pct(self) -> float | None:
        return percent(self.active, self.denominator)

    @property
    def not_installed(self) -> int | None:
        if self.denominator is None:
            return None
        return max(self.denominator - self.installed, 0)

    def __add__(self, other: Counts) -> Counts:
        if other.denominator is None:
            return self
        return Counts(
            (self.denominator or 0) + other.denominator,
            self.installed + other.installed,
            self.active + other.active,
        )


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
    """A data-quality finding: an installed person not on their unit's roster."""

    kind: str
    unit_code: str
    bhxh_code: str
    full_name: str
    category: str | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """The whole report as of a date."""

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
        """Installed people not on their unit's roster, over the units shown."""
        return sum(self.finding_counts.values())


def unit_order(unit: Any) -> tuple[Any, ...]:
    """The order people look for units in: by kind, then by name (Phường 2 < 10), then code."""
    return (KIND_ORDER[unit.kind], natural_key(unit.name_vi), unit.code)


def by_unit(rows: Iterable[tuple[Any, ...]]) -> dict[str, dict[str, Counts]]:
    """Rows of (unit, category, people, installed, active) as Counts per unit and category
    (``"unknown"`` for a category outside the campaign's)."""
    sums: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for unit, category, count, installed, active in rows:
        key = category if category in CATEGORIES else "unknown"
        totals = sums[unit].setdefault(key, [0, 0, 0])
        totals[0] += int(count)
        totals[1] += int(installed)
        totals[2] += int(active)
    return {
        unit: {key: Counts(n, i, a) for key, (n, i, a) in per.items()} for unit, per in sums.items()
    }


def _declared(unit: Any) -> dict[str, int] | None:
    values = {c: getattr(unit, f"headcount_{c}") for c in CATEGORIES}
    if all(v is None for v in values.values()):
        return None
    return {c: v or 0 for c, v in values.items()}


def without_roster(
    unit: Any, records: dict[str, tuple[int, int]], report: UnitReport | None
) -> tuple[str | None, dict[str, int] | None, dict[str, tuple[int, int]]]:
    """docs/architecture.md §4 for a unit without a roster in force: the denominator's source, the
    denominator per category (None: unknown), and (installed, active) per category from its
    person ``records`` (``"unknown"`` for records without a category), or from its unit report
    when it has no person records."""
    declared = _declared(unit)
    denominators: dict[str, int] | None
    if declared is not None:
        source, denominators = "declared", declared
    elif report is not None:
        source = "unit_report"
        denominators = {c: getattr(report, f"headcount_{c}") or 0 for c in CATEGORIES}
    else:
        source, denominators = None, None
    if records or report is None:
        return source, denominators, records
    figures = {c: (getattr(report, f"installed_{c}") or 0, getattr(report, f"active_{c}") or 0)
               for c in CATEGORIES}  # fmt: skip
    return source, denominators, figures


def unit_row(
    unit: Any,
    roster: dict[str, Counts] | None,
    records: dict[str, Counts] | None,
    report: UnitReport | None,
    reasons: dict[str, int],
    thresholds: Thresholds,
) -> UnitCoverage:
    """One unit's row from its roster counts, or else its record counts and unit report."""
    source: str | None
    uncategorised = (0, 0)
    if roster:
        source, categories = "roster", {c: roster.get(c, Counts(0)) for c in CATEGORIES}
    else:
        figures_of = {c: (v.installed, v.active) for c, v in (records or {}).items()}
        source, denominators, figures = without_roster(unit, figures_of, report)
        categories = {
            c: Counts(None if denominators is None else denominators[c], *figures.get(c, (0, 0)))
            for c in CATEGORIES
        }
        # Records without a category (outside any roster) still count in the unit's total.
        uncategorised = figures.get("unknown", (0, 0))
    total = Counts(
        sum(c.denominator for c in categories.values() if c.denominator is not None)
        if source is not None
        else None,
        sum(c.installed for c in categories.values()) + uncategorised[0],
        sum(c.active for c in categories.values()) + uncategorised[1],
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
        progress=thresholds.progress(total.installed_pct),
        reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def rollup(key: str, rows: list[UnitCoverage], thresholds: Thresholds) -> Rollup:
    """The sum of ``rows``' totals over the units whose denominator is known."""
    counts = Counts()  # stays unknown (None) when no unit's denominator is known
    for row in rows:
        counts = counts + row.total
    unknown = tuple(r.code for r in rows if r.total.denominator is None)
    return Rollup(key, counts, len(rows), unknown, thresholds.progress(counts.installed_pct))


def category_rollup(category: str, rows: list[UnitCoverage], thresholds: Thresholds) -> Rollup:
    """The sum of one staff ``category`` over the units whose denominator for it is known."""
    counts = Counts()
    for row in rows:
        counts = counts + row.categories[category]
    unknown = tuple(r.code for r in rows if r.categories[category].denominator is None)
    return Rollup(category, counts, len(rows), unknown, thresholds.progress(counts.installed_pct))


def contribution(
    unit: Any,
    counts: dict[tuple[str, bool], list[int]],
    report: UnitReport | None,
    category: str | None,
) -> tuple[int | None, int, int]:
    """What one unit adds to a rollup (its total's, or one category's, denominator or None,
    installed, active): :func:`unit_row`'s rules without building the row."""
    roster = {c: v for (c, flag), v in counts.items() if flag and v[0]}
    if roster:
        if category is not None:
            n, installed, active = roster.get(category, (0, 0, 0))
            return n, installed, active
        picked = [v for c, v in roster.items() if c in CATEGORIES]
        return sum(v[0] for v in picked), sum(v[1] for v in picked), sum(v[2] for v in picked)
    records: dict[str, tuple[int, int]] = {}
    for (c, flag), v in counts.items():
        if not flag and v[0]:
            key = c if c in CATEGORIES else "unknown"
            installed, active = records.get(key, (0, 0))
            records[key] = (installed + v[1], active + v[2])
    _source, denominators, figures = without_roster(unit, records, report)
    if category is not None:
        installed, active = figures.get(category, (0, 0))
        return (None if denominators is None else denominators[category]), installed, active
    return (
        None if denominators is None else sum(denominators.values()),
        sum(i for i, _a in figures.values()),
        sum(a for _i, a in figures.values()),
    )
