"""``vssid demo``: made-up District 10 campaigns, loaded through intake like real data.

Not part of the pipeline: the demo only feeds it, as phones do. Modules, one responsibility
each:

- ``scenario``: what happens in each campaign (outcomes, reasons, unit sizes, dates, reports)
  and the demo accounts;
- ``people``: made-up staff (Vietnamese names, mobile numbers, BHXH codes, CCCD numbers);
- ``collect``: a form filled in as ODK Collect fills it, from the form's own spec;
- ``records``: one person's records (answers, visits, edits), from the form's choices;
- ``unit_reports``: units' own figures (snapshots, or dated outreach reports that add up);
- ``generate``: a campaign for a seed, as rosters and submissions (pure);
- ``loading``: the units, campaigns and accounts it needs, then a plan through intake.

The command itself (``webhook.onboarding_cli``) owns the transactions and what follows a load.
"""

from __future__ import annotations

from webhook.demo.generate import DemoPlan, World, plan, plans
from webhook.demo.loading import (
    ensure_accounts,
    ensure_published,
    ensure_units,
    load,
    unit_infos,
    world,
)
from webhook.demo.records import StaffMember, UnitInfo
from webhook.demo.scenario import ACCOUNTS, DISTRICT_10, RESIDENTS, SCENARIOS, VNEID, Scenario

__all__ = [
    "ACCOUNTS",
    "DISTRICT_10",
    "RESIDENTS",
    "SCENARIOS",
    "VNEID",
    "DemoPlan",
    "Scenario",
    "StaffMember",
    "UnitInfo",
    "World",
    "ensure_accounts",
    "ensure_published",
    "ensure_units",
    "load",
    "plan",
    "plans",
    "unit_infos",
    "world",
]
