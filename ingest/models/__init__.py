"""The tables, by what they hold: the registry (units, accounts, forms), the log (what
arrived, what reviewers decided, rosters as imported), what consumers derive from it, and
access state (password attempts, Digest nonce counts, signed-in browsers) and self-report
links."""

from __future__ import annotations

from ingest.models.access import DigestNonceUse, PasswordAttempt, WebSession
from ingest.models.derived import (
    DONE,
    PEOPLE,
    REVIEW_STATES,
    SPAN_INDEX,
    SPAN_INDEX_NAME,
    ConsumerCursor,
    Person,
    PersonRecord,
    PersonSpan,
    ReasonTally,
    ReviewState,
    SubmissionStatus,
    Tally,
    UnitReport,
)
from ingest.models.log import (
    REVIEW_DECISIONS,
    SOURCES,
    Review,
    RosterEntry,
    RosterImport,
    Submission,
    SubmissionAttachment,
    Verdict,
)
from ingest.models.registry import (
    CATEGORIES,
    FORM_STATES,
    ROLES,
    UNIT_KINDS,
    Campaign,
    CampaignHeadcount,
    Form,
    FormAttachment,
    FormVersion,
    Unit,
    User,
)
from ingest.models.selfreport import SelfReportLink, SelfReportPost

__all__ = [
    "CATEGORIES",
    "DONE",
    "FORM_STATES",
    "PEOPLE",
    "REVIEW_DECISIONS",
    "REVIEW_STATES",
    "ROLES",
    "SOURCES",
    "SPAN_INDEX",
    "SPAN_INDEX_NAME",
    "UNIT_KINDS",
    "Campaign",
    "CampaignHeadcount",
    "ConsumerCursor",
    "DigestNonceUse",
    "Form",
    "FormAttachment",
    "FormVersion",
    "PasswordAttempt",
    "Person",
    "PersonRecord",
    "PersonSpan",
    "ReasonTally",
    "Review",
    "ReviewState",
    "RosterEntry",
    "RosterImport",
    "SelfReportLink",
    "SelfReportPost",
    "Submission",
    "SubmissionAttachment",
    "SubmissionStatus",
    "Tally",
    "Unit",
    "UnitReport",
    "User",
    "Verdict",
    "WebSession",
]
