"""A record's own checks, beyond what its form says: what intake tells the sender at once.

Codes (stable; texts in ``ingest.catalogue.CheckCode``):

- ``domain.unit_unknown``: the unit code is not in the units registry;
- ``domain.unit_not_allowed``: the record names a unit the sending account may not submit for
  (which units it may is the access policy's decision, given by the caller: ``webhook.policy``);
  the text names no unit, so the answer tells nothing about units the sender does not know;
- ``domain.outcome_date_after_collection``: the campaign's outcome date (VssID: the install
  date) is after the day it was recorded;
- ``consent.not_given`` (not blocking): a person record of a campaign that asks for consent
  (``[privacy] consent``) whose answer is not consent; the projection never counts it.

Formats (a BHXH code's 10 digits, a CCCD's 12) are the form's own constraints: the form is
the one truth for them. Rules across records (the same person in two units) are a consumer's:
``ingest.consumers.rules``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ingest.campaigns import LOCAL_TZ, Campaign
from ingest.catalogue import CheckCode
from ingest.forms import formspec
from ingest.forms.validate import Context, Issue
from ingest.registry import unit_codes
from ingest.registry.unit_codes import UnitCodes


def value(values: dict[str, Any], name: str) -> str | None:
    """An answer as text, stripped (None when empty or not a single value)."""
    answer = values.get(name)
    if answer is None or isinstance(answer, list | dict):
        return None
    return str(answer).strip() or None


def unit_paths(spec: formspec.FormSpec) -> set[str]:
    """The fields whose answers are unit codes: ``unit`` and any answered from ``units.csv``."""
    return {"unit"} | {f.path for f in spec.fields.values() if f.choices_file == "units.csv"}


def unit_codes_named(spec: formspec.FormSpec, values: dict[str, Any]) -> set[str]:
    """The unit codes a submission names: its ``unit`` and answers from ``units.csv``."""
    codes: set[str] = set()
    for name in unit_paths(spec):
        answer = value(values, name)
        if answer is not None:
            codes.update([answer, *answer.split()])  # select_multiple answers: "code code"
    return codes


def context(moment: datetime, units: UnitCodes) -> Context:
    """What validating a record collected at ``moment`` needs to know of the world."""
    return Context(
        today=moment.astimezone(LOCAL_TZ).date(),
        now=moment,
        external_choices={"units.csv": units.codes},
    )


def _issue(check: CheckCode, path: str, **params: object) -> Issue:
    text = check.message(**params)
    return Issue(check.code, path, text.vi, text.en, check.blocking)


def record_issues(
    values: dict[str, Any],
    collected: datetime,
    found: list[Issue],
    units: UnitCodes,
    spec: formspec.FormSpec,
    campaign: Campaign | None,
    allowed_units: Collection[str] | None = None,
) -> list[Issue]:
    """The record's own checks' issues (skipping paths the form's rules already flagged);
    ``allowed_units``: the units the sender may submit for (None: any)."""
    flagged = {i.path for i in found if i.blocking}
    issues: list[Issue] = []
    unit = value(values, "unit")
    if unit is not None and unit not in units.codes and "unit" not in flagged:
        issues.append(_issue(CheckCode.UNIT_UNKNOWN, "unit", unit=unit))
    outside = _outside(spec, values, allowed_units)
    if outside is not None:
        issues.append(_issue(CheckCode.UNIT_NOT_ALLOWED, outside))
    if campaign is not None and consent_of(campaign, spec, values) in (REFUSED, MISSING):
        issues.append(_issue(CheckCode.CONSENT_NOT_GIVEN, campaign.privacy.consent or ""))
    name = campaign.person.outcome_date if campaign and campaign.person else None
    answered = value(values, name) if name else None
    day = collected.astimezone(LOCAL_TZ).date()
    if name and answered is not None and name not in flagged and answered[:10] > day.isoformat():
        labels = spec.fields[name].labels if name in spec.fields else {}
        vi, en = _labels(labels, name)
        issues.append(
            _issue(CheckCode.OUTCOME_DATE_AFTER_COLLECTION, name, field=vi, field_en=en,
                   value=_day(answered[:10]), day=day)
        )  # fmt: skip
    return issues


#: A record's consent (``submission_status.consent``): the person agreed, said no, or the
#: answer is missing (Kobo or an import without the question). None: not asked (the
#: campaign asks none, or the form is not a person form).
GIVEN, REFUSED, MISSING = "given", "refused", "missing"


def consent_of(campaign: Campaign, spec: formspec.FormSpec, values: dict[str, Any]) -> str | None:
    """Whether a record carries its person's consent (:data:`GIVEN`, :data:`REFUSED`,
    :data:`MISSING`), or None when the campaign does not ask for it on this form."""
    person, question = campaign.person, campaign.privacy.consent
    if person is None or question is None:
        return None
    if not {person.identifier, person.outcome} <= spec.fields.keys():
        return None
    answer = value(values, question)
    if answer is None:
        return MISSING
    return GIVEN if answer == campaign.privacy.consent_given else REFUSED


def _day(iso: str) -> str:
    """An ISO date as people read it in both languages here: dd/mm/yyyy."""
    year, month, day = iso.split("-") if iso.count("-") == 2 else ("", "", "")
    return f"{day}/{month}/{year}" if year else iso


def _outside(
    spec: formspec.FormSpec, values: dict[str, Any], allowed: Collection[str] | None
) -> str | None:
    """The first field (``unit`` first) naming a unit outside ``allowed``, if any."""
    if allowed is None:
        return None
    for path in sorted(unit_paths(spec), key=lambda p: (p != "unit", p)):
        answer = value(values, path)
        if answer is not None and not set(answer.split()) <= set(allowed):
            return path
    return None


def _labels(labels: Any, fallback: str) -> tuple[str, str]:
    """A field's Vietnamese and English labels (by the form's language names)."""
    vi = en = ""
    for language, text in labels.items():
        if "(en)" in language or language.lower().startswith("english"):
            en = en or text
        else:
            vi = vi or text
    return vi or en or fallback, en or vi or fallback


def issue_dict(issue: Issue) -> dict[str, Any]:
    """An issue as stored (JSON; PostgreSQL's JSONB refuses NUL characters)."""
    return {
        k: v.replace("\x00", "") if isinstance(v, str) else v
        for k, v in asdict(issue).items()
        if v is not None
    }


def recheck_units(
    session: Session, spec: formspec.FormSpec, values: dict[str, Any],
    issues: list[dict[str, Any]],
) -> list[dict[str, Any]]:  # fmt: skip
    """``issues`` less those about unit codes that the registry holds now (a unit imported
    after the record came): the one part of a record's checks that can change later."""
    paths = unit_paths(spec)
    about_units = [
        i for i in issues
        if i.get("code") == "domain.unit_unknown"
        or (i.get("code") == "choice.unknown" and i.get("path") in paths)
    ]  # fmt: skip
    if not about_units:
        return issues
    named = {part for code in unit_codes_named(spec, values) for part in code.split()}
    known = unit_codes.knowing(session, unit_codes.load(session), named)
    if not named <= known.codes:
        return issues
    return [i for i in issues if i not in about_units]
