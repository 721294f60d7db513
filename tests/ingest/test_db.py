"""Database plumbing: UTC timestamps on both engines, SQLite tuned for a multi-threaded server."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError, StatementError
from sqlalchemy.orm import Session

from ingest import db
from ingest.db import SQLITE_BUSY_TIMEOUT_MS, make_engine
from ingest.models import Unit
from tests.server import silent_listener


def add_unit(session: Session, created_at: datetime) -> None:
    session.add(Unit(code="27184", name_vi="Phường 1", kind="ward", created_at=created_at))
    session.flush()


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        (
            datetime(2021, 3, 10, 15, 30, 5, 123456, tzinfo=timezone(timedelta(hours=7))),
            datetime(2021, 3, 10, 8, 30, 5, 123456, tzinfo=UTC),
        ),
        (
            datetime(2021, 3, 10, 1, 0, tzinfo=timezone(timedelta(hours=7))),
            datetime(2021, 3, 9, 18, 0, tzinfo=UTC),
        ),
        (
            datetime(2021, 3, 9, 22, 15, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2021, 3, 10, 3, 15, tzinfo=UTC),
        ),
        (
            datetime(2021, 3, 10, 12, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            datetime(2021, 3, 10, 6, 30, tzinfo=UTC),
        ),
        (datetime(2021, 3, 10, 8, 0, tzinfo=UTC), datetime(2021, 3, 10, 8, 0, tzinfo=UTC)),
    ],
    ids=["hanoi-microseconds", "hanoi-previous-utc-day", "new-york", "india", "utc"],
)
def test_utc_datetime__aware_value__comes_back_as_the_same_instant_in_utc(
    app: Flask, session: Session, local: datetime, utc: datetime
):
    add_unit(session, local)
    session.commit()

    with app.extensions["vssid.db"].sessionmaker() as other:
        stored = other.scalar(select(Unit.created_at).where(Unit.code == "27184"))

    assert stored == utc
    assert stored.tzinfo is UTC
    assert stored.isoformat() == utc.isoformat()


def test_utc_datetime__query_bound__compares_instants_not_wall_clock(session: Session):
    add_unit(session, datetime(2021, 3, 10, 15, 30, tzinfo=timezone(timedelta(hours=7))))
    session.commit()
    just_after = datetime(2021, 3, 10, 8, 31, tzinfo=UTC)
    just_before = datetime(2021, 3, 10, 15, 29, tzinfo=timezone(timedelta(hours=7)))

    assert session.scalar(select(Unit.code).where(Unit.created_at < just_after)) == "27184"
    assert session.scalar(select(Unit.code).where(Unit.created_at < just_before)) is None


def test_utc_datetime__naive_value_stored__refused(session: Session):
    with pytest.raises(StatementError, match="naive datetime") as caught:
        add_unit(session, datetime(2021, 3, 10, 8, 30))
    assert isinstance(caught.value.orig, ValueError)


def test_utc_datetime__naive_value_in_query__refused(session: Session):
    naive = datetime(2021, 3, 10, 8, 30)
    with pytest.raises(StatementError, match="naive datetime"):
        session.scalar(select(Unit.code).where(Unit.created_at < naive))


def test_sqlite_connection__pragmas__wal_foreign_keys_and_busy_timeout(app: Flask):
    engine = app.extensions["vssid.db"].engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
        assert SQLITE_BUSY_TIMEOUT_MS >= 1000


@pytest.mark.parametrize(
    ("query", "default", "gives_up_within"),
    [("", 1, (0.9, 4)), ("?connect_timeout=2", 60, (1.9, 5))],
    ids=["default", "url-wins"],
)
def test_postgresql_engine__silent_host__gives_up_after_connect_timeout(
    monkeypatch: pytest.MonkeyPatch, query: str, default: int, gives_up_within: tuple[float, float]
) -> None:
    pytest.importorskip("psycopg")
    monkeypatch.setattr(db, "PG_CONNECT_TIMEOUT_S", default)
    with silent_listener() as port:
        engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/x{query}")
        started = time.monotonic()
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        took = time.monotonic() - started
        engine.dispose()
    assert gives_up_within[0] <= took < gives_up_within[1]
