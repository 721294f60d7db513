"""Applying the log's consumers in tests, as a server does before it answers a read."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ingest.consumers import CONSUMERS, Consumer, Pipeline


def settle(session: Session, consumers: tuple[Consumer, ...] = CONSUMERS) -> int:
    """Commit ``session``, apply every pending log entry, and let ``session`` read afresh;
    the entries applied."""
    session.commit()
    sessions = sessionmaker(bind=session.get_bind(), expire_on_commit=False)
    applied = Pipeline(consumers).run_until_idle(sessions, wait=True)
    session.expire_all()
    return applied
