"""``vssid hooks …`` (webhook subscriptions, attempts, delivery), ``vssid digest send`` and
``vssid users set-email``: events out from the command line (DESIGN §5, §8)."""

from __future__ import annotations

import time
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from ingest.db import begin_write, utcnow
from ingest.errors import VssidError
from ingest.models import EVENT_TYPES
from ingest.outbox import delivery, subscriptions
from ingest.registry import accounts
from webhook import daily, hooks
from webhook.cli import fail
from webhook.database import database
from webhook.mail import Smtp


@click.group("hooks")
def hooks_cli() -> None:
    """Outgoing webhooks: subscriptions, attempts, redelivery."""


@hooks_cli.command("add")
@click.argument("url")
@click.option("--secret", required=True, help="Shared secret that signs each request (16+).")
@click.option("--events", required=True, help=f"Comma-separated: {', '.join(EVENT_TYPES)}.")
@click.option("--campaign", default=None, help="Only this campaign's events.")
@click.option("--personal", is_flag=True, help="Send person identifiers unmasked.")
@click.option("--by", "created_by", default="cli", show_default=True, help="Who adds it.")
@with_appcontext
def hooks_add(
    url: str, secret: str, events: str, campaign: str | None, personal: bool, created_by: str
) -> None:
    """Subscribe URL to events."""
    try:
        with database().sessionmaker.begin() as session:
            hook = subscriptions.add(session, url, secret, events.split(","), campaign,
                                     created_by, personal)  # fmt: skip
            hook_id = hook.id
    except VssidError as error:
        fail(error)
        return
    click.echo(f"Webhook {hook_id} added: {url}")


@hooks_cli.command("list")
@with_appcontext
def hooks_list() -> None:
    """Every subscription (never its secret) and its deliveries per state."""
    with database().sessionmaker() as session:
        listed = subscriptions.listing(session)
    if not listed:
        click.echo("Chưa có webhook nào. (No webhooks.)")
    for h in listed:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(h.counts.items())) or "no deliveries"
        state = ("active" if h.active else "inactive") + (" personal" if h.personal else "")
        click.echo(
            f"{h.id}\t{h.url}\t{','.join(h.events)}\tcampaign={h.campaign or '*'}\t"
            f"{state}\tby={h.created_by}\t{counts}"
        )


@hooks_cli.command("remove")
@click.argument("hook_id", type=int)
@with_appcontext
def hooks_remove(hook_id: int) -> None:
    """Delete a subscription with its deliveries and attempt log."""
    try:
        with database().sessionmaker.begin() as session:
            begin_write(session)  # reads, then writes: a writer from the start on SQLite
            subscriptions.remove(session, hook_id)
    except VssidError as error:
        fail(error)
    click.echo(f"Webhook {hook_id} removed.")


@hooks_cli.command("attempts")
@click.option("--hook", "hook_id", type=int, default=None, help="One subscription's only.")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def hooks_attempts(hook_id: int | None, limit: int) -> None:
    """The latest deliveries and each attempt: status, time, answer."""
    with database().sessionmaker() as session:
        rows = subscriptions.attempts(session, hook_id, limit)
    for r in rows:
        when = r.attempted_at.isoformat(timespec="seconds") if r.attempted_at else "-"
        answer = r.answer.replace("\n", " ")[:80]
        click.echo(
            f"{r.delivery_id}\thook={r.subscription_id}\t{r.event_type}\t{r.event_id}\t"
            f"{r.state}\t{when}\t{r.status if r.status is not None else '-'}\t"
            f"{r.duration_ms if r.duration_ms is not None else '-'} ms\t{answer}"
        )


@hooks_cli.command("redeliver")
@click.argument("delivery_id", type=int)
@with_appcontext
def hooks_redeliver(delivery_id: int) -> None:
    """Send a delivery again now (whatever its state), and say what came back."""
    sessions = database().sessionmaker
    try:
        with sessions.begin() as session:
            begin_write(session)
            delivery.redeliver(session, delivery_id)
    except VssidError as error:
        fail(error)
    config = current_app.config
    delivery.deliver_due(sessions, base=config["HOOKS_RETRY_BASE_SECONDS"], ids=[delivery_id])
    with sessions() as session:
        last = subscriptions.attempts(session, limit=1000)
    mine = next((r for r in last if r.delivery_id == delivery_id), None)
    if mine is not None:
        click.echo(f"Delivery {delivery_id}: {mine.state} (HTTP {mine.status or '-'})")


@hooks_cli.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due, then exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between rounds.")
@with_appcontext
def hooks_deliver(once: bool, interval: float) -> None:
    """Send due webhooks and run the daily jobs in this process (beside or instead of the
    servers' own threads)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    while True:
        sent = hooks.deliver(app)
        daily.tick(app, database().sessionmaker)
        if sent:
            click.echo(f"{sent} deliveries attempted.")
        if once:
            return
        time.sleep(interval)


@click.group("digest")
def digest_cli() -> None:
    """The daily e-mail digest."""


@digest_cli.command("send")
@click.option("--date", "day", default=None, help="The day (YYYY-MM-DD; default today).")
@click.option("--dry-run", is_flag=True, help="List recipients and subjects, send nothing.")
@with_appcontext
def digest_send(day: str | None, dry_run: bool) -> None:
    """Send the digest for a day now (also when it was sent already)."""
    try:
        when = date.fromisoformat(day) if day else daily.local_day(utcnow())
    except ValueError:
        raise click.BadParameter(f"{day!r} is not YYYY-MM-DD", param_hint="--date") from None
    config, sessions = current_app.config, database().sessionmaker
    url = config.get("SMTP_URL")
    if dry_run:
        sender = Smtp.parse(url).sender if url else "vssid@localhost"
        for d in daily.compose(sessions, when, sender, config.get("PUBLIC_URL")):
            click.echo(f"{d.username}\t{d.message['To']}\t{d.message['Subject']}")
        return
    if not url:
        raise click.UsageError("VSSID_SMTP_URL is not set: no SMTP server to send through.")
    sent = daily.send_digest(sessions, Smtp.parse(url), when, config.get("PUBLIC_URL"), False)
    click.echo(f"Digest {when.isoformat()}: {sent} e-mails sent.")


@click.command("set-email")
@click.argument("name")
@click.argument("email")
@with_appcontext
def users_set_email(name: str, email: str) -> None:
    """Set (or with "-" clear) the e-mail address the digest goes to."""
    try:
        with database().sessionmaker.begin() as session:
            begin_write(session)
            user = accounts.find_user(session, name)
            user.email = None if email == "-" else accounts.check_email(email)
    except VssidError as error:
        fail(error)
    click.echo(f"Account '{name}': e-mail {'cleared' if email == '-' else email}.")


COMMANDS: list[click.Command] = [hooks_cli, digest_cli]


def init_app(users: click.Group) -> None:
    """Add ``set-email`` to the ``users`` group."""
    users.add_command(users_set_email)
