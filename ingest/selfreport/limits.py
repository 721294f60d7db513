"""Rate limits of the public self-report endpoint: posts per link and per address per hour.

Counted in the database (``selfreport_post``), so they hold across workers and machines,
like the lock-out (``ingest.access.attempts``) and the account quotas
(``ingest.submissions.quota``). A post is admitted, and a row written for it, only if both
its link and its address stay under their limits; a refused post writes no row, so waiting
is enough to be let in again. Two posts at the same moment may both pass: a limit can be
overshot by the requests in flight, never more.

Behind a reverse proxy the address is the proxy's unless the app trusts ``X-Forwarded-For``;
staff of one unit behind one office NAT share an address, so its limit is set well above a
unit's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.orm import Session

from ingest.db import purge
from ingest.errors import ErrorCode, OverQuota
from ingest.models import SelfReportPost

HOUR = timedelta(hours=1)
ADDRESS_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Limits:
    """Posts per hour through one link and from one address (0: no limit)."""

    per_link: int = 0
    per_address: int = 0


def _refusal(
    session: Session, where: ColumnElement[bool], limit: int, now: datetime, code: ErrorCode
) -> OverQuota | None:
    if limit <= 0:
        return None
    # The hour's limit-th latest post, if there is one: then the limit is reached until it
    # leaves the hour (at most ``limit`` index entries are read).
    nth = session.scalar(
        select(SelfReportPost.posted_at)
        .where(where, SelfReportPost.posted_at > now - HOUR)
        .order_by(SelfReportPost.posted_at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    if nth is None:
        return None
    wait = max(1, math.ceil((nth + HOUR - now).total_seconds()))
    return OverQuota(code, wait, minutes=math.ceil(wait / 60))


def admit(
    session: Session, link_id: int, address: str | None, limits: Limits, now: datetime
) -> OverQuota | None:
    """Count one post through ``link_id`` from ``address`` now, or say why not."""
    where_from = (address or "?")[:ADDRESS_LENGTH]
    purge(session, SelfReportPost, SelfReportPost.posted_at <= now - HOUR)
    refusal = _refusal(
        session, SelfReportPost.link_id == link_id, limits.per_link, now,
        ErrorCode.SELFREPORT_RATE_LINK,
    ) or _refusal(
        session, SelfReportPost.address == where_from, limits.per_address, now,
        ErrorCode.SELFREPORT_RATE_ADDRESS,
    )  # fmt: skip
    if refusal is None:
        session.execute(
            insert(SelfReportPost).values(link_id=link_id, address=where_from, posted_at=now)
        )
    return refusal


def posts(session: Session, link_id: int, since: datetime) -> int:
    """Posts through ``link_id`` since ``since`` (still within the hour kept)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(SelfReportPost)
            .where(SelfReportPost.link_id == link_id, SelfReportPost.posted_at > since)
        )
        or 0
    )
