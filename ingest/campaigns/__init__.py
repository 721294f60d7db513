"""Campaigns: what makes one drive different from the next, defined by files, not code.

``definition`` (the :class:`Campaign`, as stored), ``reading`` (its TOML file checked against
its forms), ``publish`` (definition files beside their XLSForms, checked and stored) and
``store`` (published campaigns read back).
"""

from __future__ import annotations

from datetime import timedelta, timezone

from ingest.campaigns.definition import Campaign, Category, Level, PersonFields, ReportHeader
from ingest.campaigns.store import (
    DEFAULT_CAMPAIGN,
    all_campaigns,
    cached,
    campaign_of_form,
    campaign_of_forms,
    declared_headcounts,
    forget,
    load,
)

#: Vietnam has one time zone and no daylight saving: dates of collection are local dates.
LOCAL_TZ = timezone(timedelta(hours=7), "ICT")

__all__ = [
    "DEFAULT_CAMPAIGN",
    "LOCAL_TZ",
    "Campaign",
    "Category",
    "Level",
    "PersonFields",
    "ReportHeader",
    "all_campaigns",
    "cached",
    "campaign_of_form",
    "campaign_of_forms",
    "declared_headcounts",
    "forget",
    "load",
]
