"""The ``vssid`` command line: a Flask command group (also ``flask --app webhook …``).

Each command runs in one transaction (``sessionmaker.begin()``): it either does all of its
work or none of it, and reports what it did in numbers.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from ingest import campaigns, forms
from ingest.campaigns import LOCAL_TZ, publish
from ingest.consumers.runner import BATCH
from ingest.db import begin_write, utcnow
from ingest.errors import VssidError
from ingest.models import ROLES
from ingest.registry import accounts, roster, tabular, units
from ingest.submissions import bulk, intake, media
from ingest.submissions.media import MediaStore
from reports import coverage, export
from webhook import migrate, pipeline
from webhook.database import database
from webhook.settings import campaign_named

db_cli = AppGroup("db", help="Database schema.")
forms_cli = AppGroup("forms", help="XLSForms and published form versions.")
units_cli = AppGroup("units", help="The units registry.")
users_cli = AppGroup("users", help="Accounts.")
roster_cli = AppGroup("roster", help="Staff rosters: the denominators of coverage.")
report_cli = AppGroup("report", help="Coverage reports.")
media_cli = AppGroup("media", help="Submission attachments on disk.")
consumers_cli = AppGroup("consumers", help="The log's consumers: what is derived from it.")
campaigns_cli = AppGroup("campaigns", help="Campaigns: defined by files beside their forms.")
CAMPAIGN_HELP = "Campaign id (default VSSID_DEFAULT_CAMPAIGN); see `vssid campaigns list`."


def fail(error: VssidError) -> None:
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
    if revision == "head":
        settle()  # consumers without a cursor build their tables at once


@forms_cli.command("publish")
@click.option(
    "--dir",
    "forms_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of XLSForms and campaign definitions (default VSSID_FORMS_DIR).",
)
@with_appcontext
def forms_publish(forms_dir: Path | None) -> None:
    """Compile every XLSForm and register new versions (refusing a changed published
    version), then check and publish every campaign definition (``*.campaign.toml``)."""
    folder = forms_dir or Path(current_app.config["FORMS_DIR"])
    if not folder.is_dir():
        raise click.ClickException(f"Không có thư mục biểu mẫu (no forms folder): {folder}")
    with database().sessionmaker.begin() as session:
        results = publish.publish_folder(session, folder)
    failed = 0
    for result in results:
        shown = result.path.relative_to(folder) if result.path.is_relative_to(folder) else None
        name = str(shown or result.path)
        if result.error is not None:
            failed += 1
            click.secho(f"✗ {name}: [{result.error.code}] {result.error.message_vi}", fg="red",
                        err=True)  # fmt: skip
            click.secho(f"  {result.error.message_en}", fg="red", err=True)
            continue
        click.echo(f"✓ {name}: {result.detail}")
        for warning in result.warnings:
            click.secho(f"  warning: {warning}", fg="yellow")
    if failed:
        sys.exit(1)


@campaigns_cli.command("list")
@with_appcontext
def campaigns_list() -> None:
    """One line per campaign: its id, its title and its forms."""
    with database().sessionmaker() as session:
        found = campaigns.all_campaigns(session)
    default = current_app.config["DEFAULT_CAMPAIGN"]
    if not found:
        click.echo("Chưa có chiến dịch nào (no campaigns yet): vssid forms publish")
    for campaign in found:
        mark = " (mặc định/default)" if campaign.id == default else ""
        title = campaign.title.get("vi", campaign.id)
        click.echo(f"{campaign.id}\t{title}{mark}\t{', '.join(campaign.forms)}")


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
        fail(error)
        return
    click.echo(f"{file.name}: {report.summary()}")
    for number, reason in report.rejected:
        click.secho(f"  dòng (row) {number}: {reason}", fg="yellow")


@users_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--unit", "unit_code", default=None, help="Unit code (required for role 'unit').")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--email", default=None, help="Where the daily digest goes (managers, units).")
@with_appcontext
def users_add(
    name: str, role: str, unit_code: str | None, password_stdin: bool, email: str | None
) -> None:
    """Create an account; the password is asked for, or read from stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Mật khẩu (password)", hide_input=True, confirmation_prompt=True)
    try:
        with database().sessionmaker.begin() as session:
            user = accounts.create_user(
                session, name, role, password, current_app.config["REALM"], unit_code, email
            )
    except VssidError as error:
        fail(error)
        return
    click.echo(f"Account '{user.username}' ({user.role}) created.")


