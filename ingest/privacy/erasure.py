"""Erasing a person's data: from the log, the projections and the media store, at once.

:func:`erase` answers a person's request to erase their data or withdraw their consent
(Law 91/2025/QH15); :func:`rewrite` is what it and a retention purge
(``ingest.privacy.retention``) share. An erasure is an event of the log (an
:class:`~ingest.models.Erasure` row naming the submissions it rewrote, never the person):

- every submission about the person is rewritten (``ingest.privacy.scrub``): the identifier
  becomes the erasure's pseudonym (``erased-<id>``), personal fields and the name become
  empty, attachments and their files go; a payload that cannot be read is emptied;
- roster entries, person records, persons and spans take the pseudonym and lose the name and
  birth date; issues, review notes, events out and earlier requests lose the identifier;
- what the person counted still counts, anonymously: the tallies do not change, and since
  the log itself was rewritten, replaying it (``vssid reprocess``) gives the same tables.

It runs holding every consumer's lock (``ingest.consumers.runner.hold``), so no batch
applies the old values in the middle. Files are removed after the caller commits
(:meth:`Erased.remove_files`): a rolled-back erasure loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    LargeBinary,
    Table,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.campaigns import Campaign
from ingest.consumers import CONSUMERS, runner
from ingest.consumers.projection import chunks, personal_spec, read_payload, spec_of_version
from ingest.db import among
from ingest.errors import ErrorCode, NotFound
from ingest.models import (
    Erasure,
    OutboxEvent,
    Person,
    PersonRecord,
    PersonSpan,
    PrivacyRequest,
    Review,
    RosterEntry,
    RosterImport,
    Submission,
    SubmissionAttachment,
    SubmissionStatus,
)
from ingest.privacy import audit, scrub
from ingest.submissions.media import MediaStore

PSEUDONYM = "erased-{id}"


@dataclass(slots=True)
class Holding:
    """What is held about one person in one campaign (``""``: submissions of no campaign's
    form that name them, e.g. unusable payloads)."""

    campaign: str
    identifier: str
    submission_ids: list[int] = field(default_factory=list)
    roster_entry_ids: list[int] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    attachments: int = 0


@dataclass(slots=True)
class Erased:
    """What an erasure did, and the media files to remove once it is committed."""

    erasure: Erasure
    counts: dict[str, int]
    files: list[str] = field(default_factory=list)
    #: The names the person was held under (to check that none is left).
    names: list[str] = field(default_factory=list)

    def remove_files(self, media: MediaStore) -> int:
        """Remove the erased attachments' files (call after commit): how many were there."""
        removed = 0
        for sha256 in self.files:
            path = media.path(sha256)
            if path.exists():
                path.unlink()
                removed += 1
        return removed


