"""Access state: password attempts (the lock-out), the Digest nonce counts already used, and
the dashboard's signed-in browsers.

Each is kept in the database rather than in a server process, so that every gunicorn worker
and every machine on the same database sees the same lock-outs, refuses the same replayed
Digest header, and forgets a signed-out browser at once. Rows are short-lived: each table
is purged of what has expired as new rows come (``ingest.access``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ingest.db import Base, UTCDateTime


class PasswordAttempt(Base):
    """A password tried for an account from an address: being checked (``failed`` false),
    or found wrong (``failed``), counted in a sliding window.

    The row is written *before* the password is checked, so that attempts made in parallel
    are counted before any of them is checked; a right password deletes it (with the
    account's failures), a wrong one marks it ``failed``.
    """

    __tablename__ = "password_attempt"
    __table_args__ = (Index("ix_password_attempt_account", "username", "address", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The username as typed, case-folded: not a reference, unknown names are counted too.
    username: Mapped[str] = mapped_column(String(150))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    failed: Mapped[bool] = mapped_column(default=False)


class DigestNonceUse(Base):
    """A Digest (nonce, nonce count) that authenticated a request: it never will again.

    Kept until the nonce expires (``expires_at``); after that the nonce itself is refused as
    stale, so forgetting its counts reopens nothing.
    """

    __tablename__ = "digest_nonce_use"

    nonce: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: The client's ``nc`` (8 hex digits; empty for a client that sends no qop).
    nc: Mapped[str] = mapped_column(String(16), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WebSession(Base):
    """A browser signed in to the dashboard; signing out deletes it.

    The browser's cookie carries a random token; only its SHA-256 is kept here, so the table
    gives no one a way in. ``password_fingerprint`` ties the sign-in to the password it was
    made with: changing the password signs out every browser.
    """

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    password_fingerprint: Mapped[str] = mapped_column(String(64))
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
