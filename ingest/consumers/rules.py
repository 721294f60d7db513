"""Cross-record rules: what no single record shows, applied after the projection.

``domain.bhxh_code_two_units``: a person (BHXH code) has current accepted records in two or
more units. Every such record that no reviewer has decided on is flagged (its record leaves
the counts) until a reviewer says which unit is right; a record a reviewer accepted stays.

The rule is a function of the records as they stand, not of the order they came in, so
applying the log incrementally and replaying it give the same flags.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from ingest.catalogue import CheckCode
from ingest.consumers.projection import chunks
from ingest.consumers.runner import REVIEWS, SUBMISSIONS, Batch, Consumer
from ingest.db import among
from ingest.models import InstallReason, InstallRecord, Review, ReviewState, SubmissionStatus

TWO_UNITS = CheckCode.TWO_UNITS.code

_RECORD = cast(Table, InstallRecord.__table__)
_STATUS = cast(Table, SubmissionStatus.__table__)


def two_units_issue(code: str, other_unit: str) -> dict[str, object]:
    """The issue of a record whose person is also recorded in ``other_unit``."""
    return CheckCode.TWO_UNITS.stored("bhxh_code", code=code, other_unit=other_unit)


def apply(session: Session, batch: Batch) -> None:
    """Check the people whose records the batch's submissions (and decisions) touched."""
    ids = list(batch.of(SUBMISSIONS))
    for chunk in chunks(list(batch.of(REVIEWS))):
        ids.extend(
            session.scalars(select(Review.submission_id).where(among(session, Review.id, chunk)))
        )
    codes: set[str] = set()
    for chunk in chunks(sorted(set(ids))):
        codes.update(
            session.scalars(
                select(_RECORD.c.bhxh_code).where(among(session, _RECORD.c.submission_id, chunk))
            )
        )
    check(session, codes)


def rebuild(session: Session) -> None:
    """Check everyone with records in more than one unit (one grouped query)."""
    check(
        session,
        session.scalars(
            select(_RECORD.c.bhxh_code)
            .group_by(_RECORD.c.bhxh_code)
            .having(func.count(func.distinct(_RECORD.c.unit_code)) > 1)
        ),
    )


CONSUMER = Consumer(
    "rules", apply, streams=(SUBMISSIONS, REVIEWS), after="projection", rebuild=rebuild,
    reset=lambda _session: None,  # its flags live in the projection's tables, emptied there
)  # fmt: skip


def check(session: Session, codes: Iterable[str]) -> None:
    """Flag the undecided records of each of ``codes`` that is recorded in two units."""
    flagged: set[str] = set()
    for chunk in chunks(sorted(set(codes))):
        by_code: dict[str, list[Any]] = defaultdict(list)
        for record in session.execute(
            select(_RECORD.c.bhxh_code, _RECORD.c.submission_id, _RECORD.c.unit_code).where(
                among(session, _RECORD.c.bhxh_code, chunk), _RECORD.c.unit_code.is_not(None)
            )
        ):
            by_code[record.bhxh_code].append(record)
        split = {c: rs for c, rs in by_code.items() if len({r.unit_code for r in rs}) > 1}
        if split:
            flagged |= _flag(session, split)


def _flag(session: Session, split: dict[str, list[Any]]) -> set[str]:
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
            issue = two_units_issue(code, other.unit_code)
            kept = [i for i in issues[record.submission_id] or [] if i.get("code") != TWO_UNITS]
            session.execute(
                update(_STATUS)
                .where(_STATUS.c.submission_id == record.submission_id)
                .values(review_state=ReviewState.FLAGGED.value, issues=[*kept, issue])
            )
            gone.append(record.submission_id)
    _drop_records(session, gone)
    return set(split)


def _drop_records(session: Session, ids: Sequence[int]) -> None:
    for model in (InstallReason, InstallRecord):
        session.execute(delete(model).where(among(session, model.submission_id, ids)))
