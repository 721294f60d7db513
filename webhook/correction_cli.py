"""``vssid review correct``: a reviewer's correction of one answer, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.exceptions import Forbidden

from ingest.db import utcnow
from ingest.errors import VssidError
from ingest.models import SubmissionStatus
from ingest.registry import accounts
from ingest.submissions.media import MediaStore
from webhook import pipeline
from webhook.corrections import correct_as
from webhook.database import database


@click.command("correct")
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
    pipeline.pipeline().run_until_idle(sessionmaker, wait=True)  # the record's current state
    try:
        with sessionmaker.begin() as session:
            user = accounts.find_user(session, reviewer)
            receipt = correct_as(session, user, submission_id, path, value, reason, media,
                                 utcnow())  # fmt: skip
            new_id = receipt.submission.id
    except VssidError as error:
        click.secho(f"Lỗi: {error.message_vi}", fg="red", err=True)
        click.secho(f"Error [{error.code}]: {error.message_en}", fg="red", err=True)
        sys.exit(1)
    except Forbidden as refused:
        raise click.ClickException(str(refused.description)) from None
    pipeline.pipeline().run_until_idle(sessionmaker, wait=True)
    with sessionmaker() as session:
        state = session.get(SubmissionStatus, new_id)
        shown = state.review_state if state else "?"
    click.echo(f"Phiếu số {submission_id} đã được sửa: phiếu mới số {new_id} ({shown}).")
    click.echo(f"Submission {submission_id} corrected: new submission {new_id} ({shown}).")
