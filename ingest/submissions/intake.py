"""Intake: every arriving submission becomes a row of the event log, usable or not.

The rules, as ODK Central and KoboToolbox agree (PROTOCOLS.md §0):

- a new instance ID is stored: ``created``;
- the same instance ID with the same content is a retry: nothing is stored twice and any new
  attachments are merged (that is how ODK Collect sends a large submission in several
  POSTs): ``duplicate``;
- the same instance ID with other content is refused as a conflict;
- an edit names the version it replaces in ``meta/deprecatedID``; that version must exist
  and must not have been edited already.

A payload that cannot be used is still written, with its error code, so that nothing that
reached us is lost; the caller commits either way and answers with the error. Uniqueness of
usable instance IDs (and of edits per version) is enforced by the database, so two identical
requests racing each other store one submission: the loser sees the winner's row and is
answered as a retry.
"""

from __future__ import annotations

import hashlib
import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import IO, Any, cast

from sqlalchemy import Engine, Executable, Table, bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ingest import db
from ingest.consumers import projection  # subscribes the core projections
from ingest.errors import Conflict, ErrorCode, InvalidInput, NotFound, VssidError
from ingest.forms import formspec
from ingest.models import Form, FormVersion, Submission, SubmissionAttachment, SubmissionStatus
from ingest.registry import unit_codes
from ingest.submissions import parse
from ingest.submissions.media import MediaStore

log = logging.getLogger(__name__)

#: The issue recorded when checking a submission failed unexpectedly (a bug, logged).
CHECK_FAILED = {
    "code": "internal.check_failed",
    "path": None,
    "message_vi": "Máy chủ chưa kiểm tra được phiếu này; cần người xem lại.",
    "message_en": "The server could not check this submission; a person must review it.",
    "blocking": True,
}


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """An attachment part: the file name the client gave and its bytes."""

    name: str
    content_type: str
    stream: IO[bytes]


@dataclass(frozen=True, slots=True)
class Incoming:
    """A payload as it arrived, before anything is concluded from it."""

    source: str
    payload: bytes
    content_type: str
    submitter: str | None
    received_at: datetime
    headers: dict[str, str] = field(default_factory=dict)
    files: tuple[IncomingFile, ...] = ()
    form_hint: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """What intake did: ``created``, ``duplicate`` or ``failed`` (then ``error`` says why).

    ``status`` is the submission's outcome after validation (``accepted``, ``flagged``…)
    and ``issues`` what validation found, for the reply to the client.
    """

    outcome: str
    submission: Submission
    error: VssidError | None = None
    attachments_added: tuple[str, ...] = ()
    status: str | None = None
    issues: tuple[dict[str, Any], ...] = ()

    @property
    def missing_attachments(self) -> int:
        present = len(self.submission.attachments)
        return max(0, self.submission.attachments_expected - present)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _event(incoming: Incoming) -> Submission:
    digest = _sha256(incoming.payload)
    return Submission(
        source=incoming.source,
        submitter=incoming.submitter,
        content_type=incoming.content_type[:255],
        payload=incoming.payload,
        payload_sha256=digest,
        content_sha256=digest,
        headers=incoming.headers,
        received_at=incoming.received_at,
        attachments_expected=0,
        attachments=[],  # known to be none yet: answering needs no query after commit
    )


def _failed(session: Session, event: Submission, error: VssidError) -> Receipt:
    event.error_code = error.code
    event.error_detail = error.message_en
    session.add(event)
    session.flush()
    return Receipt("failed", event, error)


def _usable(session: Session, instance_id: str) -> Submission | None:
    return session.scalar(
        select(Submission).where(
            Submission.instance_id == instance_id, Submission.error_code.is_(None)
        )
    )


@dataclass(frozen=True, slots=True)
class _Version:
    """A published form version: it never changes, so each process reads it once."""

    version: str
    md5: str
    xml: str


#: Published versions per database (engine) and (form_id, version).
_versions: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], _Version]] = (
    weakref.WeakKeyDictionary()
)


