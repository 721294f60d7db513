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
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Executable, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from ingest import campaign
from ingest.models import InstallReason, InstallRecord, Person, RosterEntry, Unit, UnitReport
from ingest.roster import in_force
from ingest.units import KIND_ORDER, natural_key

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
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


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
    findings: tuple[Finding, ...]


def cutoff(as_of: date) -> datetime:
    """The first instant after ``as_of`` in Vietnam, in UTC: records before it count."""
    return datetime.combine(as_of + timedelta(days=1), time(0), campaign.LOCAL_TZ).astimezone(UTC)


def _effective(session: Session, as_of: date) -> Any:
    """Each person's effective record as of ``as_of`` (a subquery)."""
    limit = cutoff(as_of)
    latest = session.scalar(select(func.max(InstallRecord.effective_at)))
    if latest is None or latest < limit:
        # Nothing recorded after the date: ``person`` already holds every effective record.
        return select(
            Person.bhxh_code, Person.unit_code, Person.category, Person.installed,
            Person.active, Person.full_name, Person.submission_id,
        ).subquery("eff")  # fmt: skip
    ranked = select(
        InstallRecord.bhxh_code, InstallRecord.unit_code, InstallRecord.category,
        InstallRecord.installed, InstallRecord.active, InstallRecord.full_name,
        InstallRecord.submission_id,
        func.row_number().over(
            partition_by=InstallRecord.bhxh_code,
            order_by=(InstallRecord.effective_at.desc(), InstallRecord.submission_id.desc()),
        ).label("rank"),
    ).where(InstallRecord.effective_at < limit).subquery("ranked")  # fmt: skip
    return (
        select(*[c for c in ranked.c if c.name != "rank"]).where(ranked.c.rank == 1).subquery("eff")
    )


def _in_force(entry: Any, as_of: date) -> tuple[Any, ...]:
    return (entry.valid_from <= as_of, or_(entry.valid_to.is_(None), entry.valid_to > as_of))


def _sum(flag: Any) -> Any:
    return func.coalesce(func.sum(case((flag, 1), else_=0)), 0)


def compute(
    session: Session,
    as_of: date,
    thresholds: Thresholds | None = None,
    unit_codes: Collection[str] | None = None,
) -> Coverage:
    """The coverage report as of the end of ``as_of`` (Vietnam time), for all units or some."""
    thresholds = thresholds or Thresholds()
    eff = _effective(session, as_of)
    # The roster entry in force for each record's person, joined in the ON clause so the
    # database walks the index on roster_entry.bhxh_code: one pass over the records.
    entry = aliased(RosterEntry)
    entry_of = and_(entry.bhxh_code == eff.c.bhxh_code, *_in_force(entry, as_of))
    on_roster = entry.bhxh_code.is_not(None)
    unit = func.coalesce(entry.unit_code, eff.c.unit_code)
    category = func.coalesce(entry.category, eff.c.category)
    counted = _rows(
        session,
        select(
            unit, category, on_roster, func.count(),
            _sum(eff.c.installed.is_(True)), _sum(eff.c.active.is_(True)),
        )
        .select_from(eff.outerjoin(entry, entry_of))
        .group_by(unit, category, on_roster),
    )  # fmt: skip
    unrecorded = _rows(
        session,
        select(RosterEntry.unit_code, RosterEntry.category, func.count(), literal(0), literal(0))
        .select_from(RosterEntry.__table__.outerjoin(eff, eff.c.bhxh_code == RosterEntry.bhxh_code))
        .where(*in_force(as_of), eff.c.bhxh_code.is_(None))
        .group_by(RosterEntry.unit_code, RosterEntry.category),
    )
    roster_counts = [(u, c, n, i, a) for u, c, flag, n, i, a in counted if flag] + unrecorded
    record_counts = [(u, c, n, i, a) for u, c, flag, n, i, a in counted if not flag]
    reasons = _rows(
        session,
        select(unit, on_roster, InstallReason.reason, func.count())
        .select_from(
            eff.join(InstallReason, InstallReason.submission_id == eff.c.submission_id).outerjoin(
                entry, entry_of
            )
        )
        .where(eff.c.installed.is_(False))
        .group_by(unit, on_roster, InstallReason.reason),
    )
    roster_units = {unit_code for unit_code, *_rest in roster_counts}
    findings = [
        Finding("not_on_roster", unit_code, code, name, person_category)
        for code, unit_code, name, person_category in session.execute(
            select(eff.c.bhxh_code, eff.c.unit_code, eff.c.full_name, eff.c.category)
            .select_from(eff.outerjoin(entry, entry_of))
            .where(~on_roster, eff.c.installed.is_(True), eff.c.unit_code.in_(roster_units))
            .order_by(eff.c.unit_code, eff.c.bhxh_code)
        )
    ]
    reports = _latest_reports(session, as_of)

    query = select(Unit)
    if unit_codes is not None:
        query = query.where(Unit.code.in_(unit_codes))
    units = sorted(
        session.scalars(query), key=lambda u: (KIND_ORDER[u.kind], natural_key(u.name_vi), u.code)
    )
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
    if unit_codes is not None:
        findings = [f for f in findings if f.unit_code in set(unit_codes)]
    return Coverage(
        as_of=as_of,
        thresholds=thresholds,
        units=tuple(rows),
        kinds=tuple(_rollup(k, [r for r in rows if r.kind == k], thresholds) for k in KINDS),
        categories=tuple(_category_rollup(c, rows, thresholds) for c in CATEGORIES),
        total=_rollup("total", rows, thresholds),
        findings=tuple(findings),
    )


