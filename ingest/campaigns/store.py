"""Published campaigns: reading them back from the database.

A campaign's resolved definition is stored with it (``campaign.definition``), so consumers and
reports read one small row, never the files. Which campaign a form belongs to is the form's
``campaign_id``.
"""

from __future__ import annotations

import time
import weakref

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ingest.campaigns.definition import Campaign, from_dict
from ingest.errors import ErrorCode, NotFound
from ingest.models import Campaign as CampaignRow
from ingest.models import CampaignHeadcount, Form

#: The campaign reports show when none is named (``VSSID_DEFAULT_CAMPAIGN``).
DEFAULT_CAMPAIGN = "vssid"


def all_campaigns(session: Session) -> list[Campaign]:
    """Every published campaign, by id."""
    rows = session.scalars(select(CampaignRow).order_by(CampaignRow.id))
    return [from_dict(row.definition) for row in rows]


def load(session: Session, campaign_id: str) -> Campaign:
    """The campaign ``campaign_id``; NotFound (naming the campaigns there are) if none."""
    row = session.get(CampaignRow, campaign_id) if campaign_id.isprintable() else None
    if row is None:
        known = ", ".join(session.scalars(select(CampaignRow.id).order_by(CampaignRow.id)))
        raise NotFound(ErrorCode.CAMPAIGN_NOT_FOUND, campaign=campaign_id, known=known or "—")
    return from_dict(row.definition)


#: How long a process trusts a campaign it read (intake's hot path reads it per submission).
CACHE_SECONDS = 5.0
_cache: weakref.WeakKeyDictionary[Engine, dict[str, tuple[float, Campaign]]] = (
    weakref.WeakKeyDictionary()
)


def cached(session: Session, campaign_id: str | None) -> Campaign | None:
    """The campaign ``campaign_id`` as read at most :data:`CACHE_SECONDS` ago in this
    process (None for None or an unknown id); publishing here forgets it at once."""
    if campaign_id is None:
        return None
    known = _cache.setdefault(session.get_bind().engine, {})
    hit = known.get(campaign_id)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    row = session.get(CampaignRow, campaign_id)
    if row is None:
        return None
    campaign = from_dict(row.definition)
    known[campaign_id] = (now, campaign)
    return campaign


def forget() -> None:
    """Drop every cached campaign (after publishing)."""
    _cache.clear()


def campaign_of_forms(session: Session) -> dict[str, str]:
    """Each form's campaign id, for the forms that belong to one."""
    return {
        form_id: campaign_id
        for form_id, campaign_id in session.execute(
            select(Form.form_id, Form.campaign_id).where(Form.campaign_id.is_not(None))
        )
        if campaign_id is not None
    }


def campaign_of_form(session: Session, form_id: str | None) -> str | None:
    """The campaign id of one form (None: no such form, or outside any campaign)."""
    if form_id is None:
        return None
    return session.scalar(select(Form.campaign_id).where(Form.form_id == form_id))


def declared_headcounts(session: Session, campaign_id: str) -> dict[str, dict[str, int]]:
    """A campaign's own declared denominators: unit -> category -> headcount."""
    out: dict[str, dict[str, int]] = {}
    for unit_code, category, headcount in session.execute(
        select(CampaignHeadcount.unit_code, CampaignHeadcount.category,
               CampaignHeadcount.headcount).where(CampaignHeadcount.campaign == campaign_id)
    ):  # fmt: skip
        out.setdefault(unit_code, {})[category] = headcount
    return out
