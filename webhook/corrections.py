"""A reviewer's correction as the web pages and the CLI ask for it: the access policy first
(``webhook.policy.correction_rights``), then ``ingest.submissions.correction``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ingest.models import SubmissionStatus, User
from ingest.submissions import intake
from ingest.submissions.correction import Correction, correct
from ingest.submissions.media import MediaStore
from webhook import policy


def correct_as(
    session: Session,
    user: User,
    submission_id: int,
    path: str,
    value: str,
    reason: str,
    media: MediaStore,
    now: datetime,
) -> intake.Receipt:
    """Append ``user``'s correction of one answer of a submission (the caller commits);
    ``Forbidden``/``OutOfScope`` when the account may not, the core's errors otherwise."""
    state = session.get(SubmissionStatus, submission_id)
    rights = policy.correction_rights(session, user, state.unit_code if state else None)
    change = Correction(submission_id, path, value, reason, user.username, now)
    return correct(session, change, media, rights)
