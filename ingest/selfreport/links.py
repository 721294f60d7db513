"""Self-report links: one per campaign and unit at a time, each expiring and revocable.

A link's token is 32 random bytes (``secrets.token_urlsafe``): unguessable, so the address
alone is the permission to open the form. Making a new link for a unit does not end the
previous one (posters already printed keep working until revoked or expired).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.campaigns import LOCAL_TZ, Campaign
from ingest.errors import ErrorCode, NotFound
from ingest.models import SelfReportLink, Unit

#: What a token can look like (``token_urlsafe``'s alphabet): anything else is unknown without
#: asking the database (PostgreSQL refuses a NUL byte in a string outright).
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")

DEFAULT_DAYS = 90
#: The longest a link may live: a campaign's poster is reprinted at least once a year.
MAX_DAYS = 366
TOKEN_BYTES = 32


@dataclass(frozen=True, slots=True)
class OpenLink:
    """A link that may be used now, and what it opens."""

    id: int
    token: str
    campaign: str
    unit_code: str
    expires_at: datetime


def create(
    session: Session,
    campaign: Campaign,
    unit_code: str,
    created_by: str,
    now: datetime,
    days: int = DEFAULT_DAYS,
) -> SelfReportLink:
    """A new link for ``unit_code`` in ``campaign``, valid ``days`` days from ``now``."""
    if campaign.selfreport_form is None:
        raise NotFound(ErrorCode.SELFREPORT_NO_FORM, campaign=campaign.id)
    if session.get(Unit, unit_code) is None:
        raise NotFound(ErrorCode.UNIT_NOT_FOUND, code=unit_code)
    days = max(1, min(int(days), MAX_DAYS))
    link = SelfReportLink(
        token=secrets.token_urlsafe(TOKEN_BYTES),
        campaign=campaign.id,
        unit_code=unit_code,
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(link)
    session.flush()
    return link


def open_link(session: Session, token: str, now: datetime) -> OpenLink:
    """The link ``token`` names, if it may be used now; else NotFound saying why."""
    link = (
        session.scalar(select(SelfReportLink).where(SelfReportLink.token == token))
        if TOKEN_SHAPE.fullmatch(token)
        else None
    )
    if link is None:
        raise NotFound(ErrorCode.SELFREPORT_LINK_UNKNOWN)
    if link.revoked_at is not None:
        raise NotFound(ErrorCode.SELFREPORT_LINK_REVOKED)
    if link.expires_at <= now:
        day = link.expires_at.astimezone(LOCAL_TZ).date()
        raise NotFound(
            ErrorCode.SELFREPORT_LINK_EXPIRED, day=f"{day:%d/%m/%Y}", day_en=day.isoformat()
        )
    return OpenLink(link.id, link.token, link.campaign, link.unit_code, link.expires_at)


def listed(
    session: Session, campaign: str | None = None, units: frozenset[str] | None = None
) -> list[SelfReportLink]:
    """Links, newest first; of one campaign and of ``units`` when given (None: all)."""
    query = select(SelfReportLink).order_by(
        SelfReportLink.unit_code, SelfReportLink.created_at.desc(), SelfReportLink.id.desc()
    )
    if campaign is not None:
        query = query.where(SelfReportLink.campaign == campaign)
    if units is not None:
        query = query.where(SelfReportLink.unit_code.in_(sorted(units)))
    return list(session.scalars(query))


def revoke(session: Session, link_id: int, now: datetime) -> SelfReportLink:
    """End link ``link_id`` now (revoking it again changes nothing)."""
    link = session.get(SelfReportLink, link_id)
    if link is None:
        raise NotFound(ErrorCode.SELFREPORT_LINK_UNKNOWN)
    if link.revoked_at is None:
        link.revoked_at = now
    return link


def state(link: SelfReportLink, now: datetime) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= now else "active"
