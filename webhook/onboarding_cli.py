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

from ingest import campaigns
from ingest.campaigns import publish
from ingest.db import begin_write
from ingest.errors import VssidError
from ingest.models import Submission, Unit
from ingest.registry import accounts
from ingest.submissions.media import MediaStore
from reports import coverage
from reports.model import Coverage, Progress
from webhook import demo, onboarding, pipeline, policy
from webhook.cli import fail
from webhook.database import database
from webhook.settings import campaign_named


def server_base(server_url: str | None) -> str:
    """The address phones reach the server at: ``--server-url``, else ``VSSID_PUBLIC_URL``
    (refused when neither is set, or when it is not http(s))."""
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
    return str(base)


@click.command("collect-qr")
@click.argument("name")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="PNG file to write.",
)
@click.option("--server-url", default=None, help="Address phones reach (default VSSID_PUBLIC_URL).")
@click.option(
    "--campaign",
    "campaign_id",
    default=None,
    help="Campaign whose title names the project in Collect (default VSSID_DEFAULT_CAMPAIGN).",
)
@with_appcontext
def collect_qr(name: str, out: Path, server_url: str | None, campaign_id: str | None) -> None:
    """ODK Collect settings QR code for NAME (a new token: the previous QR stops working)."""
    base = server_base(server_url)
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
            campaign = campaign_named(session, campaign_id)
            unit = session.get(Unit, user.unit_code) if user.unit_code else None
            title = campaign.title.get("vi", campaign.id)
            url = onboarding.token_url(str(base), accounts.issue_token(user))
            settings = onboarding.collect_settings(
                url, user.username, onboarding.project_name(unit.name_vi if unit else None, title)
            )
            png = onboarding.qr_png(settings)
    except VssidError as error:
        fail(error)
        return
    out.write_bytes(png)
    click.echo(f"Mã QR cho '{name}' ({user.role}) → {out}")
    click.echo(f"  Dự án (project): {settings['project']['name']}")
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
@click.option("--seed", default=2021, show_default=True, help="Same seed, same campaigns.")
@click.option("--days", default=21, show_default=True, type=click.IntRange(1, 366),
              help="Days of collection in each campaign, from its scenario's start.")  # fmt: skip
@click.option("--as-of", "as_of", default=None, help="Load only what was collected by then.")
@click.option(
    "--campaign",
    "campaign_ids",
    multiple=True,
    help=f"Load only this campaign (repeatable; default all: {', '.join(demo.SCENARIOS)}).",
)
@click.option("--force", is_flag=True, help="Load even if the database has submissions.")
@with_appcontext
def demo_command(
    seed: int, days: int, as_of: str | None, campaign_ids: tuple[str, ...], force: bool
) -> None:
    """Load made-up campaigns for District 10 (demo accounts and data, not for production)."""
    cut = _date(as_of)
    unknown = sorted(set(campaign_ids) - set(demo.SCENARIOS))
    if unknown:
        raise click.BadParameter(
            f"không có dữ liệu mẫu cho (no demo data for) {', '.join(unknown)}; "
            f"có (there is): {', '.join(demo.SCENARIOS)}",
            param_hint="--campaign",
        )
    wanted = [c for c in demo.SCENARIOS if not campaign_ids or c in campaign_ids]
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
            published = demo.ensure_published(session, forms_dir)
            created = demo.ensure_accounts(session, current_app.config["REALM"])
            plans = demo.plans(seed, wanted, demo.world(session), days, cut)
    except VssidError as error:
        fail(error)
        return
    except (LookupError, ValueError) as error:  # forms changed under the demo's scenario
        raise click.ClickException(
            f"Dữ liệu mẫu không khớp với biểu mẫu (the demo does not fit the forms): {error}"
        ) from None
    _show_published(added, published)
    _show_accounts(created)

    outcomes: dict[str, Counter[str]] = {}
    store = MediaStore(Path(current_app.config["MEDIA_DIR"]))
    total = sum(len(p.submissions) for p in plans)
    with (
        factory() as session,
        click.progressbar(length=total, label="Demo", file=sys.stderr) as bar,
    ):
        for plan in plans:
            begin_write(session)
            counted = outcomes[plan.campaign] = Counter()
            for done in demo.load(session, plan, store, counted):
                session.commit()  # one transaction per batch
                bar.update(done)
                begin_write(session)
            session.commit()
    # What follows a load: the log's consumers derive what the report counts.
    pipeline.pipeline().run_until_idle(factory, wait=True)
    click.echo(f"Demo (seed {seed}) in {time.monotonic() - started:.1f} s:")
    with factory() as session:
        for plan in plans:
            campaign = campaigns.load(session, plan.campaign)
            _summary(plan, outcomes[plan.campaign], coverage.compute(session, campaign, plan.as_of))


def _show_published(added: list[str], published: list[publish.Published]) -> None:
    new = [r.detail for r in published if r.error is None and r.outcome not in ("unchanged", "")]
    if added or new:
        click.echo(f"Units added: {len(added)}; published: {'; '.join(new) or '-'}")
    for result in published:
        if result.error is not None:
            click.secho(f"  {result.path.name}: {result.error.message_en}", fg="yellow", err=True)


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


def _summary(plan: demo.DemoPlan, outcomes: Counter[str], result: Coverage) -> None:
    """Two lines per campaign: what was loaded, and where its report stands."""
    campaign = result.campaign
    counts = ", ".join(f"{n} {name}" for name, n in sorted(outcomes.items()))
    total = result.total.counts
    done_pct = "—" if total.done_pct is None else total.done_pct
    levels = "".join(
        f", {total.level(level.key)} {level.label.get('en', level.key).lower()}"
        for level in campaign.levels
    )
    progress = Counter(r.progress for r in result.units if r.progress is not None)
    click.echo(
        f"  {campaign.id} (as of {plan.as_of.isoformat()}): {len(plan.roster)} on rosters, "
        f"{len(plan.submissions)} submissions ({counts or 'none'})."
    )
    click.echo(
        f"    {total.done}/{total.denominator or 0} {campaign.done.label.get('en', 'done')} "
        f"({done_pct} %){levels}; units reached {progress[Progress.REACHED]}, on track "
        f"{progress[Progress.ON_TRACK]}, lagging {progress[Progress.LAGGING]}, unknown "
        f"{len(result.total.units_unknown)}; {result.findings_total} not on their roster."
    )


COMMANDS: list[click.Command] = [collect_qr, demo_command]
