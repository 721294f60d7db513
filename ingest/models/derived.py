"""Derived tables: rebuilt from the log by its consumers, never edited by hand.

They hold no timestamps of their own making, so rebuilding twice gives identical rows. They
refer to log rows by id without foreign keys: the log is append-only, the consumers keep the
references, and a foreign-key check per derived row doubled the cost of a replay
(bench/RESULTS.md). The
consumers' cursors (``consumer_cursor``) say how far into each stream of the log each
consumer has applied.

No column is called ``status``, a word with four meanings here: a submission's review state
is ``review_state`` (:class:`ReviewState`), a person's answer to the campaign's outcome
question ``outcome``; coverage progress (``reports.model.Progress``) and a
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
    #: The campaign of the submission's form (None: a form outside any campaign).
    campaign: Mapped[str | None] = mapped_column(String(32), index=True)
    #: Whether the record carries its person's consent: ``given``, ``refused``, ``missing``
    #: (None: the campaign asks none on this form). Only ``given`` records are projected.
    consent: Mapped[str | None] = mapped_column(String(16))
    #: The notice the record's form version showed (``ingest.campaigns.notice.of_form``).
    notice_sha256: Mapped[str | None] = mapped_column(String(64))
    #: How it came: ``collect`` (ODK/KoboCollect), ``web`` (a browser: /fill, Enketo),
    #: ``selfreport``, ``kobo``, ``import`` (a correction keeps its record's channel).
    channel: Mapped[str | None] = mapped_column(String(16))
    #: When the person answered the consent question: the record's collection time.
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonRecord(Base):
    """An accepted, current record of one person's outcome in a campaign.

    ``outcome`` is the answer to the campaign's outcome field (VssID: ``status``); ``done``
    whether it counts as the campaign's target, ``levels`` the further levels it reaches
    (space-separated keys, e.g. ``active``); ``outcome_date`` the campaign's date field
    (VssID: ``install_date``).
    """

    __tablename__ = "person_record"
    __table_args__ = (
        Index("ix_person_record_person", "campaign", "person_key", "effective_at"),
        Index("ix_person_record_unit", "campaign", "unit_code", "effective_at"),
        Index(None, "effective_at"),
    )

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    campaign: Mapped[str] = mapped_column(String(32))
    form_id: Mapped[str] = mapped_column(String(150))
    person_key: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(64))
    done: Mapped[bool] = mapped_column(default=False)
    levels: Mapped[str] = mapped_column(Text, default="")
    outcome_date: Mapped[date | None]
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: When the record was collected (form ``end``), else when it arrived: orders records.
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Person(Base):
    """A person's effective record now, in a campaign: the latest current accepted record."""

    __tablename__ = "person"

    campaign: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    submission_id: Mapped[int] = mapped_column(index=True)
    unit_code: Mapped[str | None] = mapped_column(String(64), index=True)
    full_name: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str | None] = mapped_column(String(32))
    #: The effective record's ``outcome``.
    outcome: Mapped[str | None] = mapped_column(String(64))
    done: Mapped[bool] = mapped_column(default=False)
    levels: Mapped[str] = mapped_column(Text, default="")
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UnitReport(Base):
    """A unit's own dated figures in a campaign, accepted and current.

    ``figures`` per category: ``{"headcount": n | None, "done": n, "levels": {key: n}}``.
    """

    __tablename__ = "unit_report"
    __table_args__ = (Index("ix_unit_report_unit", "campaign", "unit_code", "report_date"),)

    submission_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    campaign: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(String(64))
    report_date: Mapped[date]
    figures: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)


SPAN_INDEX_NAME = "ix_person_span_counted"
SPAN_INDEX = ("campaign", "unit_code", "category", "on_roster", "day_from", "day_to", "done",
              "levels", "reasons")  # fmt: skip


class PersonSpan(Base):
    """A stretch of days over which one person counts the same way in a campaign's coverage.

    Derived (by :mod:`ingest.consumers.tallies`) from the person's records and roster
    entries: from ``day_from`` until ``day_to`` (exclusive; open when NULL) the person
    belongs to ``unit_code`` in ``category`` (the roster's when ``on_roster``, else the
    effective record's; ``''`` when unknown) and their effective record, if any, is
    ``submission_id``. The person counts as of a date when a span is in force that day.
    """

    __tablename__ = "person_span"
    __table_args__ = (
        # Covering: a report as of a date groups the spans in force from this index alone.
        Index(SPAN_INDEX_NAME, *SPAN_INDEX),
        Index("ix_person_span_day_from", "campaign", "day_from"),
        Index("ix_person_span_day_to", "campaign", "day_to"),
    )

    campaign: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    day_from: Mapped[date] = mapped_column(primary_key=True)
    day_to: Mapped[date | None]
    unit_code: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    on_roster: Mapped[bool]
    done: Mapped[bool]
    #: The further levels reached, space-separated keys.
    levels: Mapped[str] = mapped_column(Text, default="")
    #: The effective record (a ``person_record``), or NULL for a roster member without one.
    submission_id: Mapped[int | None]
    #: The record's reasons when not done, space-separated (kept so a span can be undone
    #: after its record is gone).
    reasons: Mapped[str] = mapped_column(Text, default="")


#: The tally's measure of everyone counted; ``done`` and each level key are the others.
PEOPLE = "people"
DONE = "done"


class Tally(Base):
    """People counted now (over open spans) per campaign, unit, category, roster membership
    and measure: ``people``, ``done``, or a further level's key."""

    __tablename__ = "coverage_tally"

    campaign: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    on_roster: Mapped[bool] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(32), primary_key=True)
    people: Mapped[int] = mapped_column(default=0)


class DailyTally(Base):
    """How many people one day adds to (or, negative, takes from) what a campaign counts per
    unit, category, roster membership and measure: the spans that start that day less those
    that end. The counts as of a day are the sum of its rows up to that day, so the trend reads
    one range of this table (``reports.trend``) instead of the spans. Rows that sum to nothing
    are not kept."""

    __tablename__ = "daily_tally"
    __table_args__ = (
        # Who is on a roster from which day, per unit (the people measure, read apart).
        Index("ix_daily_tally_measure", "campaign", "measure", "on_roster", "unit_code", "day"),
        # One unit's rows (the trend reads the few units that change how they count).
        Index("ix_daily_tally_unit", "campaign", "unit_code", "day"),
    )

    # In the trend's grouping order (day, roster membership, category, measure), so that its
    # sum over many units streams through the key without sorting.
    campaign: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    on_roster: Mapped[bool] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    measure: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    people: Mapped[int] = mapped_column(default=0)


class ReasonTally(Base):
    """People counted now who are not done, per campaign, unit, roster membership and reason."""

    __tablename__ = "reason_tally"

    campaign: Mapped[str] = mapped_column(String(32), primary_key=True)
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
