"""The Alembic migrations build exactly the schema the models describe, and run both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

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


def test_migration_0007__todays_data_becomes_the_vssid_campaign(tmp_path: Path):
    """A database at 0006 with VssID data (forms, a roster, records, a unit report) upgraded
    to head: the forms belong to ``vssid``, the roster is VssID's (its first import now also
    stands for earlier dates), and the consumers rebuild the same numbers from the log."""
    from sqlalchemy.orm import sessionmaker

    from ingest import campaigns
    from ingest.consumers import CONSUMERS, Pipeline
    from reports import coverage
    from tests.conftest import DEFAULT_UNITS, PREVIOUS_FORMS_DIR

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = migrate.alembic_config(engine)
    try:
        command.upgrade(config, "0006")
        _fill_0006(engine, PREVIOUS_FORMS_DIR, DEFAULT_UNITS)
        migrate.upgrade(engine)
        sessions = sessionmaker(bind=engine, expire_on_commit=False)
        Pipeline(CONSUMERS).run_until_idle(sessions, wait=True)
        with sessions() as session:
            owners = campaigns.campaign_of_forms(session)
            vssid = campaigns.load(session, "vssid")
            after = coverage.compute(session, vssid, coverage.parse_day("2021-03-20"))
            before = coverage.compute(session, vssid, coverage.parse_day("2021-03-01"))
        assert owners == {"vssid_install": "vssid", "vssid_unit_report": "vssid"}
        assert vssid.done.key == "installed" and vssid.level_keys == ("active",)
        rows = {u.code: u for u in after.units}
        ward = rows["27184"]
        assert (ward.source, ward.total.denominator, ward.total.done) == ("roster", 2, 1)
        assert ward.total.level("active") == 1
        assert (rows["Q10-NV"].source, rows["Q10-NV"].total.denominator) == ("unit_report", 10)
        assert rows["Q10-NV"].total.done == 7
        # The roster was imported as of 10/03: being the unit's first, it counts before too.
        first = {u.code: u for u in before.units}["27184"]
        assert (first.source, first.total.denominator, first.total.done) == ("roster", 2, 0)
        with engine.connect() as connection:
            # SQLite recreates ``form`` to add its reference: no version of it may go with it.
            assert connection.scalar(text("SELECT count(*) FROM form_version")) == 2
    finally:
        engine.dispose()


def _fill_0006(engine: Engine, previous_forms: Path, units_csv: Path) -> None:
    """Rows as the code at revision 0006 wrote them (plain SQL: that code is gone)."""
    import csv
    import hashlib
    import json

    from ingest.forms.registry import compile_xlsform

    now = "2021-03-20 10:00:00.000000"
    with engine.begin() as connection:
        with units_csv.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                connection.execute(
                    text(
                        "INSERT INTO unit (code, name_vi, name_en, kind, parent_code, "
                        "created_at, updated_at) VALUES (:c, :n, :e, :k, NULL, :t, :t)"
                    ),
                    {"c": row["code"], "n": row["name_vi"], "e": row["name_en"],
                     "k": row["kind"], "t": now},
                )  # fmt: skip
        for name in ("vssid_install", "vssid_unit_report"):
            compiled = compile_xlsform(previous_forms / f"{name}.xlsx")
            connection.execute(
                text(
                    "INSERT INTO form (form_id, title, state, current_version, created_at, "
                    "updated_at) VALUES (:f, :t, 'open', :v, :n, :n)"
                ),
                {"f": name, "t": compiled.title, "v": compiled.version, "n": now},
            )
            connection.execute(
                text(
                    "INSERT INTO form_version (form_id, version, title, xml, md5, source_name, "
                    "source_sha256, warnings, published_at) VALUES (:f, :v, :t, :x, :m, :s, "
                    "'', '[]', :n)"
                ),
                {"f": name, "v": compiled.version, "t": compiled.title, "x": compiled.xml,
                 "m": compiled.md5, "s": f"{name}.xlsx", "n": now},
            )  # fmt: skip
        connection.execute(
            text(
                "INSERT INTO roster_import (id, tx, person_keys, source_name, as_of, "
                "imported_by, imported_at) VALUES (1, 0, :k, 'r.csv', '2021-03-10', 'bhxh', :n)"
            ),
            {"k": json.dumps(["0791000001", "0791000002"]), "n": now},
        )
        for key, name in (("0791000001", "Nguyễn Văn A"), ("0791000002", "Trần Thị B")):
            connection.execute(
                text(
                    "INSERT INTO roster_entry (import_id, unit_code, bhxh_code, full_name, "
                    "category, valid_from) VALUES (1, '27184', :k, :n, 'cong_chuc', "
                    "'2021-03-10')"
                ),
                {"k": key, "n": name},
            )
        answers = [
            ("vssid_install", "uuid:a", "0791000001", {
                "consent": "yes", "unit": "27184", "full_name": "Nguyễn Văn A",
                "bhxh_code": "0791000001", "category": "cong_chuc", "status": "account_active",
                "install_date": "2021-03-15", "end": "2021-03-15T09:00:00+07:00"}),
            ("vssid_unit_report", "uuid:r", None, {
                "unit": "Q10-NV", "report_date": "2021-03-18", "end": "2021-03-18T09:00:00+07:00",
                "headcount_cong_chuc": "8", "installed_cong_chuc": "6", "active_cong_chuc": "5",
                "headcount_vien_chuc": "0", "installed_vien_chuc": "0", "active_vien_chuc": "0",
                "headcount_nguoi_lao_dong": "2", "installed_nguoi_lao_dong": "1",
                "active_nguoi_lao_dong": "1"}),
        ]  # fmt: skip
        for form_id, instance_id, key, values in answers:
            payload = json.dumps({**values, "meta/instanceID": instance_id}).encode()
            digest = hashlib.sha256(payload).hexdigest()
            connection.execute(
                text(
                    "INSERT INTO submission (tx, received_at, source, submitter, content_type, "
                    "payload, payload_sha256, content_sha256, headers, form_id, form_version, "
                    "instance_id, root_id, collected_at, person_key, verdict, issues, "
                    "attachments_expected) VALUES (0, :n, 'kobo', 'kobo', 'application/json', "
                    ":p, :d, :d, '{}', :f, '2021031001', :i, :i, :c, :k, 'accepted', '[]', 0)"
                ),
                {"n": now, "p": payload, "d": digest, "f": form_id, "i": instance_id,
                 "c": values["end"][:10] + " 02:00:00.000000", "k": key},
            )  # fmt: skip


def test_migration_0011__a_database_with_a_log__outbox_starts_at_its_end(tmp_path: Path):
    """Upgrading a running database adds the outbox at the log's end (its history is not
    turned into events); downgrading removes its cursor and the accounts' e-mail."""
    from sqlalchemy.orm import sessionmaker

    from ingest.consumers import CONSUMERS, Pipeline
    from tests.conftest import DEFAULT_UNITS, PREVIOUS_FORMS_DIR

    engine = make_engine(f"sqlite:///{tmp_path / 'before-outbox.sqlite3'}")
    config = migrate.alembic_config(engine)
    try:
        command.upgrade(config, "0006")
        _fill_0006(engine, PREVIOUS_FORMS_DIR, DEFAULT_UNITS)
        command.upgrade(config, "0009")
        with engine.connect() as connection:
            last = connection.scalar(text("SELECT max(id) FROM submission"))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            cursor = connection.execute(
                text("SELECT position FROM consumer_cursor WHERE consumer = 'outbox' "
                     "AND stream = 'submission'")
            ).scalar()  # fmt: skip
        Pipeline(CONSUMERS).run_until_idle(
            sessionmaker(bind=engine, expire_on_commit=False), wait=True
        )
        with engine.connect() as connection:
            events = connection.scalar(text("SELECT count(*) FROM outbox_event"))
        command.downgrade(config, "0010")
        with engine.connect() as connection:
            left = connection.scalar(
                text("SELECT count(*) FROM consumer_cursor WHERE consumer = 'outbox'")
            )
            columns = [c["name"] for c in inspect(connection).get_columns("app_user")]
    finally:
        engine.dispose()

    assert last and cursor == last
    assert events == 0
    assert left == 0 and "email" not in columns


