"""``vssid demo``: a made-up District 10 campaign, loaded through intake like real data.

Not part of the pipeline: the demo only feeds it, as phones do. Modules, one responsibility
each:

- ``scenario``: what happens (outcomes, reasons, unit sizes, dates) and the demo accounts;
- ``people``: made-up staff (Vietnamese names, mobile numbers, BHXH codes);
- ``collect``: a form filled in as ODK Collect fills it, from the form's own spec;
- ``records``: one person's records (answers, visits, edits), from the form's choices;
- ``generate``: the campaign for a seed, as rosters and submissions (pure);
- ``loading``: the units, forms and accounts it needs, then the plan through intake.

The command itself (``webhook.onboarding_cli``) owns the transactions and what follows a load.
"""

from __future__ import annotations

from webhook.demo.generate import DemoPlan, plan
from webhook.demo.loading import (
    ensure_accounts,
    ensure_forms,
    ensure_units,
    form_specs,
    load,
    unit_infos,
)
from webhook.demo.records import StaffMember, UnitInfo
from webhook.demo.scenario import ACCOUNTS, DISTRICT_10, Scenario

__all__ = [
    "ACCOUNTS",
    "DISTRICT_10",
    "DemoPlan",
    "Scenario",
    "StaffMember",
    "UnitInfo",
    "ensure_accounts",
    "ensure_forms",
    "ensure_units",
    "form_specs",
    "load",
    "plan",
    "unit_infos",
]
