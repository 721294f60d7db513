"""Persons: each person's effective record now (docs/architecture.md §4), after the rules.

A consumer of the submission and review streams, after the cross-record rules (which may take
records out of the counts). For the people a batch is about (:func:`people_of`: the person keys
intake wrote on the log rows, in their form's campaign; the versions they replace; the decided
submissions; the roster imports' changed entries) it makes ``person`` hold the latest current
accepted record in that campaign, by collection time then arrival, or nothing. From nothing (a
new database, a replay) it builds every person in one statement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.consumers.projection import chunks
from ingest.consumers.runner import REVIEWS, ROSTERS, SUBMISSIONS, Batch, Consumer
from ingest.db import among, bulk_insert
from ingest.models import Person as PersonRow
from ingest.models import PersonRecord, Review, RosterImport, Submission

#: A person: (campaign, the campaign's identifier).
PersonKey = tuple[str, str]

_RECORD = cast(Table, PersonRecord.__table__)
_PERSON = cast(Table, PersonRow.__table__)
#: A person's columns, as the record has them.
_FROM_RECORD = tuple(_RECORD.c[column.name] for column in _PERSON.columns)


def apply(session: Session, batch: Batch) -> None:
    """Refresh the people the batch is about."""
    refresh(session, people_of(session, batch))


def rebuild(session: Session) -> None:
    """Every person at once: the latest record of each (one ``INSERT … SELECT``)."""
    reset(session)
    latest = func.row_number().over(
        partition_by=(_RECORD.c.campaign, _RECORD.c.person_key),
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


def people_of(session: Session, batch: Batch) -> set[PersonKey]:
    """The people of a batch: its submissions' (and the versions they replace), the decided
    submissions', and the roster imports' changed entries; each in its campaign."""
    people: set[PersonKey] = set()
    owners = campaigns.campaign_of_forms(session)
    ids = list(batch.of(SUBMISSIONS))
    for chunk in chunks(list(batch.of(REVIEWS))):
        ids.extend(
            session.scalars(select(Review.submission_id).where(among(session, Review.id, chunk)))
        )
    replaced: list[int] = []
    for chunk in chunks(sorted(set(ids))):
        for form_id, key, replaces in session.execute(
            select(Submission.form_id, Submission.person_key, Submission.supersedes_id).where(
                among(session, Submission.id, chunk)
            )
        ):
            if key and form_id in owners:
                people.add((owners[form_id], key))
            if replaces:
                replaced.append(replaces)
    for chunk in chunks(sorted(set(replaced))):
        for form_id, key in session.execute(
            select(Submission.form_id, Submission.person_key).where(
                among(session, Submission.id, chunk)
            )
        ):
            if key and form_id in owners:
                people.add((owners[form_id], key))
    for chunk in chunks(sorted(set(ids) | set(replaced))):
        people.update(
            (c, k) for c, k in session.execute(
                select(_RECORD.c.campaign, _RECORD.c.person_key).where(
                    among(session, _RECORD.c.submission_id, chunk)
                )
            )
        )  # fmt: skip
    for chunk in chunks(list(batch.of(ROSTERS))):
        for campaign_id, keys in session.execute(
            select(RosterImport.campaign, RosterImport.person_keys).where(
                among(session, RosterImport.id, chunk)
            )
        ):
            people.update((campaign_id, key) for key in keys or ())
    return people


def by_campaign(people: Iterable[PersonKey]) -> dict[str, list[str]]:
    """People grouped by campaign, each campaign's keys sorted."""
    grouped: dict[str, set[str]] = {}
    for campaign_id, key in people:
        grouped.setdefault(campaign_id, set()).add(key)
    return {c: sorted(keys) for c, keys in sorted(grouped.items())}


def refresh(session: Session, people: Iterable[PersonKey]) -> None:
    """Make ``person`` hold, for each of ``people``, their latest current accepted record in
    their campaign (by collection time, then arrival), or nothing."""
    for campaign_id, keys in by_campaign(people).items():
        for chunk in chunks(keys):
            latest: dict[str, Any] = {}
            for record in session.execute(
                select(*_FROM_RECORD).where(
                    _RECORD.c.campaign == campaign_id, among(session, _RECORD.c.person_key, chunk)
                )
            ):
                best = latest.get(record.person_key)
                if best is None or (record.effective_at, record.submission_id) > (
                    best.effective_at,
                    best.submission_id,
                ):
                    latest[record.person_key] = record
            session.execute(
                delete(_PERSON).where(
                    _PERSON.c.campaign == campaign_id, among(session, _PERSON.c.person_key, chunk)
                )
            )
            if latest:
                bulk_insert(session, _PERSON, [dict(r._mapping) for r in latest.values()])
