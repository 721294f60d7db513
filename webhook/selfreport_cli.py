"""CLI commands for public self-report links: ``vssid selfreport link|list|revoke``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ingest.campaigns import LOCAL_TZ
from ingest.db import begin_write, utcnow
from ingest.errors import VssidError
from ingest.selfreport import links
from webhook.cli import fail
from webhook.database import database
from webhook.onboarding_cli import server_base
from webhook.settings import campaign_named


def link_url(base: str, token: str) -> str:
    """The public address of a link on the server at ``base``."""
    return f"{base.rstrip('/')}/s/{token}"


@click.group("selfreport")
def group() -> None:
    """Public self-report links (ODK Web Forms): make, list, revoke."""


@group.command("link")
@click.option(
    "--campaign", "campaign_id", default=None, help="Campaign (default VSSID_DEFAULT_CAMPAIGN)."
)
@click.option("--unit", "unit_code", required=True, help="The unit's code.")
@click.option(
    "--days",
    default=links.DEFAULT_DAYS,
    show_default=True,
    type=click.IntRange(1, links.MAX_DAYS),
    help="Days until the link expires.",
)
@click.option("--server-url", default=None, help="Address phones reach (default VSSID_PUBLIC_URL).")
@click.option("--by", "created_by", default="cli", show_default=True, help="Who makes it.")
@with_appcontext
def link_command(
    campaign_id: str | None, unit_code: str, days: int, server_url: str | None, created_by: str
) -> None:
    """A unit's public self-report link; the URL alone on the last line."""
    base = server_base(server_url)
    try:
        with database().sessionmaker.begin() as session:
            begin_write(session)
            campaign = campaign_named(session, campaign_id)
            link = links.create(session, campaign, unit_code, created_by, utcnow(), days)
            expires = link.expires_at.astimezone(LOCAL_TZ)
            link_id, token = link.id, link.token
    except VssidError as error:
        fail(error)
        return
    click.echo(
        f"Đường dẫn tự khai #{link_id}: chiến dịch {campaign.id}, đơn vị {unit_code}, "
        f"hết hạn {expires:%d/%m/%Y %H:%M} (self-report link, expires {expires:%Y-%m-%d})"
    )
    click.echo(link_url(base, token))


@group.command("list")
@click.option("--campaign", "campaign_id", default=None, help="Only this campaign.")
@click.option("--unit", "unit_code", default=None, help="Only this unit.")
@click.option("--server-url", default=None, help="Address phones reach (default VSSID_PUBLIC_URL).")
@with_appcontext
def list_command(campaign_id: str | None, unit_code: str | None, server_url: str | None) -> None:
    """One line per link: id, state, campaign, unit, expiry, maker, URL."""
    base = server_url or current_app.config.get("PUBLIC_URL") or ""
    now = utcnow()
    with database().sessionmaker() as session:
        rows = links.listed(session, campaign_id, frozenset({unit_code}) if unit_code else None)
        for link in rows:
            expires = link.expires_at.astimezone(LOCAL_TZ)
            where = link_url(base, link.token) if base else f"/s/{link.token}"
            click.echo(
                f"{link.id}\t{links.state(link, now)}\t{link.campaign}\t{link.unit_code}\t"
                f"{expires:%Y-%m-%d}\t{link.created_by}\t{where}"
            )
    if not rows:
        click.echo("Chưa có đường dẫn tự khai nào. (No self-report links.)")


@group.command("revoke")
@click.argument("link_id", type=int)
@with_appcontext
def revoke_command(link_id: int) -> None:
    """Revoke link LINK_ID: it answers 410 from now on."""
    try:
        with database().sessionmaker.begin() as session:
            begin_write(session)
            link = links.revoke(session, link_id, utcnow())
            unit_code = link.unit_code
    except VssidError as error:
        fail(error)
        return
    click.echo(f"Đã thu hồi đường dẫn #{link_id} của đơn vị {unit_code}. (Link revoked.)")


COMMANDS: list[click.Command] = [group]
