"""Intake: every arriving submission becomes a row of the event log, usable or not.

The rules, as ODK Central and KoboToolbox agree (docs/protocols.md §0):

- a new instance ID is stored: ``created``;
- the same instance ID with the same content is a retry: nothing is stored twice and any new
  attachments are merged (that is how ODK Collect sends a large submission in several
  POSTs): ``duplicate``;
- the same instance ID with other content is refused as a conflict;
- an edit names the version it replaces in ``meta/deprecatedID``; that version must exist,
  must not have been edited already, and must have been sent by the same account, unless the
  sender may edit anyone's records (:class:`Rights`).

What a sender may write is the access policy's decision (``webhook.policy``), handed in as
:class:`Rights`: a record naming a unit outside the sender's units is kept, flagged
(``domain.unit_not_allowed``); an edit of another account's record is refused in the words
of an unknown one, and a retry from another account adds no attachments to the record.

A usable submission is checked against its form version (the form's own rules) and its own
checks (``ingest.submissions.checks``: the unit exists, the code's format…), and appended to
the log as ONE row carrying that verdict and its issues: that is all the sender waits for.
Everything derived (review states, person records, cross-record rules, tallies) follows from
the log in the consumers (``ingest.consumers``).

A payload that cannot be used is still written, with its error code, so that nothing that
reached us is lost; the caller commits either way and answers with the error. Uniqueness of
usable instance IDs (and of edits per version) is enforced by the database, so two identical
requests racing each other store one submission: the loser sees the winner's row and is
answered as a retry.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import IO, Any, cast

from sqlalchemy import Engine, Table, bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.campaigns import Campaign
from ingest.catalogue import CheckCode
from ingest.errors import Conflict, ErrorCode, InvalidInput, NotFound, VssidError
from ingest.forms import formspec
from ingest.forms.validate import validate
from ingest.models import Form, FormVersion, Submission, Verdict
from ingest.registry import unit_codes
from ingest.selfreport import identity
from ingest.submissions import checks, parse, store
from ingest.submissions.media import MediaStore

log = logging.getLogger(__name__)

#: The issue recorded when checking a submission failed unexpectedly (a bug, logged).
CHECK_FAILED = CheckCode.CHECK_FAILED.stored()
#: Sources that send OpenRosa instance XML naming its form and version: ODK Collect, and
#: ODK Web Forms on a public self-report link.
OPENROSA_SOURCES = frozenset({"openrosa", "selfreport"})
#: Sources whose records must match the roster (identifier and birth date) to count.
SELF_REPORTED = frozenset({"selfreport"})


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """An attachment part: the file name the client gave and its bytes."""

    name: str
    content_type: str
    stream: IO[bytes]


@dataclass(frozen=True, slots=True)
class Rights:
    """What the sender may write, as the access policy decided: the units it may submit
    records for (None: any) and whether it may edit records other accounts sent. The default
    is an administrator's (a spreadsheet import, the demo)."""

    units: frozenset[str] | None = None
    edit_others: bool = True


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
    rights: Rights = Rights()


class Outcome(StrEnum):
    """A receipt's outcome: what intake did with one arriving payload."""

    CREATED = "created"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Receipt:
    """What intake did: ``created``, ``duplicate`` or ``failed`` (then ``error`` says why).

    ``verdict`` is what checking a created submission concluded (``accepted`` or ``flagged``)
    and ``issues`` what it found, for the reply to the client.
    """

    outcome: Outcome
    submission: Submission
    error: VssidError | None = None
    attachments_added: tuple[str, ...] = ()
    verdict: Verdict | None = None
    issues: tuple[dict[str, Any], ...] = ()

    @property
    def missing_attachments(self) -> int:
        present = len(self.submission.attachments)
        return max(0, self.submission.attachments_expected - present)


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


def _is_json(incoming: Incoming) -> bool:
    return incoming.source not in OPENROSA_SOURCES and "json" in incoming.content_type.lower()


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
        return instance, form, version, spec, store.sha256(answers)
    root = parse.read_xml(incoming.payload)
    claimed = parse.instance_from_xml(root)
    form_id = claimed.form_id
    if incoming.source not in OPENROSA_SOURCES:
        form = _kobo_form(session, form_id, incoming.form_hint)
    else:
        found = _find_form(session, form_id) if form_id else None
        if found is None:
            raise NotFound(ErrorCode.FORM_NOT_FOUND, form_id=form_id or "?")
        form = found
    # A correction keeps the version its record was checked by (``submissions.correction``).
    claimed_version = (
        claimed.version if incoming.source in (*OPENROSA_SOURCES, "correction") else None
    )
    version = _form_version(session, form, claimed_version)
    spec = formspec.spec_for(version.md5, version.xml)
    return parse.instance_from_xml(root, spec.repeat_paths), form, version, spec, None


