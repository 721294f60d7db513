"""The projection: each usable submission's review state, and the records that count.

A consumer of the submission and review streams. For every usable submission it decides the
state (:class:`~ingest.models.ReviewState`):

- ``superseded`` when an edit replaced it (an edit names what it replaces: ``supersedes_id``);
- else the latest reviewer decision (``accepted`` or ``rejected``) if there is one;
- else intake's verdict (``flagged`` or ``accepted``);

and keeps the derived tables in step, following the campaign the submission's form belongs to
(``ingest.campaigns``): an accepted, current submission of one of its person forms (those with
the campaign's identifier and outcome fields) is a :class:`~ingest.models.PersonRecord`; an
accepted report of its unit-report form is a :class:`~ingest.models.UnitReport`. A form outside
any campaign gets its review state and nothing else. Projecting a submission again gives the
same rows; a batch is projected with a handful of set-based statements, whatever its size."""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.campaigns import Campaign, notice
from ingest.catalogue import CheckCode
from ingest.consumers.runner import REVIEWS, SUBMISSIONS, Batch, Consumer
from ingest.db import among, bulk_insert
from ingest.forms import formspec
from ingest.models import (
    FormVersion,
    PersonRecord,
    Review,
    ReviewState,
    Submission,
    SubmissionStatus,
    UnitReport,
    Verdict,
)
from ingest.submissions import checks, parse

#: Ids per ``IN (…)`` list.
CHUNK = 5000

_SUBMISSION = cast(Table, Submission.__table__)
_STATUS = cast(Table, SubmissionStatus.__table__)
_RECORD = cast(Table, PersonRecord.__table__)
_REPORT = cast(Table, UnitReport.__table__)
_COLUMNS = (
    _SUBMISSION.c.id, _SUBMISSION.c.form_id, _SUBMISSION.c.form_version,
    _SUBMISSION.c.content_type, _SUBMISSION.c.payload, _SUBMISSION.c.collected_at,
    _SUBMISSION.c.received_at, _SUBMISSION.c.verdict, _SUBMISSION.c.issues,
    _SUBMISSION.c.supersedes_id, _SUBMISSION.c.source, _SUBMISSION.c.headers,
)  # fmt: skip


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in slices of at most ``size`` (bounded ``IN`` lists)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def effective_at(submission: Submission | Any) -> datetime:
    """When a record counts from: its collection time, else its arrival."""
    moment: datetime = submission.collected_at or submission.received_at
    return moment


#: Specs of published versions per database and (form_id, version): a version never changes.
_specs: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], formspec.FormSpec | None]] = (
    weakref.WeakKeyDictionary()
)


def spec_of_version(session: Session, form_id: str, version: str) -> formspec.FormSpec | None:
    """The spec of a published form version (None if it was never published)."""
    known = _specs.setdefault(session.get_bind().engine, {})
    if (form_id, version) not in known:
        row = session.execute(
            select(FormVersion.md5, FormVersion.xml).where(
                FormVersion.form_id == form_id, FormVersion.version == version
            )
        ).first()
        known[(form_id, version)] = None if row is None else formspec.spec_for(row[0], row[1])
    return known[(form_id, version)]


def personal_spec(
    session: Session, form_id: str | None, version: str | None
) -> formspec.FormSpec | None:
    """A version's spec with the personal fields of every published version of its form
    (None: the version is unknown). A version published before a field was declared
    personal does not say so, and its answers are no less personal: masking
    (``webhook.policy``) and erasure (``ingest.privacy``) go by this."""
    if form_id is None or version is None:
        return None
    spec = spec_of_version(session, form_id, version)
    if spec is None:
        return None
    personal = set(spec.personal_paths)
    others = session.scalars(
        select(FormVersion.version).where(
            FormVersion.form_id == form_id, FormVersion.version != version
        )
    )
    for other in others:
        other_spec = spec_of_version(session, form_id, other)
        if other_spec is not None:
            personal |= other_spec.personal_paths
    if personal == spec.personal_paths:
        return spec
    return dataclasses.replace(spec, personal_paths=frozenset(personal))


def read_payload(payload: bytes, content_type: str, spec: formspec.FormSpec) -> parse.Instance:
    """A stored payload parsed again (XML, or a Kobo JSON record)."""
    if "json" in content_type.lower():
        return parse.instance_from_kobo(parse.read_kobo_json(payload))
    return parse.instance_from_xml(parse.read_xml(payload), spec.repeat_paths)


def read_stored(
    session: Session, submission: Submission
) -> tuple[parse.Instance, formspec.FormSpec] | None:
    """A stored submission's answers, with the spec of the form version it was checked by."""
    if submission.form_id is None or submission.form_version is None:
        return None
    spec = spec_of_version(session, submission.form_id, submission.form_version)
    if spec is None:
        return None
    return read_payload(submission.payload, submission.content_type, spec), spec


# The consumer ------------------------------------------------------------------------------