@click.command("reprocess")
@click.option("--batch", default=5000, show_default=True, help="Log entries per transaction.")
@with_appcontext
def reprocess_command(batch: int) -> None:
    """Rebuild every derived table from the raw log (forms and registry as they are now)."""
    flow = pipeline.pipeline()
    with database().sessionmaker.begin() as session:
        begin_write(session)
        rewound = flow.rewind(session)
        lags = [lag for lag in flow.lag(session) if lag.consumer in rewound]
    submissions = sum(lag.behind for lag in lags if (lag.consumer, lag.stream) == (
        "projection", "submission"))  # fmt: skip
    click.echo(f"Rewound: {', '.join(rewound)}.")
    started = time.monotonic()
    with click.progressbar(
        length=sum(lag.behind for lag in lags), label="Reprocessing", file=sys.stderr
    ) as bar:
        done = flow.run_until_idle(
            database().sessionmaker, limit=batch, wait=True, parallel=True,
            progress=lambda _name, count: bar.update(count),
        )  # fmt: skip
    seconds = time.monotonic() - started
    click.echo(f"{submissions} submissions reprocessed ({done} log entries applied in "
               f"{seconds:.1f} s).")  # fmt: skip


def settle() -> None:
    """Apply what the log's consumers have not applied yet (before a report, after a load)."""
    applied = pipeline.pipeline().run_until_idle(database().sessionmaker, wait=True)
    if applied:
        click.echo(f"Consumers: {applied} log entries applied.", err=True)


@consumers_cli.command("status")
@with_appcontext
def consumers_status() -> None:
    """Each consumer's position in each stream of the log, and how far behind it is."""
    with database().sessionmaker() as session:
        lags = pipeline.pipeline().lag(session)
    click.echo(f"{'consumer':<12} {'stream':<14} {'position':>10} {'log end':>10} {'behind':>8}")
    for lag in lags:
        click.echo(
            f"{lag.consumer:<12} {lag.stream:<14} {lag.position[1]:>10} {lag.head[1]:>10} "
            f"{lag.behind:>8}"
        )


@consumers_cli.command("run")
@click.option("--once", is_flag=True, help="Apply what is pending, then exit.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between rounds.")
@click.option("--batch", default=BATCH, show_default=True, help="Log entries per transaction.")
@with_appcontext
def consumers_run(once: bool, interval: float, batch: int) -> None:
    """Run the consumers in this process (beside or instead of the servers' own)."""
    flow, sessions = pipeline.pipeline(), database().sessionmaker
    while True:
        applied = flow.run_until_idle(sessions, limit=batch)
        if applied:
            click.echo(f"{applied} log entries applied.")
        if once:
            return
        time.sleep(interval)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--form", "form_id", required=True, help="The form the rows belong to.")
@click.option("--by", "submitter", default=None, help="Recorded as the submitter.")
@with_appcontext
def import_command(file: Path, form_id: str, submitter: str | None) -> None:
    """Enter the rows of a CSV/XLSX export as submissions (source 'import')."""
    store = MediaStore(Path(current_app.config["MEDIA_DIR"]))
    counts: dict[str, int] = {}
    try:
        with database().sessionmaker.begin() as session:
            spec = forms.spec_of(session, form_id)
            for row in bulk.read_import(file, form_id, spec, submitter, utcnow()):
                receipt = intake.receive(session, row.incoming, store)
                created = receipt.outcome == intake.Outcome.CREATED
                outcome = receipt.verdict if created else receipt.outcome
                counts[outcome or receipt.outcome] = counts.get(outcome or receipt.outcome, 0) + 1
                if receipt.error is not None:
                    click.secho(
                        f"  dòng (row) {row.number}: [{receipt.error.code}] "
                        f"{receipt.error.message_vi}",
                        fg="yellow",
                    )
                elif receipt.verdict == "flagged":
                    codes = ", ".join(sorted({str(i.get("code")) for i in receipt.issues}))
                    click.secho(f"  dòng (row) {row.number}: flagged ({codes})", fg="yellow")
    except VssidError as error:
        fail(error)
        return
    summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    click.echo(f"{file.name}: {summary or 'no rows'}")
    settle()


@roster_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Date the roster is in force (YYYY-MM-DD; default today).",
)
@click.option("--by", "imported_by", default=None, help="Who imports it (kept with the import).")
@click.option("--campaign", "campaign_id", default=None, help=CAMPAIGN_HELP)
@with_appcontext
def roster_import(
    file: Path, as_of: str | None, imported_by: str | None, campaign_id: str | None
) -> None:
    """Replace a campaign's rosters of the units named in FILE (CSV or XLSX) as of a date."""
    day = _date_option(as_of) or utcnow().astimezone(LOCAL_TZ).date()
    try:
        with database().sessionmaker.begin() as session:
            begin_write(session)
            campaign = campaign_named(session, campaign_id)
            if campaign.person is None:
                raise click.ClickException(
                    f"Chiến dịch '{campaign.id}' không theo dõi từng người nên không có danh "
                    f"sách (campaign '{campaign.id}' counts no persons, so it has no roster)."
                )
            aliases = roster.aliases(campaign)
            rows = list(tabular.read_rows(file, aliases, required=roster.REQUIRED))
            with click.progressbar(length=len(rows), label="Roster", file=sys.stderr) as bar:
                report = roster.import_roster(
                    session, campaign, rows, day, file.name, imported_by, progress=bar.update
                )
    except VssidError as error:
        fail(error)
        return
    click.echo(f"{file.name} ({campaign.id}, as of {day.isoformat()}): {report.summary()}")
    for code, old, new in report.moved:
        click.echo(f"  moved: {code} {old} → {new}")
    for number, reason in report.rejected:
        click.secho(f"  dòng (row) {number}: {reason}", fg="yellow")
    settle()


