"""Fixtures of the privacy tests: the dashboard's scenario (a hand-computed campaign) and
signed-in browsers for each role, and a helper to read the audit trail back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import AccessLog
from tests.dashboard.conftest import campaign, signed_in

__all__ = ["campaign", "rows", "signed_in"]


def rows(session: Session) -> list[AccessLog]:
    """Every row of the audit trail, oldest first, as committed now."""
    session.rollback()  # a new snapshot: what the app committed since
    return list(session.scalars(select(AccessLog).order_by(AccessLog.id)))
