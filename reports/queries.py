"""The coverage report's database reads: grouped counts, findings, units and unit reports.

Every read is one campaign's. Counting happens in the database (grouped aggregate queries, the
same on SQLite and PostgreSQL), on the session's connection as Core where many rows come back.
Counts as of a date come from the tallies when nothing changes after it, else from the person
spans in force that day (:func:`counted`); :func:`span_changes` gives what changes day by day,
for the trend. Also :func:`not_done`, the personal list of who on a roster is not done yet.
Nothing in ``reports`` brings the tallies up to date or commits: the caller settles the log's
consumers first (read-your-writes) and owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Executable, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from ingest.campaigns import LOCAL_TZ, Campaign, declared_headcounts
from ingest.collation import name_key
from ingest.consumers import tallies
from ingest.db import among
from ingest.models import CATEGORIES as UNIT_HEADCOUNTS
from ingest.models import (
    DONE,
    PEOPLE,
    SPAN_INDEX_NAME,
    DailyTally,
    PersonRecord,
    PersonSpan,
    ReasonTally,
    RosterEntry,
    Tally,
    Unit,
    UnitReport,
)
from ingest.registry.roster import EARLIEST, in_force
from reports.model import Figures, Finding, Report, unit_order

#: A counted row: unit, category, on roster, measure, people.
Counted = tuple[str, str, bool, str, int]


def cutoff(as_of: date) -> datetime:
    """The first instant after ``as_of`` in Vietnam, in UTC: records before it count."""
    return datetime.combine(as_of + timedelta(days=1), time(0), LOCAL_TZ).astimezone(UTC)


def _in_force(as_of: date) -> tuple[Any, ...]:
    """SQL conditions selecting the person spans in force on ``as_of``."""
    return (
        PersonSpan.day_from <= as_of,
        or_(PersonSpan.day_to.is_(None), PersonSpan.day_to > as_of),
    )


def _within(column: Any, codes: list[str] | None) -> tuple[Any, ...]:
    return () if codes is None else (column.in_(codes),)


def last_day(session: Session, campaign: Campaign) -> date | None:
    """The last day the campaign's figures change (a person's record starts or ends, a unit
    report takes effect), local time; None when it has no data yet. After it, every day's
    report is the same: a demo's data, or a campaign that has ended."""
    days = [tallies.latest_change(session, campaign.id)]
    if campaign.unit_report is not None:
        latest = session.execute(
            select(UnitReport.effective_at)
            .where(UnitReport.campaign == campaign.id)
            .order_by(UnitReport.effective_at.desc())
            .limit(1)
        ).first()
        if latest is not None:  # a report counts from the day it arrived, if later
            days.append(latest.effective_at.astimezone(LOCAL_TZ).date())
        days.append(
            session.scalar(
                select(func.max(UnitReport.report_date)).where(UnitReport.campaign == campaign.id)
            )
        )
    # a unit's first roster stands for every earlier day (from roster.EARLIEST): no data day
    known = [d for d in days if d is not None and d > EARLIEST]
    return max(known) if known else None


def _measures(done: bool, levels: str) -> list[str]:
    """The measures a span with ``done`` and ``levels`` counts in."""
    return [PEOPLE, *((DONE,) if done else ()), *levels.split()]