@dataclass(frozen=True, slots=True)
class _Form:
    """What intake needs of a form (read by a Core statement: no ORM object to load)."""

    form_id: str
    state: str
    current_version: str | None
    campaign_id: str | None


_FORM_TABLE = cast(Table, Form.__table__)
_FORM = select(
    _FORM_TABLE.c.form_id, _FORM_TABLE.c.state, _FORM_TABLE.c.current_version,
    _FORM_TABLE.c.campaign_id,
).where(_FORM_TABLE.c.form_id == bindparam("form_id"))  # fmt: skip


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


def _row(incoming: Incoming) -> Submission:
    return store.new_row(
        incoming.source, incoming.payload, incoming.content_type, incoming.submitter,
        incoming.headers, incoming.received_at,
    )  # fmt: skip


def _failed(session: Session, row: Submission, error: VssidError) -> Receipt:
    store.write_failed(session, row, error)
    return Receipt(Outcome.FAILED, row, error)


def refuse(session: Session, incoming: Incoming, error: VssidError) -> Receipt:
    """Keep a payload that the adapter already knows it cannot use, with the reason."""
    return _failed(session, _row(incoming), error)


def _files(incoming: Incoming) -> list[tuple[str, str, IO[bytes]]]:
    return [(f.name, f.content_type, f.stream) for f in incoming.files]


