"""The tables: units registry, accounts, and the form registry.

Submissions, records and rosters live in their own tables (added by the intake and
projection migrations); this module holds what every other part stands on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ingest.db import Base, JSONType, UTCDateTime, utcnow

UNIT_KINDS = ("ward", "department", "public_service", "party_mass_org")
CATEGORIES = ("cong_chuc", "vien_chuc", "nguoi_lao_dong")
ROLES = ("admin", "manager", "unit", "collector", "integration")
FORM_STATES = ("open", "closing", "closed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Unit(Base):
    """A unit of the campaign: a ward, department, public service unit or mass organisation."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),
        CheckConstraint(
            "headcount_cong_chuc >= 0 AND headcount_vien_chuc >= 0"
            " AND headcount_nguoi_lao_dong >= 0",
            name="headcount_not_negative",
        ),
    )

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(32), index=True)
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("unit.code", ondelete="RESTRICT"), index=True
    )
    headcount_cong_chuc: Mapped[int | None]
    headcount_vien_chuc: Mapped[int | None]
    headcount_nguoi_lao_dong: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class User(Base):
    """An account: a dashboard user, a collector's phone or an integration (KoboToolbox).

    ``password_hash`` is a salted scrypt hash (werkzeug) for Basic auth and sign-in.
    ``digest_ha1`` is MD5(username:realm:password), the only form in which an HTTP Digest
    server can keep a password; it is as sensitive as the password for that realm.
    ``token_hash`` is the SHA-256 of the secret in a collector's token URL.
    """

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint("role <> 'unit' OR unit_code IS NOT NULL", name="unit_role_has_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code", ondelete="RESTRICT"))
    password_hash: Mapped[str] = mapped_column(String(255))
    digest_realm: Mapped[str] = mapped_column(String(150))
    digest_ha1: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Form(Base):
    """A form known to the server, by its XForm id; its versions are immutable."""

    __tablename__ = "form"
    __table_args__ = (CheckConstraint(_in("state", FORM_STATES), name="state"),)

    form_id: Mapped[str] = mapped_column(String(150), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default="open")
    current_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="form", order_by="FormVersion.version"
    )


class FormVersion(Base):
    """One published version of a form: the XForm XML exactly as served, and its hashes."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(ForeignKey("form.form_id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    xml: Mapped[str] = mapped_column(Text)
    md5: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(300))
    source_sha256: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    form: Mapped[Form] = relationship(back_populates="versions")
    attachments: Mapped[list[FormAttachment]] = relationship(
        back_populates="form_version", order_by="FormAttachment.name"
    )


class FormAttachment(Base):
    """A media file a form version needs (``jr://file…``).

    ``generated`` attachments (``units.csv``) are built from the registry when requested,
    so adding a unit needs no new form version; static ones are kept as published.
    """

    __tablename__ = "form_attachment"
    __table_args__ = (
        UniqueConstraint("form_version_id", "name"),
        CheckConstraint("generated OR content IS NOT NULL", name="static_has_content"),
        Index(None, "form_version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    generated: Mapped[bool] = mapped_column(default=False)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    md5: Mapped[str | None] = mapped_column(String(32))

    form_version: Mapped[FormVersion] = relationship(back_populates="attachments")


SOURCES = ("openrosa", "kobo", "import")


class Submission(Base):
    """One arriving payload, kept as it came: the append-only event log.

    Every payload is stored, also those that cannot be used: ``error_code`` then says why
    (malformed XML, unknown form, conflicting resubmission…) and the row never counts. A usable
    submission has no error code; the database lets only one of those exist per instance ID,
    which is what makes two racing identical POSTs store one submission, not two.
    """

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint(_in("source", SOURCES), name="source"),
        Index(
            "uq_submission_instance_id_usable",
            "instance_id",
            unique=True,
            sqlite_where=text("error_code IS NULL"),
            postgresql_where=text("error_code IS NULL"),
        ),
        Index(
            "uq_submission_deprecated_id_usable",
            "deprecated_id",
            unique=True,
            sqlite_where=text("error_code IS NULL AND deprecated_id IS NOT NULL"),
            postgresql_where=text("error_code IS NULL AND deprecated_id IS NOT NULL"),
        ),
        Index(None, "form_id", "received_at"),
        Index(None, "root_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16))
    submitter: Mapped[str | None] = mapped_column(String(150))
    content_type: Mapped[str] = mapped_column(String(255), default="")
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    #: What a resubmission is compared on: the XML bytes, or a Kobo payload's answers.
    content_sha256: Mapped[str] = mapped_column(String(64))
    headers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    form_id: Mapped[str | None] = mapped_column(String(150))
    form_version: Mapped[str | None] = mapped_column(String(64))
    instance_id: Mapped[str | None] = mapped_column(String(255))
    deprecated_id: Mapped[str | None] = mapped_column(String(255))
    root_id: Mapped[str | None] = mapped_column(String(255))
    instance_name: Mapped[str | None] = mapped_column(String(500))
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    external_id: Mapped[str | None] = mapped_column(String(255))
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL")
    )
    attachments_expected: Mapped[int] = mapped_column(default=0)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_detail: Mapped[str | None] = mapped_column(Text)

    attachments: Mapped[list[SubmissionAttachment]] = relationship(
        back_populates="submission", order_by="SubmissionAttachment.name"
    )


class SubmissionAttachment(Base):
    """A file that came with a submission, stored content-addressed under the media folder."""

    __tablename__ = "submission_attachment"
    __table_args__ = (UniqueConstraint("submission_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="attachments")


REVIEW_DECISIONS = ("accept", "reject")
STATUSES = ("accepted", "flagged", "rejected", "superseded")


class Review(Base):
    """A reviewer's decision on a submission: an event, kept for ever, never rebuilt."""

    __tablename__ = "review"
    __table_args__ = (CheckConstraint(_in("decision", REVIEW_DECISIONS), name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(150))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Projections: rebuilt from the log by `vssid reprocess`, never edited by hand. They hold no
# timestamps of their own making, so rebuilding twice gives identical rows.


class SubmissionStatus(Base):
    """Each usable submission's outcome: validation issues, review and edits combined."""

    __tablename__ = "submission_status"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index(None, "status", "submission_id"),
    )

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16))
    issues: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    unit_code: Mapped[str | None] = mapped_column(String(64), index=True)