def counted(
    session: Session, campaign: str, as_of: date, codes: list[str] | None,
    with_reasons: bool = False,
) -> tuple[list[Counted], list[tuple[Any, ...]]]:  # fmt: skip
    """People per (unit, category, on roster, measure) as of ``as_of`` in ``campaign`` and
    (when asked) people not done per (unit, on roster, reason): from the tallies when nothing
    changes after ``as_of``, else from the spans in force that day."""
    latest = tallies.latest_change(session, campaign)
    reasons: list[tuple[Any, ...]] = []
    if latest is None or latest <= as_of:
        rows = _rows(
            session,
            select(Tally.unit_code, Tally.category, Tally.on_roster, Tally.measure, Tally.people)
            .where(Tally.campaign == campaign, Tally.people > 0,
                   *_within(Tally.unit_code, codes)),
        )  # fmt: skip
        if with_reasons:
            reasons = _rows(
                session,
                select(ReasonTally.unit_code, ReasonTally.on_roster, ReasonTally.reason,
                       ReasonTally.people)
                .where(ReasonTally.campaign == campaign, ReasonTally.people > 0,
                       *_within(ReasonTally.unit_code, codes)),
            )  # fmt: skip
        return [(u, c, bool(r), m, int(n)) for u, c, r, m, n in rows], reasons
    span = PersonSpan
    # Grouped by the span's done flag and levels as stored (few combinations), split here.
    per: dict[tuple[str, str, bool, str], int] = defaultdict(int)
    for unit_code, category, on_roster, done, levels, n in session.connection().execute(
        select(span.unit_code, span.category, span.on_roster, span.done, span.levels,
               func.count())
        .where(span.campaign == campaign, *_in_force(as_of), *_within(span.unit_code, codes))
        .group_by(span.unit_code, span.category, span.on_roster, span.done, span.levels)
    ):  # fmt: skip
        for measure in _measures(bool(done), levels or ""):
            per[(unit_code, category, bool(on_roster), measure)] += int(n)
    if with_reasons:
        # The same reasons the tallies count, without a join.
        per_reason: dict[tuple[str, bool, str], int] = defaultdict(int)
        for unit_code, on_roster, stored, count in session.execute(
            select(span.unit_code, span.on_roster, span.reasons, func.count())
            .where(span.campaign == campaign, *_in_force(as_of), span.done.is_(False),
                   span.reasons != "", *_within(span.unit_code, codes))
            .group_by(span.unit_code, span.on_roster, span.reasons)
        ):  # fmt: skip
            for reason in stored.split():
                per_reason[(unit_code, bool(on_roster), reason)] += int(count)
        reasons = [(*key, count) for key, count in per_reason.items()]
    return [(*key, n) for key, n in per.items()], reasons


def findings(session: Session, campaign: str, as_of: date, unit_codes: list[str]) -> list[Finding]:
    """People done, counted in ``unit_codes`` (units with a roster) but not on it."""
    if not unit_codes:
        return []
    query = (
        select(PersonSpan.person_key, PersonSpan.unit_code, PersonRecord.full_name,
               PersonSpan.category)
        .join(PersonRecord, PersonRecord.submission_id == PersonSpan.submission_id)
        .where(PersonSpan.campaign == campaign, *_in_force(as_of),
               PersonSpan.on_roster.is_(False), PersonSpan.done.is_(True),
               PersonSpan.unit_code.in_(unit_codes))
        .order_by(PersonSpan.unit_code, PersonSpan.person_key)
    )  # fmt: skip
    found = [
        Finding("not_on_roster", unit_code, key, name, category or None)
        for key, unit_code, name, category in session.execute(query)
    ]
    return sorted(found, key=lambda f: (f.unit_code, name_key(f.full_name), f.person_key))


def units(
    session: Session, campaign: Campaign, codes: list[str] | None, ordered: bool = True
) -> list[Any]:
    """The units a campaign covers (rows with the columns a report needs, lighter than ORM
    objects), in the order people look for them (``unit_order``), or in no order when not
    ``ordered`` (the caller sorts the few it names)."""
    columns = [Unit.code, Unit.name_vi, Unit.name_en, Unit.kind, Unit.parent_code]
    columns += [getattr(Unit, f"headcount_{c}") for c in UNIT_HEADCOUNTS]
    query = select(*columns).where(*_within(Unit.code, codes))
    if campaign.unit_kinds:
        query = query.where(Unit.kind.in_(campaign.unit_kinds))
    rows = session.connection().execute(query).all()
    return sorted(rows, key=unit_order) if ordered else list(rows)


def declared(session: Session, campaign: Campaign) -> dict[str, dict[str, int]]:
    """The campaign's own declared denominators (its file's), by unit and category."""
    if campaign.denominators != "file":
        return {}
    return declared_headcounts(session, campaign.id)


def _rows(session: Session, query: Executable) -> list[tuple[Any, ...]]:
    # On the session's connection, as Core: the ORM's row loading costs a third more here.
    return [tuple(row) for row in session.connection().execute(query)]


def _figures(stored: dict[str, Any]) -> dict[str, Figures]:
    return {
        category: Figures(
            values.get("headcount"),
            int(values.get("done") or 0),
            {k: int(n or 0) for k, n in (values.get("levels") or {}).items()},
        )
        for category, values in (stored or {}).items()
    }


def _sum(reports: list[dict[str, Figures]]) -> dict[str, Figures]:
    out: dict[str, Figures] = {}
    for report in reports:
        for category, f in report.items():
            before = out.get(category, Figures())
            levels = dict(before.levels)
            for k, n in f.levels.items():
                levels[k] = levels.get(k, 0) + n
            out[category] = Figures(None, before.done + f.done, levels)
    return out


