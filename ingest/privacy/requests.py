"""A person's requests about their data, as handled: who, when, why, and what was done."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import PrivacyRequest


def record(
    session: Session,
    kind: str,
    *,
    by: str,
    reason: str,
    person: str | None = None,
    campaign: str | None = None,
    outcome: dict[str, Any] | None = None,
    erasure_id: int | None = None,
) -> PrivacyRequest:
    """Keep one handled request (the caller commits)."""
    row = PrivacyRequest(kind=kind, person_ref=person, campaign=campaign, handled_by=by,
                         reason=reason, outcome=outcome or {}, erasure_id=erasure_id)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def latest(session: Session, limit: int = 50) -> list[PrivacyRequest]:
    """The latest requests, newest first."""
    return list(
        session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id.desc()).limit(limit))
    )