class InstallRecord(Base):
    """An accepted, current record of one person's VssID state (``vssid_install``)."""

    __tablename__ = "install_record"
    __table_args__ = (
        Index(None, "bhxh_code", "effective_at"),
        Index(None, "unit_code", "effective_at"),
        Index(None, "effective_at"),
    )

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    form_id: Mapped[str] = mapped_column(String(150))
    bhxh_code: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(32))
    installed: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=False)
    install_date: Mapped[date | None]
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: When the record was collected (form ``end``), else when it arrived: orders records.
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InstallReason(Base):
    """One reason a person gave for not installing (or not using) the app, per record."""

    __tablename__ = "install_reason"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("install_record.submission_id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(64), primary_key=True)


class Person(Base):
    """A person's effective record now: the latest current accepted record for the code."""

    __tablename__ = "person"

    bhxh_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    unit_code: Mapped[str | None] = mapped_column(String(64), index=True)
    full_name: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(32))
    installed: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=False)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UnitReport(Base):
    """A unit's own dated summary (``vssid_unit_report``), accepted and current."""

    __tablename__ = "unit_report"
    __table_args__ = (Index(None, "unit_code", "report_date"),)

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    unit_code: Mapped[str] = mapped_column(String(64))
    report_date: Mapped[date]
    headcount_cong_chuc: Mapped[int | None]
    headcount_vien_chuc: Mapped[int | None]
    headcount_nguoi_lao_dong: Mapped[int | None]
    installed_cong_chuc: Mapped[int | None]
    installed_vien_chuc: Mapped[int | None]
    installed_nguoi_lao_dong: Mapped[int | None]
    active_cong_chuc: Mapped[int | None]
    active_vien_chuc: Mapped[int | None]
    active_nguoi_lao_dong: Mapped[int | None]
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RosterImport(Base):
    """One roster file as imported: which file, as of which date, by whom."""

    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(300))
    as_of: Mapped[date]
    imported_by: Mapped[str | None] = mapped_column(String(150))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RosterEntry(Base):
    """A person on a unit's roster from ``valid_from`` until ``valid_to`` (exclusive).

    Importing a unit's roster as of a date closes its open entries on that date and opens
    the new ones, so the roster in force on any date can be asked for: history is kept.
    """

    __tablename__ = "roster_entry"
    __table_args__ = (
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_period"),
        Index(None, "unit_code", "valid_from"),
        Index(None, "bhxh_code", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id", ondelete="CASCADE"))
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code", ondelete="RESTRICT"))
    bhxh_code: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(300))
    birth_date: Mapped[date | None]
    category: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]


SPAN_INDEX_NAME = "ix_person_span_unit_code"
SPAN_INDEX = ("unit_code", "category", "on_roster", "day_from", "day_to", "installed", "active",
              "reasons")  # fmt: skip


class PersonSpan(Base):
    """A stretch of days over which one person counts the same way in coverage.

    Derived (by :mod:`ingest.consumers.tallies`) from the person's install records and roster
    entries: from
    ``day_from`` until ``day_to`` (exclusive; open when NULL) the person belongs to
    ``unit_code`` in ``category`` (the roster's when ``on_roster``, else the effective record's;
    ``''`` when unknown) and their effective record, if any, is ``submission_id``. The person
    counts as of a date when a span is in force that day.
    """

    __tablename__ = "person_span"
    __table_args__ = (
        # Covering: a report as of a date groups the spans in force from this index alone.
        Index(None, *SPAN_INDEX),
        Index(None, "day_from"),
        Index(None, "day_to"),
    )

    bhxh_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    day_from: Mapped[date] = mapped_column(primary_key=True)
    day_to: Mapped[date | None]
    unit_code: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    on_roster: Mapped[bool]
    installed: Mapped[bool]
    active: Mapped[bool]
    #: The effective record (an ``install_record``), or NULL for a roster member without one.
    submission_id: Mapped[int | None]
    #: The record's reasons when not installed, space-separated (kept so a span can be undone
    #: after its record is gone).
    reasons: Mapped[str] = mapped_column(Text, default="")


class Tally(Base):
    """People counted now (over open spans) per unit, category and roster membership."""

    __tablename__ = "coverage_tally"

    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    on_roster: Mapped[bool] = mapped_column(primary_key=True)
    people: Mapped[int] = mapped_column(default=0)
    installed: Mapped[int] = mapped_column(default=0)
    active: Mapped[int] = mapped_column(default=0)


class ReasonTally(Base):
    """People counted now who have not installed, per unit, roster membership and reason."""

    __tablename__ = "reason_tally"

    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    on_roster: Mapped[bool] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(64), primary_key=True)
    people: Mapped[int] = mapped_column(default=0)


class TallyQueue(Base):
    """A person whose records or roster entries changed since the tallies were brought up to
    date (appended by writers; consumed by :func:`ingest.consumers.tallies.refresh`)."""

    __tablename__ = "tally_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    bhxh_code: Mapped[str] = mapped_column(String(32))


class TallyState(Base):
    """One row once the spans and tallies have been built from scratch; none means rebuild."""

    __tablename__ = "tally_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
