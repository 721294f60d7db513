"""Fixtures of the privacy tests: a district with people in it (the dashboard scenario's
rosters and Kobo records, one ODK Collect record with a photo), a snapshot of every derived
table to compare, signed-in browsers for each role, and the audit trail read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ingest.models import (
    AccessLog,
    DailyTally,
    Person,
    PersonRecord,
    PersonSpan,
    ReasonTally,
    SubmissionStatus,
    Tally,
    UnitReport,
)
from tests.conftest import PASSWORD
from tests.dashboard import scenario
from tests.dashboard.conftest import campaign, signed_in
from tests.pipeline import settle
from tests.wire import post_collect

__all__ = ["campaign", "district", "rows", "signed_in"]

#: The Collect record's person (tests/data/collect_install_with_photo.multipart).
PHOTO_CODE = "0791234567"
#: What the consumers derive: equal after a replay of the log.
DERIVED = (SubmissionStatus, PersonRecord, Person, PersonSpan, Tally, ReasonTally, DailyTally,
           UnitReport)  # fmt: skip
#: What the coverage counts: equal before and after an erasure or a purge.
COUNTS = (Tally, ReasonTally, DailyTally)


@pytest.fixture
def district(
    client: FlaskClient, runner: FlaskCliRunner, session: Session, tmp_path: Path, published: Any
) -> Session:
    scenario.load(client, runner, session, tmp_path)
    response = post_collect(client, "collect_install_with_photo", ("ctv.an", PASSWORD))
    assert response.status_code == 201, response.text
    settle(session)
    return session


def snapshot(session: Session, models: tuple[type, ...] = DERIVED) -> dict[str, list[tuple]]:
    """Every row of ``models``' tables, sorted (JSON and dates as Python values)."""
    out = {}
    for model in models:
        table: Table = model.__table__  # type: ignore[attr-defined]
        rows = session.execute(select(table)).all()
        out[table.name] = sorted(tuple(repr(v) for v in row) for row in rows)
    return out


def media_dir(app: Flask) -> Path:
    return Path(app.config["MEDIA_DIR"])


def rows(session: Session) -> list[AccessLog]:
    """Every row of the audit trail, oldest first, as committed now."""
    session.rollback()  # a new snapshot: what the app committed since
    return list(session.scalars(select(AccessLog).order_by(AccessLog.id)))