def _form_version(session: Session, form: _Form, version: str | None) -> _Version:
    """The version the submission claims if we have it, else the current one."""
    wanted = [v for v in (version, form.current_version) if v]
    known = _versions.setdefault(session.get_bind().engine, {})
    for v in wanted:
        if (found := known.get((form.form_id, v))) is not None:
            if v == wanted[0]:
                return found
            break
    rows = session.scalars(
        select(FormVersion).where(
            FormVersion.form_id == form.form_id, FormVersion.version.in_(wanted)
        )
    ).all()
    by_version = {row.version: _Version(row.version, row.md5, row.xml) for row in rows}
    for v, row in by_version.items():
        known[(form.form_id, v)] = row
    return next(by_version[v] for v in wanted if v in by_version)


def _store_files(
    session: Session,
    submission: Submission,
    files: Iterable[IncomingFile],
    expected: set[str],
    store: MediaStore,
    received_at: datetime,
) -> tuple[str, ...]:
    """Keep the parts the instance names (by basename) that the submission lacks."""
    have = {a.name for a in submission.attachments}
    added: list[str] = []
    for part in files:
        name = part.name.replace("\\", "/").rsplit("/", 1)[-1]
        if name not in expected or name in have:
            continue  # unknown parts are ignored, as ODK Central does
        if part.stream.seekable():
            part.stream.seek(0)  # a lost race reads the same part a second time
        stored = store.put(part.stream)
        submission.attachments.append(
            SubmissionAttachment(
                name=name,
                content_type=part.content_type[:255] or "application/octet-stream",
                sha256=stored.sha256,
                size=stored.size,
                received_at=received_at,
            )
        )
        have.add(name)
        added.append(name)
    return tuple(added)


def _is_json(incoming: Incoming) -> bool:
    return incoming.source != "openrosa" and "json" in incoming.content_type.lower()


def _instance(
    incoming: Incoming, session: Session
) -> tuple[parse.Instance, _Form, _Version, formspec.FormSpec, str | None]:
    """Parse the payload and find its form; raise the reason it cannot be used.

    The last item is what a resubmission is compared on, when it is not the raw bytes.
    """
    if _is_json(incoming):
        data = parse.read_kobo_json(incoming.payload)
        instance = parse.instance_from_kobo(data)
        form = _kobo_form(session, instance.form_id, incoming.form_hint)
        version = _form_version(session, form, None)
        answers = parse.kobo_answers_fingerprint(data).encode("utf-8")
        spec = formspec.spec_for(version.md5, version.xml)
        return instance, form, version, spec, _sha256(answers)
    root = parse.read_xml(incoming.payload)
    claimed = parse.instance_from_xml(root)
    form_id = claimed.form_id
    if incoming.source != "openrosa":
        form = _kobo_form(session, form_id, incoming.form_hint)
    else:
        found = _find_form(session, form_id) if form_id else None
        if found is None:
            raise NotFound(ErrorCode.FORM_NOT_FOUND, form_id=form_id or "?")
        form = found
    claimed_version = claimed.version if incoming.source == "openrosa" else None
    version = _form_version(session, form, claimed_version)
    spec = formspec.spec_for(version.md5, version.xml)
    return parse.instance_from_xml(root, spec.repeat_paths), form, version, spec, None


@dataclass(frozen=True, slots=True)
class _Form:
    """What intake needs of a form (read by a Core statement: no ORM object to load)."""

    form_id: str
    state: str
    current_version: str | None


_FORM_TABLE = cast(Table, Form.__table__)
_FORM = select(_FORM_TABLE.c.form_id, _FORM_TABLE.c.state, _FORM_TABLE.c.current_version).where(
    _FORM_TABLE.c.form_id == bindparam("form_id")
)


def _find_form(session: Session, form_id: str) -> _Form | None:
    row = session.connection().execute(_FORM, {"form_id": form_id}).first()
    return None if row is None else _Form(*row)


MAX_IDENTIFIER = 255


def _clean(text: str) -> bool:
    return len(text) <= MAX_IDENTIFIER and text.isprintable()


def _bad_identifier(instance: parse.Instance) -> str | None:
    """Why the instance's identifiers cannot be stored as given, if they cannot."""
    for name in ("instance_id", "deprecated_id", "root_id", "external_id"):
        value = getattr(instance, name)
        if value is not None and not _clean(value):
            return f"{name} is longer than {MAX_IDENTIFIER} characters or holds control characters"
    return None


def _kobo_form(session: Session, asset: str | None, hint: str | None) -> _Form:
    """Kobo names its own asset uid; ours is that only if we published under that id."""
    for candidate in (asset, hint):
        form = _find_form(session, candidate) if candidate and _clean(candidate) else None
        if form is not None:
            return form
    shown = asset if asset and _clean(asset) else "?"
    raise NotFound(ErrorCode.KOBO_FORM_UNKNOWN, asset=shown)


