"""Derived tables: rebuilt from the log by its consumers, never edited by hand.

They hold no timestamps of their own making, so rebuilding twice gives identical rows. They
refer to log rows by id without foreign keys: the log is append-only, the consumers keep the
references, and a foreign-key check per derived row doubled the cost of a replay
(bench/RESULTS.md). The
consumers' cursors (``consumer_cursor``) say how far into each stream of the log each
consumer has applied.

No column is called ``status``, a word with four meanings here: a submission's review state
is ``review_state`` (:class:`ReviewState`), a person's app state ``app_state``
(``ingest.campaign.AppState``); coverage progress (``reports.model.Progress``) and a
receipt's outcome (``ingest.submissions.intake.Outcome``) are not stored.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ingest.db import Base, JSONType, UTCDateTime, one_of, utcnow


class ReviewState(StrEnum):
    """A submission's review state: intake's verdict, then reviewers and edits.

    ``superseded`` when an edit replaced it; else the latest reviewer decision (``accepted`` or
    ``rejected``); else ``flagged`` when intake or a cross-record rule found a blocking
    problem, ``accepted`` otherwise.
    """

    ACCEPTED = "accepted"
    FLAGGED = "flagged"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


REVIEW_STATES = tuple(ReviewState)


class SubmissionStatus(Base):
    """Each usable submission's review state (a :class:`ReviewState`) and its issues."""

    __tablename__ = "submission_status"
    __table_args__ = (
        CheckConstraint(one_of("review_state", REVIEW_STATES), name="review_state"),
        Index(None, "review_state", "submission_id"),
    )

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: A :class:`ReviewState` value.
    review_state: Mapped[str] = mapped_column(String(16))
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

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    form_id: Mapped[str] = mapped_column(String(150))
    bhxh_code: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32))
    #: The form's answer to ``status`` (an ``ingest.campaign.AppState`` in VssID's forms).
    app_state: Mapped[str | None] = mapped_column(String(32))
    installed: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=False)
    install_date: Mapped[date | None]
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: When the record was collected (form ``end``), else when it arrived: orders records.
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InstallReason(Base):
    """One reason a person gave for not installing (or not using) the app, per record."""

    __tablename__ = "install_reason"

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    reason: Mapped[str] = mapped_column(String(64), primary_key=True)


class Person(Base):
    """A person's effective record now: the latest current accepted record for the code."""

    __tablename__ = "person"

    bhxh_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    submission_id: Mapped[int] = mapped_column(index=True)
    unit_code: Mapped[str | None] = mapped_column(String(64), index=True)
    full_name: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str | None] = mapped_column(String(32))
    #: The effective record's ``app_state``.
    app_state: Mapped[str | None] = mapped_column(String(32))
    installed: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=False)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UnitReport(Base):
    """A unit's own dated summary (``vssid_unit_report``), accepted and current."""

    __tablename__ = "unit_report"
    __table_args__ = (Index(None, "unit_code", "report_date"),)

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
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


class ConsumerCursor(Base):
    """How far one consumer has applied one stream of the log: the last position ``(tx, id)``
    it applied (``ingest.consumers.runner``)."""

    __tablename__ = "consumer_cursor"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    stream: Mapped[str] = mapped_column(String(32), primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger, default=0)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    applied: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
