"""The campaign's own rules, beyond what the form itself says.

Codes (stable):

- ``domain.unit_unknown``: the unit code is not in the units registry;
- ``domain.bhxh_code``: the BHXH code is not exactly 10 digits (kept as text: leading zeros);
- ``domain.bhxh_code_two_units``: the same BHXH code is recorded, accepted, in another unit;
  both records are flagged until a reviewer decides;
- ``domain.install_after_collection``: the install date is after the day it was recorded.

They apply to any form with the fields they name, so a next campaign's forms get them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ingest import campaign
from ingest.forms import formspec
from ingest.forms.validate import Issue
from ingest.models import InstallRecord, Review, Submission, SubmissionStatus
from ingest.registry import unit_codes


def _value(values: dict[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None or isinstance(value, list | dict):
        return None
    return str(value).strip() or None


def _valid_code(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) == campaign.BHXH_CODE_LENGTH


def unit_codes_named(spec: formspec.FormSpec, values: dict[str, Any]) -> set[str]:
    """The unit codes a submission names: its ``unit`` and answers from ``units.csv``."""
    names = {"unit"} | {f.path for f in spec.fields.values() if f.choices_file == "units.csv"}
    codes: set[str] = set()
    for name in names:
        value = _value(values, name)
        if value is not None:
            codes.update([value, *value.split()])  # select_multiple answers: "code code"
    return codes


def campaign_issues(
    session: Session,
    submission: Submission,
    values: dict[str, Any],
    found: list[Issue],
    registry: unit_codes.Registry,
    records: Sequence[InstallRecord] | None = None,
) -> list[Issue]:
    """The campaign rules' issues for one submission (skipping paths already flagged).

    ``records``: the install records of its BHXH code, when the caller has read them.
    """
    flagged = {i.path for i in found if i.blocking}
    issues: list[Issue] = []
    unit = _value(values, "unit")
    if unit is not None and unit not in registry.unit_codes and "unit" not in flagged:
        issues.append(
            Issue(
                "domain.unit_unknown",
                "unit",
                f"Mã đơn vị '{unit}' không có trong danh sách đơn vị.",
                f"The unit code '{unit}' is not in the units registry.",
            )
        )
    code = _value(values, "bhxh_code")
    if code is not None and "bhxh_code" not in flagged and not _valid_code(code):
        issues.append(
            Issue(
                "domain.bhxh_code",
                "bhxh_code",
                f"Mã số BHXH '{code}' phải gồm đúng 10 chữ số.",
                f"The BHXH code '{code}' must be exactly 10 digits.",
            )
        )
    installed = _value(values, "install_date")
    collected = (submission.collected_at or submission.received_at).astimezone(campaign.LOCAL_TZ)
    if installed is not None and installed[:10] > collected.date().isoformat():
        issues.append(
            Issue(
                "domain.install_after_collection",
                "install_date",
                f"Ngày cài đặt {installed[:10]} sau ngày ghi nhận {collected.date():%d/%m/%Y}.",
                f"The install date {installed[:10]} is after the day it was recorded "
                f"({collected.date().isoformat()}).",
            )
        )
    if code is not None and unit is not None:
        other = _other_unit_record(session, submission, code, unit, records)
        if other is not None:
            issues.append(two_units_issue(code, unit, other.unit_code or "?"))
    return issues


TWO_UNITS = "domain.bhxh_code_two_units"


def two_units_issue(code: str, unit: str, other_unit: str) -> Issue:
    return Issue(
        TWO_UNITS,
        "bhxh_code",
        f"Mã số BHXH {code} đã được ghi nhận ở đơn vị khác ({other_unit}); "
        f"cần xác định đơn vị đúng.",
        f"BHXH code {code} is also recorded in another unit ({other_unit}); "
        f"decide which unit is right.",
    )


def records_of(session: Session, code: str) -> list[InstallRecord]:
    """Every current install record of a BHXH code (a handful at most), read by a Core
    statement for intake's hot path: the objects are plain values, not in the session."""
    session.flush()  # what the ORM holds back counts (a Core read does not autoflush)
    rows = session.connection().execute(_RECORDS_OF, {"code": code})
    return [InstallRecord(**row._mapping) for row in rows]


_RECORDS_OF = select(InstallRecord.__table__).where(
    InstallRecord.__table__.c.bhxh_code == bindparam("code")
)


def _other_unit_record(
    session: Session,
    submission: Submission,
    code: str,
    unit: str,
    records: Sequence[InstallRecord] | None = None,
) -> InstallRecord | None:
    if records is None:
        records = records_of(session, code)
    others = [
        r
        for r in records
        if r.unit_code is not None and r.unit_code != unit and r.submission_id != submission.id
    ]
    return min(others, key=lambda r: r.submission_id, default=None)


def flag_other_units(session: Session, submission_id: int, code: str, unit: str) -> None:
    """Flag the accepted records of ``code`` in units other than ``unit`` (unless reviewed)."""
    from ingest.consumers.projection import issue_dict

    others = session.scalars(
        select(InstallRecord).where(
            InstallRecord.bhxh_code == code,
            InstallRecord.unit_code != unit,
            InstallRecord.submission_id != submission_id,
        )
    ).all()
    for other in others:
        reviewed = session.scalar(
            select(Review.id).where(Review.submission_id == other.submission_id).limit(1)
        )
        status = session.get(SubmissionStatus, other.submission_id)
        if reviewed is not None or status is None:
            continue
        issue = issue_dict(two_units_issue(code, other.unit_code or "?", unit))
        status.status = "flagged"
        if issue not in status.issues:
            status.issues = [*status.issues, issue]
        session.delete(other)
    session.flush()
