"""``vssid review``: the review queue from the command line (list, accept, reject, correct:
a reviewer's correction of one answer, as a new version of the record).
Times are shown as people here read them; decisions are kept with who and why."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug.exceptions import Forbidden

from ingest.campaigns import LOCAL_TZ
from ingest.db import utcnow
from ingest.errors import VssidError
from ingest.models import REVIEW_STATES, ReviewState, SubmissionStatus
from ingest.registry import accounts
from ingest.submissions import review
from ingest.submissions.media import MediaStore
from webhook import audit
from webhook.cli import fail, settle
from webhook.corrections import correct_as
from webhook.database import database

review_cli = AppGroup("review", help="The review queue of flagged submissions.")


@review_cli.command("list")
@click.option(
    "--status",
    "review_state",
    default="flagged",
    show_default=True,
    type=click.Choice([state.value for state in REVIEW_STATES]),
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@with_appcontext
def review_list(review_state: str, limit: int) -> None:
    """List submissions in a review state with their problems (no personal values: one line
    per person's record, so the listing is recorded in the audit trail). Times are local
    (Asia/Ho_Chi_Minh), as the dashboard shows them, with their offset."""
    settle()
    wanted = ReviewState(review_state)
    with database().sessionmaker.begin() as session:
        rows = review.queue(session, wanted, limit=limit)
        total = review.count(session, wanted)
        lines = []
        for submission, state in rows:
            codes = ", ".join(sorted({str(i.get("code")) for i in state.issues})) or "-"
            lines.append(
                f"{submission.id}\t{submission.form_id}\t{state.unit_code or '-'}\t"
                f"{local_time(submission.received_at)}\t{codes}"
            )
        if rows:  # committed with this transaction, before anything is printed
            audit.from_cli(session, "cli_review", rows=len(rows), masked=True)
    for line in lines:
        click.echo(line)
    shown = f"{len(rows)} of {total}" if len(rows) < total else str(total)
    click.echo(f"{shown} {review_state}")


def local_time(moment: datetime) -> str:
    """A stored UTC time as people here read it: ``2021-03-16 16:32 +07``."""
    local = moment.astimezone(LOCAL_TZ)  # stored times are aware (ingest.db.UTCDateTime)
    return f"{local:%Y-%m-%d %H:%M} {local:%z}"[:-2]  # +0700 as +07


def _decide(submission_id: int, decision: str, reason: str, reviewer: str) -> None:
    try:
        with database().sessionmaker.begin() as session:
            review.decide(session, submission_id, decision, reason, reviewer, utcnow())
    except VssidError as error:
        fail(error)
    settle()
    with database().sessionmaker() as session:
        state = session.get(SubmissionStatus, submission_id)
        click.echo(f"Submission {submission_id}: {state.review_state if state else '?'}.")


@review_cli.command("accept")
@click.argument("submission_id", type=int)
@click.option("--reason", required=True, help="Why (kept with the decision).")
@click.option("--by", "reviewer", required=True, help="Who decides (account name).")
@with_appcontext
def review_accept(submission_id: int, reason: str, reviewer: str) -> None:
    """Accept a flagged submission: it counts from now on."""
    _decide(submission_id, "accept", reason, reviewer)


@review_cli.command("reject")
@click.argument("submission_id", type=int)
@click.option("--reason", required=True, help="Why (kept with the decision).")
@click.option("--by", "reviewer", required=True, help="Who decides (account name).")
@with_appcontext
def review_reject(submission_id: int, reason: str, reviewer: str) -> None:
    """Reject a submission: it never counts (it stays in the log)."""
    _decide(submission_id, "reject", reason, reviewer)


@review_cli.command("correct")
@click.argument("submission_id", type=int)
@click.option("--field", "path", required=True, help="The question's name (path), e.g. bhxh_code.")
@click.option("--value", required=True, help="The corrected answer (a choice's name for a choice).")
@click.option("--reason", required=True, help="Why (kept in the log with the new version).")
@click.option("--by", "reviewer", required=True, help="Who corrects (an account that may review).")
@with_appcontext
def correct_command(submission_id: int, path: str, value: str, reason: str, reviewer: str) -> None:
    """Correct one answer of a submission: a new version of the record replaces it."""
    media = MediaStore(Path(current_app.config["MEDIA_DIR"]))
    sessionmaker = database().sessionmaker
    settle()  # the record's current state
    try:
        with sessionmaker.begin() as session:
            user = accounts.find_user(session, reviewer)
            receipt = correct_as(session, user, submission_id, path, value, reason, media,
                                 utcnow())  # fmt: skip
            new_id = receipt.submission.id
    except VssidError as error:
        fail(error)
    except Forbidden as refused:
        raise click.ClickException(str(refused.description)) from None
    settle()
    with sessionmaker() as session:
        state = session.get(SubmissionStatus, new_id)
        shown = state.review_state if state else "?"
    click.echo(f"Phiếu số {submission_id} đã được sửa: phiếu mới số {new_id} ({shown}).")
    click.echo(f"Submission {submission_id} corrected: new submission {new_id} ({shown}).")
