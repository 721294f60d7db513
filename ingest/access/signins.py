"""The dashboard's signed-in browsers: opened at sign-in, closed at sign-out.

The browser's cookie (signed by Flask) carries a random token; the server keeps only its
SHA-256, with the account and the time the password was typed. A sign-in is valid while its
row exists, is younger than the sign-in lifetime and was made with the account's current
password. Signing out deletes the row, so a copy of the cookie taken before opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ingest.db import purge
from ingest.models import User, WebSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_fingerprint(user: User) -> str:
    """Changes when the password does (the hash is salted anew each time)."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()


def open_signin(session: Session, user: User, lifetime: timedelta, now: datetime) -> str:
    """Sign ``user`` in; return the token for the cookie. Sign-ins older than ``lifetime``
    (anyone's) are deleted on the way."""
    purge(session, WebSession, WebSession.signed_in_at < now - lifetime)
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_digest(token),
            user_id=user.id,
            password_fingerprint=password_fingerprint(user),
            signed_in_at=now,
        )
    )
    session.flush()
    return token


def signed_in_user(session: Session, token: str, lifetime: timedelta, now: datetime) -> User | None:
    """The active account ``token`` signed in, while that sign-in is valid."""
    if not token.isascii():
        return None
    row = session.get(WebSession, _digest(token))
    if row is None or row.signed_in_at < now - lifetime:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if not secrets.compare_digest(row.password_fingerprint, password_fingerprint(user)):
        return None
    return user


def close_signin(session: Session, token: str) -> None:
    """Sign out the browser holding ``token``."""
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))
