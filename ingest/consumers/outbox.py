"""The outbox: a consumer of the log that turns what happened into events to send.

It follows the submission, review and roster streams after the tallies (so review states,
cross-record flags, person records and coverage tallies are already applied), and for each
batch writes, in the batch's transaction:

- ``submission.accepted`` / ``submission.flagged`` for each new usable submission, by the
  state the projection and rules gave it; ``submission.accepted`` again when a reviewer
  accepts one;
- ``person.changed`` for each person whose effective record a submission or review of the
  batch changed: the record now, or ``null`` when a reviewer or an edit took it away (a
  flagged record of someone without one changes nothing; roster imports alone change no
  record and send nothing);
- ``unit.target_reached`` when a unit the batch touched crosses its campaign's target
  upwards (:mod:`ingest.outbox.targets`); it is sent again only after the unit has dropped
  below and come back (``unit_target_state`` keeps where each unit stood).

Replay. The outbox has no ``reset``: ``vssid reprocess`` rewinds the derived tables, never
the outbox, which waits until the tallies are past its cursor again and then goes on; what
it had written stays written and is not sent again. Event ids are derived from their cause
(:func:`ingest.outbox.events.event_id`), so a batch applied twice (its transaction failed
after the HTTP side saw nothing) or a cursor rewound by hand writes no duplicates.

What events carry. No answer typed about a person beyond the campaign's identifier: no name,
phone or birth date. The identifier (``person_key``) is personal (the forms declare it so)
and reaches only subscriptions created with ``--personal``; the others receive ``***``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.consumers.persons import PersonKey, by_campaign, people_of
from ingest.consumers.projection import chunks
from ingest.consumers.runner import REVIEWS, ROSTERS, SUBMISSIONS, Batch, Consumer
from ingest.db import among, upsert
from ingest.models import (
    EventType,
    PersonRecord,
    PersonSpan,
    Review,
    ReviewState,
    Submission,
    SubmissionStatus,
    UnitTarget,
)
from ingest.outbox import targets
from ingest.outbox.events import Event, emit, event_id

NAME = "outbox"


def apply(session: Session, batch: Batch) -> None:
    """Write the events of ``batch`` and their deliveries."""
    events = [*_submissions(session, batch.of(SUBMISSIONS)), *_reviews(session, batch.of(REVIEWS))]
    recorded = Batch({s: batch.of(s) for s in (SUBMISSIONS, REVIEWS) if batch.of(s)})
    last = max((*batch.of(SUBMISSIONS), *batch.of(REVIEWS), 0))
    events += _people(session, people_of(session, recorded), last)
    emit(session, events)
    emit(session, _targets(session, people_of(session, batch), batch.of(SUBMISSIONS)))


CONSUMER = Consumer(NAME, apply, streams=(SUBMISSIONS, REVIEWS, ROSTERS), after="tallies")


def _issue_codes(issues: Iterable[dict[str, Any]]) -> list[str]:
    return sorted({str(i.get("code")) for i in issues or () if i.get("code")})


def _submission_data(row: Any) -> dict[str, Any]:
    return {
        "submission_id": row.id,
        "instance_id": row.instance_id,
        "form_id": row.form_id,
        "form_version": row.form_version,
        "source": row.source,
        "unit_code": row.unit_code,
        "review_state": row.review_state,
        "received_at": row.received_at.isoformat().replace("+00:00", "Z"),
        "issues": _issue_codes(row.issues),
    }


def _statuses(session: Session, ids: Sequence[int]) -> list[Any]:
    rows: list[Any] = []
    for chunk in chunks(sorted(set(ids))):
        rows += session.execute(
            select(
                Submission.id, Submission.instance_id, Submission.form_id,
                Submission.form_version, Submission.source, Submission.received_at,
                SubmissionStatus.review_state, SubmissionStatus.unit_code,
                SubmissionStatus.campaign, SubmissionStatus.issues,
            )
            .join(SubmissionStatus, SubmissionStatus.submission_id == Submission.id)
            .where(among(session, Submission.id, chunk))
        ).all()  # fmt: skip
    return rows


_BY_STATE = {
    ReviewState.ACCEPTED.value: EventType.SUBMISSION_ACCEPTED,
    ReviewState.FLAGGED.value: EventType.SUBMISSION_FLAGGED,
}


def _submissions(session: Session, ids: Sequence[int]) -> list[Event]:
    """An event per new usable submission that is accepted or flagged now."""
    out = []
    for row in _statuses(session, ids):
        kind = _BY_STATE.get(row.review_state)
        if kind is not None:
            out.append(
                Event(event_id("submission", row.id, kind.value), kind.value, row.campaign,
                      _submission_data(row))
            )  # fmt: skip
    return out


def _reviews(session: Session, ids: Sequence[int]) -> list[Event]:
    """``submission.accepted`` for each submission a reviewer accepted (and still is)."""
    decided: dict[int, int] = {}
    for chunk in chunks(sorted(set(ids))):
        for review_id, submission_id, decision in session.execute(
            select(Review.id, Review.submission_id, Review.decision).where(
                among(session, Review.id, chunk)
            )
        ):
            if decision == "accept":
                decided[submission_id] = review_id
    kind = EventType.SUBMISSION_ACCEPTED
    return [
        Event(event_id("review", decided[row.id], kind.value), kind.value, row.campaign,
              {**_submission_data(row), "reviewed": True})
        for row in _statuses(session, list(decided))
        if row.review_state == ReviewState.ACCEPTED.value
    ]  # fmt: skip


def _people(session: Session, people: Iterable[PersonKey], last: int) -> list[Event]:
    """``person.changed`` for each person, with their effective record now (or none)."""
    out = []
    kind = EventType.PERSON_CHANGED.value
    r = PersonRecord
    for campaign_id, keys in by_campaign(people).items():
        for chunk in chunks(keys):
            latest: dict[str, Any] = {}
            for row in session.execute(
                select(r.person_key, r.submission_id, r.unit_code, r.category, r.outcome,
                       r.done, r.levels, r.effective_at)
                .where(r.campaign == campaign_id, among(session, r.person_key, chunk))
            ):  # fmt: skip
                best = latest.get(row.person_key)
                if best is None or (row.effective_at, row.submission_id) > (
                    best.effective_at, best.submission_id,
                ):  # fmt: skip
                    latest[row.person_key] = row
            removed = _removed(session, [k for k in chunk if k not in latest])
            for key in chunk:
                found = latest.get(key)
                if found is None and key not in removed:
                    continue  # had no record and has none: nothing changed
                data: dict[str, Any] = {"person_key": key, "record": None}
                if found is not None:
                    data["record"] = {
                        "submission_id": found.submission_id, "unit_code": found.unit_code,
                        "category": found.category, "outcome": found.outcome,
                        "done": found.done, "levels": found.levels.split(),
                    }  # fmt: skip
                cause = (found.submission_id, found.outcome) if found else ("none", last)
                out.append(
                    Event(event_id("person", campaign_id, key, *cause), kind, campaign_id, data,
                          personal=("person_key",))
                )  # fmt: skip
    return out


def _removed(session: Session, keys: Sequence[str]) -> set[str]:
    """Those of ``keys`` (people without a record now) who had one: a reviewer rejected it, or
    an edit replaced it."""
    if not keys:
        return set()
    gone = (ReviewState.REJECTED.value, ReviewState.SUPERSEDED.value)
    return set(
        session.scalars(
            select(Submission.person_key)
            .join(SubmissionStatus, SubmissionStatus.submission_id == Submission.id)
            .where(among(session, Submission.person_key, keys),
                   SubmissionStatus.review_state.in_(gone))
        )
    )  # fmt: skip


def _targets(session: Session, people: Iterable[PersonKey], ids: Sequence[int]) -> list[Event]:
    """``unit.target_reached`` for the units touched whose standing crossed the target."""
    units: dict[str, set[str]] = {}
    campaign_id: str | None
    for campaign_id, keys in by_campaign(people).items():
        mine = units.setdefault(campaign_id, set())
        for chunk in chunks(keys):
            mine.update(
                session.scalars(
                    select(PersonSpan.unit_code)
                    .distinct()
                    .where(
                        PersonSpan.campaign == campaign_id,
                        among(session, PersonSpan.person_key, chunk),
                    )
                )
            )
    for chunk in chunks(sorted(set(ids))):
        for campaign_id, unit_code in session.execute(
            select(SubmissionStatus.campaign, SubmissionStatus.unit_code).where(
                among(session, SubmissionStatus.submission_id, chunk),
                SubmissionStatus.campaign.is_not(None), SubmissionStatus.unit_code.is_not(None),
            )
        ):  # fmt: skip
            if campaign_id is not None and unit_code is not None:
                units.setdefault(campaign_id, set()).add(unit_code)
    out = []
    for campaign_id, codes in sorted(units.items()):
        campaign = campaigns.cached(session, campaign_id)
        if campaign is None:
            continue
        out += _crossings(session, campaign_id, targets.standings(session, campaign, codes))
    return out


def _crossings(
    session: Session, campaign_id: str, standing: Sequence[targets.Standing]
) -> list[Event]:
    """Update where each unit stands; an event for each that crossed upwards."""
    if not standing:
        return []
    before = {
        row.unit_code: row
        for row in session.scalars(
            select(UnitTarget).where(
                UnitTarget.campaign == campaign_id,
                among(session, UnitTarget.unit_code, [s.unit_code for s in standing]),
            )
        )
    }
    kind = EventType.UNIT_TARGET_REACHED.value
    out, rows = [], []
    for s in standing:
        old = before.get(s.unit_code)
        was, crossings = (old.reached, old.crossings) if old is not None else (False, 0)
        if s.reached and not was:
            crossings += 1
            out.append(
                Event(event_id("unit", campaign_id, s.unit_code, crossings), kind, campaign_id,
                      {"unit_code": s.unit_code, "done": s.done, "denominator": s.denominator,
                       "done_pct": s.done_pct, "target_pct": s.target_pct,
                       "crossing": crossings})
            )  # fmt: skip
        if old is None or s.reached != was:
            rows.append({"campaign": campaign_id, "unit_code": s.unit_code,
                         "reached": s.reached, "crossings": crossings})  # fmt: skip
    if rows:
        statement = upsert(session.get_bind().dialect)(UnitTarget)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["campaign", "unit_code"],
                set_={"reached": statement.excluded.reached,
                      "crossings": statement.excluded.crossings},
            ),
            rows,
        )  # fmt: skip
    return out
