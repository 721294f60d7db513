"""kill -9 of the whole server (gunicorn master and workers) in the middle of a stream of
submissions, twice; the server is started again and the phones send again what got no reply.

Proved with counts: every submission stored exactly once and whole (XML, review state,
attachment row, file with the right SHA-256), a 202 only where an earlier reply was lost, and
after ``vssid media gc --older-than 0`` the files on disk are exactly the files referenced.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.faults.stream import (
    Client,
    check_stored_once,
    collector_token,
    join,
    media_files,
    referenced_hashes,
    run_stream,
    scale,
    statuses,
    submissions,
)
from tests.server import ServerProcess

WORKERS = 4
THREADS = 8
#: Kill when this share of the stream has been answered.
KILL_AT = (0.25, 0.6)
NO_REPLY = {
    "RemoteDisconnected",
    "ConnectionResetError",
    "BrokenPipeError",
    "IncompleteRead",
    "TimeoutError",
}


def media_gc(database_url: str, media: Path) -> str:
    """The real ``vssid media gc --older-than 0``, as an administrator runs it."""
    env = {**os.environ, "VSSID_DATABASE_URL": database_url, "VSSID_MEDIA_DIR": str(media)}
    env["VSSID_SECRET_KEY"] = "test-secret"
    command = ["media", "gc", "--older-than", "0"]
    done = subprocess.run(
        [sys.executable, "-c", "from webhook.cli import main; main()", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@pytest.mark.usefixtures("published")
def test_kill_9_twice_mid_stream__retries__each_stored_once_and_whole(
    database_url: str, session: Session, collector: str, tmp_path: Path
) -> None:
    sent = submissions(120 * scale(), photo_every=2)
    media = tmp_path / "media"
    token = collector_token(session, collector)
    server = ServerProcess(database_url, media, workers=WORKERS)
    started = time.monotonic()
    server.start()
    killed: list[int] = []
    try:
        client = Client(server.port, token, timeout=10, pause=0.2)
        threads, results = run_stream(client, sent, THREADS)
        for share in KILL_AT:
            client.progress.wait_for(int(len(sent) * share))
            killed.append(len(server.kill()))
            time.sleep(0.5)  # the phones meet a dead server for a moment
            server.start()
        join(threads)
    finally:
        server.stop()
    elapsed = time.monotonic() - started

    assert killed == [WORKERS + 1] * len(KILL_AT)  # the master and every worker, each time
    assert "Traceback" not in server.log.read_text()  # nothing went unhandled
    counted = statuses(results)
    assert {k for k in counted if isinstance(k, int)} <= {201, 202}, counted  # never a 5xx
    interrupted = sum(counted[name] for name in NO_REPLY)
    assert interrupted >= 1, counted  # requests really were in flight when the server died
    finals = [attempts[-1].status for _, attempts in results]
    assert len(finals) == len(sent)
    assert set(finals) <= {201, 202}
    reply_lost_after_commit = finals.count(202)
    for _, attempts in results:
        if attempts[-1].status == 202:  # stored by an attempt whose reply never came
            assert any(a.status is None for a in attempts[:-1])
    counts = check_stored_once(session, sent, media)

    referenced = referenced_hashes(session)
    before = media_files(media)
    assert referenced <= before
    # Every file is one of the photos sent, and every photo sent ended up stored: a file
    # written just before a crash is referenced by the retry that stored the same content.
    assert before - referenced == set()
    leftovers = len(list((media / "tmp").iterdir()))  # uploads cut off mid-write
    output = media_gc(database_url, media)
    assert media_files(media) == referenced
    assert list((media / "tmp").iterdir()) == []
    assert f"Removed {leftovers} files" in output
    print(
        f"\n{len(sent)} distinct, {sum(counted.values())} posts in {elapsed:.1f} s; "
        f"killed {killed} processes; {interrupted} requests cut off "
        f"({reply_lost_after_commit} of them already stored: 202 on retry); "
        f"attempts {dict(counted)}; {counts}; gc removed {leftovers} temporary files cut off "
        "mid-write, no orphan content files"
    )
