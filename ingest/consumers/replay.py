"""Rebuilding every projection from the raw log, in batches, in log order.

Each batch is its own transaction (the caller's), so the server keeps taking submissions
meanwhile: a submission that arrives during a rebuild is projected by intake and again when
the rebuild reaches it, with the same result. Log order makes the outcome deterministic:
running it twice gives identical tables.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.consumers import projection  # noqa: F401  (subscribes the core projections)
from ingest.models import Submission
from ingest.registry import unit_codes


def pending_count(session: Session, after_id: int = 0) -> int:
    """How many usable submissions lie after ``after_id``."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.id > after_id, Submission.error_code.is_(None))
        )
        or 0
    )


def reprocess_batch(
    session: Session, after_id: int, limit: int, registry: unit_codes.Registry
) -> tuple[int, int]:
    """Project the next ``limit`` usable submissions after ``after_id``.

    Returns the last id handled and how many were handled (0 when the log is done).
    """
    batch = session.scalars(
        select(Submission)
        .where(Submission.id > after_id, Submission.error_code.is_(None))
        .order_by(Submission.id)
        .limit(limit)
    ).all()
    if not batch:
        return after_id, 0
    unit_codes.publish(session, batch, registry)
    return batch[-1].id, len(batch)
