"""The trend: the coverage total as of each day of a period, from the daily tallies.

Each day's total is the one ``reports.coverage.compute`` gives for that day (docs/architecture.md
§4), but it is not worked out unit by unit. On a given day a unit adds to the total in one of
four ways (:class:`Mode`): by its roster (its roster members' counts), by its person records
(its declared or reported denominator and the counts of people not on a roster), by its unit
report alone (no records), or not at all (denominator unknown). The counts of people add up
across units, so for the units whose way does not change over the period the sums of their
counts per day come from one aggregate query over ``daily_tally`` (what each day adds,
``ingest.consumers.daily``); their denominators and reports change only on the days a report
arrives and are added as steps. The few units whose way changes within the period (a roster
loaded, a first record or report) are worked out day by day from their own rows, as
``reports.model.contribution`` says.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from ingest.campaigns import Campaign
from ingest.models import DONE, PEOPLE
from reports import queries
from reports.model import (
    Counts,
    Report,
    Rollup,
    Thresholds,
    contribution,
    declared_of,
    unit_order,
)


class Mode(Enum):
    """How a unit adds to a total on a day (``reports.model.unit_row``'s cases)."""

    ROSTER = "roster"
    RECORDS = "records"
    REPORT = "report"
    UNKNOWN = "unknown"


class Steps:
    """A value that changes on some days: the latest change on or before a day."""

    def __init__(self, changes: Iterable[tuple[date, Any]], before: Any = None) -> None:
        pairs = sorted(changes, key=lambda pair: pair[0])
        self.days = [day for day, _ in pairs]
        self.values = [value for _, value in pairs]
        self.before = before

    def at(self, day: date) -> Any:
        index = bisect_right(self.days, day)
        return self.values[index - 1] if index else self.before

    def within(self, after: date, upto: date) -> list[date]:
        """The days of change after ``after`` up to ``upto``."""
        return self.days[bisect_right(self.days, after) : bisect_right(self.days, upto)]


def _running(rows: Iterable[tuple[date, int]]) -> Steps:
    total, out = 0, []
    for day, n in sorted(rows):
        total += n
        out.append((day, total))
    return Steps(out, 0)


class Total:
    """A running total as a vector: denominator, done, then each level in the campaign's order."""

    def __init__(self, levels: tuple[str, ...]) -> None:
        self.levels = levels
        self.index = {key: 2 + n for n, key in enumerate(levels)}

    def zero(self) -> list[int]:
        return [0] * (2 + len(self.levels))

    def of(self, counts: Counts) -> list[int]:
        return [counts.denominator or 0, counts.done, *(counts.level(k) for k in self.levels)]

    def counts(self, vector: list[int]) -> Counts:
        levels = {k: vector[i] for k, i in self.index.items()}
        return Counts(vector[0], vector[1], levels)


def trend(
    session: Session,
    campaign: Campaign,
    days: Iterable[date],
    unit_codes: Collection[str] | None = None,
    category: str | None = None,
    thresholds: Thresholds | None = None,
) -> list[tuple[date, Rollup]]:
    """``campaign``'s total (of all units, or of ``unit_codes``; of one ``category`` if given)
    as of each day: the same as :func:`reports.coverage.compute`'s for each day."""
    wanted = sorted(set(days))
    if not wanted:
        return []
    thresholds = thresholds or Thresholds.of(campaign)
    codes = sorted(set(unit_codes)) if unit_codes is not None else None
    first, last = wanted[0], wanted[-1]
    # In no order: only the units named as unknown are sorted (in the report's order).
    units = queries.units(session, campaign, codes, ordered=False)
    every = [u.code for u in units]
    unit_of = {u.code: u for u in units}
    reports = queries.report_history(session, campaign, last, codes)
    declared = queries.declared(session, campaign)
    declared_by = {u.code: declared_of(u, campaign, declared) for u in units}
    report_steps = {code: Steps(history) for code, history in reports.items()}
    roster = {
        code: _running(changes)
        for code, changes in queries.daily_people(session, campaign.id, last, True, codes).items()
    }

    def roster_all_along(code: str) -> bool:
        """Whether ``code`` has roster members on every day of the period: its way is the
        roster's whatever its people not on a roster do."""
        steps = roster.get(code)
        return steps is not None and all(
            steps.at(day) > 0 for day in (first, *steps.within(first, last))
        )

    # People not on a roster by day tell a unit with a report whether it counts by its records
    # or by its report alone: needed only on the days it has no roster members.
    with_reports = [code for code in reports if code in unit_of and not roster_all_along(code)]
    others = {
        code: _running(changes)
        for code, changes in queries.daily_people(
            session, campaign.id, last, False, with_reports
        ).items()
    }
    zero = Steps((), 0)

    def mode(code: str, day: date) -> Mode:
        if roster.get(code, zero).at(day) > 0:
            return Mode.ROSTER
        report: Report | None = report_steps[code].at(day) if code in report_steps else None
        reported = report is not None and any(f.headcount is not None for f in report.values())
        if declared_by[code] is None and not reported:
            return Mode.UNKNOWN
        if report is None or others.get(code, zero).at(day) > 0:
            return Mode.RECORDS
        return Mode.REPORT

    # Each unit's way of adding up, where it stays the same on every day wanted.
    steady: dict[str, Mode] = {}
    changing: list[str] = []
    for code in every:
        moments = {first}
        for steps in (roster.get(code), report_steps.get(code), others.get(code)):
            if steps is not None:
                moments.update(steps.within(first, last))
        modes = {mode(code, moment) for moment in moments}
        if len(modes) == 1:
            steady[code] = modes.pop()
        else:
            changing.append(code)

    total = Total(campaign.level_keys)
    categories = set(campaign.category_keys) if category is None else {category}
    moving = set(changing)
    # Every unit's roster members but the changing units': without a list when the report
    # covers every unit (a roster names only units of the registry).
    everyone = codes is None and not campaign.unit_kinds
    by_roster = None if everyone else [c for c in every if c not in moving]
    by_records = [c for c, m in steady.items() if m is Mode.RECORDS]
    summed = queries.daily_sums(session, campaign.id, last, by_roster, by_records, changing)

    def slot(on_roster: bool, person_category: str, measure: str) -> int | None:
        """Where a row of counts goes in a unit's vector, or None when the total leaves it out:
        roster members count in the campaign's categories (or the one asked for); people not
        on a roster count in every category (or the one asked for), and never as a
        denominator (that is declared or reported)."""
        if person_category not in categories and (on_roster or category is not None):
            return None
        index = 0 if measure == PEOPLE else 1 if measure == DONE else total.index.get(measure)
        return None if index is None or (index == 0 and not on_roster) else index

    # Per day, what the steady units' people add: the roster side of every steady unit (it is
    # zero on the days a unit has no roster) and the other side of those counted by records.
    moves: dict[date, list[int]] = defaultdict(total.zero)
    for day, on_roster, person_category, measure, n in summed:
        index = slot(on_roster, person_category, measure)
        if index is not None:
            moves[max(day, first)][index] += n

    # Denominators and reports of steady units change only when a report arrives.
    parts: dict[str, tuple[Report | None, list[int]]] = {}

    def part(code: str, day: date) -> list[int]:
        """``code``'s contribution with no people counted (its denominator; its report's
        figures), worked out again only when its report changes."""
        steps = report_steps.get(code)
        report = steps.at(day) if steps is not None else None
        kept = parts.get(code)
        if kept is None or kept[0] is not report:
            counts = contribution(unit_of[code], campaign, {}, report, declared_by[code], category)
            kept = parts[code] = (report, total.of(counts))
        return kept[1]

    for code, kind in steady.items():
        if kind not in (Mode.RECORDS, Mode.REPORT):
            continue
        steps = report_steps.get(code)
        was = total.zero()
        for day in [first, *(steps.within(first, last) if steps is not None else ())]:
            now = part(code, day)
            if kind is Mode.RECORDS:  # the counts come from the records, summed above
                now = [now[0]] + [0] * (len(now) - 1)
            moved = moves[day]
            for i, (a, b) in enumerate(zip(now, was, strict=True)):
                moved[i] += a - b
            was = now

    # The units whose way changes: their own rows, added each day as their way says.
    own: dict[date, list[tuple[str, int, int, int]]] = defaultdict(list)
    for day, code, on_roster, person_category, measure, n in queries.daily_of_units(
        session, campaign.id, last, changing
    ):
        index = slot(on_roster, person_category, measure)
        if index is not None:
            own[max(day, first)].append((code, int(on_roster), index, n))
    sides = {code: (total.zero(), total.zero()) for code in changing}  # not on roster, on it

    def vector(code: str, day: date) -> list[int] | None:
        kind = mode(code, day)
        if kind is Mode.UNKNOWN:
            return None
        if kind is Mode.ROSTER:
            return sides[code][1]
        fixed = part(code, day)
        return fixed if kind is Mode.REPORT else [fixed[0], *sides[code][0][1:]]

    # Days a changing unit's way or report may change, besides its own rows.
    marks: dict[date, set[str]] = defaultdict(set)
    for code in changing:
        for steps in (roster.get(code), report_steps.get(code), others.get(code)):
            for day in steps.within(first, last) if steps is not None else ():
                marks[day].add(code)
    sums = total.zero()
    steady_known = sum(1 for m in steady.values() if m is not Mode.UNKNOWN)
    steady_unknown = {c for c, m in steady.items() if m is Mode.UNKNOWN}
    # The units that may be named as unknown, sorted once in the report's order (not all):
    # each day's names are the steady ones with the changing ones missing that day slotted in.
    nameable = sorted((unit_of[c] for c in steady_unknown.union(changing)), key=unit_order)
    rank = {u.code: n for n, u in enumerate(nameable)}
    steady_named = [u.code for u in nameable if u.code in steady_unknown]
    steady_ranks = [rank[code] for code in steady_named]

    def named(missing: set[str]) -> tuple[str, ...]:
        out: list[str] = []
        start = 0
        for code in sorted(missing, key=rank.__getitem__):
            cut = bisect_right(steady_ranks, rank[code])
            out += steady_named[start:cut]
            out.append(code)
            start = cut
        return tuple(out + steady_named[start:])

    unknown = tuple(steady_named)
    current: dict[str, list[int] | None] = {}
    missing: set[str] = set()
    last_missing: frozenset[str] = frozenset()
    result = []
    timeline = sorted(set(moves) | set(own) | set(marks))
    at = 0
    for day in wanted:
        touched = set(changing) if not current and changing else set()
        while at < len(timeline) and timeline[at] <= day:
            for i, n in enumerate(moves.get(timeline[at], ())):
                sums[i] += n
            for code, side, index, n in own.get(timeline[at], ()):
                sides[code][side][index] += n
                touched.add(code)
            touched |= marks.get(timeline[at], set())
            at += 1
        for code in touched:  # a changing unit's part moves the sums by its difference
            old, new = current.get(code), vector(code, day)
            new = None if new is None else list(new)
            for sign, vector_of in ((-1, old), (1, new)):
                for i, n in enumerate(vector_of or ()):
                    sums[i] += sign * n
            (missing.add if new is None else missing.discard)(code)
            current[code] = new
        known = steady_known + len(changing) - len(missing)
        counts = total.counts(sums) if known else Counts()
        if missing != last_missing:  # named in the report's order
            unknown = named(missing)
            last_missing = frozenset(missing)
        result.append((day, Rollup("total", counts, len(every), unknown,
                                   thresholds.progress(counts.done_pct))))  # fmt: skip
    return result
