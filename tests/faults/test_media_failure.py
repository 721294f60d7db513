"""The media folder refuses a file: replaced by a file, full (a tiny tmpfs: ENOSPC, which
stops root too), or read-only (chmod 0500: only when not root, as root ignores it).

Proved with counts: the submission with an attachment gets 503 + Retry-After with an
OpenRosa message in Vietnamese first; no usable row exists for it (so none whose file is
missing) but its payload is kept in the log with the error code (nothing that reached us is
lost); a submission without attachment is still stored meanwhile; once the folder is
mended the phone's retry lands, exactly once and whole.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import Submission
from tests.faults.stream import (
    Client,
    check_stored_once,
    collector_token,
    failed_rows,
    submissions,
    usable_rows,
)
from tests.server import ServerProcess

OPENROSA = {"r": "http://openrosa.org/http/response"}
PHOTO_SIZE = 100_000
TMPFS_SIZE = 256 * 1024


@contextmanager
def replaced_by_a_file(root: Path) -> Iterator[Callable[[], None]]:
    root.write_bytes(b"someone put a file here")

    def mend() -> None:
        root.unlink()
        root.mkdir()

    yield mend


@contextmanager
def full_disk(root: Path) -> Iterator[Callable[[], None]]:
    root.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(root)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        filler = root / "filler"
        filler.write_bytes(b"\0" * (TMPFS_SIZE - PHOTO_SIZE // 2))
        yield filler.unlink  # space is freed
    finally:
        subprocess.run(["umount", "-l", str(root)], check=False)


@contextmanager
def read_only(root: Path) -> Iterator[Callable[[], None]]:
    root.mkdir()
    root.chmod(0o500)
    try:
        if os.access(root, os.W_OK):
            pytest.skip("running as root: chmod 0500 does not stop writes")
        yield lambda: root.chmod(0o700)
    finally:
        root.chmod(0o700)


FAULTS = {"replaced_by_a_file": replaced_by_a_file, "full": full_disk, "read_only": read_only}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.usefixtures("published")
def test_media_unwritable__503_payload_kept__retry_lands_once_mended(
    fault: str, database_url: str, session: Session, collector: str, tmp_path: Path
) -> None:
    with_photo, without = submissions(2, photo_every=2, photo_size=PHOTO_SIZE)
    root = tmp_path / "media"
    token = collector_token(session, collector)
    server = ServerProcess(database_url, root, workers=1)
    with FAULTS[fault](root) as mend:
        server.start()
        try:
            client = Client(server.port, token, retry=False)
            refused = [client.post(with_photo) for _ in range(3)]
            plain = client.post(without)
            session.rollback()
            kept = failed_rows(session)
            usable_while_broken = usable_rows(session)
            if root.is_dir():
                assert not list((root / "tmp").glob("upload-*"))  # no half file left behind
            mend()
            retry = client.post(with_photo)
        finally:
            server.stop()
        counts = check_stored_once(session, [with_photo, without], root)  # before unmounting

    assert "Traceback" not in server.log.read_text()  # refused, not crashed
    assert [a.status for a in refused] == [503] * 3
    for answer in refused:
        assert answer.retry_after == "60"
        assert answer.content_type == "text/xml; charset=utf-8"
        message = etree.fromstring(answer.body).findtext("r:message", namespaces=OPENROSA)
        assert message is not None
        assert message.startswith("Máy chủ tạm thời không lưu được tệp đính kèm")
        assert "(The server cannot store attachments right now" in message
    assert plain.status == 201  # the server kept serving
    assert usable_while_broken == {without.instance_id: 1}
    assert kept == {"service.media_unwritable": 3}
    logged = session.scalars(select(Submission).where(Submission.error_code.is_not(None))).all()
    assert {r.payload for r in logged} == {with_photo.xml}
    assert all(r.attachments == [] for r in logged)

    assert retry.status == 201
    assert counts == {"distinct_sent": 2, "usable_rows": 2, "attachments": 1}
    assert failed_rows(session) == {"service.media_unwritable": 3}
    print(
        f"\n{fault}: 3 × 503 (3 payloads kept as service.media_unwritable, 0 usable rows), "
        f"1 without attachment 201 meanwhile, retry once mended 201; {counts}"
    )
