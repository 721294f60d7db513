"""Persons: each person's effective record now (docs/architecture.md §4), after the rules.

A consumer of the submission and review streams, after the cross-record rules (which may take
records out of the counts). For the people a batch is about (:func:`people_of`: the person
keys intake wrote on the log rows, the versions they replace, the decided submissions) it
makes ``person`` hold the latest current accepted record, by collection time then arrival, or
nothing. From nothing (a new database, a replay) it builds every person in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from ingest.consumers.projection import chunks
from ingest.consumers.runner import REVIEWS, ROSTERS, SUBMISSIONS, Batch, Consumer
from ingest.db import among, bulk_insert
from ingest.models import InstallRecord, Person, Review, RosterImport, Submission

_RECORD = cast(Table, InstallRecord.__table__)
_PERSON = cast(Table, Person.__table__)
#: A person's columns, as the record has them.
_FROM_RECORD = tuple(_RECORD.c[column.name] for column in _PERSON.columns)


def apply(session: Session, batch: Batch) -> None:
    """Refresh the people the batch is about."""
    refresh(session, people_of(session, batch))


def rebuild(session: Session) -> None:
    """Every person at once: the latest record of each code (one ``INSERT … SELECT``)."""
    reset(session)
    latest = func.row_number().over(
        partition_by=_RECORD.c.bhxh_code,
        order_by=(_RECORD.c.effective_at.desc(), _RECORD.c.submission_id.desc()),
    )
    ranked = select(*_FROM_RECORD, latest.label("rank")).subquery()
    session.execute(
        insert(_PERSON).from_select(
            [c.name for c in _PERSON.columns],
            select(*(ranked.c[c.name] for c in _PERSON.columns)).where(ranked.c.rank == 1),
        )
    )


def reset(session: Session) -> None:
    """Empty ``person`` (a replay rebuilds it)."""
    session.execute(delete(_PERSON))


CONSUMER = Consumer(
    "persons", apply, streams=(SUBMISSIONS, REVIEWS), after="rules", rebuild=rebuild,
    reset=reset,
)  # fmt: skip


def people_of(session: Session, batch: Batch) -> set[str]:
    """The person keys of a batch: its submissions' (and the versions they replace), the
    decided submissions', and the roster imports' changed entries."""
    codes: set[str] = set()
    ids = list(batch.of(SUBMISSIONS))
    for chunk in chunks(list(batch.of(REVIEWS))):
        ids.extend(
            session.scalars(select(Review.submission_id).where(among(session, Review.id, chunk)))
        )
    for chunk in chunks(sorted(set(ids))):
        for key, replaced in session.execute(
            select(Submission.person_key, Submission.supersedes_id).where(
                among(session, Submission.id, chunk)
            )
        ):
            if key:
                codes.add(key)
            if replaced:
                ids.append(replaced)
    for chunk in chunks(sorted(set(ids))):
        codes.update(
            c for c in session.scalars(
                select(Submission.person_key).where(among(session, Submission.id, chunk))
            ) if c
        )  # fmt: skip
        codes.update(
            session.scalars(
                select(InstallRecord.bhxh_code).where(
                    among(session, InstallRecord.submission_id, chunk)
                )
            )
        )
    for chunk in chunks(list(batch.of(ROSTERS))):
        for keys in session.scalars(
            select(RosterImport.person_keys).where(among(session, RosterImport.id, chunk))
        ):
            codes.update(keys or ())
    return codes


def refresh(session: Session, codes: Iterable[str]) -> None:
    """Make ``person`` hold, for each of ``codes``, its latest current accepted record (by
    collection time, then arrival), or nothing."""
    for chunk in chunks(sorted(set(codes))):
        latest: dict[str, Any] = {}
        for record in session.execute(
            select(*_FROM_RECORD).where(among(session, _RECORD.c.bhxh_code, chunk))
        ):
            best = latest.get(record.bhxh_code)
            if best is None or (record.effective_at, record.submission_id) > (
                best.effective_at,
                best.submission_id,
            ):
                latest[record.bhxh_code] = record
        session.execute(delete(_PERSON).where(among(session, _PERSON.c.bhxh_code, chunk)))
        if latest:
            bulk_insert(session, _PERSON, [dict(r._mapping) for r in latest.values()])
