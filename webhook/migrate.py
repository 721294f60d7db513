"""Running the Alembic migrations from the app (``vssid db upgrade``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config

import ingest


def script_location() -> Path:
    """The migrations folder: packaged inside ``ingest`` in a wheel, at the repo top otherwise."""
    packaged = Path(ingest.__file__).parent / "migrations"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs on ``engine`` (so SQLite gets its pragmas)."""
    from alembic.config import Config  # imported when needed: every CLI command starts faster

    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
