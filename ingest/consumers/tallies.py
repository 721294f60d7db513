"""Coverage tallies: what the reports count, kept up to date so a report reads per-unit rows.

A person counts in a campaign's coverage, on each day, in one unit and category, as a roster
member or not, done or not, and at each further level or not (docs/architecture.md §4). That is
a function of their records (the effective record is the latest collected on or before the day)
and their roster entries (the entry in force that day), and it changes only on the days a record
was collected or a roster entry starts or ends. :func:`spans_for` turns one person's records and
entries into :class:`~ingest.models.PersonSpan` rows, one per stretch of days with the same
state; the tallies (:class:`~ingest.models.Tally`, :class:`~ingest.models.ReasonTally`) add up
the spans open now, per campaign and unit: a row per measure (``people``, ``done``, each level's
key); the daily tallies (``ingest.consumers.daily``) what each day adds to them, for the trend.

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

from ingest.campaigns import LOCAL_TZ
from ingest.consumers import daily
from ingest.consumers.persons import PersonKey, by_campaign, people_of
from ingest.consumers.runner import REVIEWS, ROSTERS, SUBMISSIONS, Batch, Consumer
from ingest.db import among, bulk_insert, upsert
from ingest.models import (
    DONE,
    PEOPLE,
    PersonRecord,
    PersonSpan,
    ReasonTally,
    RosterEntry,
    Tally,
)

#: People per round trip when recomputing spans.
BATCH = 2000

# Core tables: executemany with plain INSERTs (the ORM's bulk path inserts row by row here).
_SPANS = cast(Table, PersonSpan.__table__)

CountKey = tuple[str, str, bool, str]  # unit_code, category, on_roster, measure
ReasonKey = tuple[str, bool, str]  # unit_code, on_roster, reason


@dataclass(frozen=True, slots=True)
class Record:
    """The parts of a person record that decide how its person counts."""

    effective_at: datetime
    submission_id: int
    unit_code: str | None
    category: str | None
    done: bool
    levels: tuple[str, ...]
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
    done: bool
    levels: tuple[str, ...]
    submission_id: int | None
    reasons: tuple[str, ...]

    def same_state(self, other: Span) -> bool:
        return _fields(self) == _fields(other)


def local_day(moment: datetime) -> date:
    """The day (Vietnam time) a record collected at ``moment`` starts to count."""
    return moment.astimezone(LOCAL_TZ).date()


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
    done = bool(record and record.done)
    return Span(
        day_from=day,
        day_to=day_to,
        unit_code=(entry.unit_code if entry else record.unit_code if record else None) or "",
        category=(entry.category if entry else record.category if record else None) or "",
        on_roster=entry is not None,
        done=done,
        levels=record.levels if record is not None else (),
        submission_id=record.submission_id if record else None,
        reasons=record.reasons if record is not None and not done else (),
    )


def _fields(span: Span) -> tuple[Any, ...]:
    return (
        span.unit_code, span.category, span.on_roster, span.done, span.levels,
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
    daily.reset(session)


def recompute(
    session: Session, people: Iterable[PersonKey], progress: Callable[[int], None] | None = None
) -> int:
    """Recompute the spans of ``people`` and move the tallies by the difference; how many."""
    done = 0
    for campaign_id, keys in by_campaign(people).items():
        counts: dict[CountKey, int] = defaultdict(int)
        reasons: dict[ReasonKey, int] = defaultdict(int)
        steps = daily.steps()
        for chunk in _chunks(keys, BATCH):
            mine = (
                PersonSpan.campaign == campaign_id,
                among(session, PersonSpan.person_key, chunk),
            )
            for row in session.scalars(select(PersonSpan).where(*mine)):
                old = _from_row(row)
                _step(steps, old, -1)
                if row.day_to is None:
                    _count(counts, reasons, old, -1)
            session.execute(delete(PersonSpan).where(*mine))
            _people, new = _compute(
                session,
                campaign_id,
                lambda column: among(session, column, chunk),  # noqa: B023
            )
            _insert_spans(session, campaign_id, new)
            for _key, span in new:
                _step(steps, span, +1)
                if span.day_to is None:
                    _count(counts, reasons, span, +1)
            if progress is not None:
                progress(len(chunk))
        _add(session, campaign_id, counts, reasons)
        daily.add(session, campaign_id, steps)
        done += len(keys)
    return done


def rebuild(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Build every span and tally from the records and rosters; how many people.

    Reads both tables per campaign in ranges of identifiers (index range scans,
    :data:`REBUILD_BATCH` people at a time), not by lists of them: at national scale the
    lookups were half the time."""
    reset(session)
    done = 0
    for campaign_id in _campaigns(session):
        counts: dict[CountKey, int] = defaultdict(int)
        reasons: dict[ReasonKey, int] = defaultdict(int)
        for after, upto in _ranges(session, campaign_id):
            people, new = _compute(
                session,
                campaign_id,
                lambda column: (column > after) & (column <= upto),  # noqa: B023  (used at once)
            )
            _insert_spans(session, campaign_id, new)
            for _key, span in new:
                if span.day_to is None:
                    _count(counts, reasons, span, +1)
            done += len(people)
            if progress is not None:
                progress(len(people))
        _add(session, campaign_id, counts, reasons)
        daily.rebuild(session, campaign_id)
    return done


#: People per transaction round when building from scratch.
REBUILD_BATCH = 10_000


def _campaigns(session: Session) -> list[str]:
    """The campaigns with records or roster entries."""
    found = set(session.scalars(select(PersonRecord.campaign).distinct()))
    found |= set(session.scalars(select(RosterEntry.campaign).distinct()))
    return sorted(found)


