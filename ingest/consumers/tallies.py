"""Coverage tallies: what the reports count, kept up to date so a report reads per-unit rows.

A person counts in coverage, on each day, in one unit and category, as a roster member or not,
installed and active or not (docs/architecture.md §4). That is a function of their install
records (the effective record is the latest collected on or before the day) and their roster
entries (the entry in force that day), and it changes only on the days a record was collected
or a roster entry starts or ends. :func:`spans_for` turns one person's records and entries into
:class:`~ingest.models.PersonSpan` rows, one per stretch of days with the same state; the
tallies (:class:`~ingest.models.Tally`, :class:`~ingest.models.ReasonTally`) add up the spans
open now, per unit.

A consumer of the log, after the cross-record rules (beside the persons: it reads records and
rosters, not persons): for each batch it finds the people the
batch's submissions, decisions and roster imports are about, recomputes their spans and moves
the tallies by the difference. With no cursor yet (a new database, or a replay) it builds
every span and tally from the records and rosters at once (:func:`rebuild`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from ingest import campaign
from ingest.consumers.persons import people_of
from ingest.consumers.runner import REVIEWS, ROSTERS, SUBMISSIONS, Batch, Consumer
from ingest.db import among, bulk_insert, upsert
from ingest.models import (
    InstallRecord,
    PersonSpan,
    ReasonTally,
    RosterEntry,
    Tally,
)

#: People per round trip when recomputing spans.
BATCH = 2000

# Core tables: executemany with plain INSERTs (the ORM's bulk path inserts row by row here).
_SPANS = cast(Table, PersonSpan.__table__)

CountKey = tuple[str, str, bool]  # unit_code, category, on_roster
ReasonKey = tuple[str, bool, str]  # unit_code, on_roster, reason


@dataclass(frozen=True, slots=True)
class Record:
    """The parts of an install record that decide how its person counts."""

    effective_at: datetime
    submission_id: int
    unit_code: str | None
    category: str | None
    installed: bool
    active: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """The parts of a roster entry that decide how its person counts."""

    valid_from: date
    valid_to: date | None
    unit_code: str
    category: str
    id: int


@dataclass(frozen=True, slots=True)
class Span:
    """How one person counts from ``day_from`` until ``day_to`` (exclusive; None: open)."""

    day_from: date
    day_to: date | None
    unit_code: str
    category: str
    on_roster: bool
    installed: bool
    active: bool
    submission_id: int | None
    reasons: tuple[str, ...]

    def same_state(self, other: Span) -> bool:
        return _fields(self) == _fields(other)


def local_day(moment: datetime) -> date:
    """The day (Vietnam time) a record collected at ``moment`` starts to count."""
    return moment.astimezone(campaign.LOCAL_TZ).date()


def spans_for(records: Iterable[Record], entries: Iterable[Entry]) -> list[Span]:
    """One person's spans: their state on every day from their first record or entry on."""
    by_day: dict[date, Record] = {}
    for one in sorted(records, key=lambda r: (r.effective_at, r.submission_id)):
        by_day[local_day(one.effective_at)] = one  # the day's latest record wins
    ordered = sorted(entries, key=lambda e: (e.valid_from, e.id))
    points = sorted(
        set(by_day) | {e.valid_from for e in ordered} | {e.valid_to for e in ordered if e.valid_to}
    )
    spans: list[Span] = []
    record: Record | None = None
    for index, day in enumerate(points):
        record = by_day.get(day, record)
        entry = _in_force(ordered, day)
        day_to = points[index + 1] if index + 1 < len(points) else None
        if record is None and entry is None:
            continue
        span = _state(day, day_to, record, entry)
        last = spans[-1] if spans else None
        if last is not None and last.day_to == day and last.same_state(span):
            spans[-1] = Span(last.day_from, day_to, *_fields(last))
        else:
            spans.append(span)
    return spans


def _in_force(entries: Sequence[Entry], day: date) -> Entry | None:
    """The entry in force on ``day`` (the latest to start, should imports ever overlap)."""
    found = None
    for entry in entries:
        if entry.valid_from <= day and (entry.valid_to is None or entry.valid_to > day):
            found = entry
    return found


