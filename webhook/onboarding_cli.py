"""CLI commands for onboarding and demo data (``vssid collect-qr``, ``vssid demo``)."""

from __future__ import annotations

import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ingest.db import begin_write
from ingest.errors import VssidError
from ingest.models import Submission, Unit
from ingest.registry import accounts
from ingest.submissions.media import MediaStore
from reports import coverage
from reports.model import Coverage, Progress
from webhook import demo, onboarding, pipeline, policy
from webhook.database import database
from webhook.settings import campaign_named


def _fail(error: VssidError) -> None:
    click.secho(f"Lỗi: {error.message_vi}", fg="red", err=True)
    click.secho(f"Error [{error.code}]: {error.message_en}", fg="red", err=True)
    sys.exit(1)


@click.command("collect-qr")
@click.argument("name")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="PNG file to write.",
)
@click.option("--server-url", default=None, help="Address phones reach (default VSSID_PUBLIC_URL).")
@with_appcontext
def collect_qr(name: str, out: Path, server_url: str | None) -> None:
    """ODK Collect settings QR code for NAME (a new token: the previous QR stops working)."""
    base = server_url or current_app.config.get("PUBLIC_URL")
    if not base:
        raise click.UsageError(
            "Cần địa chỉ máy chủ: --server-url hoặc VSSID_PUBLIC_URL "
            "(the address phones reach the server at is needed)"
        )
    if not str(base).startswith(("http://", "https://")):
        raise click.BadParameter(
            f"'{base}' phải bắt đầu bằng http:// hoặc https://", param_hint="URL"
        )
    if not out.parent.is_dir():
        raise click.BadParameter(f"không có thư mục (no folder) {out.parent}", param_hint="--out")
    try:
        with database().sessionmaker.begin() as session:
            begin_write(session)
            user = accounts.find_user(session, name)
            if not policy.may(user, "collect") or not user.is_active:
                state = user.role if user.is_active else "inactive"
                raise click.ClickException(
                    f"Tài khoản '{name}' ({state}) không gửi phiếu được; chỉ tài khoản "
                    f"{', '.join(policy.COLLECT_ROLES)} đang hoạt động mới cần mã QR "
                    f"(only active {', '.join(policy.COLLECT_ROLES)} accounts submit forms)"
                )
            unit = session.get(Unit, user.unit_code) if user.unit_code else None
            url = onboarding.token_url(str(base), accounts.issue_token(user))
            settings = onboarding.collect_settings(
                url, user.username, onboarding.project_name(unit.name_vi if unit else None)
            )
            png = onboarding.qr_png(settings)
    except VssidError as error:
        _fail(error)
        return
    out.write_bytes(png)
    click.echo(f"Mã QR cho '{name}' ({user.role}) → {out}")
    click.echo(f"  Máy chủ (server URL): {onboarding.masked(url)}")
    click.secho(
        "  Lưu ý: mã QR cũ của tài khoản này không còn dùng được; điện thoại đã quét mã cũ "
        "cần quét mã mới. (The previous QR code of this account no longer works.)",
        fg="yellow",
    )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None


@click.command("demo")
@click.option("--seed", default=2021, show_default=True, help="Same seed, same campaign.")
@click.option("--days", default=21, show_default=True, type=click.IntRange(1, 366))
@click.option("--as-of", "as_of", default=None, help="Load only what was collected by then.")
@click.option("--force", is_flag=True, help="Load even if the database has submissions.")
@with_appcontext
def demo_command(seed: int, days: int, as_of: str | None, force: bool) -> None:
    """Load a made-up campaign for District 10 (demo accounts and data, not for production)."""
    cut = _date(as_of)
    factory = database().sessionmaker
    started = time.monotonic()
    try:
        with factory.begin() as session:
            begin_write(session)
            if session.scalar(select(Submission.id).limit(1)) is not None and not force:
                raise click.ClickException(
                    "Cơ sở dữ liệu đã có phiếu; dữ liệu mẫu chỉ dành cho cơ sở dữ liệu trống "
                    "(the database has submissions: use --force to add demo data anyway)"
                )
            forms_dir = Path(current_app.config["FORMS_DIR"])
            added = demo.ensure_units(session, forms_dir / "district10_units.csv")
            published = demo.ensure_forms(session, forms_dir)
            created = demo.ensure_accounts(session, current_app.config["REALM"])
            plan = demo.plan(seed, demo.unit_infos(session), demo.form_specs(session), days, cut)
    except VssidError as error:
        _fail(error)
        return
    except (LookupError, ValueError) as error:  # forms changed under the demo's scenario
        raise click.ClickException(
            f"Dữ liệu mẫu không khớp với biểu mẫu (the demo does not fit the forms): {error}"
        ) from None
    if added or published:
        click.echo(f"Units added: {len(added)}; forms published: {', '.join(published) or '-'}")
    _show_accounts(created)

    outcomes: Counter[str] = Counter()
    store = MediaStore(Path(current_app.config["MEDIA_DIR"]))
    with (
        factory() as session,
        click.progressbar(length=len(plan.submissions), label="Demo", file=sys.stderr) as bar,
    ):
        begin_write(session)
        for done in demo.load(session, plan, store, outcomes):
            session.commit()  # one transaction per batch
            bar.update(done)
            begin_write(session)
        session.commit()
    # What follows a load: the log's consumers derive what the report counts.
    pipeline.pipeline().run_until_idle(factory, wait=True)
    with factory() as session:
        result = coverage.compute(session, campaign_named(session, "vssid"), plan.as_of)
    _summary(plan, outcomes, result, time.monotonic() - started)


def _show_accounts(created: list[tuple[str, str, str]]) -> None:
    if not created:
        return
    click.secho(
        "Tài khoản mẫu — CHỈ ĐỂ THỬ, KHÔNG DÙNG THẬT (demo accounts, NOT FOR PRODUCTION):",
        fg="yellow",
        bold=True,
    )
    for username, role, password in created:
        click.echo(f"  {username:<12} {role:<10} mật khẩu (password): {password}")


def _summary(plan: demo.DemoPlan, outcomes: Counter[str], result: Coverage, seconds: float) -> None:
    counts = ", ".join(f"{n} {name}" for name, n in sorted(outcomes.items()))
    total = result.total.counts
    progress = Counter(r.progress for r in result.units if r.progress is not None)
    click.echo(
        f"Demo (seed {plan.seed}, as of {plan.as_of.isoformat()}): {len(plan.roster)} on rosters, "
        f"{len(plan.submissions)} submissions ({counts or 'none'}) in {seconds:.1f} s."
    )
    click.echo(
        f"District: {total.done}/{total.denominator or 0} installed "
        f"({total.done_pct if total.done_pct is not None else '—'} %), "
        f"{total.level('active')} active; units reached {progress[Progress.REACHED]}, on track "
        f"{progress[Progress.ON_TRACK]}, lagging {progress[Progress.LAGGING]}; "
        f"{result.findings_total} not on their roster."
    )


COMMANDS: list[click.Command] = [collect_qr, demo_command]
