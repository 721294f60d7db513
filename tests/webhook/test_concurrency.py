"""Identical submissions racing each other through a real multi-worker server process."""

from __future__ import annotations

import base64
import http.client
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.models import Submission, SubmissionAttachment
from tests.conftest import PASSWORD
from tests.server import vssid_server
from tests.wire import body, content_type

THREADS = 8


@pytest.mark.usefixtures("published")
def test_same_submission_from_8_threads__one_row_all_succeed(
    database_url: str, session: Session, collector: str, tmp_path: Path
):
    payload = body("collect_install_with_photo")
    credentials = base64.b64encode(f"{collector}:{PASSWORD}".encode()).decode()
    headers = {
        "Content-Type": content_type("collect_install_with_photo"),
        "Authorization": f"Basic {credentials}",
        "X-OpenRosa-Version": "1.0",
    }
    statuses: list[int] = []
    barrier = threading.Barrier(THREADS)

    def post(port: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.connect()  # connected before the barrier, so the POSTs really race
        barrier.wait()
        connection.request("POST", "/submission", body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        statuses.append(response.status)

    with vssid_server(database_url, tmp_path / "media", workers=4) as port:
        threads = [threading.Thread(target=post, args=(port,)) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)

    assert len(statuses) == THREADS
    assert statuses.count(201) == 1, statuses
    assert statuses.count(202) == THREADS - 1, statuses
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Submission)) == 1
    assert session.scalar(select(func.count()).select_from(SubmissionAttachment)) == 1
    media = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert len(media) == 1


@pytest.mark.usefixtures("published")
def test_chunked_transfer__accepted_by_the_real_server(
    database_url: str, session: Session, collector: str, tmp_path: Path
):
    payload = body("collect_install_with_photo")
    credentials = base64.b64encode(f"{collector}:{PASSWORD}".encode()).decode()
    headers = {
        "Content-Type": content_type("collect_install_with_photo"),
        "Authorization": f"Basic {credentials}",
        "Transfer-Encoding": "chunked",
    }
    chunks = (payload[i : i + 100] for i in range(0, len(payload), 100))
    with vssid_server(database_url, tmp_path / "media", workers=1) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/submission", body=chunks, headers=headers, encode_chunked=True)
        response = connection.getresponse()
        response.read()
        connection.close()
    assert response.status == 201
    session.rollback()
    (row,) = session.scalars(select(Submission)).all()
    assert row.headers.get("Transfer-Encoding") == "chunked"
    assert [a.name for a in row.attachments] == ["1615775412345.jpg"]


@pytest.mark.usefixtures("published")
def test_chunked_transfer__over_the_limit__413_from_the_real_server_nothing_stored(
    database_url: str, session: Session, collector: str, tmp_path: Path
):
    """Gunicorn hands a chunked body to the app with no length: one byte over the limit is a
    413 the phone reads (not a body cut at the limit and kept as malformed)."""
    payload = body("collect_install_with_photo")
    credentials = base64.b64encode(f"{collector}:{PASSWORD}".encode()).decode()
    headers = {
        "Content-Type": content_type("collect_install_with_photo"),
        "Authorization": f"Basic {credentials}",
        "Transfer-Encoding": "chunked",
    }
    answers = []
    limit = {"VSSID_MAX_CONTENT_LENGTH": str(len(payload) - 1)}
    with vssid_server(database_url, tmp_path / "media", workers=1, env=limit) as port:
        for extra in (0, 5_000_000):  # one byte over; and far over, still being sent
            sent = payload + b"\r\n" * (extra // 2)  # after the closing boundary: ignored
            chunks = (sent[i : i + 4096] for i in range(0, len(sent), 4096))
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("POST", "/submission", body=chunks, headers=headers,
                               encode_chunked=True)  # fmt: skip
            response = connection.getresponse()
            answers.append((response.status, response.getheader("X-OpenRosa-Version")))
            response.read()
            connection.close()
    assert answers == [(413, "1.0"), (413, "1.0")]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Submission)) == 0
