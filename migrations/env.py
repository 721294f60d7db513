"""Alembic environment: runs on the engine the app gives it, or on VSSID_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

import ingest.models  # noqa: F401  (registers every table on the metadata)
from ingest.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(
            os.environ.get("VSSID_DATABASE_URL", "sqlite:///instance/vssid.sqlite3")
        )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `vssid db upgrade`.")
run_migrations_online()
