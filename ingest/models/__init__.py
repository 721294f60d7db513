"""The tables, by what they hold: the registry (units, accounts, forms), the log (what
arrived, what reviewers decided, rosters as imported) and what consumers derive from it."""

from __future__ import annotations

from ingest.models.derived import (
    REVIEW_STATES,
    SPAN_INDEX,
    SPAN_INDEX_NAME,
    ConsumerCursor,
    InstallReason,
    InstallRecord,
    Person,
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
    Form,
    FormAttachment,
    FormVersion,
    Unit,
    User,
)

__all__ = [
    "CATEGORIES",
    "FORM_STATES",
    "REVIEW_DECISIONS",
    "REVIEW_STATES",
    "ROLES",
    "SOURCES",
    "SPAN_INDEX",
    "SPAN_INDEX_NAME",
    "UNIT_KINDS",
    "ConsumerCursor",
    "Form",
    "FormAttachment",
    "FormVersion",
    "InstallReason",
    "InstallRecord",
    "Person",
    "PersonSpan",
    "ReasonTally",
    "Review",
    "ReviewState",
    "RosterEntry",
    "RosterImport",
    "Submission",
    "SubmissionAttachment",
    "SubmissionStatus",
    "Tally",
    "Unit",
    "UnitReport",
    "User",
    "Verdict",
]
