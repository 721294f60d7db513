"""The campaign selector: which campaign a page shows, and the way to another one.

Every page about one campaign (coverage, a unit, the review queue) offers the published
campaigns in a ``<select name="campaign">`` in the header, when there are several; choosing one
reloads the same page with the other filters kept. A category is not kept (each campaign
has its own), nor a page of the review queue. The menu's links keep the page's campaign too
(:func:`campaign_args`), so that a manager who chose VNeID stays in VNeID.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, request

from ingest.campaigns import Campaign, all_campaigns
from webhook.database import get_session
from webhook.settings import default_campaign

#: Query arguments a change of campaign drops: they mean something in one campaign only.
DROPPED = ("campaign", "category", "offset", "lang")


@dataclass(frozen=True, slots=True)
class Selector:
    """The campaigns offered, the one selected (None: every campaign, where ``everything``
    offers it), and the query arguments the choice keeps."""

    campaigns: tuple[Campaign, ...]
    current: str | None
    everything: bool
    keep: tuple[tuple[str, str], ...]


def campaigns() -> list[Campaign]:
    """Every published campaign (read once per request)."""
    if "campaigns" not in g:
        g.campaigns = all_campaigns(get_session())
    found: list[Campaign] = g.campaigns
    return found


def selector(current: str | None, everything: bool = False) -> Selector | None:
    """The selector for a page showing ``current`` (None: all of them, with ``everything``);
    None when there is only one campaign to choose from."""
    offered = tuple(campaigns())
    if len(offered) < 2:
        return None
    keep = tuple(
        (key, value)
        for key, values in request.args.lists()
        if key not in DROPPED
        for value in values
    )
    return Selector(offered, current, everything, keep)


def campaign_args() -> dict[str, str]:
    """``{"campaign": id}`` for links from this page to another, when the page is about a
    campaign other than the default one (links stay short for the default)."""
    campaign: Campaign | None = g.get("campaign")
    chosen = campaign.id if campaign is not None else request.args.get("campaign")
    return {"campaign": chosen} if chosen and chosen != default_campaign() else {}


def init_app(app: Flask) -> None:
    """Give templates the menu's campaign arguments."""
    app.jinja_env.globals["campaign_args"] = campaign_args
