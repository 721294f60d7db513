"""A stream of distinct ODK Collect submissions, posted by client threads that retry the way
a phone does, and the checks that prove what the server kept.

Each submission is the real ODK Collect body of ``tests/data`` with its own instance ID, BHXH
code and (for some) its own photo, so every stored row and file can be traced to one send.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import queue
import threading
import time
import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.models import Submission, SubmissionAttachment, SubmissionStatus, User
from ingest.registry import accounts
from ingest.submissions.media import MediaStore
from tests.pipeline import settle
from tests.wire import body, content_type

TEMPLATE = "collect_install_with_photo"
TEMPLATE_ID = b"uuid:2b0f3e6a-8c1d-4f7e-9a55-3c4d2e1f0a9b"
TEMPLATE_CODE = b"0791234567"
TEMPLATE_PHOTO = b"1615775412345.jpg"
BOUNDARY = b"------CollectBoundary7MA4YWxkTrZu0gW"
XML_START, XML_END = b"<?xml", b"</vssid_install>"


def scale() -> int:
    """How many times bigger than the CI size a run by hand should be (``VSSID_FAULT_SCALE``)."""
    return max(1, int(os.environ.get("VSSID_FAULT_SCALE", "1")))


@dataclass(frozen=True, slots=True)
class Sent:
    """One distinct submission: its instance ID, the body posted, and what it carries."""

    instance_id: str
    body: bytes
    xml: bytes
    photo: bytes | None

    @property
    def photo_sha256(self) -> str | None:
        return hashlib.sha256(self.photo).hexdigest() if self.photo is not None else None


def submissions(
    count: int, photo_every: int = 2, first: int = 0, photo_size: int = 0, tag: int = 0
) -> list[Sent]:
    """``count`` distinct submissions; every ``photo_every``-th one has a photo of its own
    (at least ``photo_size`` bytes). ``tag`` keeps the IDs of separate streams apart."""
    template = body(TEMPLATE)
    head, photo_part = template.split(BOUNDARY + b'\r\nContent-Disposition: form-data; name="1')
    photo_part = b'Content-Disposition: form-data; name="1' + photo_part
    header, _, photo_tail = photo_part.partition(b"\r\n\r\n")
    template_photo = photo_tail[: photo_tail.rindex(b"\r\n" + BOUNDARY + b"--")]
    sent = []
    for n in range(first, first + count):
        instance_id = f"uuid:{uuid.UUID(int=(tag << 64) | n)}".encode()
        code = f"07{n:08d}".encode()
        with_photo = photo_every > 0 and n % photo_every == 0
        name = f"{1615775412345 + n}.jpg".encode()
        part = head.replace(TEMPLATE_ID, instance_id).replace(TEMPLATE_CODE, code)
        if with_photo:
            padding = max(0, photo_size - len(template_photo) - 16)
            photo = template_photo + f"#{tag}/{n}".encode() + os.urandom(padding)
            part = part.replace(TEMPLATE_PHOTO, name)
            part += BOUNDARY + b"\r\n" + header.replace(TEMPLATE_PHOTO, name) + b"\r\n\r\n"
            part += photo + b"\r\n"
        else:
            photo = None
            part = part.replace(
                b"<proof_photo>" + TEMPLATE_PHOTO + b"</proof_photo>", b"<proof_photo/>"
            )
        posted = part + BOUNDARY + b"--\r\n"
        xml = posted[posted.index(XML_START) : posted.index(XML_END) + len(XML_END)]
        sent.append(Sent(instance_id.decode(), posted, xml, photo))
    return sent


def collector_token(session: Session, username: str) -> str:
    """A URL token for ``username`` (what a QR-onboarded phone uses: no scrypt per request)."""
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    token = accounts.issue_token(user)
    session.commit()
    return token


@dataclass(frozen=True, slots=True)
class Attempt:
    """One POST: the status (None: no reply at all) or the error, and what came back."""

    status: int | None
    error: str | None = None
    retry_after: str | None = None
    content_type: str | None = None
    body: bytes = b""
    seconds: float = 0.0


class Progress:
    """Counts finished deliveries; the test waits on it to strike mid-stream."""

    def __init__(self) -> None:
        self.done = 0
        self._condition = threading.Condition()

    def add(self) -> None:
        with self._condition:
            self.done += 1
            self._condition.notify_all()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        with self._condition:
            assert self._condition.wait_for(lambda: self.done >= count, timeout), self.done


@dataclass
class Client:
    """Posts to ``/key/<token>/submission`` like ODK Collect; with ``retry``, sends again what
    got no reply or a 5xx (a short pause instead of Retry-After's minute keeps tests fast)."""

    port: int
    token: str
    timeout: float = 10.0
    retry: bool = True
    pause: float = 0.25
    give_up_after: float = 120.0
    progress: Progress = field(default_factory=Progress)

    def post(self, sent: Sent) -> Attempt:
        started = time.monotonic()
        headers = {"Content-Type": content_type(TEMPLATE), "X-OpenRosa-Version": "1.0"}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request("POST", f"/key/{self.token}/submission", sent.body, headers)
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            return Attempt(None, type(exc).__name__, seconds=time.monotonic() - started)
        finally:
            connection.close()
        return Attempt(
            response.status,
            retry_after=response.getheader("Retry-After"),
            content_type=response.getheader("Content-Type"),
            body=answer,
            seconds=time.monotonic() - started,
        )

    def deliver(self, sent: Sent) -> list[Attempt]:
        """Post until the server answers 2xx or 4xx (or, without ``retry``, once)."""
        deadline = time.monotonic() + self.give_up_after
        attempts = [self.post(sent)]
        while self.retry and time.monotonic() < deadline:
            status = attempts[-1].status
            if status is not None and status < 500:
                break
            time.sleep(self.pause)
            attempts.append(self.post(sent))
        self.progress.add()
        return attempts


def run_stream(
    client: Client, work: list[Sent], threads: int
) -> tuple[list[threading.Thread], list[tuple[Sent, list[Attempt]]]]:
    """Start ``threads`` clients working through ``work`` in order; the caller joins them."""
    todo: queue.SimpleQueue[Sent] = queue.SimpleQueue()
    for item in work:
        todo.put(item)
    results: list[tuple[Sent, list[Attempt]]] = []
    lock = threading.Lock()

    def worker() -> None:
        while True:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            attempts = client.deliver(item)
            with lock:
                results.append((item, attempts))

    started = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in started:
        thread.start()
    return started, results


def join(threads: list[threading.Thread], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "client threads still running"


def statuses(results: list[tuple[Sent, list[Attempt]]]) -> Counter[int | str | None]:
    """Every attempt's status (or error name when there was no reply), counted."""
    return Counter(a.status or a.error for _, attempts in results for a in attempts)


def usable_rows(session: Session) -> Counter[str]:
    """Usable (error-free) submission rows per instance ID."""
    rows = session.execute(
        select(Submission.instance_id, func.count())
        .where(Submission.error_code.is_(None))
        .group_by(Submission.instance_id)
    )
    return Counter({str(instance_id): count for instance_id, count in rows})


def failed_rows(session: Session) -> Counter[str]:
    """Rows kept with an error, per error code."""
    rows = session.execute(
        select(Submission.error_code, func.count())
        .where(Submission.error_code.is_not(None))
        .group_by(Submission.error_code)
    )
    return Counter({str(code): count for code, count in rows})


def media_files(root: Path) -> set[str]:
    """Stored attachment files (``<sha256>``), temporary uploads excluded."""
    return {p.name for p in MediaStore(root).content_files()}


def check_stored_once(
    session: Session, sent: list[Sent], media_root: Path, also: Collection[str] = ()
) -> dict[str, int]:
    """Assert each sent submission is stored exactly once and whole; return the counts.

    Whole means: the XML byte for byte, intake's verdict on the same row, each attachment row
    there, its file on disk with the SHA-256 the row names, and (once the consumers applied
    the log) its review state. ``also`` names instance IDs sent some other way, which must be
    stored once too.
    """
    settle(session)  # see what the server committed, with everything derived from it
    per_instance = usable_rows(session)
    expected = {s.instance_id for s in sent} | set(also)
    assert set(per_instance) == expected, (
        f"missing {sorted(expected - set(per_instance))[:5]}, "
        f"unexpected {sorted(set(per_instance) - expected)[:5]}"
    )
    assert set(per_instance.values()) == {1}, per_instance.most_common(3)

    by_id = {s.instance_id: s for s in sent}
    rows = session.scalars(select(Submission).where(Submission.error_code.is_(None))).all()
    have_state = set(session.scalars(select(SubmissionStatus.submission_id)))
    store = MediaStore(media_root)
    files = 0
    for row in rows:
        if row.instance_id in also:
            continue
        item = by_id[str(row.instance_id)]
        assert row.payload == item.xml, row.instance_id
        assert row.verdict in ("accepted", "flagged"), f"{row.instance_id}: no verdict"
        assert row.id in have_state, f"{row.instance_id}: no review state (not applied)"
        wanted = [item.photo_sha256] if item.photo is not None else []
        assert row.attachments_expected == len(wanted), row.instance_id
        assert [a.sha256 for a in row.attachments] == wanted, row.instance_id
        for attachment in row.attachments:
            path = store.path(attachment.sha256)
            assert path.is_file(), f"{row.instance_id}: attachment file missing"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == attachment.sha256
            files += 1
    return {"distinct_sent": len(expected), "usable_rows": len(rows), "attachments": files}


def referenced_hashes(session: Session) -> set[str]:
    return set(session.scalars(select(SubmissionAttachment.sha256)))
