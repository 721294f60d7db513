"""The trend as ``reports.trend`` worked it out before the daily tallies (from the person
spans, unit by unit): the reference its numbers are checked against (tests) and timed against
(bench/trend.py). Not used by the application."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ingest.campaigns import Campaign
from reports import queries
from reports.model import Counts, Rollup, Tallied, Thresholds, contribution, declared_of, unit_order


def trend(
    session: Session,
    campaign: Campaign,
    days: Iterable[date],
    unit_codes: Collection[str] | None = None,
    category: str | None = None,
    thresholds: Thresholds | None = None,
) -> list[tuple[date, Rollup]]:
    """``campaign``'s total (of all units, or of ``unit_codes``; of one ``category`` if given)
    as of each day: the same as :func:`reports.coverage.compute`'s for each day, in one pass.

    The state on the first day is counted once; after it, only the spans that start or end
    within the period are read, and only units that change on a day are worked out again.
    """
    wanted = sorted(set(days))
    if not wanted:
        return []
    thresholds = thresholds or Thresholds.of(campaign)
    codes = sorted(set(unit_codes)) if unit_codes is not None else None
    first, last = wanted[0], wanted[-1]
    units = {u.code: u for u in queries.units(session, campaign, codes)}
    state: dict[str, Tallied] = defaultdict(dict)
    counted, _reasons = queries.counted(session, campaign.id, first, codes)
    for unit_code, person_category, on_roster, measure, n in counted:
        per = state[unit_code].setdefault((person_category, on_roster), {})
        per[measure] = per.get(measure, 0) + n
    changes = queries.span_changes(session, campaign.id, first, last, codes)
    reports = queries.report_history(session, campaign, last, codes)
    declared = queries.declared(session, campaign)
    report_days: dict[date, set[str]] = defaultdict(set)
    for unit_code, history in reports.items():
        for available, _report in history:
            if first < available <= last:
                report_days[available].add(unit_code)

    # Each unit's contribution and running sums over the units whose denominator is known:
    # a changed unit moves the sums by its difference.
    contributions: dict[str, Counts] = {}
    total = Counts(0)
    known = 0

    def work_out(unit: Any, day: date) -> None:
        nonlocal known, total
        eligible = [r for available, r in reports.get(unit.code, ()) if available <= day]
        report = eligible[-1] if eligible else None
        new = contribution(unit, campaign, state.get(unit.code, {}), report,
                           declared_of(unit, campaign, declared), category)  # fmt: skip
        old = contributions.get(unit.code)
        if old is not None and old.denominator is not None:
            total = _minus(total, old)
            known -= 1
        if new.denominator is not None:
            total = total + new
            known += 1
        contributions[unit.code] = new

    order = [u.code for u in sorted(units.values(), key=unit_order)]
    for unit in units.values():
        work_out(unit, first)
    result = []
    previous = first
    for day in wanted:
        changed: set[str] = set()
        for moment in sorted(d for d in changes if previous < d <= day):
            for unit_code, person_category, flag, measure, n in changes[moment]:
                per = state[unit_code].setdefault((person_category, flag), {})
                per[measure] = per.get(measure, 0) + n
                changed.add(unit_code)
        for moment in sorted(d for d in report_days if previous < d <= day):
            changed |= report_days[moment]
        for unit_code in changed:
            if unit_code in units:
                work_out(units[unit_code], day)
        previous = day
        counts = total if known else Counts()
        unknown = tuple(code for code in order if contributions[code].denominator is None)
        rollup = Rollup("total", counts, len(order), unknown, thresholds.progress(counts.done_pct))
        result.append((day, rollup))
    return result


def _minus(total: Counts, part: Counts) -> Counts:
    levels = {k: n - part.levels.get(k, 0) for k, n in total.levels.items()}
    return Counts((total.denominator or 0) - (part.denominator or 0), total.done - part.done,
                  levels)  # fmt: skip
