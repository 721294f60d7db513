"""bench/coverage.py at a tiny size: it builds both campaigns (vssid, vneid) into today's
schema, each campaign's report checks out, nothing is left for the consumers to apply, and the
tables it wrote and derived are exactly what ``vssid reprocess`` derives from its log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from ingest.db import make_engine
from ingest.models import (
    Person,
    PersonRecord,
    PersonSpan,
    ReasonTally,
    SubmissionStatus,
    Tally,
    UnitReport,
)

REPO = Path(__file__).resolve().parent.parent.parent
DERIVED = (SubmissionStatus, PersonRecord, UnitReport, Person, PersonSpan, Tally, ReasonTally)


def _derived(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            model.__tablename__: sorted(
                (tuple(row) for row in connection.execute(select(model.__table__))), key=repr
            )
            for model in DERIVED
        }


def test_coverage_bench__tiny__checks_pass_and_a_replay_derives_the_same(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    env = {**os.environ, "VSSID_DATABASE_URL": url, "VSSID_SECRET_KEY": "bench-test"}
    built = subprocess.run(
        [sys.executable, str(REPO / "bench" / "coverage.py"), url, "--units", "60",
         "--persons", "1500", "--check-only"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    assert "nothing pending" in built.stdout
    for campaign in ("vssid", "vneid"):
        assert f"campaign {campaign}, as_of" in built.stdout, built.stdout
    engine = make_engine(url)
    try:
        generated = _derived(engine)
        assert {row[0] for row in generated["person"]} == {"vssid", "vneid"}
        assert any(row[1] == "flagged" for row in generated["submission_status"])  # two units
        replayed = subprocess.run(
            [sys.executable, "-c", "from webhook.cli import main; main()", "reprocess"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        assert _derived(engine) == generated
    finally:
        engine.dispose()
