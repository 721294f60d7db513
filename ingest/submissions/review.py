"""The review queue: flagged submissions and reviewers' decisions on them.

A decision is an event (the log's ``review`` stream), never rebuilt; the submission's review
state follows from it when the projection applies it (``ingest.consumers.projection``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.errors import Conflict, ErrorCode, InvalidInput, NotFound
from ingest.models import REVIEW_DECISIONS, Review, ReviewState, Submission, SubmissionStatus

#: Review states a reviewer may decide on (an edited, superseded version is history).
REVIEWABLE = (ReviewState.ACCEPTED, ReviewState.FLAGGED, ReviewState.REJECTED)


def queue(
    session: Session,
    review_state: ReviewState = ReviewState.FLAGGED,
    unit_codes: Collection[str] | None = None,
    limit: int = 100,
    offset: int = 0,
    campaign: str | None = None,
) -> list[tuple[Submission, SubmissionStatus]]:
    """Submissions in ``review_state``, oldest first; only ``unit_codes`` and one
    ``campaign``'s when given."""
    query = (
        select(Submission, SubmissionStatus)
        .join(SubmissionStatus, SubmissionStatus.submission_id == Submission.id)
        .where(SubmissionStatus.review_state == review_state)
        .order_by(Submission.id)
        .limit(limit)
        .offset(offset)
    )
    if unit_codes is not None:
        query = query.where(SubmissionStatus.unit_code.in_(unit_codes))
    if campaign is not None:
        query = query.where(SubmissionStatus.campaign == campaign)
    return [(submission, state) for submission, state in session.execute(query)]


def count(session: Session, review_state: ReviewState = ReviewState.FLAGGED) -> int:
    """How many submissions are in ``review_state`` (all of them, whatever a listing shows)."""
    query = select(func.count()).where(SubmissionStatus.review_state == review_state)
    return int(session.scalar(query) or 0)


def decide(
    session: Session,
    submission_id: int,
    decision: str,
    reason: str,
    reviewer: str,
    now: datetime,
) -> SubmissionStatus:
    """Record ``reviewer``'s ``decision`` (accept/reject) with a reason; the caller commits."""
    if decision not in REVIEW_DECISIONS:
        raise InvalidInput(ErrorCode.REVIEW_INVALID, reason="decision must be accept or reject")
    if not reason.strip():
        raise InvalidInput(ErrorCode.REVIEW_INVALID, reason="cần ghi lý do (a reason is required)")
    if "\x00" in reason:  # not text: PostgreSQL would refuse it, SQLite keep it
        raise InvalidInput(
            ErrorCode.REVIEW_INVALID, reason="lý do có ký tự NUL (the reason holds a NUL)"
        )
    submission = session.get(Submission, submission_id)
    state = session.get(SubmissionStatus, submission_id)
    if submission is None or state is None:
        raise NotFound(ErrorCode.SUBMISSION_NOT_FOUND, submission_id=submission_id)
    if state.review_state not in REVIEWABLE:
        raise Conflict(
            ErrorCode.REVIEW_NOT_REVIEWABLE,
            submission_id=submission_id,
            review_state=state.review_state,
        )
    session.add(
        Review(
            submission_id=submission_id,
            decision=decision,
            reason=reason.strip(),
            reviewer=reviewer,
            decided_at=now,
        )
    )
    session.flush()
    return state


def history(session: Session, submission_id: int) -> list[Review]:
    """Every decision on a submission, oldest first."""
    return list(
        session.scalars(
            select(Review).where(Review.submission_id == submission_id).order_by(Review.id)
        )
    )