def report_history(
    session: Session, campaign: Campaign, last: date, codes: list[str] | None
) -> dict[str, list[tuple[date, Report]]]:
    """Each unit's figures, as they stand from the first day each report counts (its report
    date, or the day it was collected if later), in the order they take effect: the latest
    report's (``mode = "latest"``, reports preferred by date, then collection, then arrival),
    or the sum of the reports so far (``mode = "sum"``)."""
    history: dict[str, list[tuple[date, Report]]] = defaultdict(list)
    if campaign.unit_report is None:
        return history
    query = (
        select(UnitReport.unit_code, UnitReport.report_date, UnitReport.effective_at,
               UnitReport.figures)
        .where(UnitReport.campaign == campaign.id, UnitReport.report_date <= last,
               *_within(UnitReport.unit_code, codes))
        .order_by(UnitReport.unit_code, UnitReport.report_date, UnitReport.effective_at,
                  UnitReport.submission_id)
    )  # fmt: skip
    raw: dict[str, list[tuple[date, date, datetime, dict[str, Figures]]]] = defaultdict(list)
    for unit_code, report_date, at, stored in session.execute(query):
        available = max(report_date, tallies.local_day(at))
        raw[unit_code].append((available, report_date, at, _figures(stored)))
    summing = campaign.unit_report.mode == "sum"
    for unit_code, reports in raw.items():
        days = sorted({available for available, *_ in reports})
        for day in days:
            known = [r for r in reports if r[0] <= day]
            if summing:
                history[unit_code].append((day, _sum([r[3] for r in known])))
            else:
                best = max(known, key=lambda r: (r[1], r[2]))
                history[unit_code].append((day, best[3]))
    return history


def reports_as_of(
    session: Session, campaign: Campaign, as_of: date, codes: list[str] | None = None
) -> dict[str, Report]:
    """Each unit's reported figures as of ``as_of`` (see :func:`report_history`)."""
    out: dict[str, Report] = {}
    for unit_code, history in report_history(session, campaign, as_of, codes).items():
        standing = [report for day, report in history if day <= as_of]
        if standing:
            out[unit_code] = standing[-1]
    return out


