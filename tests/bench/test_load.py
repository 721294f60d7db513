"""bench/load.py end to end: a real ``vssid serve``, 50 distinct submissions at concurrency 4,
and its database check (every payload stored once, byte for byte, with a review state)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.models import PersonRecord, Submission

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.mark.usefixtures("app")  # empty tables: load.py sets up units, forms and its account
@pytest.mark.parametrize("kind", ["collect", "kobo"])
def test_load__50_at_concurrency_4__database_check_passes(
    database_url: str, session: Session, tmp_path: Path, kind: str
):
    done = subprocess.run(
        [
            sys.executable, str(REPO / "bench" / "load.py"),
            "--database-url", database_url, "--log", str(tmp_path), "--kind", kind,
            "--workers", "2", "--concurrency", "4", "--count", "50", "--warmup", "0",
            "--idle-wait", "0",
        ],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "database check passed: 50 rows = 50 sent" in done.stdout
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Submission)) == 50
    assert session.scalar(select(func.count()).select_from(PersonRecord)) == session.scalar(
        select(func.count()).select_from(Submission).where(Submission.error_code.is_(None))
    )