def refuse(session: Session, incoming: Incoming, error: VssidError) -> Receipt:
    """Keep a payload that the adapter already knows it cannot use, with the reason."""
    return _failed(session, _event(incoming), error)


def receive(
    session: Session,
    incoming: Incoming,
    store: MediaStore,
    registry: unit_codes.Registry | None = None,
) -> Receipt:
    """Record ``incoming`` in the log, hand it to the subscribers (validation, records) and
    say what became of it; the caller commits."""
    receipt, previous = _receive(session, incoming, store)
    if receipt.outcome == "created":
        changed = [receipt.submission]
        if previous is not None:
            changed.insert(0, previous)
        try:
            with session.begin_nested():
                unit_codes.publish(session, changed, registry or unit_codes.load_registry(session))
        except SQLAlchemyError:
            raise  # the database is the problem: the caller answers "retry later"
        except Exception:
            # A subscriber's bug must not lose the payload: keep it, flagged for a person.
            log.exception("checking submission %s failed", receipt.submission.id)
            projection.forget_decisions(session)
            session.add(
                SubmissionStatus(
                    submission_id=receipt.submission.id, status="flagged", issues=[CHECK_FAILED]
                )
            )
            session.flush()
    if receipt.outcome == "failed":
        return receipt
    state = projection.status_of(session, receipt.submission.id)
    if state is None:
        return receipt
    return replace(receipt, status=state.status, issues=tuple(state.issues))


def _receive(
    session: Session, incoming: Incoming, store: MediaStore
) -> tuple[Receipt, Submission | None]:
    """Store ``incoming``; the receipt, and the version an edit supersedes."""
    event = _event(incoming)
    try:
        instance, form, version, spec, content_digest = _instance(incoming, session)
    except VssidError as error:
        return _failed(session, event, error), None

    problem = _bad_identifier(instance)
    if problem is not None:
        malformed = InvalidInput(ErrorCode.SUBMISSION_MALFORMED, reason=problem)
        return _failed(session, event, malformed), None
    event.form_id = form.form_id
    event.form_version = version.version
    event.instance_id = instance.instance_id
    event.deprecated_id = instance.deprecated_id
    event.instance_name = (instance.instance_name or "").replace("\x00", "")[:500] or None
    event.collected_at = instance.collected_at
    event.external_id = instance.external_id
    event.content_sha256 = content_digest or event.payload_sha256

    refused: VssidError | None = None
    if form.state == "closed":
        refused = Conflict(ErrorCode.FORM_CLOSED, form_id=form.form_id)
    elif instance.encrypted:
        refused = InvalidInput(ErrorCode.SUBMISSION_ENCRYPTED)
    elif not instance.instance_id:
        refused = InvalidInput(ErrorCode.SUBMISSION_NO_INSTANCE_ID)
    if refused is not None:
        return _failed(session, event, refused), None
    assert instance.instance_id is not None

    expected = formspec.attachment_names(spec, instance.values)
    if instance.deprecated_id:
        # A retry of an edit is a retry, not an edit of a version now superseded: look first.
        # A new record is not looked up: the unique index refuses the insert below if the
        # instance ID is already usable, and that path answers a retry or a conflict.
        existing = _usable(session, instance.instance_id)
        if existing is not None:
            return _resubmission(session, event, existing, incoming, expected, store), None

    try:
        previous = _edit_target(session, instance, incoming.source)
    except VssidError as error:
        return _failed(session, event, error), None
    event.root_id = (
        (previous.root_id or previous.instance_id)
        if previous
        else (instance.root_id or instance.instance_id)
    )
    event.attachments_expected = len(expected)

    # Files first (content-addressed, atomic), then the rows that point at them.
    added = _store_files(session, event, incoming.files, expected, store, incoming.received_at)
    if not _insert_new(session, event):
        # Already there (a retry, or lost a race): the same instance, or another edit of the
        # same version, got in first.
        winner = _usable(session, instance.instance_id)
        fresh = _event(incoming)
        _copy_identity(event, fresh)
        if winner is not None:
            return _resubmission(session, fresh, winner, incoming, expected, store), None
        assert instance.deprecated_id is not None
        raced = Conflict(ErrorCode.SUBMISSION_EDIT_SUPERSEDED, deprecated_id=instance.deprecated_id)
        return _failed(session, fresh, raced), None
    if previous is not None:
        previous.superseded_by_id = event.id
        session.flush()
    # The subscribers use what was just parsed instead of reading the payload again.
    unit_codes.hand_over(session, event, unit_codes.Parsed(instance, spec, new=True))
    return Receipt("created", event, attachments_added=added), previous


