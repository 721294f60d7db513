"""Digest nonce counts already used: a Digest response is accepted once per nonce and count.

A client that keeps a nonce counts its requests (``nc`` 1, 2, 3 …), and ODK Collect may send
several at once, so they can arrive out of order: each (nonce, nc) is stored, not the highest
count. The primary key makes the check race-free across workers and machines: of two requests
with the same pair, one inserts and the other finds it there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ingest.db import purge, upsert
from ingest.models import DigestNonceUse


def use(session: Session, nonce: str, nc: str, expires_at: datetime, now: datetime) -> bool:
    """Record that (``nonce``, ``nc``) authenticated a request; False if it already had.

    A nonce's first count also deletes the pairs of nonces that have expired since: those
    nonces are refused as stale now, so their counts need no keeping.
    """
    if nc in {"", "00000001"}:
        purge(session, DigestNonceUse, DigestNonceUse.expires_at < now)
    statement = (
        upsert(session.get_bind().dialect)(DigestNonceUse)
        .values(nonce=nonce, nc=nc, expires_at=expires_at)
        .on_conflict_do_nothing()
        .returning(DigestNonceUse.nc)
    )
    return session.execute(statement).first() is not None
