"""Whether a self-report is about someone on the unit's roster: its identifier AND birth date
match one roster entry of the campaign in the link's unit (DESIGN.md §9).

Intake runs it on every record of the campaign's self-report form, whether it came through a
link (source ``selfreport``) or from a collector (ODK Collect, ``/fill``: no link's unit, so
only a reviewer can make it count). A record that does not match is kept and flagged
``identity.not_matched`` for a reviewer; the
sender hears the same answer either way (``webhook.selfreport``), so a link never tells who
is on a roster. Entries are those in force on the day the record was made, or later (a
unit's first roster stands for earlier dates too, as in coverage).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.campaigns import LOCAL_TZ, Campaign
from ingest.catalogue import CheckCode
from ingest.models import RosterEntry
from ingest.registry.roster import parse_date
from ingest.submissions.checks import value


def matches(session: Session, campaign: str, unit: str, key: str, born: date, day: date) -> bool:
    """Whether ``key`` born on ``born`` is on ``unit``'s roster in ``campaign`` on ``day``
    or after it."""
    found = session.scalar(
        select(RosterEntry.id)
        .where(
            RosterEntry.campaign == campaign,
            RosterEntry.unit_code == unit,
            RosterEntry.person_key == key,
            RosterEntry.birth_date == born,
            RosterEntry.valid_to.is_(None) | (RosterEntry.valid_to > day),
        )
        .limit(1)
    )
    return found is not None


def issues(
    session: Session, campaign: Campaign, values: dict[str, Any], collected: datetime
) -> list[dict[str, Any]]:
    """``identity.not_matched`` as stored, when the record is about a person and does not
    match the roster; nothing for a record without a person (consent declined)."""
    person = campaign.person
    if person is None or person.birth_date is None:
        return []
    key = value(values, person.identifier)
    if key is None:
        return []
    unit = value(values, person.unit)
    answered = value(values, person.birth_date)
    born = parse_date(answered[:10]) if answered else None
    day = collected.astimezone(LOCAL_TZ).date()
    if (
        unit is not None
        and born is not None
        and matches(session, campaign.id, unit, key, born, day)
    ):
        return []
    label = campaign.identifier_label
    return [
        CheckCode.IDENTITY_NOT_MATCHED.stored(
            person.identifier,
            identifier=label.get("vi") or person.identifier,
            identifier_en=label.get("en") or label.get("vi") or person.identifier,
        )
    ]
