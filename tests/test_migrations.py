"""The Alembic migrations build exactly the schema the models describe, and run both ways."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

import ingest.models  # noqa: F401  (registers every table on the metadata)
from ingest.db import Base, make_engine
from webhook import migrate


def test_migrated_schema__compared_with_models__no_differences(engine: Engine):
    # The session ``engine`` fixture was built by running the real migrations to head.
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_migrated_schema__at_head(engine: Engine):
    head = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head()

    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head


def test_migrations__fresh_sqlite__upgrade_downgrade_upgrade(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    config = migrate.alembic_config(engine)
    expected = set(Base.metadata.tables) | {"alembic_version"}
    try:
        migrate.upgrade(engine)
        assert set(inspect(engine).get_table_names()) == expected

        command.downgrade(config, "base")
        assert inspect(engine).get_table_names() == ["alembic_version"]
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM alembic_version")) == 0

        migrate.upgrade(engine)
        assert set(inspect(engine).get_table_names()) == expected
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrations__fresh_sqlite__each_revision_up_then_down_one_step_at_a_time(
    tmp_path: Path,
):
    engine = make_engine(f"sqlite:///{tmp_path / 'steps.sqlite3'}")
    config = migrate.alembic_config(engine)
    revisions = list(ScriptDirectory.from_config(config).walk_revisions())
    try:
        for _ in revisions:
            command.upgrade(config, "+1")
        after_upgrades = set(inspect(engine).get_table_names())
        for _ in revisions:
            command.downgrade(config, "-1")
        after_downgrades = inspect(engine).get_table_names()
    finally:
        engine.dispose()

    assert after_upgrades == set(Base.metadata.tables) | {"alembic_version"}
    assert after_downgrades == ["alembic_version"]
