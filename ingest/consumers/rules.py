"""Cross-record rules: what no single record shows, applied after the projection.

``domain.person_two_units``: a person (the campaign's identifier: a BHXH code in VssID, a CCCD
in VNeID) has current accepted records in two or more units of the same campaign. Every such
record that no reviewer has decided on is flagged (its record leaves the counts) until a
reviewer says which unit is right; a record a reviewer accepted stays. Only accepted records
take part: a record flagged at intake (among others, ``domain.unit_not_allowed``: sent for a
unit outside its sender's) is no person record, so it neither is flagged by the rule nor flags
another unit's record.

The rule is a function of the records as they stand, not of the order they came in, so
applying the log incrementally and replaying it give the same flags.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.catalogue import CheckCode
from ingest.consumers.projection import chunks
from ingest.consumers.runner import REVIEWS, SUBMISSIONS, Batch, Consumer
from ingest.db import among
from ingest.models import PersonRecord, Review, ReviewState, SubmissionStatus

TWO_UNITS = CheckCode.TWO_UNITS.code

_RECORD = cast(Table, PersonRecord.__table__)
_STATUS = cast(Table, SubmissionStatus.__table__)

#: A person: (campaign, the campaign's identifier).
PersonKey = tuple[str, str]


def two_units_issue(
    campaign: campaigns.Campaign | None, code: str, other_unit: str
) -> dict[str, object]:
    """The issue of a record whose person is also recorded in ``other_unit`` (kept on the
    issue as ``other_unit``, so that a reader who may not see that unit is not told it)."""
    labels = campaign.identifier_label if campaign else {}
    path = campaign.person.identifier if campaign and campaign.person else ""
    issue = CheckCode.TWO_UNITS.stored(
        path, code=code, other_unit=other_unit, identifier=labels.get("vi", path),
        identifier_en=labels.get("en", path),
    )  # fmt: skip
    return {**issue, "other_unit": other_unit}


def apply(session: Session, batch: Batch) -> None:
    """Check the people whose records the batch's submissions (and decisions) touched."""
    ids = list(batch.of(SUBMISSIONS))
    for chunk in chunks(list(batch.of(REVIEWS))):
        ids.extend(
            session.scalars(select(Review.submission_id).where(among(session, Review.id, chunk)))
        )
    people: set[PersonKey] = set()
    for chunk in chunks(sorted(set(ids))):
        people.update(
            (c, k) for c, k in session.execute(
                select(_RECORD.c.campaign, _RECORD.c.person_key).where(
                    among(session, _RECORD.c.submission_id, chunk)
                )
            )
        )  # fmt: skip
    check(session, people)


def rebuild(session: Session) -> None:
    """Check everyone with records in more than one unit (one grouped query)."""
    check(
        session,
        [
            (c, k) for c, k in session.execute(
                select(_RECORD.c.campaign, _RECORD.c.person_key)
                .group_by(_RECORD.c.campaign, _RECORD.c.person_key)
                .having(func.count(func.distinct(_RECORD.c.unit_code)) > 1)
            )
        ],
    )  # fmt: skip


CONSUMER = Consumer(
    "rules", apply, streams=(SUBMISSIONS, REVIEWS), after="projection", rebuild=rebuild,
    reset=lambda _session: None,  # its flags live in the projection's tables, emptied there
)  # fmt: skip


def check(session: Session, people: Iterable[PersonKey]) -> None:
    """Flag the undecided records of each person recorded in two units of their campaign."""
    by_campaign: dict[str, set[str]] = defaultdict(set)
    for campaign_id, key in people:
        by_campaign[campaign_id].add(key)
    for campaign_id, keys in sorted(by_campaign.items()):
        campaign = campaigns.cached(session, campaign_id)
        for chunk in chunks(sorted(keys)):
            by_key: dict[str, list[Any]] = defaultdict(list)
            for record in session.execute(
                select(_RECORD.c.person_key, _RECORD.c.submission_id, _RECORD.c.unit_code).where(
                    _RECORD.c.campaign == campaign_id,
                    among(session, _RECORD.c.person_key, chunk),
                    _RECORD.c.unit_code.is_not(None),
                )
            ):
                by_key[record.person_key].append(record)
            split = {k: rs for k, rs in by_key.items() if len({r.unit_code for r in rs}) > 1}
            if split:
                _flag(session, campaign, split)


def _flag(
    session: Session, campaign: campaigns.Campaign | None, split: dict[str, list[Any]]
) -> None:
    ids = [r.submission_id for records in split.values() for r in records]
    reviewed = set(
        session.scalars(
            select(Review.submission_id).where(among(session, Review.submission_id, ids))
        )
    )
    issues: dict[int, list[dict[str, Any]]] = {
        submission_id: found
        for submission_id, found in session.execute(
            select(_STATUS.c.submission_id, _STATUS.c.issues).where(
                among(session, _STATUS.c.submission_id, ids)
            )
        )
    }
    gone: list[int] = []
    for code, records in split.items():
        for record in records:
            if record.submission_id in reviewed or record.submission_id not in issues:
                continue
            other = min(
                (r for r in records if r.unit_code != record.unit_code),
                key=lambda r: r.submission_id,
            )
            issue = two_units_issue(campaign, code, other.unit_code)
            kept = [i for i in issues[record.submission_id] or [] if i.get("code") != TWO_UNITS]
            session.execute(
                update(_STATUS)
                .where(_STATUS.c.submission_id == record.submission_id)
                .values(review_state=ReviewState.FLAGGED.value, issues=[*kept, issue])
            )
            gone.append(record.submission_id)
    _drop_records(session, gone)


def _drop_records(session: Session, ids: Sequence[int]) -> None:
    session.execute(delete(_RECORD).where(among(session, _RECORD.c.submission_id, ids)))
