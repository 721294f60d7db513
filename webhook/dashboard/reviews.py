"""The review queue (``/review``): flagged submissions, their problems, accept or reject.

Every campaign's submissions, or one campaign's (``?campaign=``, with the campaign selector).
Everyone signed in may look (a unit account at its own units only; a manager sees personal
values masked, as in the API); only an administrator decides, with a reason, through
``ingest.submissions.review.decide``, which appends the decision to the log: the projection
applies it before the next page load reads (an accepted record then counts in the coverage).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.wrappers import Response

from ingest.campaigns import Campaign
from ingest.consumers.projection import read_stored
from ingest.db import utcnow
from ingest.errors import Conflict, InvalidInput
from ingest.forms.formspec import FormSpec
from ingest.models import Review, ReviewState, Submission, SubmissionStatus, Unit
from ingest.submissions import review
from webhook import policy
from webhook.dashboard import i18n, scope
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import _
from webhook.dashboard.scope import page
from webhook.dashboard.selector import campaigns, selector
from webhook.database import get_session

PAGE_SIZE = 25
MAX_OFFSET = 10**9
SHOWN_REVIEW_STATES = (ReviewState.FLAGGED, ReviewState.REJECTED, ReviewState.ACCEPTED)
HIDDEN_KINDS = ("group", "repeat", "note", "meta")


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer as the reviewer reads it: the question's label, the shown value, and
    whether a problem was found in it."""

    path: str
    label: str
    value: str
    problem: bool


@dataclass(frozen=True, slots=True)
class Card:
    """One submission in the queue."""

    submission: Submission
    state: SubmissionStatus
    campaign: Campaign | None
    unit_name: str | None
    issues: list[dict[str, Any]]
    answers: list[Answer]
    history: list[Review]
    personal: bool


@bp.get("/review")
@page()
def review_queue() -> str:
    """Submissions in a review state (``?status=``, default: flagged) of every campaign or of
    one (``?campaign=``), oldest first, a page at a time."""
    asked = request.args.get("status", ReviewState.FLAGGED)
    if asked not in SHOWN_REVIEW_STATES:
        raise BadRequest(_("Giá trị không hợp lệ cho {name}: {value}", name="status", value=asked))
    review_state = ReviewState(asked)
    campaign = _campaign_asked()
    offset = request.args.get("offset", "0")
    # ASCII digits only (str.isdigit() also takes "²"), and no further than a database offset
    start = min(int(offset), MAX_OFFSET) if offset.isascii() and offset.isdigit() else 0
    session = get_session()
    codes = policy.unit_scope(session, scope.user())
    rows = review.queue(session, review_state, unit_codes=codes, limit=PAGE_SIZE + 1,
                        offset=start, campaign=campaign.id if campaign else None)  # fmt: skip
    cards = [_card(submission, state, codes) for submission, state in rows[:PAGE_SIZE]]
    return render_template(
        "dashboard/review.html",
        review_state=review_state,
        cards=cards,
        offset=start,
        more=len(rows) > PAGE_SIZE,
        page_size=PAGE_SIZE,
        can_decide=policy.may(scope.user(), "review"),
        filter_args={"campaign": campaign.id} if campaign else {},
        selector=selector(campaign.id if campaign else None, everything=True),
    )


def _campaign_asked() -> Campaign | None:
    """The campaign of ``?campaign=`` (None: every campaign); 404 for an unknown one."""
    asked = request.args.get("campaign") or None
    if asked is None:
        return None
    found = next((c for c in campaigns() if c.id == asked), None)
    if found is None:
        raise NotFound(_("Không có chiến dịch này: {value}", value=asked))
    g.campaign = found  # the page's words and the menu's links
    return found


@bp.post("/review/<int:submission_id>")
@page("review")
def review_decide(submission_id: int) -> Response:
    """Accept or reject a submission with a reason; back to the queue with the outcome."""
    decision = request.form.get("decision", "")
    session = get_session()
    try:
        review.decide(
            session,
            submission_id,
            decision,
            request.form.get("reason", ""),
            scope.user().username,
            utcnow(),
        )
        session.commit()
    except (InvalidInput, Conflict) as error:
        session.rollback()
        message = error.message_en if i18n.language() == "en" else error.message_vi
        flash(_("Không ghi nhận được quyết định: {message}", message=message), "error")
    else:
        accepted = decision == "accept"
        done = "Đã chấp nhận phiếu số {id}." if accepted else "Đã từ chối phiếu số {id}."
        flash(_(done, id=submission_id), "success")
    back: dict[str, Any] = {k: v for k in ("status", "campaign") if (v := request.args.get(k))}
    return redirect(url_for("dashboard.review_queue", **back))


def _card(submission: Submission, state: SubmissionStatus, units: set[str] | None) -> Card:
    """A submission as the signed-in account, who sees ``units`` (None: all), may read it."""
    session = get_session()
    account = scope.user()
    spec = policy.masking_spec(session, submission.form_id, submission.form_version)
    issues = policy.mask_issues(account, state.issues, spec, units)
    unit = session.get(Unit, state.unit_code) if state.unit_code else None
    return Card(
        submission=submission,
        state=state,
        campaign=next((c for c in campaigns() if c.id == state.campaign), None),
        unit_name=unit.name_vi if unit else None,
        issues=issues,
        answers=_answers(submission, spec, {i.get("path") for i in issues}),
        history=review.history(session, submission.id),
        personal=policy.sees_personal_data(account),
    )


def _answers(
    submission: Submission, masking: FormSpec | None, problem_paths: set[Any]
) -> list[Answer]:
    """The submitted values beside the form's labels, in the form's order (masked by
    ``masking`` for roles without personal data: ``policy.masking_spec``)."""
    read = read_stored(get_session(), submission)
    if read is None:
        return []
    instance, spec = read
    values = policy.mask_values(scope.user(), instance.values, masking)
    answers = []
    for path, field in spec.fields.items():
        if field.kind in HIDDEN_KINDS or path not in values:
            continue
        masked = values[path] != instance.values[path]
        shown = _shown(path, values[path], masked, spec.choice_labels.get(path, {}))
        answers.append(Answer(path, _label(field.labels, field.path), shown, path in problem_paths))
    for path in sorted(set(values) - set(spec.fields)):  # answers the form does not know
        shown = _shown(path, values[path], True, {})
        answers.append(Answer(path, path, shown, path in problem_paths))
    return answers


def _label(labels: Mapping[str, str], fallback: str) -> str:
    """A text of the form in the page's language (its language names end ``(vi)``, ``(en)``)."""
    wanted = f"({i18n.language()})"
    for language, text in labels.items():
        if language.endswith(wanted):
            return text
    return next(iter(labels.values()), fallback)


def _shown(path: str, value: Any, masked: bool, choices: Mapping[str, Mapping[str, str]]) -> str:
    """A value as a person reads it: the form's own labels for choices, dd/mm/yyyy for dates."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "; ".join(_shown(path, v, masked, choices) for v in value)
    text = str(value)
    if masked:
        return text
    if choices:
        return "; ".join(_label(choices.get(code, {}), code) for code in text.split())
    if path == "unit":
        name = get_session().scalar(select(Unit.name_vi).where(Unit.code == text))
        return f"{name} ({text})" if name else text
    try:
        return i18n.day(date.fromisoformat(text)) if len(text) == 10 else text
    except ValueError:
        return text
