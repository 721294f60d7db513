"""``vssid privacy``: a person's requests about their data (see, correct, erase, withdraw),
retention purges, and searching for what is left (Law 91/2025/QH15).

Each command names who handles it (``--by``: an account that may ``manage_privacy``) and
why (``--reason``); both are kept with the request (``privacy_request``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from ingest.campaigns import LOCAL_TZ
from ingest.db import utcnow
from ingest.errors import ErrorCode, NotFound, VssidError
from ingest.models import Person, User
from ingest.privacy import requests, retention, traces
from ingest.registry import accounts
from webhook import audit as web_audit
from webhook import policy, privacy_ops
from webhook.cli import fail, settle
from webhook.corrections import correct_as
from webhook.database import database
from webhook.intake_http import media_store

privacy_cli = AppGroup("privacy", help="Personal data: a person's requests, retention, traces.")

BY = click.option("--by", required=True, help="Who handles it (an administrator's account).")
REASON = click.option("--reason", required=True, help="Why: the request as the person made it.")
CAMPAIGN = click.option("--campaign", default=None, help="Only this campaign (default: every).")


def handler(session: Session, username: str) -> User:
    """The account handling a request: it must exist and may ``manage_privacy``."""
    user = accounts.find_user(session, username)
    if not policy.may(user, "manage_privacy"):
        raise click.ClickException(
            f"Tài khoản '{username}' không được xử lý yêu cầu về dữ liệu cá nhân. "
            f"(The account '{username}' may not handle personal data requests.)"
        )
    return user


@privacy_cli.command("see")
@click.argument("identifier")
@BY
@REASON
@CAMPAIGN
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the person's file (.xlsx).",
)
@with_appcontext
def see(identifier: str, by: str, reason: str, campaign: str | None, out: Path) -> None:
    """Write one Excel file with everything held about the person IDENTIFIER."""
    settle()
    try:
        with database().sessionmaker.begin() as session:
            user = handler(session, by)
            data, held = privacy_ops.person_file(
                session, user.username, identifier, campaign, reason, utcnow(), media_store()
            )
            web_audit.from_cli(
                session, "person_request", campaign=campaign, person_key=identifier.strip(), rows=1
            )
    except VssidError as error:
        fail(error)
    out.write_bytes(data)
    sizes = privacy_ops.sizes(held)
    click.echo(
        f"Đã ghi hồ sơ dữ liệu cá nhân ({sizes['submissions']} phiếu, "
        f"{sizes['roster_entries']} dòng danh sách, {sizes['attachments']} tệp đính kèm): {out}"
    )
    click.echo(f"Personal data file written: {out}")


def _erase(identifier: str, by: str, reason: str, campaign: str | None, kind: str) -> None:
    settle()
    try:
        with database().sessionmaker() as session:
            user_name = handler(session, by).username
        with database().sessionmaker.begin() as session:
            done = privacy_ops.erase_person(session, user_name, identifier, campaign, reason, kind)
    except VssidError as error:
        fail(error)
    done.remove_files(media_store())
    counts = done.counts
    click.echo(
        f"Đã xoá dữ liệu cá nhân: {counts.get('submissions', 0)} phiếu, "
        f"{counts.get('roster_entries', 0)} dòng danh sách, {counts.get('attachments', 0)} tệp "
        f"đính kèm; số liệu thống kê được giữ dưới mã ẩn danh {done.erasure.pseudonym}."
    )
    click.echo(f"Erased: the statistics are kept under the pseudonym {done.erasure.pseudonym}.")
    _report_traces([identifier, *done.names])


def _report_traces(values: list[str]) -> None:
    """Say where ``values`` are still held (the first is an identifier, the rest names)."""
    with database().sessionmaker() as session:
        left = traces.find(session, values[:1], media_store().root)
        named = traces.find(session, values[1:], media_store().root) if values[1:] else []
    if not left:
        click.echo(
            "Mã định danh không còn ở đâu trong cơ sở dữ liệu và kho tệp. (Identifier: no trace.)"
        )
    else:
        click.secho("Mã định danh vẫn còn ở (the identifier is still in):", fg="red")
        for trace in left:
            click.echo(f"  {trace.where}: {trace.rows}")
    if named:
        click.secho(
            "Họ tên vẫn có ở (the name is still in; another person of the same name?):",
            fg="yellow",
        )
        for trace in named:
            click.echo(f"  {trace.where}: {trace.rows}")
    elif values[1:]:
        click.echo("Họ tên cũng không còn ở đâu. (Names: no trace.)")


@privacy_cli.command("erase")
@click.argument("identifier")
@BY
@REASON
@CAMPAIGN
@click.confirmation_option(prompt="Xoá vĩnh viễn dữ liệu cá nhân của người này? (Erase for good?)")
@with_appcontext
def erase_command(identifier: str, by: str, reason: str, campaign: str | None) -> None:
    """Erase every personal value of the person IDENTIFIER; their counts stay, anonymous."""
    _erase(identifier, by, reason, campaign, "erase")


@privacy_cli.command("withdraw")
@click.argument("identifier")
@BY
@REASON
@CAMPAIGN
@click.confirmation_option(prompt="Người này rút lại sự đồng ý: xoá dữ liệu cá nhân? (Erase?)")
@with_appcontext
def withdraw_command(identifier: str, by: str, reason: str, campaign: str | None) -> None:
    """The person IDENTIFIER withdraws consent: their personal data is erased as by erase."""
    _erase(identifier, by, reason, campaign, "withdraw")


@privacy_cli.command("correct")
@click.argument("identifier")
@click.option("--field", "path", required=True, help="The question's name, e.g. full_name.")
@click.option("--value", required=True, help="The corrected answer.")
@BY
@REASON
@CAMPAIGN
@with_appcontext
def correct_command(
    identifier: str, path: str, value: str, by: str, reason: str, campaign: str | None
) -> None:
    """Correct one answer of the person's current record: a new version replaces it (the
    review desk's correction), and the request is kept."""
    settle()
    try:
        with database().sessionmaker.begin() as session:
            user = handler(session, by)
            query = select(Person).where(Person.person_key == identifier.strip())
            if campaign:
                query = query.where(Person.campaign == campaign)
            people = list(session.scalars(query))
            if len(people) != 1:
                if not people:
                    raise NotFound(ErrorCode.PERSON_NOT_FOUND, identifier=identifier)
                raise click.ClickException(
                    "Người này có bản ghi ở nhiều chiến dịch: chọn một bằng --campaign. "
                    "(Records in several campaigns: choose one with --campaign.)"
                )
            receipt = correct_as(
                session, user, people[0].submission_id, path, value, reason, media_store(), utcnow()
            )
            new_id = receipt.submission.id
            requests.record(
                session,
                "correct",
                by=user.username,
                reason=reason,
                person=identifier.strip(),
                campaign=people[0].campaign,
                outcome={"submission": new_id, "field": path},
            )
    except VssidError as error:
        fail(error)
    except Forbidden as refused:
        raise click.ClickException(str(refused.description)) from None
    settle()
    click.echo(f"Đã sửa: phiếu mới số {new_id}. (Corrected: new submission {new_id}.)")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Say what is due; change nothing.")