def span_changes(
    session: Session, campaign: str, first: date, last: date, codes: list[str] | None
) -> dict[date, list[Counted]]:
    """By day, after ``first`` up to ``last``: per (unit, category, on roster, measure), the
    people that spans starting that day add and spans ending that day take away."""
    changes: dict[date, dict[tuple[str, str, bool, str], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    span = PersonSpan
    for column, sign in ((span.day_from, 1), (span.day_to, -1)):
        for day, unit_code, category, on_roster, done, levels, n in session.execute(
            select(column, span.unit_code, span.category, span.on_roster, span.done,
                   span.levels, func.count())
            .where(span.campaign == campaign, column > first, column <= last,
                   *_within(span.unit_code, codes))
            .group_by(column, span.unit_code, span.category, span.on_roster, span.done,
                      span.levels)
            # SQLite would look each span up from the day index; the covering index is faster.
            .with_hint(span, f"INDEXED BY {SPAN_INDEX_NAME}", "sqlite")
        ):  # fmt: skip
            if day is None:  # an open span ends on no day
                continue
            for measure in _measures(bool(done), levels or ""):
                changes[day][(unit_code, category, bool(on_roster), measure)] += sign * int(n)
    return {day: [(*key, n) for key, n in per.items() if n] for day, per in changes.items()}


def not_done(
    session: Session, campaign: Campaign, unit_code: str, as_of: date
) -> list[dict[str, Any]]:
    """Who on ``unit_code``'s roster in force in ``campaign`` is not done as of ``as_of``
    (personal data: only for roles allowed to see it), with their latest outcome and reasons.

    Reads the spans as they are (the caller settled the log's consumers first)."""
    span_of = and_(
        PersonSpan.campaign == campaign.id,
        PersonSpan.person_key == RosterEntry.person_key,
        *_in_force(as_of),
    )
    rows = session.execute(
        select(RosterEntry.person_key, RosterEntry.full_name, RosterEntry.category,
               PersonSpan.submission_id)
        .outerjoin(PersonSpan, span_of)
        .where(RosterEntry.campaign == campaign.id, RosterEntry.unit_code == unit_code,
               *in_force(as_of))
        .where(or_(PersonSpan.done.is_(None), PersonSpan.done.is_(False)))
    ).all()  # fmt: skip
    # Vietnamese list order (given name first), which no database collation gives everywhere
    rows = sorted(rows, key=lambda r: (name_key(r[1]), r[0]))
    records = {
        r.submission_id: r
        for r in session.scalars(
            select(PersonRecord).where(
                PersonRecord.submission_id.in_([row[3] for row in rows if row[3] is not None])
            )
        )
    }
    people = []
    identifier = campaign.person.identifier if campaign.person else "person_key"
    for key, name, category, submission_id in rows:
        record = records.get(submission_id) if submission_id is not None else None
        people.append(
            {
                identifier: key,
                "person_key": key,
                "full_name": name,
                "category": category,
                "outcome": record.outcome if record else None,
                "reasons": record.reasons if record else [],
            }
        )
    return people


def daily_people(
    session: Session, campaign: str, last: date, on_roster: bool, codes: list[str] | None
) -> dict[str, list[tuple[date, int]]]:
    """Per unit (of ``codes``, or all), what each day up to ``last`` adds to its people on a
    roster (``on_roster``) or not, from the daily tallies."""
    d = DailyTally
    out: dict[str, list[tuple[date, int]]] = defaultdict(list)
    if codes is not None and not codes:
        return out
    within = () if codes is None else (among(session, d.unit_code, codes),)
    for unit_code, day, n in session.connection().execute(
        select(d.unit_code, d.day, func.sum(d.people))
        .where(d.campaign == campaign, d.measure == PEOPLE, d.on_roster.is_(on_roster),
               d.day <= last, *within)
        .group_by(d.unit_code, d.day)
    ).all():  # fmt: skip
        out[unit_code].append((day, int(n)))
    return out


#: A day's sum over units: day, on roster, category, measure, people.
DaySum = tuple[date, bool, str, str, int]
#: A day's sum for one unit: day, unit, on roster, category, measure, people.
UnitDaySum = tuple[date, str, bool, str, str, int]


#: Most unit codes in one statement on SQLite (its limit is 32,766 parameters).
SQLITE_CODES = 30_000


def daily_sums(
    session: Session, campaign: str, last: date, by_roster: list[str] | None,
    by_records: list[str], roster_but: Sequence[str] = (),
) -> list[DaySum]:  # fmt: skip
    """One aggregate over the daily tallies up to ``last``: per day, roster membership,
    category and measure, what the roster members of the units ``by_roster`` (None: of every
    unit but ``roster_but``) and the people not on a roster of the units ``by_records`` add,
    all units together (in the primary key's order: no sort). On SQLite, lists longer than it
    takes are summed in several statements."""
    d = DailyTally
    listed = len(by_roster or ()) + len(by_records) + len(roster_but)
    if session.get_bind().dialect.name == "sqlite" and listed > SQLITE_CODES:
        sums: dict[tuple[date, bool, str, str], int] = defaultdict(int)
        step = SQLITE_CODES
        calls: list[tuple[list[str] | None, list[str], list[str]]] = [
            ([], by_records[start : start + step], []) for start in range(0, len(by_records), step)
        ]
        if by_roster is None:
            calls.append((None, [], list(roster_but)))
        else:
            calls += [
                (by_roster[start : start + step], [], [])
                for start in range(0, len(by_roster), step)
            ]
        for roster_part, records_part, but in calls:
            for day, r, c, m, n in daily_sums(
                session, campaign, last, roster_part, records_part, but
            ):
                sums[(day, r, c, m)] += n
        return [(*key, n) for key, n in sorted(sums.items())]
    roster_units = (
        not_(among(session, d.unit_code, list(roster_but)))
        if by_roster is None
        else among(session, d.unit_code, by_roster)
    )
    rows = session.connection().execute(
        select(d.day, d.on_roster, d.category, d.measure, func.sum(d.people))
        .where(d.campaign == campaign, d.day <= last,
               or_(and_(d.on_roster.is_(True), roster_units),
                   and_(d.on_roster.is_(False), d.measure != PEOPLE,
                        among(session, d.unit_code, by_records))))
        .group_by(d.day, d.on_roster, d.category, d.measure)
    ).all()  # fmt: skip
    return [(day, bool(r), c, m, int(n)) for day, r, c, m, n in rows]


def daily_of_units(
    session: Session, campaign: str, last: date, codes: list[str]
) -> list[UnitDaySum]:
    """The daily tallies up to ``last`` of each unit of ``codes`` (a few units)."""
    d = DailyTally
    if not codes:
        return []
    rows = session.connection().execute(
        select(d.day, d.unit_code, d.on_roster, d.category, d.measure, d.people)
        .where(d.campaign == campaign, among(session, d.unit_code, codes), d.day <= last)
    ).all()  # fmt: skip
    return [(day, u, bool(r), c, m, int(n)) for day, u, r, c, m, n in rows]
