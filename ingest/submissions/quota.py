"""Per-account quotas: how much one account may store in the log in an hour and in a day.

Every payload that arrives is kept (``ingest.submissions.intake``), so an account could fill
the disk with garbage, 100 MB a request. The quotas stop that, far above what a real
campaign sends: submissions per hour and bytes (payloads and attachments) per day, per
account. They are counted in the log itself (the rows a submitter stored since a moment,
through the index on ``submission (submitter, received_at)``), so they hold across workers
and machines and need no state of their own; two requests at the same moment may both pass,
so a quota can be overshot by the requests in flight, never more.

A refused payload is kept as a row without its body (the caller stores it with the error:
who, when, its headers and size), and refused rows do not count: the account may send again
once its oldest counted rows leave the window (``OverQuota.retry_after``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, or_, select
from sqlalchemy.orm import Session

from ingest.errors import ErrorCode, OverQuota
from ingest.models import Submission, SubmissionAttachment

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
#: The codes of refused rows: they hold no body and do not count.
REFUSED = (ErrorCode.QUOTA_SUBMISSIONS.code, ErrorCode.QUOTA_BYTES.code)

_SUBMISSION = cast(Table, Submission.__table__)
_ATTACHMENT = cast(Table, SubmissionAttachment.__table__)


@dataclass(frozen=True, slots=True)
class Limits:
    """An account's quotas (0: no limit)."""

    submissions_per_hour: int = 0
    bytes_per_day: int = 0


def _counted(submitter: str, since: datetime) -> Any:
    """The submitter's rows since ``since`` that count (refused ones do not)."""
    return (
        _SUBMISSION.c.submitter == submitter,
        _SUBMISSION.c.received_at >= since,
        or_(_SUBMISSION.c.error_code.is_(None), _SUBMISSION.c.error_code.not_in(REFUSED)),
    )


def _wait(since: datetime | None, window: timedelta, now: datetime) -> int:
    """Seconds until a row that arrived at ``since`` leaves the window (at least 1)."""
    if since is None:
        return 1
    return max(1, math.ceil((since + window - now).total_seconds()))


def check(
    session: Session, submitter: str, limits: Limits, now: datetime, size: int = 0
) -> OverQuota | None:
    """Why ``submitter`` may not store a payload of ``size`` bytes now, if it may not."""
    hourly = limits.submissions_per_hour
    if hourly > 0:
        # The hour's ``hourly``-th latest row, if there is one: the account is at its quota,
        # and may send again when that row leaves the hour. (At most ``hourly`` index
        # entries are read, however many rows the account stored.)
        nth = session.scalar(
            select(_SUBMISSION.c.received_at)
            .where(*_counted(submitter, now - HOUR))
            .order_by(_SUBMISSION.c.received_at.desc())
            .offset(hourly - 1)
            .limit(1)
        )
        if nth is not None:
            wait = _wait(nth, HOUR, now)
            return OverQuota(
                ErrorCode.QUOTA_SUBMISSIONS, wait, limit=hourly, minutes=math.ceil(wait / 60)
            )
    daily = limits.bytes_per_day
    if daily > 0:
        used, oldest = stored_bytes(session, submitter, now - DAY)
        if used + size > daily:
            wait = _wait(oldest, DAY, now)
            return OverQuota(
                ErrorCode.QUOTA_BYTES, wait, megabytes=math.ceil(daily / 1_000_000),
                minutes=math.ceil(wait / 60),
            )  # fmt: skip
    return None


def stored_bytes(session: Session, submitter: str, since: datetime) -> tuple[int, datetime | None]:
    """The bytes ``submitter`` stored since ``since`` (payloads and their attachments), and
    when the first of those rows arrived."""
    rows = (
        select(_SUBMISSION.c.id, _SUBMISSION.c.received_at)
        .add_columns(func.length(_SUBMISSION.c.payload).label("size"))
        .where(*_counted(submitter, since))
        .subquery()
    )
    files = (
        select(func.coalesce(func.sum(_ATTACHMENT.c.size), 0))
        .where(_ATTACHMENT.c.submission_id == rows.c.id)
        .scalar_subquery()
    )
    used, oldest = session.execute(
        select(func.coalesce(func.sum(rows.c.size + files), 0), func.min(rows.c.received_at))
    ).one()
    return int(used), oldest
