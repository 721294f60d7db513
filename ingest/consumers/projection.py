"""The core subscriber: each submission's outcome, and the records that count.

For every usable submission it decides the status:

- ``superseded`` when an edit replaced it;
- else the latest reviewer decision (``accepted`` or ``rejected``) if there is one;
- else ``flagged`` if validation found a blocking problem, ``accepted`` otherwise;

and keeps the projections in step: an accepted, current ``vssid_install``-like submission is
an :class:`~ingest.models.InstallRecord` (and refreshes that person's
:class:`~ingest.models.Person`); an accepted unit report is a
:class:`~ingest.models.UnitReport`. Anything else has no projection rows. Running it again on
the same submission gives the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ingest import campaign
from ingest.consumers import rules, tallies
from ingest.db import insert_row
from ingest.forms import formspec
from ingest.forms.validate import Context, Issue, validate
from ingest.models import (
    FormVersion,
    InstallReason,
    InstallRecord,
    Person,
    Review,
    Submission,
    SubmissionStatus,
    UnitReport,
)
from ingest.registry import unit_codes
from ingest.submissions import parse


def read_stored(
    session: Session, submission: Submission
) -> tuple[parse.Instance, formspec.FormSpec] | None:
    """Parse a stored submission again, with the spec of the form version it was checked by
    (or take what intake handed over, having just parsed it)."""
    handed = unit_codes.handed_over(session, submission)
    if handed is not None:
        return handed.instance, handed.spec
    version = session.scalar(
        select(FormVersion).where(
            FormVersion.form_id == submission.form_id,
            FormVersion.version == submission.form_version,
        )
    )
    if version is None:
        return None
    spec = formspec.spec_for(version.md5, version.xml)
    if "json" in submission.content_type.lower():
        instance = parse.instance_from_kobo(parse.read_kobo_json(submission.payload))
    else:
        instance = parse.instance_from_xml(parse.read_xml(submission.payload), spec.repeat_paths)
    return instance, spec


def effective_at(submission: Submission) -> datetime:
    """When a record counts from: its collection time, else its arrival."""
    return submission.collected_at or submission.received_at


def _context(submission: Submission, registry: unit_codes.Registry) -> Context:
    moment = effective_at(submission)
    return Context(
        today=moment.astimezone(campaign.LOCAL_TZ).date(),
        now=moment,
        external_choices={"units.csv": registry.unit_codes},
    )


def _decision(session: Session, submission_id: int) -> str | None:
    return session.scalar(
        select(Review.decision)
        .where(Review.submission_id == submission_id)
        .order_by(Review.id.desc())
        .limit(1)
    )


def _status(session: Session, submission: Submission, issues: list[Issue], new: bool) -> str:
    if submission.superseded_by_id is not None:
        return "superseded"
    decision = None if new else _decision(session, submission.id)
    if decision is not None:
        return "accepted" if decision == "accept" else "rejected"
    return "flagged" if any(i.blocking for i in issues) else "accepted"


_DECIDED = "vssid.project.decided"


def status_of(session: Session, submission_id: int) -> SubmissionStatus | None:
    """The status of a submission, as decided since the last call if it was (no query)."""
    decided: dict[int, SubmissionStatus] = session.info.pop(_DECIDED, {})
    row = decided.get(submission_id)
    if row is not None:
        return row
    return session.get(SubmissionStatus, submission_id)


def forget_decisions(session: Session) -> None:
    """Drop what :func:`project` decided since the last :func:`status_of` (its savepoint was
    rolled back)."""
    session.info.pop(_DECIDED, None)


def issue_dict(issue: Issue) -> dict[str, Any]:
    """An issue as stored (JSON; PostgreSQL's JSONB refuses NUL characters)."""
    return {
        k: v.replace("\x00", "") if isinstance(v, str) else v
        for k, v in asdict(issue).items()
        if v is not None
    }


@unit_codes.subscribe
def project(session: Session, submission: Submission, registry: unit_codes.Registry) -> None:
    """Bring ``submission``'s status and projections up to date."""
    if submission.error_code is not None:
        return
    read = read_stored(session, submission)
    if read is None:
        return
    instance, spec = read
    values = instance.values
    # Just stored by intake: no review, status or record can refer to it yet.
    handed = unit_codes.handed_over(session, submission)
    new = handed is not None and handed.new
    registry = unit_codes.knowing(session, registry, rules.unit_codes_named(spec, values))
    code = _text(values.get("bhxh_code"))
    # A new submission's code: its records, read once for the rules and the person.
    earlier = rules.records_of(session, code) if new and code else None
    issues = validate(spec, values, _context(submission, registry))
    issues += rules.campaign_issues(session, submission, values, issues, registry, earlier)
    status = _status(session, submission, issues, new)
    unit_code = _text(values.get("unit"))
    stored = [issue_dict(i) for i in issues]
    row = None if new else session.get(SubmissionStatus, submission.id)
    if row is None:
        row = SubmissionStatus(
            submission_id=submission.id, status=status, issues=stored, unit_code=unit_code
        )
        if new:
            insert_row(session.connection(), row)
        else:
            session.add(row)
    else:
        row.status, row.issues, row.unit_code = status, stored, unit_code
    session.info.setdefault(_DECIDED, {})[submission.id] = row

    old_codes: set[str] = set()
    added: InstallRecord | None = None
    if not new:
        old_codes.update(
            session.scalars(
                select(InstallRecord.bhxh_code).where(InstallRecord.submission_id == submission.id)
            )
        )
        session.execute(delete(InstallReason).where(InstallReason.submission_id == submission.id))
        session.execute(delete(InstallRecord).where(InstallRecord.submission_id == submission.id))
        session.execute(delete(UnitReport).where(UnitReport.submission_id == submission.id))
    if status == "accepted":
        if spec.fields.keys() >= campaign.PERSON_FIELDS and _text(values.get("bhxh_code")):
            record = added = install_record(submission, values)
            reasons = [
                InstallReason(submission_id=submission.id, reason=reason)
                for reason in sorted(set(record.reasons))
            ]
            if new:
                connection = session.connection()
                for new_row in (record, *reasons):
                    insert_row(connection, new_row)
            else:
                session.add(record)
                if reasons:
                    session.flush()  # the record's row first: its reasons refer to it
                    session.add_all(reasons)
            old_codes.add(record.bhxh_code)
        elif spec.fields.keys() >= campaign.UNIT_REPORT_FIELDS:
            report = unit_report(submission, values)
            if report is not None:
                session.add(report)
    # (The queries below flush what was added: the session autoflushes.)
    if code and unit_code and any(i.code == rules.TWO_UNITS for i in issues):
        rules.flag_other_units(session, submission.id, code, unit_code)
        old_codes.add(code)
        earlier = None  # records were removed: read them again
    for changed in sorted(old_codes):
        if changed == code and earlier is not None:
            refresh_person(session, changed, earlier, added)
        else:
            refresh_person(session, changed)


def install_record(submission: Submission, values: dict[str, Any]) -> InstallRecord:
    """A person record from accepted answers."""
    status = _text(values.get("status"))
    reasons = (_text(values.get("reasons")) or "").split()
    return InstallRecord(
        submission_id=submission.id,
        form_id=submission.form_id or "",
        bhxh_code=_text(values.get("bhxh_code")) or "",
        unit_code=_text(values.get("unit")),
        full_name=(_text(values.get("full_name")) or "")[:300],
        category=_text(values.get("category")),
        phone=_text(values.get("phone")),
        status=status,
        installed=status in campaign.INSTALLED_STATUSES,
        active=status in campaign.ACTIVE_STATUSES,
        install_date=_date(values.get("install_date")),
        reasons=reasons,
        effective_at=effective_at(submission),
    )


def unit_report(submission: Submission, values: dict[str, Any]) -> UnitReport | None:
    """A unit report from accepted answers (None without a unit or a date)."""
    unit_code, report_date = _text(values.get("unit")), _date(values.get("report_date"))
    if unit_code is None or report_date is None:
        return None
    counts = {
        f"{measure}_{category}": _int(values.get(f"{measure}_{category}"))
        for measure in ("headcount", "installed", "active")
        for category in campaign.CATEGORIES
    }
    return UnitReport(
        submission_id=submission.id,
        unit_code=unit_code,
        report_date=report_date,
        effective_at=effective_at(submission),
        **counts,
    )


def refresh_person(
    session: Session,
    bhxh_code: str,
    earlier: Sequence[InstallRecord] | None = None,
    added: InstallRecord | None = None,
) -> None:
    """Make ``person`` hold the latest current accepted record of ``bhxh_code`` (or nothing).

    A caller that has just read the code's ``earlier`` records and ``added`` one passes them:
    no query then, and no person row can exist without an earlier record (so a first record
    makes the row with a Core INSERT). The person is queued for the coverage tallies
    (:func:`ingest.consumers.tallies.touch`).
    """
    tallies.touch(session, [bhxh_code])
    if earlier is None:
        latest = session.scalar(
            select(InstallRecord)
            .where(InstallRecord.bhxh_code == bhxh_code)
            .order_by(InstallRecord.effective_at.desc(), InstallRecord.submission_id.desc())
            .limit(1)
        )
        person = session.get(Person, bhxh_code)
    else:
        records = [*earlier, added] if added is not None else list(earlier)
        latest = max(records, key=lambda r: (r.effective_at, r.submission_id), default=None)
        person = session.get(Person, bhxh_code) if earlier else None
    if latest is None:
        if person is not None:
            session.delete(person)
        return
    if person is None:
        person = Person(bhxh_code=bhxh_code)
        if earlier is not None and not earlier:
            _copy_latest(person, latest)
            insert_row(session.connection(), person)
            return
        session.add(person)
    _copy_latest(person, latest)


def _copy_latest(person: Person, latest: InstallRecord) -> None:
    person.submission_id = latest.submission_id
    person.unit_code = latest.unit_code
    person.full_name = latest.full_name
    person.category = latest.category
    person.status = latest.status
    person.installed = latest.installed
    person.active = latest.active
    person.effective_at = latest.effective_at


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
