"""Personal data under Law 91/2025/QH15: a person's requests, and erasures in the log.

A :class:`PrivacyRequest` is what a person (or the retention rule) asked and who handled it:
see their data, correct it, erase it, withdraw their consent. An :class:`Erasure` is an
entry of the log like a review: it rewrote the log's rows about one person (or, for a
retention purge, every person of a campaign) so that they hold no personal value, and it
names those rows by id, never the person. Neither holds a personal value beyond the
identifier a request names, and an erasure replaces that too (``ingest.privacy.erasure``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ingest.db import Base, JSONType, UTCDateTime, one_of, utcnow

#: What a person may ask (``purge``: the retention rule, for every person of a campaign).
REQUEST_KINDS = ("see", "correct", "erase", "withdraw", "purge")
#: Why an erasure ran: the person asked, withdrew consent, or the retention period ended.
ERASURE_KINDS = ("erase", "withdraw", "retention")


class PrivacyRequest(Base):
    """A request about one person's data (or a campaign's, for a purge), as handled."""

    __tablename__ = "privacy_request"
    __table_args__ = (
        CheckConstraint(one_of("kind", REQUEST_KINDS), name="kind"),
        Index(None, "person_ref"),
        Index(None, "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    #: The campaign asked about (None: every campaign).
    campaign: Mapped[str | None] = mapped_column(String(32))
    #: The identifier the person gave; after their erasure, its pseudonym.
    person_ref: Mapped[str | None] = mapped_column(String(64))
    handled_by: Mapped[str] = mapped_column(String(150))
    reason: Mapped[str] = mapped_column(Text)
    #: What was done, in numbers (records, roster entries, files…).
    outcome: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    erasure_id: Mapped[int | None]


class Erasure(Base):
    """An erasure: an event of the log, after which the rows it names hold no personal value.

    The erased person's identifier became ``pseudonym`` (``retention``: one per person,
    numbered after it) everywhere, so what they counted still counts, anonymously; replaying
    the log gives the same tables because the log itself was rewritten.
    """

    __tablename__ = "erasure"
    __table_args__ = (
        CheckConstraint(one_of("kind", ERASURE_KINDS), name="kind"),
        Index(None, "tx", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    campaign: Mapped[str | None] = mapped_column(String(32))
    pseudonym: Mapped[str] = mapped_column(String(64))
    erased_by: Mapped[str] = mapped_column(String(150))
    reason: Mapped[str] = mapped_column(Text)
    #: The submissions rewritten, by id.
    submission_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    #: How many roster entries, attachments and media files it cleared, and persons it covered.
    counts: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
