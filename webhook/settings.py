"""Which campaign a request or command is about: the one named, else the default
(``VSSID_DEFAULT_CAMPAIGN``)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.campaigns import Campaign


def default_campaign() -> str:
    """The campaign shown when none is named."""
    return str(current_app.config.get("DEFAULT_CAMPAIGN") or campaigns.DEFAULT_CAMPAIGN)


def campaign_named(session: Session, campaign_id: str | None) -> Campaign:
    """The campaign ``campaign_id``, or the default; NotFound (naming the campaigns there
    are) when there is no such campaign."""
    return campaigns.load(session, campaign_id or default_campaign())
