"""The audit trail of personal-data views (``access_log``): write a row, search, prune, and
rewrite a person's identifier when their data is erased.

Who calls :func:`record`: every view or export that shows person-level rows or personal
values (``webhook.audit`` for the web and the command line), in the caller's transaction,
which commits it before the data leaves. A row names the account, its role, the action
(:data:`ingest.models.ACCESS_ACTIONS`), the campaign, unit, submission and person (its
identifier only) the view was about, how many people's rows it showed, whether personal
values were masked, the client's address and the path; never a name, a phone number or any
other answer.

The actions:

==================  ==============================================================
``unit_people``     a unit's page listing who is not done (and who is done but not
                    on the roster)
``submission``      one submission on the review desk (``/review/submission/<id>``)
``review_queue``    a page of the review queue (``/review``)
``export_names``    a download with names (the Excel file's list of people)
``api_submissions`` ``GET /api/v1/submissions``
``api_submission``  one submission through the API (read, or answered after a
                    decision)
``api_unit_people`` ``GET /api/v1/units/<code>`` with its lists of people
``cli_export``      a command that writes a file of people
``cli_review``      ``vssid review list``
``audit_view``      the audit trail read (``/audit``, ``vssid audit list``)
``audit_export``    the audit trail downloaded (CSV, Excel)
``person_request``  a person's request about their data answered
==================  ==============================================================
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from ingest.campaigns import LOCAL_TZ
from ingest.db import among, utcnow
from ingest.models import ACCESS_ACTIONS, AccessLog

#: The actions that list the people of a unit (and of the units under it): a row of one of
#: them concerns everyone of that unit, and, without a unit, everyone.
#: Each action as people read it: (Vietnamese, English).
ACTION_NAMES: dict[str | None, tuple[str, str]] = {
    "unit_people": ("Danh sách người của đơn vị", "A unit's list of people"),
    "submission": ("Xem một phiếu", "One submission"),
    "review_queue": ("Danh sách phiếu cần duyệt", "The review queue"),
    "export_names": ("Tải tệp có họ tên", "Download with names"),
    "api_submissions": ("API: danh sách phiếu", "API: submissions"),
    "api_submission": ("API: một phiếu", "API: one submission"),
    "api_unit_people": ("API: danh sách người của đơn vị", "API: a unit's people"),
    "cli_export": ("Dòng lệnh: xuất danh sách", "Command line: export"),
    "cli_review": ("Dòng lệnh: phiếu cần duyệt", "Command line: review queue"),
    "audit_view": ("Xem nhật ký truy cập", "Audit trail viewed"),
    "audit_export": ("Tải nhật ký truy cập", "Audit trail downloaded"),
    "person_request": ("Yêu cầu của người có dữ liệu", "A person's request"),
}

NAME_LISTS = ("unit_people", "api_unit_people", "export_names", "cli_export")
#: Lengths of the text columns: longer values are cut, not refused (a row is always written).
_LENGTHS = {"account": 150, "role": 32, "address": 64, "path": 500, "campaign": 32,
            "unit_code": 64, "person_key": 64}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Filters:
    """What an administrator looks for: a time range (``since`` included, ``until`` not),
    an account, an action, a unit, a person's identifier; None: any."""

    since: datetime | None = None
    until: datetime | None = None
    account: str | None = None
    action: str | None = None
    unit_code: str | None = None
    person_key: str | None = None

    @classmethod
    def of_days(cls, first: date | None, last: date | None, **others: str | None) -> Filters:
        """Filters from local days (Vietnam's time), both included, as people ask for them."""
        since = _local_midnight(first) if first else None
        until = _local_midnight(last + timedelta(days=1)) if last else None
        return cls(since, until, **others)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ)


def record(
    session: Session,
    *,
    account: str,
    role: str,
    action: str,
    address: str,
    path: str,
    campaign: str | None = None,
    unit_code: str | None = None,
    submission_id: int | None = None,
    person_key: str | None = None,
    rows: int = 0,
    masked: bool = False,
) -> AccessLog:
    """Add one row of the trail to ``session`` and flush it (so that a failure shows here,
    before the data is shown). :class:`ValueError` for an unknown action."""
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AccessLog(
        at=utcnow(),
        account=_cut("account", account),
        role=_cut("role", role),
        action=action,
        campaign=_cut_optional("campaign", campaign),
        unit_code=_cut_optional("unit_code", unit_code),
        submission_id=submission_id,
        person_key=_cut_optional("person_key", person_key),
        rows=max(0, rows),
        masked=masked,
        address=_cut("address", address),
        path=_cut("path", path),
    )
    session.add(entry)
    session.flush()
    return entry


def _cut(column: str, value: str) -> str:
    return (value or "")[: _LENGTHS[column]]


def _cut_optional(column: str, value: str | None) -> str | None:
    return None if value is None else _cut(column, value)


def _where(filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.since is not None:
        conditions.append(AccessLog.at >= filters.since)
    if filters.until is not None:
        conditions.append(AccessLog.at < filters.until)
    for column, value in (
        (AccessLog.account, filters.account),
        (AccessLog.action, filters.action),
        (AccessLog.unit_code, filters.unit_code),
        (AccessLog.person_key, filters.person_key),
    ):
        if value:
            conditions.append(column == value)
    return conditions


def search(
    session: Session, filters: Filters = Filters(), limit: int = 100, offset: int = 0
) -> list[AccessLog]:
    """The rows that match ``filters``, newest first, ``limit`` from ``offset``."""
    query = (
        select(AccessLog)
        .where(*_where(filters))
        .order_by(AccessLog.at.desc(), AccessLog.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def count(session: Session, filters: Filters = Filters()) -> int:
    """How many rows match ``filters``."""
    query = select(func.count()).select_from(AccessLog).where(*_where(filters))
    return int(session.scalar(query) or 0)


def prune(session: Session, before: datetime) -> int:
    """Delete the rows written before ``before`` (the retention period's start); how many."""
    result = session.execute(delete(AccessLog).where(AccessLog.at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def older_than(session: Session, before: datetime) -> int:
    """How many rows :func:`prune` would delete."""
    return count(session, Filters(until=before))


def pseudonymize(session: Session, person_key: str, replacement: str) -> int:
    """Replace ``person_key`` by ``replacement`` in every row (a person's data erased: the
    trail keeps that their data was seen, no longer whose); how many rows."""
    result = session.execute(
        update(AccessLog).where(AccessLog.person_key == person_key).values(person_key=replacement)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def about(
    session: Session,
    person_key: str | None,
    submission_ids: Collection[int] = (),
    unit_codes: Collection[str] = (),
) -> Sequence[AccessLog]:
    """The rows that concern one person, newest first: about their identifier, about one of
    their submissions, or a list of people of a unit they belong to (pass their units and
    those above them: a unit's download lists the units under it) or of every unit."""
    lists = and_(
        AccessLog.action.in_(NAME_LISTS),
        or_(AccessLog.unit_code.is_(None), among(session, AccessLog.unit_code, unit_codes)),
    )
    concerns = or_(
        AccessLog.person_key == person_key if person_key else false(),
        among(session, AccessLog.submission_id, submission_ids),
        lists,
    )
    query = select(AccessLog).where(concerns).order_by(AccessLog.at.desc(), AccessLog.id.desc())
    return list(session.scalars(query))
