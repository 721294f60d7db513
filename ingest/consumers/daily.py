"""Daily tallies: what each day adds to a campaign's counts, kept beside the person spans.

A span counts its person in a unit, category, roster membership and measures (``people``,
``done``, each level's key) from ``day_from`` until ``day_to``; so the day it starts adds one
to each of those counts and the day it ends takes one away. :class:`~ingest.models.DailyTally`
holds the sum of those steps per campaign, day, unit, category, roster membership and measure,
and the counts as of a day are the sum of its rows up to that day (``reports.trend``).

Kept by the tallies consumer (``ingest.consumers.tallies``) in the same transaction as the
spans it replaces: the old spans' steps are taken back and the new ones' added
(:func:`step`, :func:`add`); rows that come to nothing are deleted, so the table kept up to
date equals the one :func:`rebuild` makes from the spans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, select
from sqlalchemy.orm import Session

from ingest.db import among, bulk_insert, upsert
from ingest.models import DONE, PEOPLE, SPAN_INDEX_NAME, DailyTally, PersonSpan

#: unit_code, category, on_roster, measure, day
DayKey = tuple[str, str, bool, str, date]
Steps = dict[DayKey, int]

_DAILY = cast(Table, DailyTally.__table__)
#: Rows per statement.
CHUNK = 2000
#: Units per round when building from the spans.
UNITS_PER_ROUND = 500


def steps() -> Steps:
    """An empty set of steps."""
    return defaultdict(int)


def step(
    into: Steps, unit_code: str, category: str, on_roster: bool, done: bool,
    levels: Sequence[str], day_from: date, day_to: date | None, sign: int,
) -> None:  # fmt: skip
    """Add a span's steps (``sign`` 1) or take them back (-1)."""
    for measure in (PEOPLE, *((DONE,) if done else ()), *levels):
        into[(unit_code, category, on_roster, measure, day_from)] += sign
        if day_to is not None:
            into[(unit_code, category, on_roster, measure, day_to)] -= sign


def add(session: Session, campaign_id: str, into: Steps) -> None:
    """Move a campaign's daily tallies by ``into`` and delete the rows that come to zero."""
    rows = [
        {"campaign": campaign_id, "unit_code": u, "category": c, "on_roster": r, "measure": m,
         "day": d, "people": n}
        for (u, c, r, m, d), n in into.items()
        if n
    ]  # fmt: skip
    if not rows:
        return
    keys = ["campaign", "day", "on_roster", "category", "measure", "unit_code"]
    dialect_insert = upsert(session.get_bind().dialect)
    for chunk in _chunks(rows, CHUNK):
        statement = dialect_insert(DailyTally)
        statement = statement.on_conflict_do_update(
            index_elements=keys,
            set_={"people": DailyTally.people + statement.excluded.people},
        )
        session.execute(statement, chunk)
    # The units and days touched (a few of each per batch): ranges of the unit index.
    moved = [key for key, n in into.items() if n]
    days = sorted({day for *_rest, day in moved})
    units = sorted({unit_code for unit_code, *_rest in moved})
    for chunk in _chunks(units, CHUNK):
        session.execute(
            delete(DailyTally).where(
                DailyTally.campaign == campaign_id,
                among(session, DailyTally.unit_code, chunk),
                among(session, DailyTally.day, days),
                DailyTally.people == 0,
            )
        )


def reset(session: Session) -> None:
    """Empty the daily tallies."""
    session.execute(delete(DailyTally))


def rebuild(session: Session, campaign_id: str) -> int:
    """A campaign's daily tallies from its person spans (after they are built); how many rows.

    Groups the spans per unit, a few hundred units at a time, through the spans' covering
    index, so that memory holds one round's steps."""
    session.execute(delete(DailyTally).where(DailyTally.campaign == campaign_id))
    codes = list(
        session.scalars(
            select(PersonSpan.unit_code)
            .where(PersonSpan.campaign == campaign_id)
            .distinct()
            .order_by(PersonSpan.unit_code)
        )
    )
    written = 0
    span = PersonSpan
    for chunk in _chunks(codes, UNITS_PER_ROUND):
        into = steps()
        for column, sign in ((span.day_from, 1), (span.day_to, -1)):
            for unit_code, category, on_roster, done, levels, day, n in session.execute(
                select(span.unit_code, span.category, span.on_roster, span.done, span.levels,
                       column, func.count())
                .where(span.campaign == campaign_id, column.is_not(None),
                       among(session, span.unit_code, chunk))
                .group_by(span.unit_code, span.category, span.on_roster, span.done,
                          span.levels, column)
                .with_hint(span, f"INDEXED BY {SPAN_INDEX_NAME}", "sqlite")
            ):  # fmt: skip
                for measure in (PEOPLE, *((DONE,) if done else ()), *(levels or "").split()):
                    into[(unit_code, category, bool(on_roster), measure, cast(date, day))] += (
                        sign * int(n)
                    )
        rows = [
            {"campaign": campaign_id, "unit_code": u, "category": c, "on_roster": r,
             "measure": m, "day": d, "people": n}
            for (u, c, r, m, d), n in into.items()
            if n
        ]  # fmt: skip
        bulk_insert(session, _DAILY, rows)
        written += len(rows)
    return written


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows(session: Session, campaign_id: str) -> list[tuple[Any, ...]]:
    """A campaign's daily tallies, sorted (to compare a table kept up to date with a rebuilt
    one)."""
    d = DailyTally
    return [
        tuple(row)
        for row in session.execute(
            select(d.day, d.unit_code, d.category, d.on_roster, d.measure, d.people)
            .where(and_(d.campaign == campaign_id, d.people != 0))
            .order_by(d.day, d.unit_code, d.category, d.on_roster, d.measure)
        )
    ]
