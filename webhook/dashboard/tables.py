"""What the coverage pages show: one staff category's numbers or all, units grouped by kind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ingest.collation import text_key
from reports.model import KINDS, Counts, Coverage, Progress, Rollup, Thresholds, UnitCoverage
from webhook.dashboard import i18n


@dataclass(frozen=True, slots=True)
class Group:
    """One kind of unit in the table: its units and their subtotal."""

    kind: str
    units: tuple[UnitCoverage, ...]
    subtotal: Rollup


def in_category(report: Coverage, category: str | None) -> Coverage:
    """``report`` as one category sees it: each unit's, each kind's and the district's
    numbers are that category's (the report itself when ``category`` is None)."""
    if category is None:
        return report
    t = report.thresholds
    units = tuple(
        replace(u, total=counts, progress=t.progress(counts.done_pct))
        for u in report.units
        for counts in [u.categories[category]]
    )
    (total,) = [r for r in report.categories if r.key == category]
    kinds = tuple(_rollup(k, [u for u in units if u.kind == k], t) for k in KINDS)
    return replace(report, units=units, kinds=kinds, total=replace(total, key="total"))


def groups(report: Coverage, shown: Sequence[UnitCoverage] | None = None) -> list[Group]:
    """The kinds of unit present among ``shown`` (default: every unit; else one page of
    them), in the report's order, each with the subtotal of all its units."""
    rollups = {r.key: r for r in report.kinds}
    rows = report.units if shown is None else shown
    found = []
    for kind in KINDS:
        units = tuple(u for u in rows if u.kind == kind)
        if units:
            found.append(Group(kind, units, rollups[kind]))
    return found


def unit_names(report: Coverage, codes: tuple[str, ...]) -> list[str]:
    """The names of ``codes`` (units with an unknown headcount, say) in the page's language."""
    names = {u.code: i18n.unit_name(u) for u in report.units}
    return [names.get(code, code) for code in codes]


def _rollup(key: str, units: list[UnitCoverage], t: Thresholds) -> Rollup:
    counts = Counts()
    for unit in units:
        counts = counts + unit.total
    unknown = tuple(u.code for u in units if u.total.denominator is None)
    return Rollup(key, counts, len(units), unknown, t.progress(counts.done_pct))


def progress_counts(report: Coverage) -> dict[Progress | None, int]:
    """How many units are reached, on track, lagging, or unknown (None)."""
    counts: dict[Progress | None, int] = dict.fromkeys([*Progress, None], 0)
    for unit in report.units:
        counts[unit.progress] += 1
    return counts


def furthest_behind(report: Coverage, count: int = 5) -> list[UnitCoverage]:
    """The ``count`` units furthest below the target (known headcount only), lowest first."""
    below = [
        u for u in report.units
        if u.total.done_pct is not None and u.total.done_pct < report.thresholds.target
    ]  # fmt: skip
    return sorted(below, key=lambda u: (u.total.done_pct or 0.0, text_key(u.name_vi)))[:count]
