"""``vssid audit``: the audit trail of personal-data views from the command line.

``vssid audit list`` prints the rows that match the filters (newest first; a table, or CSV
for a spreadsheet), and is itself recorded (``audit_view``, ``audit_export`` for CSV), as
the administrators' page is. ``vssid audit prune`` deletes the rows older than
``VSSID_AUDIT_RETENTION_DAYS`` (default 1825 days: five years), ``--dry-run`` says how many.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ingest.db import begin_write, utcnow
from ingest.models import ACCESS_ACTIONS, AccessLog
from ingest.privacy import audit as trail
from reports import access_log
from webhook import audit
from webhook.database import database

audit_cli = AppGroup("audit", help="The audit trail of personal-data views (Law 91/2025).")
DAY = click.DateTime(formats=["%Y-%m-%d"])


@audit_cli.command("list")
@click.option("--from", "first", type=DAY, default=None, help="From this day (local), included.")
@click.option("--to", "last", type=DAY, default=None, help="To this day (local), included.")
@click.option("--account", default=None, help="Only this account (cli:NAME for commands).")
@click.option("--action", type=click.Choice(ACCESS_ACTIONS), default=None)
@click.option("--person", "person_key", default=None, help="Only views of this identifier.")
@click.option("--unit", "unit_code", default=None, help="Only views of this unit.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True
)
@with_appcontext
def audit_list(
    first: datetime | None,
    last: datetime | None,
    account: str | None,
    action: str | None,
    person_key: str | None,
    unit_code: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Print the audit trail's rows that match the filters, newest first."""
    filters = trail.Filters.of_days(
        first.date() if first else None, last.date() if last else None, account=account,
        action=action, unit_code=unit_code, person_key=person_key,
    )  # fmt: skip
    with database().sessionmaker.begin() as session:
        entries = trail.search(session, filters, limit=limit)
        total = trail.count(session, filters)
        # Recorded in this transaction, before anything is printed.
        audit.from_cli(session, "audit_export" if fmt == "csv" else "audit_view",
                       unit_code=unit_code, person_key=person_key, rows=len(entries))  # fmt: skip
    if fmt == "csv":
        sys.stdout.buffer.write(access_log.to_csv(entries))
        sys.stdout.flush()
        return
    for entry in entries:
        click.echo(_line(entry))
    shown = f"{len(entries)} of {total}" if len(entries) < total else str(total)
    click.echo(f"{shown} rows")


def _line(entry: AccessLog) -> str:
    """One row as a tab-separated line (``-`` where there is no value)."""
    cells = access_log.values(entry)[1:]  # the id is the database's, not the reader's
    return "\t".join(str(cell) if cell != "" else "-" for cell in cells)


@audit_cli.command("prune")
@click.option("--dry-run", is_flag=True, help="Say how many rows would be deleted; delete none.")
@with_appcontext
def audit_prune(dry_run: bool) -> None:
    """Delete the rows older than VSSID_AUDIT_RETENTION_DAYS (default 1825: five years)."""
    days = int(current_app.config["AUDIT_RETENTION_DAYS"])
    before = utcnow() - timedelta(days=days)
    with database().sessionmaker.begin() as session:
        begin_write(session)
        count = trail.older_than(session, before) if dry_run else trail.prune(session, before)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {count} audit rows older than {days} days (before {before:%Y-%m-%d}).")
