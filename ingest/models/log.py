"""The log: what arrived (submissions and their files), what reviewers decided, and rosters as
imported. Appended, never rewritten; every derived table follows from these three streams.

Each stream row has a log position ``(tx, id)``: ``tx`` is the writing transaction's id on
PostgreSQL (0 on SQLite, whose one writer at a time commits ids in order). A consumer reads
rows after its cursor whose transaction is older than every transaction still running, so a
row that commits late with a low id is never skipped (``ingest.consumers.runner``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
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

from ingest.db import Base, JSONType, UTCDateTime, one_of, utcnow

SOURCES = ("openrosa", "kobo", "import", "selfreport", "correction")


class Verdict(StrEnum):
    """What intake concluded of a usable submission: ``flagged`` when its form's rules or its
    own checks found a blocking problem (a person must review it), else ``accepted``."""

    ACCEPTED = "accepted"
    FLAGGED = "flagged"


class Submission(Base):
    """One arriving payload, kept as it came, with what intake concluded: the log's main stream.

    Every payload is stored, also those that cannot be used: ``error_code`` then says why
    (malformed XML, unknown form, conflicting resubmission…) and the row never counts. A usable
    submission has no error code; the database lets only one of those exist per instance ID,
    which is what makes two racing identical POSTs store one submission, not two. A usable
    submission carries intake's ``verdict`` on it (the form's own rules and the record's own
    checks: ``issues``), the person it is about (``person_key``) and, for an edit, the
    submission it replaces (``supersedes_id``); everything else is derived by consumers.
    """

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint(one_of("source", SOURCES), name="source"),
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
        Index(
            "uq_submission_supersedes_id_usable",
            "supersedes_id",
            unique=True,
            sqlite_where=text("error_code IS NULL AND supersedes_id IS NOT NULL"),
            postgresql_where=text("error_code IS NULL AND supersedes_id IS NOT NULL"),
        ),
        CheckConstraint("verdict IS NULL OR " + one_of("verdict", tuple(Verdict)), name="verdict"),
        Index(None, "form_id", "received_at"),
        Index(None, "root_id"),
        Index(None, "tx", "id"),
        Index(None, "person_key"),
        Index(None, "submitter", "received_at"),  # per-account quotas (submissions.quota)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
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
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="RESTRICT")
    )
    #: The campaign's identifier of the person the record is about (VssID: ``bhxh_code``).
    person_key: Mapped[str | None] = mapped_column(String(64))
    verdict: Mapped[str | None] = mapped_column(String(16))
    issues: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
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


class Review(Base):
    """A reviewer's decision on a submission: an event, kept for ever, never rebuilt."""

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint(one_of("decision", REVIEW_DECISIONS), name="decision"),
        Index(None, "tx", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(150))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RosterImport(Base):
    """One roster file as imported: which file, as of which date, by whom, and whose entries
    it changed (``person_keys``: what the consumers recompute)."""

    __tablename__ = "roster_import"
    __table_args__ = (Index(None, "tx", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    campaign: Mapped[str] = mapped_column(String(32))
    person_keys: Mapped[list[str]] = mapped_column(JSONType, default=list)
    source_name: Mapped[str] = mapped_column(String(300))
    as_of: Mapped[date]
    imported_by: Mapped[str | None] = mapped_column(String(150))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RosterEntry(Base):
    """A person on a unit's roster in a campaign from ``valid_from`` until ``valid_to``
    (exclusive), identified by the campaign's identifier (``person_key``).

    Importing a unit's roster as of a date closes its open entries on that date and opens
    the new ones, so the roster in force on any date can be asked for: history is kept.
    """

    __tablename__ = "roster_entry"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_period"),
        Index("ix_roster_entry_unit", "campaign", "unit_code", "valid_from"),
        Index("ix_roster_entry_person", "campaign", "person_key", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id", ondelete="CASCADE"))
    campaign: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code", ondelete="RESTRICT"))
    person_key: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(300))
    birth_date: Mapped[date | None]
    category: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
