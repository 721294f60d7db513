"""One database session per request, opened on first use and closed at the end."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ingest.db import begin_write, make_engine, make_sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Database:
    """The engine and session factory of one app."""

    engine: Engine
    sessionmaker: sessionmaker[Any]


def init_app(app: Flask) -> None:
    """Create the engine for ``app`` and close each request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["vssid.db"] = Database(engine, make_sessionmaker(engine))
    app.teardown_appcontext(_close_session)


def database() -> Database:
    """The current app's database."""
    db: Database = current_app.extensions["vssid.db"]
    return db


def get_session() -> Session:
    """The request's session (one per request; the view commits what it means to keep)."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    session: Session = g.db_session
    return session


def commit_now(work: Callable[[Session], T]) -> T:
    """Run ``work`` on the request's session in a transaction of its own, committed at once.

    For what authentication records that must stay whatever the request does next: a password
    attempt counted before the password is checked, a Digest nonce count used, a sign-in
    opened or closed. Authentication comes before the view writes anything, so all the
    request has done is read: that transaction ends here, and on SQLite the write begins as a
    writer (``BEGIN IMMEDIATE``, ``ingest.db``), so that the view's own writes later start
    from a fresh snapshot.
    """
    session = get_session()
    if session.new or session.dirty or session.deleted:  # pragma: no cover - a bug
        raise RuntimeError("commit_now() would commit the request's pending changes")
    session.commit()
    begin_write(session)
    try:
        result = work(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()  # rolls back anything not committed
    except SQLAlchemyError as exc:
        # The database went away under this request (restarted, connection cut) and the
        # closing ROLLBACK failed: SQLAlchemy has already discarded the lost connection.
        # The request has its answer (often a 503); raising here would turn it into a 500.
        log.warning("closing the session failed: %s", str(exc).splitlines()[0][:200])
