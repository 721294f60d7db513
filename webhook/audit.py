"""Recording the audit trail (``ingest.privacy.audit``) from the web and the command line:
the one place that says who viewed personal data, from where, and that refuses to show it
when that cannot be written down.

A view that shows person-level rows or personal values calls :func:`viewed` once it knows
what it will show and before it answers. The account is the signed-in one (the dashboard's,
or the API's: ``g.user``), the address the one the server saw (``request.remote_addr``: a
proxy in front sets it, through the server's own configuration; a client's
``X-Forwarded-For`` is not believed here), the path the request's without its query string.
The row is committed at once in the request's session (a page or an API read commits
nothing else), so the data leaves only after its row is stored; when it cannot be, the
answer is :class:`AuditUnavailable` (503, Vietnamese then English), never the data.

Commands that print or write lists of people call :func:`from_cli` in their own
transaction, before printing: the account is ``cli:<OS user>``, the role ``cli``, the
address ``local``, the path the command (``vssid review list``).
"""

from __future__ import annotations

import contextlib
import getpass
import logging

import click
from flask import g, request
from flask_login import current_user  # type: ignore[import-untyped]
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.exceptions import ServiceUnavailable

from ingest.models import AccessLog, User
from ingest.privacy import audit
from webhook.database import commit_now, get_session
from webhook.errors import RETRY_AFTER

log = logging.getLogger(__name__)

#: The role and address of rows written by the command line.
CLI_ROLE = "cli"
CLI_ADDRESS = "local"


class AuditUnavailable(ServiceUnavailable):
    """503: the view's audit row could not be stored, so its data is not shown."""

    description = (
        "Không ghi được nhật ký truy cập dữ liệu cá nhân nên dữ liệu không được hiển thị; "
        "vui lòng thử lại sau. (The access to personal data could not be recorded, so the "
        "data is not shown; please try again later.)"
    )


def _account() -> User:
    """The account of this request: the API's (``g.user``), else the dashboard's."""
    user: User | None = g.get("user")
    if user is None:
        user = current_user.user
    return user


def viewed(
    action: str,
    *,
    campaign: str | None = None,
    unit_code: str | None = None,
    submission_id: int | None = None,
    person_key: str | None = None,
    rows: int = 0,
    masked: bool = False,
) -> AccessLog:
    """Record that this request shows personal data (``action``, what it is about, how many
    people's rows, whether masked), committed now; :class:`AuditUnavailable` when it cannot
    be."""
    user = _account()

    def write(session: Session) -> AccessLog:
        return audit.record(
            session,
            account=user.username,
            role=user.role,
            action=action,
            address=request.remote_addr or "",
            path=request.path,
            campaign=campaign,
            unit_code=unit_code,
            submission_id=submission_id,
            person_key=person_key,
            rows=rows,
            masked=masked,
        )

    try:
        return commit_now(write)
    except Exception:
        # Whatever failed (the database, a bug), the data must not leave unrecorded.
        log.exception("audit row not written (%s %s): answering 503", action, request.path)
        _rollback()
        raise AuditUnavailable(retry_after=RETRY_AFTER) from None


def _rollback() -> None:
    with contextlib.suppress(SQLAlchemyError):  # a lost connection is discarded already
        get_session().rollback()


def cli_account() -> str:
    """Who runs the command: ``cli:<OS user>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a bare container)
        name = "unknown"
    return f"cli:{name}"


def from_cli(
    session: Session,
    action: str,
    *,
    campaign: str | None = None,
    unit_code: str | None = None,
    person_key: str | None = None,
    rows: int = 0,
    masked: bool = False,
) -> AccessLog:
    """Record, in ``session``'s transaction, that the running command shows personal data;
    the caller prints only after that transaction commits."""
    context = click.get_current_context(silent=True)
    command = context.command_path if context is not None else "vssid"
    return audit.record(
        session,
        account=cli_account(),
        role=CLI_ROLE,
        action=action,
        address=CLI_ADDRESS,
        path=command,
        campaign=campaign,
        unit_code=unit_code,
        person_key=person_key,
        rows=rows,
        masked=masked,
    )
