"""One database session per request, opened on first use and closed at the end."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ingest.db import make_engine, make_sessionmaker

log = logging.getLogger(__name__)


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
