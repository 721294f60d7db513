"""The coverage report's database reads: grouped counts, findings, units and unit reports.

Counting happens in the database (grouped aggregate queries, the same on SQLite and
PostgreSQL), on the session's connection as Core where many rows come back. Counts as of a
date come from the tallies when nothing changes after it, else from the person spans in force
that day (:func:`counted`); :func:`span_changes` gives what changes day by day, for the trend.
Also :func:`not_installed`, the personal list of who on a roster has not installed. Nothing in
``reports`` brings the tallies up to date or commits: the caller settles the log's consumers
first (read-your-writes) and owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
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
from reports.model import CATEGORIES, Finding, unit_order


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


def counted(
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


def findings(session: Session, as_of: date, unit_codes: list[str]) -> list[Finding]:
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


def units(session: Session, codes: list[str] | None) -> list[Any]:
    """The units (rows with the columns a report needs, lighter than ORM objects), in the
    order people look for them."""
    columns = [Unit.code, Unit.name_vi, Unit.name_en, Unit.kind, Unit.parent_code]
    columns += [getattr(Unit, f"headcount_{c}") for c in CATEGORIES]
    query = select(*columns).where(*_within(Unit.code, codes))
    return sorted(session.connection().execute(query).all(), key=unit_order)


def _rows(session: Session, query: Executable) -> list[tuple[Any, ...]]:
    # On the session's connection, as Core: the ORM's row loading costs a third more here.
    return [tuple(row) for row in session.connection().execute(query)]


def latest_reports(
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


def span_changes(
    session: Session, first: date, last: date, codes: list[str] | None
) -> dict[date, list[tuple[Any, ...]]]:
    """By day, after ``first`` up to ``last``: per (unit, category, on roster), the people,
    installed and active that spans starting that day add and spans ending that day take away."""
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
    return changes


def report_history(
    session: Session, last: date, codes: list[str] | None
) -> dict[str, list[tuple[date, UnitReport]]]:
    """Each unit's reports, in the order :func:`latest_reports` prefers them, with the
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
    data: only for roles allowed to see it), with their latest app state and reasons.

    Reads the spans as they are (the caller settled the log's consumers first)."""
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
                "status": record.app_state if record else None,  # the API's key
                "reasons": record.reasons if record else [],
            }
        )
    return people