def apply(session: Session, batch: Batch) -> None:
    """Project the batch's new submissions and those reviewers decided on."""
    ids = set(batch.of(SUBMISSIONS))
    reviewed = batch.of(REVIEWS)
    for chunk in chunks(list(reviewed)):
        ids.update(
            session.scalars(select(Review.submission_id).where(among(session, Review.id, chunk)))
        )
    project(session, sorted(ids))


def reset(session: Session) -> None:
    """Empty every projected table for a replay (the consumers after it empty theirs)."""
    for model in (PersonRecord, UnitReport, SubmissionStatus):
        session.execute(delete(model))


#: The issue of a submission the projection could not apply (a bug, logged): kept, flagged.
PROJECTION_FAILED = CheckCode.PROJECTION_FAILED.stored()


def failed(session: Session, stream: str, entry_id: int) -> None:
    """A submission that cannot be projected is flagged for a person, not lost."""
    if stream != SUBMISSIONS:
        return
    session.execute(delete(_STATUS).where(_STATUS.c.submission_id == entry_id))
    session.execute(
        insert(_STATUS),
        {"submission_id": entry_id, "review_state": ReviewState.FLAGGED.value,
         "issues": [PROJECTION_FAILED], "unit_code": None, "campaign": None},
    )  # fmt: skip


CONSUMER = Consumer("projection", apply, streams=(SUBMISSIONS, REVIEWS), reset=reset, failed=failed)


def project(session: Session, ids: Sequence[int]) -> None:
    """(Re)compute the state and projections of the submissions ``ids`` (the persons whose
    records change follow from the log's ``person_key``: ``ingest.consumers.persons``)."""
    for chunk in chunks(ids):
        _project(session, chunk)


def _project(session: Session, ids: Sequence[int]) -> None:
    rows = session.execute(
        select(*_COLUMNS)
        .where(among(session, _SUBMISSION.c.id, ids), _SUBMISSION.c.error_code.is_(None))
        .order_by(_SUBMISSION.c.id)
    ).all()
    if not rows:
        return
    usable = [row.id for row in rows]
    # Edits already in the log replace these; decisions already taken decide them.
    superseded = set(
        session.scalars(
            select(_SUBMISSION.c.supersedes_id).where(
                among(session, _SUBMISSION.c.supersedes_id, usable),
                _SUBMISSION.c.error_code.is_(None),
            )
        )
    )
    decisions: dict[int, str] = {}
    for submission_id, decision in session.execute(
        select(Review.submission_id, Review.decision)
        .where(among(session, Review.submission_id, usable))
        .order_by(Review.id)
    ):
        decisions[submission_id] = decision  # the latest wins
    replaced = sorted({row.supersedes_id for row in rows if row.supersedes_id} - set(usable))

    # What these (and the versions they replace) projected before goes.
    touched = [*usable, *replaced]
    for table in (_RECORD, _REPORT):
        session.execute(delete(table).where(among(session, table.c.submission_id, touched)))
    session.execute(delete(_STATUS).where(among(session, _STATUS.c.submission_id, usable)))
    if replaced:
        session.execute(
            update(_STATUS)
            .where(among(session, _STATUS.c.submission_id, replaced))
            .values(review_state=ReviewState.SUPERSEDED.value)
        )

    states: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    owners = campaigns.campaign_of_forms(session)
    defined = {c.id: c for c in campaigns.all_campaigns(session)}
    channels = _corrected_channels(session, rows)
    for row in rows:
        owner = defined.get(owners.get(row.form_id or "", ""))
        read = _values(session, row)
        spec, values = read if read is not None else (None, {})
        issues = row.issues or []
        if spec is not None and row.verdict == Verdict.FLAGGED:
            issues = checks.recheck_units(session, spec, values, issues)
        blocking = any(i.get("blocking", True) for i in issues)
        state = _state(row.id, Verdict.FLAGGED if blocking else Verdict.ACCEPTED,
                       superseded, decisions)  # fmt: skip
        consent = checks.consent_of(owner, spec, values) if owner and spec else None
        kept = channels.get(row.supersedes_id) if row.source == "correction" else None
        channels[row.id] = channel = kept or channel_of(row)
        states.append(
            {"submission_id": row.id, "review_state": state.value, "issues": issues,
             "unit_code": _text(values.get("unit")), "campaign": owner.id if owner else None,
             "consent": consent, "channel": channel,
             "notice_sha256": notice.of_form(spec, owner.privacy.notice_note)
             if consent and owner and spec else None,
             "consented_at": effective_at(row) if consent == checks.GIVEN else None}
        )  # fmt: skip
        if spec is None or owner is None or state != ReviewState.ACCEPTED:
            continue
        if consent not in (None, checks.GIVEN):
            continue  # kept in the log, never projected: no consent (Law 91/2025)
        if is_person_form(owner, spec):
            record = person_record(owner, row, values)
            if record is not None:
                records.append(record)
        elif is_report_form(owner, spec):
            report = unit_report(owner, row, values)
            if report is not None:
                reports.append(report)
    for table, new in ((_STATUS, states), (_RECORD, records), (_REPORT, reports)):
        if new:
            bulk_insert(session, table, new)