def test_migration_0010__sqlite__selfreport_source_allowed__rewritten_on_downgrade(
    tmp_path: Path,
):
    """0010 widens the log's source check to ``selfreport`` (SQLite: its schema text edited
    in place, the rows untouched; PostgreSQL alters the constraint, as every test database
    there is migrated) and its downgrade writes those rows back as ``openrosa``."""
    target = make_engine(f"sqlite:///{tmp_path / 'sr.sqlite3'}")
    config = migrate.alembic_config(target)
    row = (
        "INSERT INTO submission (tx, received_at, source, content_type, payload, payload_sha256,"
        " content_sha256, headers, issues, attachments_expected) VALUES (0, '2026-12-06 10:00:00',"
        " :source, '', x'3c612f3e', '', '', '{}', '[]', 0)"
    )
    try:
        command.upgrade(config, "0009")
        with target.begin() as connection, pytest.raises(IntegrityError):
            connection.execute(text(row), {"source": "selfreport"})
        migrate.upgrade(target)
        with target.begin() as connection:
            connection.execute(text(row), {"source": "selfreport"})
            assert connection.scalar(text("PRAGMA integrity_check")) == "ok"
        command.downgrade(config, "0009")
        with target.begin() as connection:
            assert connection.scalars(text("SELECT source FROM submission")).all() == ["openrosa"]
            with pytest.raises(IntegrityError):
                connection.execute(text(row), {"source": "selfreport"})
    finally:
        target.dispose()
