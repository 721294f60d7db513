"""The log's consumers under faults: killed with SIGKILL in the middle of a batch, run by two
processes at once, and one entry they cannot apply. Whatever happens, the derived tables end
up as a replay of the log makes them, and every entry counts once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from ingest.consumers import CONSUMERS, Pipeline, projection, tallies
from ingest.consumers.runner import LOCK_SPACE
from ingest.db import Base
from ingest.models import ConsumerCursor, SubmissionStatus
from ingest.submissions import intake
from ingest.submissions.media import MediaStore
from tests.pipeline import settle

pytestmark = pytest.mark.usefixtures("published")
UNITS = ("27184", "27190", "27193", "Q10-TP", "Q10-TCKH")
DERIVED = ("submission_status", "person_record", "person", "unit_report",
           "person_span", "coverage_tally", "reason_tally")  # fmt: skip


def fill_log(session: Session, media: Path, count: int) -> None:
    """``count`` submissions in the log (some flagged, some the same person twice, some in two
    units), nothing derived yet."""
    store = MediaStore(media)
    for n in range(count):
        code = f"07{(n % (count * 3 // 4)):08d}"
        document: dict[str, Any] = {
            "consent": "yes", "unit": UNITS[n % len(UNITS)], "full_name": "Nguyễn Văn An",
            "bhxh_code": code if n % 50 else "12345", "category": "cong_chuc",
            "status": "account_active" if n % 3 else "not_installed",
            "end": f"2021-03-{10 + n % 15:02d}T09:00:00+07:00",
            "meta/instanceID": f"uuid:{uuid.UUID(int=n + 1)}",
        }  # fmt: skip
        if document["status"] == "not_installed":
            document["reasons"] = "forgot_password"
        else:
            document["install_date"] = "2021-03-05"
        incoming = intake.Incoming(
            source="kobo", payload=json.dumps(document, ensure_ascii=False).encode(),
            content_type="application/json", submitter="test",
            received_at=datetime(2021, 3, 26, tzinfo=UTC), form_hint="vssid_install",
        )  # fmt: skip
        intake.receive(session, incoming, store)
    session.commit()


def derived(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    session.rollback()
    found = {}
    for name in DERIVED:
        table = Base.metadata.tables[name]
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        found[name] = sorted(tuple(row) for row in rows if not (name.endswith("tally") and
                                                                 row.people == 0))  # fmt: skip
    return found


def replayed(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """The derived tables as a replay of the whole log makes them."""
    flow = Pipeline(CONSUMERS)
    flow.rewind(session)
    session.commit()
    flow.run_until_idle(sessionmaker(bind=session.get_bind()), wait=True)
    return derived(session)


def consumers_process(
    database_url: str, tmp_path: Path, batch: int, name: str = "consumers"
) -> subprocess.Popen[bytes]:
    """``vssid consumers run --once`` in a process of its own (its output in ``name``.log)."""
    env = {**os.environ, "VSSID_DATABASE_URL": database_url, "VSSID_SECRET_KEY": "test-secret",
           "VSSID_MEDIA_DIR": str(tmp_path / "media")}  # fmt: skip
    command = [sys.executable, "-c", "from webhook.cli import main; main()",
               "consumers", "run", "--once", "--batch", str(batch)]  # fmt: skip
    with (tmp_path / f"{name}.log").open("wb") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def in_a_batch(session: Session, database_url: str) -> bool:
    """Whether some process is inside a consumer's batch transaction right now."""
    if session.get_bind().dialect.name == "postgresql":
        session.rollback()
        held = session.scalar(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = :s"),
            {"s": LOCK_SPACE},
        )
        session.rollback()
        return bool(held)
    path = database_url.removeprefix("sqlite:///")
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:  # "database is locked": the writer is in its batch
        return True
    finally:
        probe.close()


def applied(session: Session, consumer: str, stream: str) -> int:
    session.rollback()
    return (
        session.scalar(
            select(ConsumerCursor.applied).where(
                ConsumerCursor.consumer == consumer, ConsumerCursor.stream == stream
            )
        )
        or 0
    )


def behind(session: Session) -> int:
    session.rollback()
    return sum(lag.behind for lag in Pipeline(CONSUMERS).lag(session))


def test_killed_mid_batch__resumes__same_tables_nothing_counted_twice(
    session: Session, database_url: str, tmp_path: Path
):
    fill_log(session, tmp_path / "media", 3000)
    process = consumers_process(database_url, tmp_path, batch=100_000)  # long batches
    try:
        deadline = time.monotonic() + 60
        while not in_a_batch(session, database_url):
            assert process.poll() is None, (tmp_path / "consumers.log").read_text()
            assert time.monotonic() < deadline, "the consumers never started a batch"
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # inside a batch: reading, deriving or writing
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert behind(session) > 0  # the killed batch left nothing: its consumer is behind

    settle(session)  # resume
    assert behind(session) == 0
    # Each cursor counted each entry once: the killed batch's entries were not counted.
    for consumer in ("projection", "rules", "tallies"):
        assert applied(session, consumer, "submission") in (0, 3000), consumer
    resumed = derived(session)
    assert resumed["person"] and resumed["coverage_tally"]
    assert resumed == replayed(session)
    kept = derived(session)
    tallies.rebuild(session)
    session.commit()
    assert derived(session) == kept


def test_two_processes_at_once__each_batch_applied_once(
    session: Session, database_url: str, tmp_path: Path
):
    fill_log(session, tmp_path / "media", 600)
    first = consumers_process(database_url, tmp_path, batch=40, name="first")
    second = consumers_process(database_url, tmp_path, batch=40, name="second")
    for name, process in (("first", first), ("second", second)):
        process.wait(timeout=180)
        assert process.returncode == 0, (tmp_path / f"{name}.log").read_text()[-3000:]
    settle(session)  # (nothing left, unless one process finished before the other began)
    assert applied(session, "projection", "submission") == 600
    assert applied(session, "tallies", "submission") <= 600
    together = derived(session)
    assert together == replayed(session)


def test_entry_that_cannot_be_applied__flagged__the_others_go_on(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    fill_log(session, tmp_path / "media", 30)
    original = projection.read_payload

    def broken(payload: bytes, content_type: str, spec: Any) -> Any:
        if b"00000000-0000-0000-0000-000000000007" in payload:
            raise RuntimeError("a bug in the projection")
        return original(payload, content_type, spec)

    monkeypatch.setattr(projection, "read_payload", broken)
    settle(session)
    states = {
        sid: issues
        for sid, issues in session.execute(
            select(SubmissionStatus.submission_id, SubmissionStatus.issues)
        )
    }
    assert len(states) == 30  # every submission has its state
    assert states[7] == [projection.PROJECTION_FAILED]
    assert all(issues != [projection.PROJECTION_FAILED] for sid, issues in states.items()
               if sid != 7)  # fmt: skip
    assert applied(session, "projection", "submission") == 30