#: A submission's channel by its source (``openrosa``: :func:`channel_of` looks closer).
CHANNELS = {"selfreport": "selfreport", "kobo": "kobo", "import": "import"}


def channel_of(row: Any) -> str:
    """How a submission came: ``collect`` (ODK Collect, KoboCollect), ``web`` (a browser:
    /fill, Enketo), ``selfreport``, ``kobo``, ``import``; ``correction`` for a correction
    whose record is unknown (one keeps its record's channel)."""
    if row.source == "openrosa":
        agent = str((row.headers or {}).get("User-Agent", "")).lower()
        return "collect" if "collect" in agent else "web"
    return CHANNELS.get(row.source, str(row.source))


def _corrected_channels(session: Session, rows: Sequence[Any]) -> dict[int | None, str]:
    """The channels of the records that this batch's corrections correct."""
    wanted = [row.supersedes_id for row in rows if row.source == "correction" and row.supersedes_id]
    found: dict[int | None, str] = {}
    for chunk in chunks(wanted):
        found.update(
            (row[0], row[1])
            for row in session.execute(
                select(_STATUS.c.submission_id, _STATUS.c.channel).where(
                    among(session, _STATUS.c.submission_id, chunk), _STATUS.c.channel.is_not(None)
                )
            )
        )
    return found


def _state(
    submission_id: int, verdict: Verdict, superseded: Collection[int], decisions: dict[int, str]
) -> ReviewState:
    if submission_id in superseded:
        return ReviewState.SUPERSEDED
    decision = decisions.get(submission_id)
    if decision is not None:
        return ReviewState.ACCEPTED if decision == "accept" else ReviewState.REJECTED
    return ReviewState(verdict.value)


def _values(session: Session, row: Any) -> tuple[formspec.FormSpec, dict[str, Any]] | None:
    spec = spec_of_version(session, row.form_id, row.form_version)
    if spec is None:
        return None
    return spec, read_payload(row.payload, row.content_type, spec).values


def is_person_form(campaign: Campaign, spec: formspec.FormSpec) -> bool:
    """Whether a campaign's form yields person records: it has the identifier and outcome."""
    person = campaign.person
    return person is not None and {person.identifier, person.outcome} <= spec.fields.keys()


def is_report_form(campaign: Campaign, spec: formspec.FormSpec) -> bool:
    """Whether a campaign's form is its unit report: the report's unit and date fields, and
    no person identifier."""
    report = campaign.unit_report
    if report is None or not {report.unit, report.date} <= spec.fields.keys():
        return False
    return campaign.person is None or campaign.person.identifier not in spec.fields


def person_record(campaign: Campaign, row: Any, values: dict[str, Any]) -> dict[str, Any] | None:
    """A person record's row from accepted answers (None without an identifier)."""
    person = campaign.person
    assert person is not None
    key = _text(values.get(person.identifier))
    if key is None:
        return None
    outcome = _text(values.get(person.outcome))
    done, levels = campaign.level_of(outcome)
    reasons = _text(values.get(person.reasons)) if person.reasons else None
    return {
        "submission_id": row.id,
        "campaign": campaign.id,
        "form_id": row.form_id or "",
        "person_key": key[:64],
        "unit_code": _text(values.get(person.unit)),
        "full_name": (_text(values.get(person.name)) or "")[:300],
        "category": _text(values.get(person.category)) if person.category else None,
        "outcome": outcome[:64] if outcome else None,
        "done": done,
        "levels": " ".join(levels),
        "outcome_date": _date(values.get(person.outcome_date)) if person.outcome_date else None,
        "reasons": (reasons or "").split(),
        "effective_at": effective_at(row),
    }


def unit_report(campaign: Campaign, row: Any, values: dict[str, Any]) -> dict[str, Any] | None:
    """A unit report's row from accepted answers (None without a unit or a date)."""
    fields = campaign.unit_report
    assert fields is not None
    unit_code, report_date = _text(values.get(fields.unit)), _date(values.get(fields.date))
    if unit_code is None or report_date is None:
        return None

    def number(pattern: str | None, category: str) -> int | None:
        return _int(values.get(pattern.replace("{category}", category))) if pattern else None

    figures = {
        c: {
            "headcount": number(fields.headcount, c),
            "done": number(fields.done, c) or 0,
            "levels": {k: number(p, c) or 0 for k, p in fields.levels.items()},
        }
        for c in campaign.category_keys
    }
    return {
        "submission_id": row.id, "campaign": campaign.id, "unit_code": unit_code,
        "report_date": report_date, "figures": figures, "effective_at": effective_at(row),
    }  # fmt: skip


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, list | dict):
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None


def _date(value: Any) -> date | None:
    text = _text(value)
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    text = _text(value)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