def _state(day: date, day_to: date | None, record: Record | None, entry: Entry | None) -> Span:
    installed = bool(record and record.installed)
    return Span(
        day_from=day,
        day_to=day_to,
        unit_code=(entry.unit_code if entry else record.unit_code if record else None) or "",
        category=(entry.category if entry else record.category if record else None) or "",
        on_roster=entry is not None,
        installed=installed,
        active=bool(record and record.active),
        submission_id=record.submission_id if record else None,
        reasons=record.reasons if record is not None and not installed else (),
    )


def _fields(span: Span) -> tuple[Any, ...]:
    return (
        span.unit_code, span.category, span.on_roster, span.installed, span.active,
        span.submission_id, span.reasons,
    )  # fmt: skip


# The consumer ----------------------------------------------------------------------------


def apply(session: Session, batch: Batch) -> None:
    """Recompute the people the batch is about."""
    recompute(session, people_of(session, batch))


def reset(session: Session) -> None:
    """Empty the spans and tallies (a replay rebuilds them)."""
    for model in (PersonSpan, Tally, ReasonTally):
        session.execute(delete(model))


def recompute(
    session: Session, people: Iterable[str], progress: Callable[[int], None] | None = None
) -> int:
    """Recompute the spans of ``people`` and move the tallies by the difference; how many."""
    codes = sorted(set(people))
    counts: dict[CountKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    reasons: dict[ReasonKey, int] = defaultdict(int)
    for chunk in _chunks(codes, BATCH):
        old = session.scalars(
            select(PersonSpan).where(among(session, PersonSpan.bhxh_code, chunk))
        ).all()
        for row in old:
            if row.day_to is None:
                _count(counts, reasons, _from_row(row), -1)
        session.execute(delete(PersonSpan).where(among(session, PersonSpan.bhxh_code, chunk)))
        _people, new = _compute(session, lambda column: among(session, column, chunk))  # noqa: B023
        _insert_spans(session, new)
        for _code, span in new:
            if span.day_to is None:
                _count(counts, reasons, span, +1)
        if progress is not None:
            progress(len(chunk))
    _add(session, counts, reasons)
    return len(codes)


def rebuild(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Build every span and tally from the records and rosters; how many people.

    Reads both tables in ranges of codes (index range scans, :data:`REBUILD_BATCH` people at
    a time), not by lists of codes: at national scale the lookups were half the time."""
    reset(session)
    counts: dict[CountKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    reasons: dict[ReasonKey, int] = defaultdict(int)
    done = 0
    for after, upto in _ranges(session):
        people, new = _compute(
            session,
            lambda column: (column > after) & (column <= upto),  # noqa: B023  (used at once)
        )
        _insert_spans(session, new)
        for _code, span in new:
            if span.day_to is None:
                _count(counts, reasons, span, +1)
        done += len(people)
        if progress is not None:
            progress(len(people))
    _add(session, counts, reasons)
    return done


#: People per transaction round when building from scratch.
REBUILD_BATCH = 10_000


def _ranges(session: Session) -> Iterator[tuple[str, str]]:
    """Ranges ``(after, upto]`` of codes covering every person, about
    :data:`REBUILD_BATCH` rows of each table at a time (keyset over both tables' indexes)."""
    last = ""
    while True:
        ends = []
        for column in (InstallRecord.bhxh_code, RosterEntry.bhxh_code):
            end = session.scalar(
                select(column).where(column > last).order_by(column)
                .offset(REBUILD_BATCH - 1).limit(1)
            )  # fmt: skip
            if end is not None:
                ends.append((end, True))
            elif rest := session.scalar(select(func.max(column)).where(column > last)):
                ends.append((rest, False))
        if not ends:
            return
        # Up to the smallest end of a full page: past it, that table has not been read yet.
        full = [end for end, is_full in ends if is_full]
        upper = min(full) if full else max(end for end, _ in ends)
        yield last, upper
        last = upper


def _compute(
    session: Session, which: Callable[[Any], Any]
) -> tuple[list[str], list[tuple[str, Span]]]:
    """The people whose code ``which(column)`` selects, and their spans."""
    records: dict[str, list[Record]] = defaultdict(list)
    for row in session.execute(
        select(
            InstallRecord.bhxh_code, InstallRecord.effective_at, InstallRecord.submission_id,
            InstallRecord.unit_code, InstallRecord.category, InstallRecord.installed,
            InstallRecord.active, InstallRecord.reasons,
        ).where(which(InstallRecord.bhxh_code))
    ):  # fmt: skip
        code, at, submission_id, unit_code, category, installed, active, why = row
        reasons = tuple(sorted({str(r)[:64] for r in why or () if r}))
        records[code].append(
            Record(at, submission_id, unit_code, category, installed, active, reasons)
        )
    entries: dict[str, list[Entry]] = defaultdict(list)
    for code, valid_from, valid_to, unit_code, category, entry_id in session.execute(
        select(
            RosterEntry.bhxh_code, RosterEntry.valid_from, RosterEntry.valid_to,
            RosterEntry.unit_code, RosterEntry.category, RosterEntry.id,
        ).where(which(RosterEntry.bhxh_code))
    ):  # fmt: skip
        entries[code].append(Entry(valid_from, valid_to, unit_code, category, entry_id))
    people = sorted(records.keys() | entries.keys())
    return people, [
        (code, span)
        for code in people
        for span in spans_for(records.get(code, ()), entries.get(code, ()))
    ]


def _insert_spans(session: Session, spans: list[tuple[str, Span]]) -> None:
    if spans:
        bulk_insert(
            session,
            _SPANS,
            [
                {
                    "bhxh_code": code, "day_from": s.day_from, "day_to": s.day_to,
                    "unit_code": s.unit_code, "category": s.category, "on_roster": s.on_roster,
                    "installed": s.installed, "active": s.active,
                    "submission_id": s.submission_id, "reasons": " ".join(s.reasons),
                }
                for code, s in spans
            ],
        )  # fmt: skip


def _from_row(row: PersonSpan) -> Span:
    return Span(
        row.day_from, row.day_to, row.unit_code, row.category, row.on_roster, row.installed,
        row.active, row.submission_id, tuple(row.reasons.split()),
    )  # fmt: skip


def _count(
    counts: dict[CountKey, list[int]], reasons: dict[ReasonKey, int], span: Span, sign: int
) -> None:
    totals = counts[(span.unit_code, span.category, span.on_roster)]
    totals[0] += sign
    totals[1] += sign * span.installed
    totals[2] += sign * span.active
    for reason in span.reasons:
        reasons[(span.unit_code, span.on_roster, reason)] += sign


def _add(
    session: Session, counts: dict[CountKey, list[int]], reasons: dict[ReasonKey, int]
) -> None:
    """Move the tallies by ``counts`` and ``reasons`` (an upsert that adds)."""
    count_rows = [
        {"unit_code": u, "category": c, "on_roster": r, "people": n, "installed": i, "active": a}
        for (u, c, r), (n, i, a) in counts.items()
        if n or i or a
    ]
    reason_rows = [
        {"unit_code": u, "on_roster": r, "reason": why, "people": n}
        for (u, r, why), n in reasons.items()
        if n
    ]
    _upsert_add(session, Tally, count_rows, ("unit_code", "category", "on_roster"),
                ("people", "installed", "active"))  # fmt: skip
    _upsert_add(session, ReasonTally, reason_rows, ("unit_code", "on_roster", "reason"),
                ("people",))  # fmt: skip


def _upsert_add(
    session: Session,
    model: type[Tally] | type[ReasonTally],
    rows: list[dict[str, Any]],
    keys: tuple[str, ...],
    values: tuple[str, ...],
) -> None:
    if not rows:
        return
    dialect_insert = upsert(session.get_bind().dialect)
    for chunk in _chunks(rows, BATCH):
        statement = dialect_insert(model)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={v: getattr(model, v) + getattr(statement.excluded, v) for v in values},
        )
        session.execute(statement, chunk)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def latest_change(session: Session) -> date | None:
    """The last day on which any span starts or ends (None: no spans)."""
    starts = session.scalar(select(func.max(PersonSpan.day_from)))
    ends = session.scalar(select(func.max(PersonSpan.day_to)))
    days = [d for d in (starts, ends) if d is not None]
    return max(days) if days else None


CONSUMER = Consumer(
    "tallies", apply, streams=(SUBMISSIONS, REVIEWS, ROSTERS), after="rules",
    rebuild=rebuild, reset=reset,
)  # fmt: skip
