"""Coverage: installed ÷ headcount per unit, kind of unit, staff category and in total.

Every number follows DESIGN.md §4:

- a person's state is their effective record as of the date (latest by collection time, then
  arrival, among accepted current records), and their unit and category are the roster's when
  they are on a roster in force that day, else the record's;
- a unit's denominator is its roster in force (``roster``), else its declared headcount
  (``declared``), else its latest unit report on or before the date (``unit_report``), else
  unknown (never shown as 0 % or 100 %);
- its numerator counts persons whose effective record says installed (or active); with a
  roster, only roster members count and installed people missing from it are findings; a unit
  with no person records but a unit report takes the report's figures;
- rollups (per kind, per category, district total) add numerators and denominators over the
  units whose denominator is known, and name the others.

Counting happens in the database (grouped aggregate queries, the same on SQLite and
PostgreSQL); Python only assembles the per-unit rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Executable, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from ingest import campaign
from ingest.consumers import tallies
from ingest.models import (
    SPAN_INDEX_NAME,
    InstallRecord,
    PersonSpan,
    ReasonTally,
    RosterEntry,
    Tally,
    Unit,
    UnitReport,
)
from ingest.registry.roster import in_force
from ingest.registry.units import KIND_ORDER, natural_key

CATEGORIES = campaign.CATEGORIES
KINDS = tuple(sorted(KIND_ORDER, key=KIND_ORDER.__getitem__))


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``reached`` at or above ``target``; ``on_track`` at or above ``on_track``; else lagging."""

    target: float = 100.0
    on_track: float = 80.0

    def status(self, pct: float | None) -> str | None:
        if pct is None:
            return None
        if pct >= self.target:
            return "reached"
        return "on_track" if pct >= self.on_track else "lagging"


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
    status: str | None
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rollup:
    """A sum over units with a known denominator; ``units_unknown`` names the rest."""

    key: str
    counts: Counts
    units: int
    units_unknown: tuple[str, ...]
    status: str | None


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


#: The dates a report may be asked for: wider than any campaign, and narrow enough that the
#: day after (:func:`cutoff`) and a trend's first day are still dates Python can hold.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def parse_day(text: str) -> date:
    """An as-of date from ``YYYY-MM-DD``; ValueError when malformed or not within
    :data:`FIRST_DAY` … :data:`LAST_DAY`."""
    day = date.fromisoformat(text)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{text} is not between {FIRST_DAY} and {LAST_DAY}")
    return day


def cutoff(as_of: date) -> datetime:
    """The first instant after ``as_of`` in Vietnam, in UTC: records before it count."""
    return datetime.combine(as_of + timedelta(days=1), time(0), campaign.LOCAL_TZ).astimezone(UTC)


def _in_force(as_of: date) -> tuple[Any, ...]:
    """SQL conditions selecting the person spans in force on ``as_of``."""
    return (
        PersonSpan.day_from <= as_of,
        or_(PersonSpan.day_to.is_(None), PersonSpan.day_to > as_of),
    )


def _sum(flag: Any) -> Any:
    return func.coalesce(func.sum(case((flag, 1), else_=0)), 0)


def _within(column: Any, codes: list[str] | None) -> tuple[Any, ...]:
    return () if codes is None else (column.in_(codes),)


def compute(
    session: Session,
    as_of: date,
    thresholds: Thresholds | None = None,
    unit_codes: Collection[str] | None = None,
    *,
    with_findings: bool = False,
) -> Coverage:
    """The coverage report as of the end of ``as_of`` (Vietnam time), for all units or some.

    Reads the tallies as they are: the caller applies the log's pending entries first
    (``Pipeline.settle``) for read-your-writes. When nothing changes after ``as_of`` the
    counts are the tallies' per-unit rows; for an earlier date they are grouped from the
    person spans in force that day.
    Findings are counted per unit; ``with_findings`` also lists them (personal data).
    """
    thresholds = thresholds or Thresholds()
    codes = sorted(set(unit_codes)) if unit_codes is not None else None
    counted, reasons = _counted(session, as_of, codes, with_reasons=True)
    roster_counts = [(u, c, n, i, a) for u, c, flag, n, i, a in counted if flag]
    record_counts = [(u, c, n, i, a) for u, c, flag, n, i, a in counted if not flag]
    roster_units = {unit_code for unit_code, *_rest in roster_counts}
    finding_counts: dict[str, int] = defaultdict(int)
    for unit_code, _category, _count, installed, _active in record_counts:
        if unit_code in roster_units and installed:
            finding_counts[unit_code] += int(installed)
    findings = _findings(session, as_of, sorted(finding_counts)) if with_findings else []
    reports = _latest_reports(session, as_of, codes)

    units = _units(session, codes)
    by_roster = _by_unit(roster_counts)
    by_record = _by_unit(record_counts)
    reasons_by_unit: dict[str, dict[str, int]] = defaultdict(dict)
    for unit_code, counted_on_roster, reason, count in reasons:
        if bool(counted_on_roster) == (unit_code in roster_units):
            totals = reasons_by_unit[unit_code]
            totals[reason] = totals.get(reason, 0) + int(count)
    rows = [
        _unit_row(u, by_roster.get(u.code), by_record.get(u.code), reports.get(u.code),
                  reasons_by_unit.get(u.code, {}), thresholds)
        for u in units
    ]  # fmt: skip
    known = {u.code for u in units}
    return Coverage(
        as_of=as_of,
        thresholds=thresholds,
        units=tuple(rows),
        kinds=tuple(_rollup(k, [r for r in rows if r.kind == k], thresholds) for k in KINDS),
        categories=tuple(_category_rollup(c, rows, thresholds) for c in CATEGORIES),
        total=_rollup("total", rows, thresholds),
        findings=tuple(f for f in findings if f.unit_code in known),
        finding_counts={u: n for u, n in sorted(finding_counts.items()) if u in known},
    )


