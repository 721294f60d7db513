"""Fixtures from the app factory: ``app``, ``client``, ``runner``, ``session``.

The database is SQLite in a temporary folder, or PostgreSQL when ``VSSID_TEST_DATABASE_URL``
is set (CI runs the suite both ways). The schema is built once per run by the real Alembic
migrations; every test then starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from ingest import forms
from ingest.campaigns import publish
from ingest.db import Base, make_engine
from ingest.registry import accounts, tabular, units
from webhook import create_app
from webhook.migrate import upgrade

# CI (``.ci/run``) runs the property tests on a fixed seed so that one rare example cannot turn
# main red at random; ``make test`` on a desk explores new examples every run, and what it finds
# is pinned with ``@example`` beside the test.
settings.register_profile("ci", derandomize=True)
settings.load_profile(os.environ.get("VSSID_HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parent.parent
FORMS_DIR = REPO / "forms"
#: The campaign's forms as first published (version 2021031001), before they declared their
#: personal fields: a published version stays valid for the phones that hold it, so the
#: tests publish it first and post instances of both, as a deployment receives them.
PREVIOUS_FORMS_DIR = REPO / "tests" / "data" / "forms-2021031001"
DEFAULT_UNITS = FORMS_DIR / "district10_units.csv"
REALM = "VssID"
PASSWORD = "mật-khẩu-thử-1"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("VSSID_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        # Whatever an earlier run (of any revision) left: every table, dependents and all.
        for table in inspect(connection).get_table_names():
            cascade = " CASCADE" if connection.dialect.name == "postgresql" else ""
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}"{cascade}'))
    upgrade(engine)
    yield engine
    engine.dispose()


def _empty_tables(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        return
    raw = engine.raw_connection()  # autocommit on SQLite (see ingest.db), so PRAGMAs apply
    try:
        # Units refer to units: SQLite checks that row by row, so switch it off meanwhile.
        raw.execute("PRAGMA foreign_keys=OFF")
        for table in tables:
            raw.execute(f"DELETE FROM {table}")
        raw.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()


@pytest.fixture
def app(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    _empty_tables(engine)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "MEDIA_DIR": str(tmp_path / "media"),
            "FORMS_DIR": str(FORMS_DIR),
        }
    )
    yield app
    app.extensions["vssid.db"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the app's database; the test commits what it wants the app to see."""
    with app.extensions["vssid.db"].sessionmaker() as session:
        yield session


@pytest.fixture
def default_units(session: Session) -> units.ImportReport:
    report = units.import_units(
        session, tabular.read_rows(DEFAULT_UNITS, units.ALIASES, ("code", "name_vi", "kind"))
    )
    session.commit()
    return report


@pytest.fixture
def published(session: Session, default_units: units.ImportReport) -> list[publish.Published]:
    """Every shipped form and campaign, published as ``vssid forms publish`` does, after the
    VssID forms' first versions (as a deployment that has been running holds them)."""
    for path in forms.xlsform_files(PREVIOUS_FORMS_DIR):
        forms.publish(session, forms.compile_xlsform(path), forms.media_dir_for(FORMS_DIR, path))
    results = publish.publish_folder(session, FORMS_DIR)
    failed = [f"{r.path.name}: {r.error.message_en}" for r in results if r.error is not None]
    assert not failed, failed
    session.commit()
    return results


def make_user(session: Session, username: str, role: str, **kwargs: Any) -> None:
    accounts.create_user(session, username, role, PASSWORD, REALM, **kwargs)
    session.commit()


@pytest.fixture
def collector(session: Session) -> str:
    make_user(session, "thu.nguyen", "collector")
    return "thu.nguyen"