def _date_option(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return coverage.parse_day(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date (YYYY-MM-DD, {coverage.FIRST_DAY} to {coverage.LAST_DAY})"
        ) from None


@report_cli.command("coverage")
@click.option("--by", type=click.Choice(export.BY), default="unit", show_default=True)
@click.option("--as-of", "as_of", default=None, help="YYYY-MM-DD (default: today).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "xlsx", "pdf", "json"]),
    default="table",
    show_default=True,
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--campaign", "campaign_id", default=None, help=CAMPAIGN_HELP)
@with_appcontext
def report_coverage(
    by: str, as_of: str | None, fmt: str, out: Path | None, campaign_id: str | None
) -> None:
    """A campaign's coverage report (no personal data; JSON is the API's document)."""
    day = _date_option(as_of) or utcnow().astimezone(LOCAL_TZ).date()
    if fmt in ("xlsx", "pdf") and out is None:
        raise click.UsageError(f"--format {fmt} needs --out FILE")
    # A short batch that allocates about a million objects, none in reference cycles: the
    # cycle collector's passes over them only slow it down (by ~15 % at 10,000 units).
    gc.disable()
    try:
        data = _coverage_output(
            campaign_id, day, by, fmt, indent=2 if out is None and sys.stdout.isatty() else None
        )
    except VssidError as error:
        fail(error)
        return
    finally:
        gc.enable()
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
        click.echo(f"Wrote {out} ({len(data)} bytes).", err=True)


def _coverage_output(
    campaign_id: str | None, day: date, by: str, fmt: str, indent: int | None
) -> bytes:
    """The report's bytes (JSON indented for a person at a terminal; compact, 3× faster to
    write, for programs)."""
    settle()
    with database().sessionmaker() as session:
        result = coverage.compute(session, campaign_named(session, campaign_id), day)
    if fmt == "json":
        data = (
            json.dumps(export.document(result, by), ensure_ascii=False, indent=indent) + "\n"
        ).encode()
    elif fmt == "csv":
        data = export.to_csv(result, by)
    elif fmt == "xlsx":
        from reports import excel

        data = excel.workbook(result)
    elif fmt == "pdf":
        from reports import pdf

        data = pdf.document(result)
    else:
        from reports import terminal

        data = (terminal.table(result, by) + "\n").encode()
    return data


@media_cli.command("gc")
@click.option(
    "--older-than",
    "older_than",
    default=media.DEFAULT_GRACE,
    show_default=True,
    type=click.IntRange(min=0),
    help="Only files last written more than this many seconds ago (spares uploads in flight).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@with_appcontext
def media_gc(older_than: int, dry_run: bool) -> None:
    """Remove attachment files no submission refers to (left by a crash mid-request)."""
    store = MediaStore(Path(current_app.config["MEDIA_DIR"]))
    with database().sessionmaker() as session:
        sweep = media.collect_garbage(session, store, older_than, time.time(), dry_run)
    verb = "would remove" if dry_run else "removed"
    for name in sweep.removed:
        click.echo(f"{verb}: {name}")
    for name in sweep.kept_recent:
        click.echo(f"kept (newer than {older_than} s): {name}")
    click.echo(
        f"{verb.capitalize()} {len(sweep.removed)} files ({sweep.removed_bytes} bytes); "
        f"kept {len(sweep.kept_recent)} unreferenced files newer than {older_than} s; "
        f"{sweep.referenced} files referenced."
    )


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
    from webhook import hooks_cli
    from webhook.audit_cli import audit_cli
    from webhook.onboarding_cli import COMMANDS
    from webhook.privacy_cli import COMMANDS as PRIVACY_COMMANDS
    from webhook.review_cli import review_cli
    from webhook.selfreport_cli import COMMANDS as SELFREPORT_COMMANDS

    hooks_cli.init_app(users_cli)
    for extra in (*COMMANDS, *hooks_cli.COMMANDS, *SELFREPORT_COMMANDS, *PRIVACY_COMMANDS,
                  review_cli, audit_cli):  # fmt: skip
        app.cli.add_command(extra)
    for command in (
        db_cli,
        forms_cli,
        units_cli,
        users_cli,
        roster_cli,
        report_cli,
        media_cli,
        consumers_cli,
        campaigns_cli,
        reprocess_command,
        import_command,
        serve,
    ):
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
