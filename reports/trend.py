"""The trend: the coverage total as of each day of a period, worked out in one pass.

The state on the first day is counted once (``reports.queries``); after it only the spans that
start or end within the period are read, and only the units that change on a day are worked
out again (``reports.model.contribution``), moving running sums by their difference. Each
day's total is the one ``reports.coverage.compute`` gives for that day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from reports import queries
from reports.model import Counts, Rollup, Thresholds, contribution, unit_order


def trend(
    session: Session,
    days: Iterable[date],
    unit_codes: Collection[str] | None = None,
    category: str | None = None,
    thresholds: Thresholds | None = None,
) -> list[tuple[date, Rollup]]:
    """The total (of all units, or of ``unit_codes``; of one staff ``category`` if given) as
    of each day: the same as :func:`reports.coverage.compute`'s for each day, in one pass.

    The state on the first day is counted once; after it, only the spans that start or end
    within the period are read, and only units that change on a day are worked out again.
    """
    wanted = sorted(set(days))
    if not wanted:
        return []
    thresholds = thresholds or Thresholds()
    codes = sorted(set(unit_codes)) if unit_codes is not None else None
    first, last = wanted[0], wanted[-1]
    units = {u.code: u for u in queries.units(session, codes)}
    state: dict[str, dict[tuple[str, bool], list[int]]] = defaultdict(dict)
    counted, _reasons = queries.counted(session, first, codes)
    for unit_code, person_category, on_roster, n, installed, active in counted:
        state[unit_code][(person_category, bool(on_roster))] = [int(n), int(installed), int(active)]
    changes = queries.span_changes(session, first, last, codes)
    reports = queries.report_history(session, last, codes)
    report_days: dict[date, set[str]] = defaultdict(set)
    for unit_code, history in reports.items():
        for available, _report in history:
            if first < available <= last:
                report_days[available].add(unit_code)

    # Each unit's contribution (denominator or None, installed, active) and running sums over
    # the units whose denominator is known: a changed unit moves the sums by its difference.
    contributions: dict[str, tuple[int | None, int, int]] = {}
    sums = [0, 0, 0]
    known = 0

    def work_out(unit: Any, day: date) -> None:
        nonlocal known
        eligible = [r for available, r in reports.get(unit.code, ()) if available <= day]
        report = eligible[-1] if eligible else None
        new = contribution(unit, state.get(unit.code, {}), report, category)
        old = contributions.get(unit.code)
        for value, sign in ((old, -1), (new, 1)):
            if value is not None and value[0] is not None:
                sums[0] += sign * value[0]
                sums[1] += sign * value[1]
                sums[2] += sign * value[2]
                known += sign
        contributions[unit.code] = new

    order = [u.code for u in sorted(units.values(), key=unit_order)]
    for unit in units.values():
        work_out(unit, first)
    result = []
    previous = first
    for day in wanted:
        changed: set[str] = set()
        for moment in sorted(d for d in changes if previous < d <= day):
            for unit_code, person_category, flag, n, installed, active in changes[moment]:
                totals = state[unit_code].setdefault((person_category, flag), [0, 0, 0])
                totals[0] += n
                totals[1] += installed
                totals[2] += active
                changed.add(unit_code)
        for moment in sorted(d for d in report_days if previous < d <= day):
            changed |= report_days[moment]
        for unit_code in changed:
            if unit_code in units:
                work_out(units[unit_code], day)
        previous = day
        counts = Counts(sums[0], sums[1], sums[2]) if known else Counts()
        unknown = tuple(code for code in order if contributions[code][0] is None)
        rollup = Rollup(
            "total", counts, len(order), unknown, thresholds.progress(counts.installed_pct)
        )
        result.append((day, rollup))
    return result
