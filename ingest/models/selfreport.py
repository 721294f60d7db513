"""Self-report links: a unit's public address for its staff's own records, and the posts
made through them (counted for the rate limits).

The token is kept as it is, not hashed: the link is public by design (sent to a unit's Zalo
group, printed on a poster), and the Collectors page shows it and reprints its poster at any
time. What it opens is one form that writes flagged-unless-matched records for one unit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ingest.db import Base, UTCDateTime, utcnow


class SelfReportLink(Base):
    """A unit's public self-report link in a campaign, until it expires or is revoked."""

    __tablename__ = "selfreport_link"
    __table_args__ = (Index(None, "campaign", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 32 random bytes, URL-safe base64 (``secrets.token_urlsafe``).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    campaign: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code", ondelete="RESTRICT"))
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SelfReportPost(Base):
    """One submission posted through a link, from an address: what the rate limits count.
    Rows older than the longest window are purged as new ones come."""

    __tablename__ = "selfreport_post"
    __table_args__ = (
        Index(None, "link_id", "posted_at"),
        Index(None, "address", "posted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("selfreport_link.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(64))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
