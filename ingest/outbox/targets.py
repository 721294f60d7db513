"""Where units stand against their campaign's target now, from the coverage tallies: what
``unit.target_reached`` watches.

A unit's numbers now (docs/architecture.md §4, without an as-of date): with roster members
counted, its denominator is its roster and its numerator the members done; else its declared
headcount (the units registry's, or the campaign's own file) over everyone done recorded in
it. A unit known only from its own unit report (no roster, no declared headcount) has no
standing here: its figures are reports, not people, and are not watched for crossings. The
full report (``reports.coverage``) agrees with these numbers for every unit that has one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.campaigns import Campaign, declared_headcounts
from ingest.db import among
from ingest.models import DONE, PEOPLE, Tally, Unit


@dataclass(frozen=True, slots=True)
class Standing:
    """A unit's done and denominator now, and whether that reaches the target."""

    unit_code: str
    done: int
    denominator: int
    target_pct: float

    @property
    def done_pct(self) -> float:
        return round(100.0 * self.done / self.denominator, 1) if self.denominator else 0.0

    @property
    def reached(self) -> bool:
        return self.denominator > 0 and 100.0 * self.done >= self.target_pct * self.denominator


def standings(session: Session, campaign: Campaign, codes: Collection[str]) -> list[Standing]:
    """The standing of each of ``codes`` that has a roster or a declared headcount."""
    codes = sorted(set(codes))
    if not codes:
        return []
    roster: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    others: dict[str, int] = defaultdict(int)
    for unit_code, on_roster, measure, people in session.execute(
        select(Tally.unit_code, Tally.on_roster, Tally.measure, Tally.people).where(
            Tally.campaign == campaign.id, among(session, Tally.unit_code, codes),
            Tally.measure.in_((PEOPLE, DONE)),
        )
    ):  # fmt: skip
        if on_roster:
            roster[unit_code][measure] += people
        elif measure == DONE:
            others[unit_code] += people
    declared = _declared(session, campaign, codes)
    out = []
    for code in codes:
        members = roster.get(code, {})
        if members.get(PEOPLE, 0) > 0:
            out.append(Standing(code, members.get(DONE, 0), members[PEOPLE], campaign.target_pct))
        elif code in declared:
            out.append(Standing(code, others.get(code, 0), declared[code], campaign.target_pct))
    return out


def _declared(session: Session, campaign: Campaign, codes: list[str]) -> dict[str, int]:
    """Each unit's declared denominator in total (absent: none declared)."""
    keys = campaign.category_keys
    if campaign.denominators == "file":
        mine = declared_headcounts(session, campaign.id)
        return {
            c: sum(mine[c].get(k) or 0 for k in keys)
            for c in codes
            if c in mine and any(mine[c].get(k) is not None for k in keys)
        }
    columns = [getattr(Unit, f"headcount_{k}", None) for k in keys]
    present = [c for c in columns if c is not None]
    if not present:
        return {}
    out = {}
    for code, *values in session.execute(
        select(Unit.code, *present).where(among(session, Unit.code, codes))
    ):
        if any(v is not None for v in values):
            out[code] = sum(v or 0 for v in values)
    return out
