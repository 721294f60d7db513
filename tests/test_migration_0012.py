"""Migration 0012 (the log takes corrections): both ways, and no way down past a correction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from ingest.db import make_engine
from ingest.models import Submission
from webhook import migrate


def _row(source: str) -> dict[str, object]:
    return {"source": source, "content_type": "text/xml", "payload": b"<x/>",
            "payload_sha256": "0" * 64, "content_sha256": "0" * 64, "headers": {},
            "received_at": datetime(2021, 3, 20, tzinfo=UTC), "attachments_expected": 0,
            "issues": []}  # fmt: skip


def test_migration_0012__corrections_kept__downgrade_refuses(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    config = migrate.alembic_config(engine)
    try:
        migrate.upgrade(engine, "0012")
        with engine.begin() as connection:
            connection.execute(insert(Submission), [_row("correction")])

        with pytest.raises(RuntimeError, match="1 corrections are in the log"):
            command.downgrade(config, "0011")

        with engine.begin() as connection:
            connection.execute(text("DELETE FROM submission"))
        command.downgrade(config, "0011")
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert(Submission), [_row("correction")])
    finally:
        engine.dispose()
