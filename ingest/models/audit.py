"""The audit trail of personal data: who saw whose data, when, from where (Law 91/2025).

One ``access_log`` row per view or export that showed person-level rows or personal values
(a unit's list of people, the review queue, a submission, an Excel file with names, the API's
submissions, the CLI's lists), and per look at the trail itself. It holds no personal value
beyond the person's identifier (``person_key``), and that only when the view was about one
person; a view of anonymous counts writes nothing. Rows are never changed, except that a
person's identifier is replaced when their data is erased (``ingest.privacy.audit``), and
they are deleted after the retention period.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ingest.db import Base, UTCDateTime, one_of, utcnow

#: What was viewed or exported (``ingest.privacy.audit`` documents each).
ACCESS_ACTIONS = (
    "unit_people",
    "submission",
    "review_queue",
    "export_names",
    "api_submissions",
    "api_submission",
    "api_unit_people",
    "cli_export",
    "cli_review",
    "audit_view",
    "audit_export",
    "person_request",
)


class AccessLog(Base):
    """One view or export of personal data: who (account and role), what (action, campaign,
    unit, submission, person), how many people's rows, whether masked, from where, when."""

    __tablename__ = "access_log"
    __table_args__ = (
        CheckConstraint(one_of("action", ACCESS_ACTIONS), name="action"),
        Index(None, "at"),
        Index(None, "account", "at"),
        Index(None, "person_key"),
        Index(None, "unit_code", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The account's username (``cli:<OS user>`` for the command line).
    account: Mapped[str] = mapped_column(String(150))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    campaign: Mapped[str | None] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    #: The submission viewed (no foreign key: the trail outlives what it is about).
    submission_id: Mapped[int | None]
    #: The person's identifier, when the view was about one person.
    person_key: Mapped[str | None] = mapped_column(String(64))
    #: How many people's rows were shown or exported (the trail's own rows, for its views).
    rows: Mapped[int] = mapped_column(default=0)
    #: Whether personal values were withheld or masked by policy (a manager's view).
    masked: Mapped[bool] = mapped_column(default=False)
    #: The client's address as the server saw it (``local`` for the command line).
    address: Mapped[str] = mapped_column(String(64))
    #: The request's path (no query string), or the command line's command.
    path: Mapped[str] = mapped_column(String(500))
