"""Writing the log: a submission's row and its files, and finding usable rows again.

A usable row is written with ``INSERT … ON CONFLICT DO NOTHING`` against the partial unique
indexes (one usable row per instance ID, one edit per replaced version): no look-up first, no
savepoint, and a conflict is no error that would end the transaction. Rows are Core
statements (the row objects stay out of the session): intake's hot path pays no unit of work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any, cast

from sqlalchemy import Executable, Exists, Table, exists, select
from sqlalchemy.orm import Session

from ingest import db
from ingest.errors import VssidError
from ingest.models import Submission, SubmissionAttachment
from ingest.submissions.media import MediaStore


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_row(
    source: str, payload: bytes, content_type: str, submitter: str | None,
    headers: dict[str, str], received_at: datetime,
) -> Submission:  # fmt: skip
    """A log row for a payload as it arrived, before anything is concluded from it."""
    digest = sha256(payload)
    return Submission(
        source=source,
        submitter=submitter,
        content_type=content_type[:255],
        payload=payload,
        payload_sha256=digest,
        content_sha256=digest,
        headers=headers,
        received_at=received_at,
        attachments_expected=0,
        issues=[],
        attachments=[],  # known to be none yet: answering needs no query after commit
    )


def write_failed(session: Session, row: Submission, error: VssidError) -> None:
    """Keep a payload that cannot be used, with the reason."""
    row.error_code = error.code
    row.error_detail = error.message_en
    session.add(row)
    session.flush()


def usable(session: Session, instance_id: str) -> Submission | None:
    """The usable submission with ``instance_id``, if any."""
    return session.scalar(
        select(Submission).where(
            Submission.instance_id == instance_id, Submission.error_code.is_(None)
        )
    )


_EDIT = cast(Table, Submission.__table__).alias("edit")


def _replaced(submission_id: Any) -> Exists:
    """A usable edit replaces the submission ``submission_id`` (a value or a column)."""
    return exists().where(_EDIT.c.supersedes_id == submission_id, _EDIT.c.error_code.is_(None))


def is_superseded(session: Session, submission_id: int) -> bool:
    """Whether a usable edit already replaces the submission."""
    return bool(session.scalar(select(_replaced(submission_id))))


def latest_of_root(session: Session, root_id: str) -> Submission | None:
    """The current (not replaced) usable version of a record, by its first instance ID."""
    return session.scalar(
        select(Submission)
        .where(
            Submission.root_id == root_id,
            Submission.error_code.is_(None),
            ~_replaced(Submission.id),
        )
        .order_by(Submission.id.desc())
        .limit(1)
    )


def store_files(
    submission: Submission,
    files: Iterable[tuple[str, str, IO[bytes]]],
    expected: set[str],
    media: MediaStore,
    received_at: datetime,
) -> tuple[str, ...]:
    """Keep the parts (name, content type, stream) the instance names, by basename, that the
    submission lacks; their names."""
    have = {a.name for a in submission.attachments}
    added: list[str] = []
    for given, content_type, stream in files:
        name = given.replace("\\", "/").rsplit("/", 1)[-1]
        if name not in expected or name in have:
            continue  # unknown parts are ignored, as ODK Central does
        if stream.seekable():
            stream.seek(0)  # a lost race reads the same part a second time
        stored = media.put(stream)
        submission.attachments.append(
            SubmissionAttachment(
                name=name,
                content_type=content_type[:255] or "application/octet-stream",
                sha256=stored.sha256,
                size=stored.size,
                received_at=received_at,
            )
        )
        have.add(name)
        added.append(name)
    return tuple(added)


def insert_new(session: Session, row: Submission) -> bool:
    """INSERT a usable row and its attachments' rows, unless the database already holds a
    usable submission with its instance ID (or another edit of the version it replaces)."""
    connection = session.connection()
    table = cast(Table, Submission.__table__)
    dialect = connection.dialect
    statement = _upserts.get(dialect.name)
    if statement is None:  # built once per dialect: building costs as much as running
        upsert = db.upsert(dialect)(table).on_conflict_do_nothing()
        statement = upsert.returning(table.c.id) if dialect.insert_returning else upsert
        _upserts[dialect.name] = statement
    result = connection.execute(statement, db.row_values(row))
    if dialect.insert_returning:
        new_id = result.scalar()
    else:  # SQLite before 3.35
        new_id = result.lastrowid if result.rowcount == 1 else None
    if new_id is None:
        return False
    row.id = new_id
    for attachment in row.attachments:
        attachment.submission_id = new_id
        db.insert_row(connection, attachment)
    return True


_upserts: dict[str, Executable] = {}
