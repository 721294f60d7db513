"""``vssid review``: the review queue from the command line (list, accept, reject, correct).
Times are shown as people here read them; decisions are kept with who and why."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup, with_appcontext

from ingest.campaigns import LOCAL_TZ
from ingest.db import utcnow
from ingest.errors import VssidError
from ingest.models import REVIEW_STATES, ReviewState, SubmissionStatus
from ingest.submissions import review
from webhook.cli import _fail, _settle
from webhook.correction_cli import correct_command
from webhook.database import database

review_cli = AppGroup("review", help="The review queue of flagged submissions.")
review_cli.add_command(correct_command)


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
    """List submissions in a review state with their problems (no personal data). Times are
    local (Asia/Ho_Chi_Minh), as the dashboard shows them, with their offset."""
    _settle()
    wanted = ReviewState(review_state)
    with database().sessionmaker() as session:
        rows = review.queue(session, wanted, limit=limit)
        total = review.count(session, wanted)
        for submission, state in rows:
            codes = ", ".join(sorted({str(i.get("code")) for i in state.issues})) or "-"
            click.echo(
                f"{submission.id}\t{submission.form_id}\t{state.unit_code or '-'}\t"
                f"{local_time(submission.received_at)}\t{codes}"
            )
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
        _fail(error)
    _settle()
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
