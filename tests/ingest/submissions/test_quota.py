"""Per-account quotas, counted in the log: what counts, and when the account may send again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from ingest.errors import ErrorCode, InvalidInput, OverQuota, VssidError
from ingest.models import SubmissionAttachment
from ingest.submissions import quota, store

NOW = datetime(2021, 3, 16, 9, 0, tzinfo=UTC)
REFUSED = OverQuota(ErrorCode.QUOTA_SUBMISSIONS, 60, limit=3, minutes=1)


def stored(session: Session, submitter: str, minutes_ago: int, size: int,
           error: VssidError | None = None, photo: int = 0) -> None:  # fmt: skip
    row = store.new_row("openrosa", b"x" * size, "text/xml", submitter, {},
                        NOW - timedelta(minutes=minutes_ago))  # fmt: skip
    if photo:
        row.attachments.append(
            SubmissionAttachment(name="a.jpg", sha256="0" * 64, size=photo, received_at=NOW)
        )
    if error is not None:
        store.write_failed(session, row, error)
    else:
        session.add(row)
    session.flush()


def test_submissions_per_hour__the_hours_rows_count_refused_ones_do_not(session: Session):
    limits = quota.Limits(submissions_per_hour=3)
    for minutes in (70, 50, 20):  # one outside the hour
        stored(session, "ctv.an", minutes, 10)
    stored(session, "ctv.an", 10, 10, error=InvalidInput(ErrorCode.SUBMISSION_NO_XML))  # garbage
    stored(session, "ctv.an", 5, 0, error=REFUSED)  # a refusal does not count
    stored(session, "ctv.khac", 1, 10)
    refused = quota.check(session, "ctv.an", limits, NOW)
    assert isinstance(refused, OverQuota) and refused.code == "submission.quota_submissions"
    assert refused.retry_after == 10 * 60  # when the row of 50 minutes ago leaves the hour
    assert quota.check(session, "ctv.khac", limits, NOW) is None
    assert quota.check(session, "ctv.an", quota.Limits(submissions_per_hour=4), NOW) is None


def test_bytes_per_day__payloads_and_attachments_and_this_request(session: Session):
    stored(session, "ctv.an", 25 * 60, 5000)  # yesterday
    stored(session, "ctv.an", 120, 300, photo=600)
    stored(session, "ctv.an", 60, 100)
    assert quota.stored_bytes(session, "ctv.an", NOW - quota.DAY) == (
        1000,
        NOW - timedelta(hours=2),
    )
    limits = quota.Limits(bytes_per_day=1500)
    assert quota.check(session, "ctv.an", limits, NOW, size=500) is None
    refused = quota.check(session, "ctv.an", limits, NOW, size=501)
    assert isinstance(refused, OverQuota) and refused.code == "submission.quota_bytes"
    assert refused.retry_after == 22 * 3600
    assert quota.check(session, "ctv.an", quota.Limits(), NOW, size=10**12) is None
