"""Many writers at once through four gunicorn workers: every submission stored once, no
"database is locked" or any 5xx reaching a client (SQLite by default; PostgreSQL when
``VSSID_TEST_DATABASE_URL`` says so)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.faults.stream import (
    Client,
    check_stored_once,
    collector_token,
    join,
    run_stream,
    scale,
    statuses,
    submissions,
)
from tests.server import ServerProcess

WORKERS = 4
THREADS = 10


@pytest.mark.usefixtures("published")
def test_10_writers_4_workers__each_stored_once_no_5xx(
    database_url: str, session: Session, collector: str, tmp_path: Path
) -> None:
    distinct = submissions(200 * scale(), photo_every=3)
    retried = distinct[::5]  # sent twice, back to back: two threads race with the same body
    twice = {s.instance_id for s in retried}
    work = [s for item in distinct for s in [item] * (2 if item.instance_id in twice else 1)]
    token = collector_token(session, collector)
    server = ServerProcess(database_url, tmp_path / "media", workers=WORKERS)
    started = time.monotonic()
    server.start()
    try:
        client = Client(server.port, token, timeout=30, retry=False)
        threads, results = run_stream(client, work, THREADS)
        join(threads)
    finally:
        server.stop()
    elapsed = time.monotonic() - started

    counted = statuses(results)
    assert counted == {201: len(distinct), 202: len(retried)}, counted
    log = server.log.read_text()
    assert "database is locked" not in log
    assert "Traceback" not in log
    counts = check_stored_once(session, distinct, tmp_path / "media")
    assert counts == {
        "distinct_sent": len(distinct),
        "usable_rows": len(distinct),
        "attachments": len(distinct[::3]),
    }
    print(f"\n{len(work)} posts ({len(retried)} identical retries) in {elapsed:.1f} s: {counts}")