def _ranges(session: Session, campaign_id: str) -> Iterator[tuple[str, str]]:
    """Ranges ``(after, upto]`` of a campaign's identifiers covering every person there,
    about :data:`REBUILD_BATCH` rows of each table at a time (keyset over both tables'
    indexes)."""
    last = ""
    while True:
        ends = []
        for model in (PersonRecord, RosterEntry):
            column = model.person_key
            mine = (model.campaign == campaign_id, column > last)
            end = session.scalar(
                select(column).where(*mine).order_by(column).offset(REBUILD_BATCH - 1).limit(1)
            )
            if end is not None:
                ends.append((end, True))
            elif rest := session.scalar(select(func.max(column)).where(*mine)):
                ends.append((rest, False))
        if not ends:
            return
        # Up to the smallest end of a full page: past it, that table has not been read yet.
        full = [end for end, is_full in ends if is_full]
        upper = min(full) if full else max(end for end, _ in ends)
        yield last, upper
        last = upper


def _compute(
    session: Session, campaign_id: str, which: Callable[[Any], Any]
) -> tuple[list[str], list[tuple[str, Span]]]:
    """The people of a campaign whose key ``which(column)`` selects, and their spans."""
    records: dict[str, list[Record]] = defaultdict(list)
    r = PersonRecord
    for row in session.execute(
        select(r.person_key, r.effective_at, r.submission_id, r.unit_code, r.category, r.done,
               r.levels, r.reasons)
        .where(r.campaign == campaign_id, which(r.person_key))
    ):  # fmt: skip
        key, at, submission_id, unit_code, category, done, levels, why = row
        reasons = tuple(sorted({str(x)[:64] for x in why or () if x}))
        records[key].append(
            Record(at, submission_id, unit_code, category, done, tuple(levels.split()), reasons)
        )
    entries: dict[str, list[Entry]] = defaultdict(list)
    e = RosterEntry
    for key, valid_from, valid_to, unit_code, category, entry_id in session.execute(
        select(e.person_key, e.valid_from, e.valid_to, e.unit_code, e.category, e.id)
        .where(e.campaign == campaign_id, which(e.person_key))
    ):  # fmt: skip
        entries[key].append(Entry(valid_from, valid_to, unit_code, category, entry_id))
    people = sorted(records.keys() | entries.keys())
    return people, [
        (key, span)
        for key in people
        for span in spans_for(records.get(key, ()), entries.get(key, ()))
    ]


def _insert_spans(session: Session, campaign_id: str, spans: list[tuple[str, Span]]) -> None:
    if spans:
        bulk_insert(
            session,
            _SPANS,
            [
                {
                    "campaign": campaign_id, "person_key": key, "day_from": s.day_from,
                    "day_to": s.day_to, "unit_code": s.unit_code, "category": s.category,
                    "on_roster": s.on_roster, "done": s.done, "levels": " ".join(s.levels),
                    "submission_id": s.submission_id, "reasons": " ".join(s.reasons),
                }
                for key, s in spans
            ],
        )  # fmt: skip


def _from_row(row: PersonSpan) -> Span:
    return Span(
        row.day_from, row.day_to, row.unit_code, row.category, row.on_roster, row.done,
        tuple(row.levels.split()), row.submission_id, tuple(row.reasons.split()),
    )  # fmt: skip


def _step(steps: daily.Steps, span: Span, sign: int) -> None:
    daily.step(steps, span.unit_code, span.category, span.on_roster, span.done, span.levels,
               span.day_from, span.day_to, sign)  # fmt: skip


def _count(
    counts: dict[CountKey, int], reasons: dict[ReasonKey, int], span: Span, sign: int
) -> None:
    where = (span.unit_code, span.category, span.on_roster)
    counts[(*where, PEOPLE)] += sign
    if span.done:
        counts[(*where, DONE)] += sign
    for level in span.levels:
        counts[(*where, level)] += sign
    for reason in span.reasons:
        reasons[(span.unit_code, span.on_roster, reason)] += sign


def _add(
    session: Session, campaign_id: str, counts: dict[CountKey, int],
    reasons: dict[ReasonKey, int],
) -> None:  # fmt: skip
    """Move a campaign's tallies by ``counts`` and ``reasons`` (an upsert that adds)."""
    count_rows = [
        {"campaign": campaign_id, "unit_code": u, "category": c, "on_roster": r, "measure": m,
         "people": n}
        for (u, c, r, m), n in counts.items()
        if n
    ]  # fmt: skip
    reason_rows = [
        {"campaign": campaign_id, "unit_code": u, "on_roster": r, "reason": why, "people": n}
        for (u, r, why), n in reasons.items()
        if n
    ]
    count_keys = ("campaign", "unit_code", "category", "on_roster", "measure")
    _upsert_add(session, Tally, count_rows, count_keys, ("people",))
    reason_keys = ("campaign", "unit_code", "on_roster", "reason")
    _upsert_add(session, ReasonTally, reason_rows, reason_keys, ("people",))


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


def latest_change(session: Session, campaign_id: str) -> date | None:
    """The last day on which any of a campaign's spans starts or ends (None: no spans)."""
    mine = PersonSpan.campaign == campaign_id
    starts = session.scalar(select(func.max(PersonSpan.day_from)).where(mine))
    ends = session.scalar(select(func.max(PersonSpan.day_to)).where(mine))
    days = [d for d in (starts, ends) if d is not None]
    return max(days) if days else None


CONSUMER = Consumer(
    "tallies", apply, streams=(SUBMISSIONS, REVIEWS, ROSTERS), after="rules",
    rebuild=rebuild, reset=reset,
)  # fmt: skip