def contains(session: Session, column: Any, needle: str) -> Any:
    """SQL: ``column`` (text or bytes) contains ``needle`` as typed."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    if not isinstance(column.type, LargeBinary):
        return column.like(pattern, escape="\\")
    if session.get_bind().dialect.name == "sqlite":  # instr() compares blobs byte by byte
        return func.instr(column, literal(needle.encode(), LargeBinary)) > 0
    # PostgreSQL: bytea LIKE bytea, backslash its default escape character
    return column.op("LIKE", return_type=Boolean)(literal(pattern.encode(), LargeBinary))


def holdings(session: Session, identifier: str, campaign: str | None = None) -> list[Holding]:
    """Everything held about the person ``identifier`` (in ``campaign``, or in every one),
    per campaign: their submissions (those about them, and any whose payload names them),
    roster entries, the names they are held under, and attachments."""
    identifier = identifier.strip()
    if not identifier or not identifier.isprintable() or len(identifier) > 64:
        return []  # no identifier is stored so: nothing is held
    owners = campaigns.campaign_of_forms(session)
    found: dict[str, Holding] = {}

    def holding(campaign_id: str) -> Holding:
        return found.setdefault(campaign_id, Holding(campaign_id, identifier))

    rows = session.execute(
        select(Submission.id, Submission.form_id)
        .where(
            or_(
                Submission.person_key == identifier,
                contains(session, Submission.payload, identifier),
            )
        )
        .order_by(Submission.id)
    )
    for submission_id, form_id in rows:
        owner = owners.get(form_id or "", "")
        if campaign is None or owner in (campaign, ""):
            holding(owner).submission_ids.append(submission_id)
    entries = select(RosterEntry.id, RosterEntry.campaign, RosterEntry.full_name).where(
        RosterEntry.person_key == identifier
    )
    if campaign is not None:
        entries = entries.where(RosterEntry.campaign == campaign)
    for entry_id, campaign_id, name in session.execute(entries.order_by(RosterEntry.id)):
        held = holding(campaign_id)
        held.roster_entry_ids.append(entry_id)
        if name:
            held.names.add(name)
    for held in found.values():
        held.names |= _names_in_records(session, held)
        held.attachments = (
            session.scalar(
                select(func.count())
                .select_from(SubmissionAttachment)
                .where(
                    among(session, SubmissionAttachment.submission_id, held.submission_ids or [0])
                )
            )
            or 0
        )
    return [found[k] for k in sorted(found)]


def _names_in_records(session: Session, held: Holding) -> set[str]:
    """The names the person's own submissions give (their campaign's name field)."""
    campaign = campaigns.cached(session, held.campaign) if held.campaign else None
    if campaign is None or campaign.person is None:
        return set()
    names = set()
    for chunk in chunks(held.submission_ids):
        for row in session.scalars(
            select(Submission).where(
                among(session, Submission.id, chunk), Submission.error_code.is_(None)
            )
        ):
            if row.form_id is None or row.form_version is None:
                continue
            spec = spec_of_version(session, row.form_id, row.form_version)
            if spec is None:
                continue
            values = read_payload(row.payload, row.content_type, spec).values
            name = values.get(campaign.person.name)
            if isinstance(name, str) and name.strip():
                names.add(name.strip())
    return names


def erase(
    session: Session,
    identifier: str,
    *,
    by: str,
    reason: str,
    campaign: str | None = None,
    kind: str = "erase",
    begun: bool = False,
) -> Erased:
    """Erase everything held about ``identifier`` (in ``campaign``, or everywhere); the
    caller commits, then calls :meth:`Erased.remove_files`. NotFound if nothing is held.
    ``begun``: the transaction began as a writer already (``ingest.db.begin_write``)."""
    runner.hold(session, CONSUMERS, begun=begun)
    held = holdings(session, identifier, campaign)
    if not held:
        raise NotFound(ErrorCode.PERSON_NOT_FOUND, identifier=identifier)
    erasure = Erasure(kind=kind, campaign=campaign, pseudonym="", erased_by=by, reason=reason)
    session.add(erasure)
    session.flush()
    erasure.pseudonym = PSEUDONYM.format(id=erasure.id)
    mapping = {identifier.strip(): erasure.pseudonym}
    needles = {identifier.strip(): erasure.pseudonym}
    for holding in held:
        needles |= {name: "" for name in holding.names}
    counts: dict[str, int] = {"persons": 1}
    files: list[str] = []
    ids: list[int] = []
    for holding in held:
        campaign_row = campaigns.cached(session, holding.campaign) if holding.campaign else None
        done, gone = rewrite(session, campaign_row, holding.submission_ids, mapping, needles,
                             default=erasure.pseudonym)  # fmt: skip
        files += gone
        for key, value in done.items():
            counts[key] = counts.get(key, 0) + value
        ids += holding.submission_ids
        if holding.campaign:
            entries = rewrite_people(session, holding.campaign, mapping)
            counts["roster_entries"] = counts.get("roster_entries", 0) + entries
    session.execute(
        update(PrivacyRequest)
        .where(PrivacyRequest.person_ref.in_(list(mapping)))
        .values(person_ref=erasure.pseudonym)
    )  # fmt: skip
    counts["audit_rows"] = audit.pseudonymize(session, identifier.strip(), erasure.pseudonym)
    erasure.submission_ids = sorted(ids)
    erasure.counts = counts
    session.flush()
    return Erased(erasure, counts, files, sorted({n for h in held for n in h.names}))


_SUBMISSION = cast(Table, Submission.__table__)


def rewrite(
    session: Session,
    campaign: Campaign | None,
    submission_ids: Sequence[int],
    mapping: Mapping[str, str],
    needles: Mapping[str, str] | None,
    default: str,
) -> tuple[dict[str, int], list[str]]:
    """Rewrite the submissions ``submission_ids`` (of ``campaign``'s forms, or of none): each
    one's identifier becomes ``mapping``'s pseudonym for it (``default`` when it names none),
    its personal values go, and so do its attachments; in issues, headers and review notes
    each of ``needles`` (None: each row's identifier) becomes its replacement. Counts, and
    the media files no longer referenced (to remove after commit)."""
    person = campaign.person if campaign else None
    extra = [person.name, person.birth_date or ""] if person else []
    identifier_field = person.identifier if person else None
    rewritten = 0
    shas: set[str] = set()
    attachments = 0
    specs: dict[tuple[str | None, str | None], Any] = {}
    for chunk in chunks(list(submission_ids)):
        statuses = {
            s.submission_id: s
            for s in session.scalars(
                select(SubmissionStatus).where(
                    among(session, SubmissionStatus.submission_id, chunk)
                )
            )
        }
        reviews: dict[int, list[Review]] = {}
        for review in session.scalars(
            select(Review).where(among(session, Review.submission_id, chunk))
        ):
            reviews.setdefault(review.submission_id, []).append(review)
        for row in session.scalars(select(Submission).where(among(session, Submission.id, chunk))):
            pseudonym = mapping.get(row.person_key or "", default)
            row_needles = dict(needles) if needles is not None else (
                {row.person_key: pseudonym} if row.person_key else {}
            )  # fmt: skip
            spec = None
            if row.error_code is None:
                version = (row.form_id, row.form_version)
                if version not in specs:
                    specs[version] = personal_spec(session, *version)
                spec = specs[version]
            if spec is None:
                row.payload = b""  # unusable, or of an unknown version: nothing kept is safe
            else:
                if needles is None and person is not None:  # a purge: this row's own name
                    name = _answer(row, spec, person.name)
                    if name:
                        row_needles[name] = ""
                fields = scrub.Fields.of(spec, identifier_field, extra)
                row.payload = scrub.payload(row.payload, row.content_type, fields, pseudonym)
            row.payload_sha256 = row.content_sha256 = scrub.sha256(row.payload)
            if row.person_key is not None:
                row.person_key = pseudonym
            row.instance_name = None
            _replace(row, "issues", row_needles)
            _replace(row, "headers", row_needles)
            _replace(row, "error_detail", row_needles)
            row.attachments_expected = 0
            if row.id in statuses:
                _replace(statuses[row.id], "issues", row_needles)
            for review in reviews.get(row.id, []):
                _replace(review, "reason", row_needles)
            rewritten += 1
        for sha256 in session.scalars(
            select(SubmissionAttachment.sha256).where(
                among(session, SubmissionAttachment.submission_id, chunk)
            )
        ):
            shas.add(sha256)
            attachments += 1
        session.execute(
            delete(SubmissionAttachment).where(
                among(session, SubmissionAttachment.submission_id, chunk)
            )
        )
    session.flush()
    # A file another submission still has stays (the store keeps one copy per content).
    still = set(
        session.scalars(
            select(SubmissionAttachment.sha256).where(SubmissionAttachment.sha256.in_(shas))
        )
    )
    files = sorted(shas - still)
    return {"submissions": rewritten, "attachments": attachments, "files": len(files)}, files


def _replace(row: Any, column: str, needles: Mapping[str, str]) -> None:
    """Replace ``needles`` in one column of ``row``, writing only when it changes (a JSON
    column assigned its own value would still be written)."""
    value = getattr(row, column)
    if value is None or not needles:
        return
    new = scrub.replace_text(value, needles)
    if new != value:
        setattr(row, column, new)


def _answer(row: Submission, spec: Any, name: str) -> str | None:
    """A stored submission's answer to ``name`` (None if it cannot be read)."""
    try:
        value = read_payload(row.payload, row.content_type, spec).values.get(name)
    except Exception:
        return None
    return value.strip() if isinstance(value, str) and value.strip() else None


def rewrite_people(session: Session, campaign: str, mapping: Mapping[str, str]) -> int:
    """Give the people of ``mapping`` (identifier → pseudonym) in ``campaign`` their
    pseudonym wherever the consumers and rosters hold them, without name or birth date: what
    a replay of the rewritten log derives. How many roster entries changed."""
    if not mapping:
        return 0
    pairs = [{"old": old, "new": new} for old, new in mapping.items()]
    for model in (PersonRecord, Person):
        table = cast(Table, model.__table__)
        session.execute(
            update(table)
            .where(table.c.campaign == campaign, table.c.person_key == bindparam("old"))
            .values(person_key=bindparam("new"), full_name=""),
            pairs,
        )
    span = cast(Table, PersonSpan.__table__)
    session.execute(
        update(span).where(span.c.campaign == campaign, span.c.person_key == bindparam("old"))
        .values(person_key=bindparam("new")),
        pairs,
    )  # fmt: skip
    entries = 0
    for entry in session.scalars(
        select(RosterEntry).where(
            RosterEntry.campaign == campaign, RosterEntry.person_key.in_(list(mapping))
        )
    ):
        entry.person_key, entry.full_name, entry.birth_date = mapping[entry.person_key], "", None
        entries += 1
    for roster in session.scalars(select(RosterImport).where(RosterImport.campaign == campaign)):
        keys = [mapping.get(k, k) for k in roster.person_keys or []]
        if keys != roster.person_keys:
            roster.person_keys = keys
    for event in session.scalars(select(OutboxEvent).where(OutboxEvent.campaign == campaign)):
        data = dict(event.data or {})
        changed = False
        for key in event.personal or []:
            if isinstance(data.get(key), str) and data[key] in mapping:
                data[key], changed = mapping[data[key]], True
        if changed:
            event.data = data
    session.flush()
    return entries