def _counted(
    session: Session, as_of: date, codes: list[str] | None, with_reasons: bool = False
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """People per (unit, category, on roster) as of ``as_of``, with installed and active,
    and (when asked) not-installed people per (unit, on roster, reason): from the tallies
    when nothing changes after ``as_of``, else from the spans in force that day."""
    latest = tallies.latest_change(session)
    reasons: list[tuple[Any, ...]] = []
    if latest is None or latest <= as_of:
        counted = _rows(
            session,
            select(Tally.unit_code, Tally.category, Tally.on_roster, Tally.people,
                   Tally.installed, Tally.active)
            .where(Tally.people > 0, *_within(Tally.unit_code, codes)),
        )  # fmt: skip
        if with_reasons:
            reasons = _rows(
                session,
                select(ReasonTally.unit_code, ReasonTally.on_roster, ReasonTally.reason,
                       ReasonTally.people)
                .where(ReasonTally.people > 0, *_within(ReasonTally.unit_code, codes)),
            )  # fmt: skip
        return counted, reasons
    span = PersonSpan
    counted = _rows(
        session,
        select(span.unit_code, span.category, span.on_roster, func.count(),
               _sum(span.installed.is_(True)), _sum(span.active.is_(True)))
        .where(*_in_force(as_of), *_within(span.unit_code, codes))
        .group_by(span.unit_code, span.category, span.on_roster),
    )  # fmt: skip
    if with_reasons:
        # Grouped by the span's reasons as stored (few combinations), split here: the
        # same reasons the tallies count, without a join.
        per_reason: dict[tuple[str, bool, str], int] = defaultdict(int)
        for unit_code, on_roster, stored, count in session.execute(
            select(span.unit_code, span.on_roster, span.reasons, func.count())
            .where(*_in_force(as_of), span.installed.is_(False), span.reasons != "",
                   *_within(span.unit_code, codes))
            .group_by(span.unit_code, span.on_roster, span.reasons)
        ):  # fmt: skip
            for reason in stored.split():
                per_reason[(unit_code, bool(on_roster), reason)] += int(count)
        reasons = [(*key, count) for key, count in per_reason.items()]
    return counted, reasons


def _findings(session: Session, as_of: date, unit_codes: list[str]) -> list[Finding]:
    """Installed people counted in ``unit_codes`` (units with a roster) but not on it."""
    if not unit_codes:
        return []
    query = (
        select(PersonSpan.bhxh_code, PersonSpan.unit_code, InstallRecord.full_name,
               PersonSpan.category)
        .join(InstallRecord, InstallRecord.submission_id == PersonSpan.submission_id)
        .where(*_in_force(as_of), PersonSpan.on_roster.is_(False),
               PersonSpan.installed.is_(True), PersonSpan.unit_code.in_(unit_codes))
        .order_by(PersonSpan.unit_code, PersonSpan.bhxh_code)
    )  # fmt: skip
    return [
        Finding("not_on_roster", unit_code, code, name, category or None)
        for code, unit_code, name, category in session.execute(query)
    ]


def _unit_order(unit: Any) -> tuple[Any, ...]:
    return (KIND_ORDER[unit.kind], natural_key(unit.name_vi), unit.code)


def _units(session: Session, codes: list[str] | None) -> list[Any]:
    """The units (rows with the columns a report needs, lighter than ORM objects), in the
    order people look for them."""
    columns = [Unit.code, Unit.name_vi, Unit.name_en, Unit.kind, Unit.parent_code]
    columns += [getattr(Unit, f"headcount_{c}") for c in CATEGORIES]
    query = select(*columns).where(*_within(Unit.code, codes))
    return sorted(session.connection().execute(query).all(), key=_unit_order)


def _rows(session: Session, query: Executable) -> list[tuple[Any, ...]]:
    # On the session's connection, as Core: the ORM's row loading costs a third more here.
    return [tuple(row) for row in session.connection().execute(query)]


def _by_unit(rows: Iterable[tuple[Any, ...]]) -> dict[str, dict[str, Counts]]:
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


def _latest_reports(
    session: Session, as_of: date, codes: list[str] | None = None
) -> dict[str, UnitReport]:
    order = (
        UnitReport.report_date.desc(),
        UnitReport.effective_at.desc(),
        UnitReport.submission_id.desc(),
    )
    ranked = (
        select(
            UnitReport.submission_id,
            func.row_number().over(partition_by=UnitReport.unit_code, order_by=order).label("rank"),
        )
        .where(UnitReport.report_date <= as_of, UnitReport.effective_at < cutoff(as_of))
        .where(*_within(UnitReport.unit_code, codes))
        .subquery()
    )
    latest = session.scalars(
        select(UnitReport).join(ranked, and_(ranked.c.submission_id == UnitReport.submission_id,
                                             ranked.c.rank == literal(1)))
    )  # fmt: skip
    return {report.unit_code: report for report in latest}


def _declared(unit: Any) -> dict[str, int] | None:
    values = {c: getattr(unit, f"headcount_{c}") for c in CATEGORIES}
    if all(v is None for v in values.values()):
        return None
    return {c: v or 0 for c, v in values.items()}


def _without_roster(
    unit: Any, records: dict[str, tuple[int, int]], report: UnitReport | None
) -> tuple[str | None, dict[str, int] | None, dict[str, tuple[int, int]]]:
    """DESIGN §4 for a unit without a roster in force: the denominator's source, the
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


def _unit_row(
    unit: Any,
    roster: dict[str, Counts] | None,
    records: dict[str, Counts] | None,
    report: UnitReport | None,
    reasons: dict[str, int],
    thresholds: Thresholds,
) -> UnitCoverage:
    source: str | None
    uncategorised = (0, 0)
    if roster:
        source, categories = "roster", {c: roster.get(c, Counts(0)) for c in CATEGORIES}
    else:
        figures_of = {c: (v.installed, v.active) for c, v in (records or {}).items()}
        source, denominators, figures = _without_roster(unit, figures_of, report)
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
        status=thresholds.status(total.installed_pct),
        reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def _rollup(key: str, rows: list[UnitCoverage], thresholds: Thresholds) -> Rollup:
    counts = Counts()  # stays unknown (None) when no unit's denominator is known
    for row in rows:
        counts = counts + row.total
    unknown = tuple(r.code for r in rows if r.total.denominator is None)
    return Rollup(key, counts, len(rows), unknown, thresholds.status(counts.installed_pct))


def _category_rollup(category: str, rows: list[UnitCoverage], thresholds: Thresholds) -> Rollup:
    counts = Counts()
    for row in rows:
        counts = counts + row.categories[category]
    unknown = tuple(r.code for r in rows if r.categories[category].denominator is None)
    return Rollup(category, counts, len(rows), unknown, thresholds.status(counts.installed_pct))


def trend(
    session: Session,
    days: Iterable[date],
    unit_codes: Collection[str] | None = None,
    category: str | None = None,
    thresholds: Thresholds | None = None,
) -> list[tuple[date, Rollup]]:
    """The total (of all units, or of ``unit_codes``; of one staff ``category`` if given) as
    of each day: the same as :func:`compute`'s for each day, in one pass.

    The state on the first day is counted once; after it, only the spans that start or end
    within the period are read, and only units that change on a day are worked out again.
    """
    wanted = sorted(set(days))
    if not wanted:
        return []
    thresholds = thresholds or Thresholds()
    codes = sorted(set(unit_codes)) if unit_codes is not None else None
    first, last = wanted[0], wanted[-1]
    units = {u.code: u for u in _units(session, codes)}
    state: dict[str, dict[tuple[str, bool], list[int]]] = defaultdict(dict)
    counted, _reasons = _counted(session, first, codes)
    for unit_code, person_category, on_roster, n, installed, active in counted:
        state[unit_code][(person_category, bool(on_roster))] = [int(n), int(installed), int(active)]
    changes: dict[date, list[tuple[Any, ...]]] = defaultdict(list)
    span = PersonSpan
    for column, sign in ((span.day_from, 1), (span.day_to, -1)):
        for day, unit_code, person_category, on_roster, n, installed, active in session.execute(
            select(column, span.unit_code, span.category, span.on_roster, func.count(),
                   _sum(span.installed.is_(True)), _sum(span.active.is_(True)))
            .where(column > first, column <= last, *_within(span.unit_code, codes))
            .group_by(column, span.unit_code, span.category, span.on_roster)
            # SQLite would look each span up from the day index; the covering index is 2× faster.
            .with_hint(span, f"INDEXED BY {SPAN_INDEX_NAME}", "sqlite")
        ):  # fmt: skip
            changes[day].append(
                (unit_code, person_category, bool(on_roster), sign * n, sign * installed,
                 sign * active)
            )  # fmt: skip
    reports = _report_history(session, last, codes)
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
        new = _contribution(unit, state.get(unit.code, {}), report, category)
        old = contributions.get(unit.code)
        for value, sign in ((old, -1), (new, 1)):
            if value is not None and value[0] is not None:
                sums[0] += sign * value[0]
                sums[1] += sign * value[1]
                sums[2] += sign * value[2]
                known += sign
        contributions[unit.code] = new

    order = [u.code for u in sorted(units.values(), key=_unit_order)]
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
            "total", counts, len(order), unknown, thresholds.status(counts.installed_pct)
        )
        result.append((day, rollup))
    return result


def _contribution(
    unit: Any,
    counts: dict[tuple[str, bool], list[int]],
    report: UnitReport | None,
    category: str | None,
) -> tuple[int | None, int, int]:
    """What one unit adds to a rollup (its total's, or one category's, denominator or None,
    installed, active): :func:`_unit_row`'s rules without building the row."""
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
    _source, denominators, figures = _without_roster(unit, records, report)
    if category is not None:
        installed, active = figures.get(category, (0, 0))
        return (None if denominators is None else denominators[category]), installed, active
    return (
        None if denominators is None else sum(denominators.values()),
        sum(i for i, _a in figures.values()),
        sum(a for _i, a in figures.values()),
    )


def _report_history(
    session: Session, last: date, codes: list[str] | None
) -> dict[str, list[tuple[date, UnitReport]]]:
    """Each unit's reports, in the order :func:`_latest_reports` prefers them, with the
    first day each counts (its report date, or the day it was collected if later)."""
    history: dict[str, list[tuple[date, UnitReport]]] = defaultdict(list)
    query = (
        select(UnitReport)
        .where(UnitReport.report_date <= last, *_within(UnitReport.unit_code, codes))
        .order_by(UnitReport.unit_code, UnitReport.report_date, UnitReport.effective_at,
                  UnitReport.submission_id)
    )  # fmt: skip
    for report in session.scalars(query):
        available = max(report.report_date, tallies.local_day(report.effective_at))
        history[report.unit_code].append((available, report))
    return history


def not_installed(session: Session, unit_code: str, as_of: date) -> list[dict[str, Any]]:
    """Who on ``unit_code``'s roster in force has not installed as of ``as_of`` (personal
    data: only for roles allowed to see it), with their latest status and reasons.

    Reads the spans as they are: call it after :func:`compute`, which brought them up to date
    (a download for every unit would otherwise refresh, and commit, once per unit)."""
    span_of = and_(PersonSpan.bhxh_code == RosterEntry.bhxh_code, *_in_force(as_of))
    rows = session.execute(
        select(RosterEntry.bhxh_code, RosterEntry.full_name, RosterEntry.category,
               PersonSpan.submission_id)
        .outerjoin(PersonSpan, span_of)
        .where(RosterEntry.unit_code == unit_code, *in_force(as_of))
        .where(or_(PersonSpan.installed.is_(None), PersonSpan.installed.is_(False)))
        .order_by(RosterEntry.full_name, RosterEntry.bhxh_code)
    ).all()  # fmt: skip
    records = {
        r.submission_id: r
        for r in session.scalars(
            select(InstallRecord).where(
                InstallRecord.submission_id.in_([row[3] for row in rows if row[3] is not None])
            )
        )
    }
    people = []
    for code, name, category, submission_id in rows:
        record = records.get(submission_id) if submission_id is not None else None
        people.append(
            {
                "bhxh_code": code,
                "full_name": name,
                "category": category,
                "status": record.status if record else None,
                "reasons": record.reasons if record else [],
            }
        )
    return people
