"""The ``vssid`` command line: a Flask command group (also ``flask --app webhook …``).

Each command runs in one transaction (``sessionmaker.begin()``): it either does all of its
work or none of it, and reports what it did in numbers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from ingest import accounts, forms, tabular, units
from ingest.errors import VssidError
from ingest.models import ROLES
from webhook import migrate
from webhook.database import database

db_cli = AppGroup("db", help="Database schema.")
forms_cli = AppGroup("forms", help="XLSForms and published form versions.")
units_cli = AppGroup("units", help="The units registry.")
users_cli = AppGroup("users", help="Accounts.")


def _fail(error: VssidError) -> None:
    click.secho(f"Lỗi: {error.message_vi}", fg="red", err=True)
    click.secho(f"Error [{error.code}]: {error.message_en}", fg="red", err=True)
    sys.exit(1)


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Run the Alembic migrations up to REVISION."""
    migrate.upgrade(database().engine, revision)
    click.echo(f"Database at {revision}.")


@forms_cli.command("publish")
@click.option(
    "--dir",
    "forms_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of XLSForms (default VSSID_FORMS_DIR).",
)
@with_appcontext
def forms_publish(forms_dir: Path | None) -> None:
    """Compile every XLSForm and register new versions; refuse a changed published version."""
    folder = forms_dir or Path(current_app.config["FORMS_DIR"])
    if not folder.is_dir():
        raise click.ClickException(f"Không có thư mục biểu mẫu (no forms folder): {folder}")
    failed = 0
    for path in forms.xlsform_files(folder):
        try:
            compiled = forms.compile_xlsform(path)
            with database().sessionmaker.begin() as session:
                result = forms.publish(session, compiled, forms.media_dir_for(folder, path))
        except VssidError as error:
            failed += 1
            click.secho(f"✗ {path.name}: [{error.code}] {error.message_vi}", fg="red", err=True)
            click.secho(f"  {error.message_en}", fg="red", err=True)
            continue
        media = f", media: {', '.join(result.attachments)}" if result.attachments else ""
        click.echo(f"✓ {path.name}: {compiled.form_id} v{compiled.version} {result.outcome}{media}")
        for warning in compiled.warnings:
            click.secho(f"  warning: {warning}", fg="yellow")
    if failed:
        sys.exit(1)


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def units_import(file: Path) -> None:
    """Add or update units from a CSV or XLSX file (never deletes)."""
    try:
        with database().sessionmaker.begin() as session:
            rows = tabular.read_rows(file, units.ALIASES, required=("code", "name_vi", "kind"))
            report = units.import_units(session, rows)
    except VssidError as error:
        _fail(error)
        return
    click.echo(f"{file.name}: {report.summary()}")
    for number, reason in report.rejected:
        click.secho(f"  dòng (row) {number}: {reason}", fg="yellow")


@users_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--unit", "unit_code", default=None, help="Unit code (required for role 'unit').")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_add(name: str, role: str, unit_code: str | None, password_stdin: bool) -> None:
    """Create an account; the password is asked for, or read from stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Mật khẩu (password)", hide_input=True, confirmation_prompt=True)
    try:
        with database().sessionmaker.begin() as session:
            user = accounts.create_user(
                session, name, role, password, current_app.config["REALM"], unit_code
            )
    except VssidError as error:
        _fail(error)
        return
    click.echo(f"Account '{user.username}' ({user.role}) created.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="Default: 2 × CPU cores + 1.")
@with_appcontext
def serve(host: str, port: int, workers: int | None) -> None:
    """Serve with gunicorn (production server)."""
    from webhook.server import run

    run(current_app._get_current_object(), host, port, workers or (2 * (os.cpu_count() or 1) + 1))  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Attach the command groups to ``app.cli``."""
    for command in (db_cli, forms_cli, units_cli, users_cli, serve):
        app.cli.add_command(command)


def _create_app() -> Flask:
    from webhook import create_app

    return create_app()


main = FlaskGroup(
    name="vssid",
    create_app=_create_app,
    add_version_option=False,
    help="VssID campaign: forms, intake, units, accounts and reports.",
)
