"""The daily digest, received by a real SMTP server (aiosmtpd) started in the test: one
e-mail per manager and unit account with an address, Vietnamese first, scoped to what each
may see, with each campaign's Excel report attached; sent once a day across workers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import OutboxEvent
from tests.dashboard import scenario
from tests.server import free_port
from webhook import daily
from webhook.mail import MailFailed


class Inbox:
    """aiosmtpd's handler: keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def loaded(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, session: Session, published: Any,
    tmp_path: Path, smtp: tuple[Inbox, int],
) -> Inbox:  # fmt: skip
    scenario.load(client, runner, session, tmp_path)
    for name, address in (("lanh.dao", "lanh.dao@q10.gov.vn"), ("phuong1", "p1@q10.gov.vn")):
        result = runner.invoke(args=["users", "set-email", name, address])
        assert result.exit_code == 0, result.output
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{smtp[1]}?from=bao.cao@q10.gov.vn"
    return smtp[0]


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _cells(message: EmailMessage) -> set[str]:
    found: set[str] = set()
    for part in message.iter_attachments():
        book = openpyxl.load_workbook(io.BytesIO(part.get_content()), read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                found.update(str(v) for v in row if v is not None)
    return found


def test_digest_send__arrives_at_the_smtp_server__scoped_to_each_account(
    runner: FlaskCliRunner, loaded: Inbox
):
    result = runner.invoke(args=["digest", "send", "--date", scenario.AS_OF])
    assert result.exit_code == 0, result.output
    assert "2 e-mails" in result.output

    by_to = {to[0]: (sender, message) for sender, to, message in loaded.messages}
    assert set(by_to) == {"lanh.dao@q10.gov.vn", "p1@q10.gov.vn"}
    sender, manager = by_to["lanh.dao@q10.gov.vn"]
    _, unit = by_to["p1@q10.gov.vn"]
    assert sender == "bao.cao@q10.gov.vn"

    text = _text(manager)
    assert text.index("Báo cáo tiến độ ngày 31/03/2021") < text.index("— English —")
    assert "Phường 1 (27184): 40,0 %" in text and "(27190): 50,0 %" in text
    assert "Tiến độ ngày 31/03/2021" in str(manager["Subject"])
    files = [p.get_filename() for p in manager.iter_attachments()]
    assert files == [f"{c}-{scenario.AS_OF}.xlsx" for c in ("vneid", "vssid", "vssid_residents")]

    # The unit account: its own unit (and units under it) only, in text and workbook.
    unit_text = _text(unit)
    assert "(27184): 40,0 %" in unit_text
    assert "27190" not in unit_text and "Q10-NV" not in unit_text
    assert any("Phường 2" in c for c in _cells(manager))
    assert not any("Phường 2" in c for c in _cells(unit))
    # No list of people in an e-mail, not even for a unit account.
    assert not any("Nguyễn Văn An" in c for c in _cells(unit))


def test_digest_dry_run__lists_recipients__sends_nothing(runner: FlaskCliRunner, loaded: Inbox):
    result = runner.invoke(args=["digest", "send", "--date", scenario.AS_OF, "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "lanh.dao@q10.gov.vn" in result.output and "p1@q10.gov.vn" in result.output
    assert loaded.messages == []


def test_daily_tick__at_the_hour__digest_and_summaries_once_across_workers(
    app: Flask, session: Session, loaded: Inbox
):
    app.config["DIGEST_HOUR"] = 17
    sessions = app.extensions["vssid.db"].sessionmaker
    before = datetime(2021, 3, 31, 9, 59, tzinfo=UTC)  # 16:59 in Hà Nội
    after = datetime(2021, 3, 31, 10, 30, tzinfo=UTC)  # 17:30
    with app.app_context():
        daily.tick(app, sessions, before)
        assert loaded.messages == []
        daily.tick(app, sessions, after)  # one worker
        daily.tick(app, sessions, after)  # another, a moment later

    assert len(loaded.messages) == 2
    session.rollback()
    summaries = session.scalars(
        select(OutboxEvent).where(OutboxEvent.type == "campaign.daily_summary")
    ).all()
    assert sorted(e.campaign or "" for e in summaries) == ["vneid", "vssid", "vssid_residents"]
    vssid = next(e for e in summaries if e.campaign == "vssid")
    assert vssid.data["date"] == "2021-03-31"
    assert vssid.data["total"]["done"] == 4 and vssid.data["total"]["denominator"] == 19
    assert daily.due(after, 17) == date(2021, 3, 31)


def test_daily_tick__smtp_server_down__the_day_is_tried_again_later(
    app: Flask, session: Session, loaded: Inbox, smtp: tuple[Inbox, int]
):
    sessions = app.extensions["vssid.db"].sessionmaker
    after = datetime(2021, 3, 31, 10, 30, tzinfo=UTC)
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    with app.app_context():
        with pytest.raises(MailFailed):
            daily.tick(app, sessions, after)
        app.config["SMTP_URL"] = f"smtp://127.0.0.1:{smtp[1]}"
        daily.tick(app, sessions, after)

    assert len(loaded.messages) == 2