def _insert_new(session: Session, event: Submission) -> bool:
    """INSERT a usable event and its attachments' rows, unless the database already holds a
    usable submission with its instance ID (or another edit of the version it replaces).

    ``INSERT … ON CONFLICT DO NOTHING`` against the partial unique indexes: no look-up first,
    no savepoint, and a conflict is no error that would end the transaction. A Core statement
    (``event`` stays out of the session): intake's hot path pays no unit of work.
    """
    connection = session.connection()
    table = cast(Table, Submission.__table__)
    dialect = connection.dialect
    statement = _upserts.get(dialect.name)
    if statement is None:  # built once per dialect: building costs as much as running
        upsert = db.upsert(dialect)(table).on_conflict_do_nothing()
        statement = upsert.returning(table.c.id) if dialect.insert_returning else upsert
        _upserts[dialect.name] = statement
    result = connection.execute(statement, db.row_values(event))
    if dialect.insert_returning:
        new_id = result.scalar()
    else:  # SQLite before 3.35
        new_id = result.lastrowid if result.rowcount == 1 else None
    if new_id is None:
        return False
    event.id = new_id
    for attachment in event.attachments:
        attachment.submission_id = new_id
        db.insert_row(connection, attachment)
    return True


_upserts: dict[str, Executable] = {}


def _edit_target(session: Session, instance: parse.Instance, source: str) -> Submission | None:
    """The version an edit replaces (None for a new record); raise if it cannot be edited."""
    if not instance.deprecated_id:
        return None
    previous = _usable(session, instance.deprecated_id)
    if previous is None and source == "kobo" and instance.root_id:
        # Kobo re-reads a record when it retries, so a retry can carry a later edit.
        previous = _latest_of_root(session, instance.root_id)
    if previous is None:
        raise NotFound(ErrorCode.SUBMISSION_EDIT_UNKNOWN, deprecated_id=instance.deprecated_id)
    if previous.superseded_by_id is not None:
        raise Conflict(ErrorCode.SUBMISSION_EDIT_SUPERSEDED, deprecated_id=instance.deprecated_id)
    return previous


def _copy_identity(source: Submission, target: Submission) -> None:
    for name in (
        "form_id",
        "form_version",
        "instance_id",
        "deprecated_id",
        "root_id",
        "instance_name",
        "collected_at",
        "external_id",
        "content_sha256",
    ):
        setattr(target, name, getattr(source, name))


def _latest_of_root(session: Session, root_id: str) -> Submission | None:
    return session.scalar(
        select(Submission)
        .where(
            Submission.root_id == root_id,
            Submission.error_code.is_(None),
            Submission.superseded_by_id.is_(None),
        )
        .order_by(Submission.id.desc())
        .limit(1)
    )


def _resubmission(
    session: Session,
    event: Submission,
    existing: Submission,
    incoming: Incoming,
    expected: set[str],
    store: MediaStore,
) -> Receipt:
    """The same instance again: a retry (merge new files) or a conflict (kept, refused)."""
    if existing.content_sha256 != event.content_sha256:
        assert existing.instance_id is not None
        return _failed(
            session,
            event,
            Conflict(ErrorCode.SUBMISSION_CONFLICT, instance_id=existing.instance_id),
        )
    added = _store_files(session, existing, incoming.files, expected, store, incoming.received_at)
    session.flush()
    return Receipt("duplicate", existing, attachments_added=added)


def summary(receipt: Receipt) -> dict[str, Any]:
    """A JSON-able description of a receipt (for APIs and logs; no personal data)."""
    submission = receipt.submission
    return {
        "outcome": receipt.outcome,
        "id": submission.id,
        "form_id": submission.form_id,
        "instance_id": submission.instance_id,
        "attachments_added": list(receipt.attachments_added),
        "attachments_missing": receipt.missing_attachments,
        "status": receipt.status,
        "issues": list(receipt.issues),
    }