def _rows(session: Session, query: Executable) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.execute(query)]


def _by_unit(rows: Iterable[tuple[Any, ...]]) -> dict[str, dict[str, Counts]]:
    result: dict[str, dict[str, Counts]] = defaultdict(dict)
    for unit, category, count, installed, active in rows:
        key = category if category in CATEGORIES else "unknown"
        old = result[unit].get(key, Counts(0))
        result[unit][key] = old + Counts(int(count), int(installed), int(active))
    return result


def _latest_reports(session: Session, as_of: date) -> dict[str, UnitReport]:
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
        .subquery()
    )
    latest = session.scalars(
        select(UnitReport).join(ranked, and_(ranked.c.submission_id == UnitReport.submission_id,
                                             ranked.c.rank == literal(1)))
    )  # fmt: skip
    return {report.unit_code: report for report in latest}


def _declared(unit: Unit) -> dict[str, int] | None:
    values = {c: getattr(unit, f"headcount_{c}") for c in CATEGORIES}
    if all(v is None for v in values.values()):
        return None
    return {c: v or 0 for c, v in values.items()}


def _unit_row(
    unit: Unit,
    roster: dict[str, Counts] | None,
    records: dict[str, Counts] | None,
    report: UnitReport | None,
    reasons: dict[str, int],
    thresholds: Thresholds,
) -> UnitCoverage:
    records = records or {}
    declared = _declared(unit)
    source: str | None
    if roster:
        source, categories = "roster", {c: roster.get(c, Counts(0)) for c in CATEGORIES}
    else:
        if declared is not None:
            source, denominators = "declared", dict(declared)
        elif report is not None:
            source = "unit_report"
            denominators = {c: getattr(report, f"headcount_{c}") or 0 for c in CATEGORIES}
        else:
            source, denominators = None, {}
        if records or report is None:
            categories = {
                c: Counts(denominators.get(c), records.get(c, Counts()).installed,
                          records.get(c, Counts()).active)
                for c in CATEGORIES
            }  # fmt: skip
        else:  # no person records: the unit's own report gives the figures
            categories = {
                c: Counts(denominators.get(c), getattr(report, f"installed_{c}") or 0,
                          getattr(report, f"active_{c}") or 0)
                for c in CATEGORIES
            }  # fmt: skip
    # Records without a category (outside any roster) still count in the unit's total.
    uncategorised = records.get("unknown", Counts()) if source != "roster" else Counts()
    total = Counts(
        sum(c.denominator for c in categories.values() if c.denominator is not None)
        if source is not None
        else None,
        sum(c.installed for c in categories.values()) + uncategorised.installed,
        sum(c.active for c in categories.values()) + uncategorised.active,
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
    session: Session, days: Iterable[date], unit_codes: Collection[str] | None = None
) -> list[tuple[date, Rollup]]:
    """The total (of all units, or of ``unit_codes``) as of each day."""
    return [(day, compute(session, day, unit_codes=unit_codes).total) for day in days]


def not_installed(session: Session, unit_code: str, as_of: date) -> list[dict[str, Any]]:
    """Who on ``unit_code``'s roster in force has not installed as of ``as_of`` (personal
    data: only for roles allowed to see it), with their latest status and reasons."""
    eff = _effective(session, as_of)
    rows = session.execute(
        select(
            RosterEntry.bhxh_code, RosterEntry.full_name, RosterEntry.category,
            eff.c.installed, eff.c.submission_id,
        )
        .outerjoin(eff, eff.c.bhxh_code == RosterEntry.bhxh_code)
        .where(RosterEntry.unit_code == unit_code, *in_force(as_of))
        .where((eff.c.installed.is_(None)) | (eff.c.installed.is_(False)))
        .order_by(RosterEntry.full_name, RosterEntry.bhxh_code)
    ).all()  # fmt: skip
    records = {
        r.submission_id: r
        for r in session.scalars(
            select(InstallRecord).where(
                InstallRecord.submission_id.in_([row[4] for row in rows if row[4] is not None])
            )
        )
    }
    people = []
    for code, name, category, _installed, submission_id in rows:
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
