"""Once-a-day jobs, run by whichever server worker (or ``vssid digest send``) gets there
first: the ``campaign.daily_summary`` events and the e-mail digest.

Each is due from ``VSSID_DIGEST_HOUR`` (local time, Asia/Ho_Chi_Minh; default 17) of a day.
The day's ``daily_run`` row decides who does it: the worker whose INSERT succeeds. The
summary events are written in that same transaction (so they exist exactly once); the
digest's row is committed before the first e-mail leaves, so a worker that dies while
sending leaves that day's digest partly sent rather than sent twice (an administrator can
send it again with ``vssid digest send --date D``); when the SMTP server cannot be reached
at all, the row is given back and a later tick tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from email.message import EmailMessage

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ingest.campaigns import LOCAL_TZ, all_campaigns
from ingest.db import begin_write, utcnow
from ingest.models import DailyRun, EventType, User
from ingest.outbox import Event, emit, event_id
from reports import coverage, digest
from webhook import policy
from webhook.mail import MailFailed, Smtp
from webhook.pipeline import pipeline

log = logging.getLogger(__name__)

SUMMARY = "summary"
DIGEST = "digest"
#: The roles that receive the digest (at the address on their account).
DIGEST_ROLES = ("manager", "unit")


def local_day(moment: datetime) -> date:
    """The local (Vietnam) day of ``moment``."""
    return moment.astimezone(LOCAL_TZ).date()


def due(now: datetime, hour: int) -> date | None:
    """The day whose jobs are due at ``now`` (None: before today's hour)."""
    local = now.astimezone(LOCAL_TZ)
    return local.date() if local.time() >= time(hour) else None


def _claim(session: Session, job: str, day: date) -> bool:
    """Insert the day's row for ``job`` in the session's transaction; False when another
    worker has it."""
    begin_write(session)
    if session.get(DailyRun, (job, day)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(DailyRun(job=job, day=day, started_at=utcnow()))
    except IntegrityError:
        return False
    return True


def summaries(sessions: sessionmaker[Session], day: date) -> int:
    """Write each campaign's ``campaign.daily_summary`` for ``day`` unless already written;
    how many were written."""
    with sessions() as session:
        if session.get(DailyRun, (SUMMARY, day)) is not None:
            return 0
    pipeline().settle(sessions)
    kind = EventType.CAMPAIGN_DAILY_SUMMARY.value
    with sessions() as session:  # read first: the write below holds SQLite's lock briefly
        events = [
            Event(event_id("summary", c.id, day.isoformat()), kind, c.id,
                  digest.summary_data(coverage.compute(session, c, day)))
            for c in all_campaigns(session)
        ]  # fmt: skip
    with sessions() as session:
        if not _claim(session, SUMMARY, day):
            session.rollback()
            return 0
        written = emit(session, events)
        session.execute(
            update(DailyRun).where(DailyRun.job == SUMMARY, DailyRun.day == day)
            .values(finished_at=utcnow(), detail=f"{written} events")
        )  # fmt: skip
        session.commit()
    return written


@dataclass(frozen=True, slots=True)
class Digest:
    """One digest ready to send: to whom, and the message."""

    username: str
    message: EmailMessage


def compose(
    sessions: sessionmaker[Session], day: date, sender: str, dashboard_url: str | None
) -> list[Digest]:
    """The day's digests, one per manager or unit account with an e-mail address, each
    scoped to the units that account may see (``webhook.policy.unit_scope``)."""
    pipeline().settle(sessions)
    out = []
    with sessions() as session:
        campaigns = all_campaigns(session)
        users = session.scalars(
            select(User).where(User.role.in_(DIGEST_ROLES), User.is_active,
                               User.email.is_not(None)).order_by(User.username)
        ).all()  # fmt: skip
        for user in users:
            assert user.email is not None
            recipient = digest.Recipient(user.username, user.email,
                                         policy.unit_scope(session, user))  # fmt: skip
            message = digest.compose(session, recipient, campaigns, day, sender, dashboard_url)
            out.append(Digest(user.username, message))
    return out


def send_digest(
    sessions: sessionmaker[Session], smtp: Smtp, day: date, dashboard_url: str | None,
    claim: bool = True,
) -> int | None:  # fmt: skip
    """Send ``day``'s digest; how many e-mails (None: another worker has sent or sends it).
    Without ``claim`` (by hand) it is sent whether or not it was sent before."""
    with sessions() as session:
        taken = _claim(session, DIGEST, day)
        if claim and not taken:
            session.rollback()
            return None
        session.commit()
    try:
        digests = compose(sessions, day, smtp.sender, dashboard_url)
        sent = smtp.send(d.message for d in digests)
    except MailFailed as error:
        if taken and error.sent == 0:  # nothing left: a later tick tries the day again
            _release(sessions, DIGEST, day)
        raise
    with sessions() as session:
        begin_write(session)
        session.execute(
            update(DailyRun).where(DailyRun.job == DIGEST, DailyRun.day == day)
            .values(finished_at=utcnow(), detail=f"{sent} e-mails")
        )  # fmt: skip
        session.commit()
    log.info("daily digest for %s: %d e-mails sent", day, sent)
    return sent


def _release(sessions: sessionmaker[Session], job: str, day: date) -> None:
    with sessions() as session:
        begin_write(session)
        row = session.get(DailyRun, (job, day))
        if row is not None:
            session.delete(row)
        session.commit()


def tick(app: Flask, sessions: sessionmaker[Session], now: datetime | None = None) -> None:
    """Run what is due today and not done yet (called by the hooks thread)."""
    day = due(now or utcnow(), int(app.config["DIGEST_HOUR"]))
    if day is None:
        return
    summaries(sessions, day)
    url = app.config.get("SMTP_URL")
    if url:
        send_digest(sessions, Smtp.parse(url), day, app.config.get("PUBLIC_URL"))