def check(
    session: Session,
    spec: formspec.FormSpec,
    values: dict[str, Any],
    collected: datetime,
    campaign: Campaign | None = None,
    allowed_units: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    """Every issue of a record: its form's rules and its own checks (as stored), for a sender
    who may submit for ``allowed_units`` (None: any). A bug while checking keeps the record,
    flagged for a person, instead of losing it."""
    try:
        units = unit_codes.knowing(
            session, unit_codes.load(session), checks.unit_codes_named(spec, values)
        )
        issues = validate(spec, values, checks.context(collected, units))
        issues += checks.record_issues(
            values, collected, issues, units, spec, campaign, allowed_units
        )
    except SQLAlchemyError:
        raise  # the database is the problem: the caller answers "retry later"
    except Exception:
        log.exception("checking a submission of %s failed", spec.form_id)
        return [dict(CHECK_FAILED)]
    return [checks.issue_dict(issue) for issue in issues]


def receive(session: Session, incoming: Incoming, media: MediaStore) -> Receipt:
    """Check ``incoming`` and append it to the log (usable or not); say what became of it.
    The caller commits."""
    row = _row(incoming)
    try:
        instance, form, version, spec, content_digest = _instance(incoming, session)
    except VssidError as error:
        return _failed(session, row, error)

    problem = _bad_identifier(instance)
    if problem is not None:
        malformed = InvalidInput(ErrorCode.SUBMISSION_MALFORMED, reason=problem)
        return _failed(session, row, malformed)
    row.form_id = form.form_id
    row.form_version = version.version
    row.instance_id = instance.instance_id
    row.deprecated_id = instance.deprecated_id
    row.instance_name = (instance.instance_name or "").replace("\x00", "")[:500] or None
    row.collected_at = instance.collected_at
    row.external_id = instance.external_id
    row.content_sha256 = content_digest or row.payload_sha256

    refused: VssidError | None = None
    if form.state == "closed":
        refused = Conflict(ErrorCode.FORM_CLOSED, form_id=form.form_id)
    elif instance.encrypted:
        refused = InvalidInput(ErrorCode.SUBMISSION_ENCRYPTED)
    elif not instance.instance_id:
        refused = InvalidInput(ErrorCode.SUBMISSION_NO_INSTANCE_ID)
    if refused is not None:
        return _failed(session, row, refused)
    assert instance.instance_id is not None

    expected = formspec.attachment_names(spec, instance.values)
    if instance.deprecated_id:
        # A retry of an edit is a retry, not an edit of a version now superseded: look first.
        # A new record is not looked up: the unique index refuses the insert below if the
        # instance ID is already usable, and that path answers a retry or a conflict.
        existing = store.usable(session, instance.instance_id)
        if existing is not None:
            return _resubmission(session, row, existing, incoming, expected, media)

    try:
        previous = _edit_target(session, instance, incoming)
    except VssidError as error:
        return _failed(session, row, error)
    row.root_id = (
        (previous.root_id or previous.instance_id)
        if previous
        else (instance.root_id or instance.instance_id)
    )
    row.supersedes_id = previous.id if previous is not None else None
    row.attachments_expected = len(expected)
    owner = campaigns.cached(session, form.campaign_id)
    identifier = owner.person.identifier if owner and owner.person else None
    if identifier is not None and identifier in spec.fields:
        row.person_key = (checks.value(instance.values, identifier) or "")[:64] or None
    row.issues = check(
        session, spec, instance.values, row.collected_at or row.received_at, owner,
        incoming.rights.units,
    )  # fmt: skip
    if owner is not None and (
        incoming.source in SELF_REPORTED or form.form_id == owner.selfreport_form
    ):
        # The self-report form counts only what matches the roster, whichever way it came
        # (a collector may also fill it in ODK Collect or at /fill, with no link's unit).
        row.issues += identity.issues(
            session, owner, instance.values, row.collected_at or row.received_at
        )
    blocking = any(issue.get("blocking", True) for issue in row.issues)
    row.verdict = Verdict.FLAGGED if blocking else Verdict.ACCEPTED

    # Files first (content-addressed, atomic), then the rows that point at them.
    added = store.store_files(row, _files(incoming), expected, media, incoming.received_at)
    if not store.insert_new(session, row):
        # Already there (a retry, or lost a race): the same instance, or another edit of the
        # same version, got in first.
        winner = store.usable(session, instance.instance_id)
        fresh = _row(incoming)
        _copy_identity(row, fresh)
        if winner is not None:
            return _resubmission(session, fresh, winner, incoming, expected, media)
        raced = Conflict(
            ErrorCode.SUBMISSION_EDIT_SUPERSEDED, deprecated_id=instance.deprecated_id or "?"
        )
        return _failed(session, fresh, raced)
    return Receipt(
        Outcome.CREATED, row, attachments_added=added, verdict=row.verdict, issues=tuple(row.issues)
    )


def _edit_target(
    session: Session, instance: parse.Instance, incoming: Incoming
) -> Submission | None:
    """The version an edit replaces (None for a new record); raise if it cannot be edited."""
    if not instance.deprecated_id:
        return None
    previous = store.usable(session, instance.deprecated_id)
    if previous is None and incoming.source == "kobo" and instance.root_id:
        # Kobo re-reads a record when it retries, so a retry can carry a later edit.
        previous = store.latest_of_root(session, instance.root_id)
    if previous is None:
        raise NotFound(ErrorCode.SUBMISSION_EDIT_UNKNOWN, deprecated_id=instance.deprecated_id)
    if not _may_write(incoming, previous):
        # Said as for an unknown record: an instance ID must not tell that it exists.
        raise NotFound(ErrorCode.SUBMISSION_EDIT_NOT_ALLOWED, deprecated_id=instance.deprecated_id)
    if store.is_superseded(session, previous.id):
        raise Conflict(ErrorCode.SUBMISSION_EDIT_SUPERSEDED, deprecated_id=instance.deprecated_id)
    return previous


def _may_write(incoming: Incoming, existing: Submission) -> bool:
    """Whether the sender may change ``existing``: its own record, or anyone's if allowed."""
    return incoming.rights.edit_others or existing.submitter == incoming.submitter


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


def _resubmission(
    session: Session,
    row: Submission,
    existing: Submission,
    incoming: Incoming,
    expected: set[str],
    media: MediaStore,
) -> Receipt:
    """The same instance again: a retry (merge new files) or a conflict (kept, refused)."""
    if existing.content_sha256 != row.content_sha256:
        assert existing.instance_id is not None
        return _failed(
            session,
            row,
            Conflict(ErrorCode.SUBMISSION_CONFLICT, instance_id=existing.instance_id),
        )
    if not _may_write(incoming, existing):
        # The same XML from another account (a replay): nothing to add to another's record.
        return Receipt(Outcome.DUPLICATE, existing)
    added = store.store_files(existing, _files(incoming), expected, media, incoming.received_at)
    session.flush()
    return Receipt(Outcome.DUPLICATE, existing, attachments_added=added)


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
        "status": receipt.verdict,
        "issues": list(receipt.issues),
    }
