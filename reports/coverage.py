"""Coverage: done ÷ headcount per unit, kind of unit, category and in total, per campaign.

Every number follows docs/architecture.md §4, within one campaign (``ingest.campaigns``):

- a person's state is their effective record as of the date (latest by collection time, then
  arrival, among accepted current records), and their unit and category are the roster's when
  they are on a roster in force that day, else the record's;
- a unit's denominator is its roster in force (``roster``), else its declared headcount
  (``declared``: the units registry's, or the campaign's own file), else its unit report as of
  the date (``unit_report``), else unknown (never shown as 0 % or 100 %);
- its numerators count persons whose effective record is done (the campaign's target outcome)
  and at each further level; with a roster, only roster members count and people done but
  missing from it are findings; a unit with no person records takes its report's figures;
- rollups (per kind, per category, in total) add numerators and denominators over the units
  whose denominator is known, and name the others.

Counting happens in the database (grouped aggregate queries, the same on SQLite and
PostgreSQL); Python only assembles the per-unit rows.

This module is the report's entry point (:func:`compute`, and the as-of dates it accepts).
The values and §4's arithmetic are in ``reports.model``, the database reads (and the personal
list of who is not done) in ``reports.queries``, the day-by-day total in ``reports.trend``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy.orm import Session

from ingest.campaigns import Campaign
from reports import queries
from reports.model import (
    KINDS,
    Coverage,
    Thresholds,
    category_rollup,
    declared_of,
    rollup,
    tallied,
    unit_row,
)

#: The dates a report may be asked for: wider than any campaign, and narrow enough that the
#: day after (:func:`reports.queries.cutoff`) and a trend's first day are still dates Python
#: can hold.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def parse_day(text: str) -> date:
    """An as-of date from ``YYYY-MM-DD``; ValueError when malformed or not within
    :data:`FIRST_DAY` … :data:`LAST_DAY`."""
    day = date.fromisoformat(text)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{text} is not between {FIRST_DAY} and {LAST_DAY}")
    return day


def compute(
    session: Session,
    campaign: Campaign,
    as_of: date,
    thresholds: Thresholds | None = None,
    unit_codes: Collection[str] | None = None,
    *,
    with_findings: bool = False,
) -> Coverage:
    """``campaign``'s coverage as of the end of ``as_of`` (Vietnam time), for all units or
    some.

    Reads the tallies as they are: the caller applies the log's pending entries first
    (``Pipeline.settle``) for read-your-writes. When nothing changes after ``as_of`` the
    counts are the tallies' per-unit rows; for an earlier date they are grouped from the
    person spans in force that day. Thresholds default to the campaign's.
    Findings are counted per unit; ``with_findings`` also lists them (personal data).
    """
    thresholds = thresholds or Thresholds.of(campaign)
    codes = sorted(set(unit_codes)) if unit_codes is not None else None
    counted, reasons = queries.counted(session, campaign.id, as_of, codes, with_reasons=True)
    per_unit = tallied(counted)
    roster_units = {
        unit_code
        for unit_code, sides in per_unit.items()
        if any(flag and measures.get("people", 0) for (_c, flag), measures in sides.items())
    }
    finding_counts: dict[str, int] = defaultdict(int)
    for unit_code, _category, on_roster, measure, n in counted:
        if unit_code in roster_units and not on_roster and measure == "done" and n:
            finding_counts[unit_code] += int(n)
    findings = (
        queries.findings(session, campaign.id, as_of, sorted(finding_counts))
        if with_findings
        else []
    )
    reports = queries.reports_as_of(session, campaign, as_of, codes)
    declared = queries.declared(session, campaign)

    units = queries.units(session, campaign, codes)
    reasons_by_unit: dict[str, dict[str, int]] = defaultdict(dict)
    for unit_code, counted_on_roster, reason, count in reasons:
        if bool(counted_on_roster) == (unit_code in roster_units):
            totals = reasons_by_unit[unit_code]
            totals[reason] = totals.get(reason, 0) + int(count)
    rows = [
        unit_row(u, campaign, per_unit.get(u.code, {}), reports.get(u.code),
                 declared_of(u, campaign, declared), reasons_by_unit.get(u.code, {}), thresholds)
        for u in units
    ]  # fmt: skip
    known = {u.code for u in units}
    return Coverage(
        campaign=campaign,
        as_of=as_of,
        thresholds=thresholds,
        units=tuple(rows),
        kinds=tuple(rollup(k, [r for r in rows if r.kind == k], thresholds) for k in KINDS),
        categories=tuple(category_rollup(c, rows, thresholds) for c in campaign.category_keys),
        total=rollup("total", rows, thresholds),
        findings=tuple(f for f in findings if f.unit_code in known),
        finding_counts={u: n for u, n in sorted(finding_counts.items()) if u in known},
    )
