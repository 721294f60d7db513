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
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations recreate a table (copy, drop the old one, rename): with foreign
            # keys enforced, dropping the old table would cascade to the rows that refer to
            # it (dropping ``form`` empties ``form_version``). SQLite ignores this pragma
            # inside a transaction, so it is set on the driver's connection before one begins,
            # and the references are checked before it is turned on again.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            raw = connection.connection.driver_connection
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()  # type: ignore[union-attr]
            raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `vssid db upgrade`.")
run_migrations_online()