@click.option("--by", default="", help="Who runs it (an administrator's account).")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The day to judge by (default: today, Vietnam time).",
)
@with_appcontext
def purge_command(dry_run: bool, by: str, today: datetime | None) -> None:
    """Erase the personal data of every campaign past its retention period; keep the
    numbers."""
    day = today.date() if today is not None else utcnow().astimezone(LOCAL_TZ).date()
    settle()
    with database().sessionmaker() as session:
        plans = retention.schedules(session)
    if not plans:
        click.echo("Không chiến dịch nào khai báo thời hạn lưu trữ. (No campaign sets one.)")
    due = [p for p in plans if p.due(day)]
    for plan in plans:
        state = "ĐẾN HẠN / due" if plan.due(day) else "chưa đến hạn / not due"
        click.echo(
            f"{plan.campaign.id}: hạn {plan.due_on:%d/%m/%Y} ({state}); "
            f"{plan.submissions} phiếu, {plan.persons} người còn dữ liệu cá nhân"
        )
    if dry_run or not due:
        return
    if not by:
        raise click.UsageError("--by is required to purge (who runs it).")
    store = media_store()
    for plan in due:
        try:
            with database().sessionmaker() as session:
                user_name = handler(session, by).username
            with database().sessionmaker.begin() as session:
                done = privacy_ops.purge(session, user_name, plan.campaign, plan.due_on)
        except VssidError as error:
            fail(error)
        done.remove_files(store)
        click.echo(
            f"{plan.campaign.id}: đã xoá dữ liệu cá nhân của {done.counts['persons']} "
            f"người ({done.counts['submissions']} phiếu); số liệu giữ nguyên. "
            f"(Purged; the numbers are kept.)"
        )


@privacy_cli.command("requests")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@with_appcontext
def requests_command(limit: int) -> None:
    """The latest requests handled: when, what, about whom, by whom, why."""
    with database().sessionmaker() as session:
        rows = requests.latest(session, limit)
    for row in rows:
        click.echo(
            f"{row.at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} {row.kind:<8} "
            f"{row.person_ref or row.campaign or '':<20} {row.handled_by:<15} {row.reason}"
        )


@privacy_cli.command("traces")
@click.argument("identifier")
@click.argument("names", nargs=-1)
@with_appcontext
def traces_command(identifier: str, names: tuple[str, ...]) -> None:
    """Search the whole database and media store for IDENTIFIER and NAMES."""
    _report_traces([identifier, *names])


COMMANDS = (privacy_cli,)
