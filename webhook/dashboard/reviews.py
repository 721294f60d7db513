"""The review desk (``/review``, ``/review/submission/<id>``): submissions to look at again, their
problems, accept, reject or correct.

Every campaign's submissions, or one campaign's (``?campaign=``, with the campaign selector).
Everyone signed in may look (a unit account at its own units only; a manager sees personal
values masked, as in the API); only an administrator decides, with a reason, through
``ingest.submissions.review.decide``, which appends the decision to the log: the projection
applies it before the next page load reads (an accepted record then counts in the coverage).
An administrator may also correct an answer (a typo in a code): that appends a new version
of the record (``webhook.corrections``), checked by its form like any record.

A problem is shown once: the same field's problems of one meaning (a date after the day of
recording, found by the form's rule and by the campaign's own check) are one line, and dates
inside the messages read dd/mm/yyyy, as the answers do. Records of the same person (the
campaign's identifier) link to each other, among those the account may see.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, Forbidden, NotFound
from werkzeug.wrappers import Response

from ingest.campaigns import Campaign
from ingest.consumers.projection import read_stored
from ingest.db import utcnow
from ingest.errors import Conflict, InvalidInput
from ingest.errors import NotFound as IngestNotFound
from ingest.forms.formspec import FormSpec
from ingest.models import Review, ReviewState, Submission, SubmissionStatus, Unit
from ingest.submissions import correction, review
from ingest.submissions.media import MediaStore
from webhook import audit, policy
from webhook.corrections import correct_as
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
#: What an issue is about, by its code: two problems of one field and one meaning are one.
ABOUT_PERSON = frozenset({"domain.person_two_units"})
#: A date as stored (ISO) inside a message: shown as the answers are, dd/mm/yyyy.
ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer as the reviewer reads it: the question's label, the shown value, and
    whether a problem was found in it."""

    path: str
    label: str
    value: str
    problem: bool


@dataclass(frozen=True, slots=True)
class Linked:
    """Another record of the same person in the same campaign."""

    submission_id: int
    unit_name: str
    review_state: str


@dataclass(frozen=True, slots=True)
class Corrected:
    """What a correction changed (on the new version): the version it replaces, the
    question's label, who and why."""

    of: int
    label: str
    by: str
    reason: str


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
    linked: list[Linked]
    corrected: Corrected | None
    #: The questions an administrator may correct: (path, label).
    correctable: list[tuple[str, str]]


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
    if cards:  # people's answers on the page: the audit trail first
        audit.viewed("review_queue", campaign=campaign.id if campaign else None,
                     rows=len(cards), masked=not cards[0].personal)  # fmt: skip
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


# Not ``GET /review/<id>``: beside ``POST /review/<id>`` an id past the database's range
# would be answered 405 rather than 404.
@bp.get("/review/submission/<int:submission_id>")
@page()
def review_one(submission_id: int) -> str:
    """One submission's card, whatever its review state (a linked record, a new version)."""
    session = get_session()
    submission = session.get(Submission, submission_id)
    state = session.get(SubmissionStatus, submission_id)
    codes = policy.unit_scope(session, scope.user())
    if submission is None or state is None or (codes is not None and state.unit_code not in codes):
        raise NotFound(_("Không tìm thấy phiếu số {id}.", id=submission_id))
    card = _card(submission, state, codes)
    audit.viewed("submission", campaign=state.campaign, unit_code=state.unit_code,
                 submission_id=submission_id, person_key=submission.person_key, rows=1,
                 masked=not card.personal)  # fmt: skip
    return render_template(
        "dashboard/review.html",
        review_state=state.review_state,
        cards=[card],
        offset=0,
        more=False,
        page_size=PAGE_SIZE,
        can_decide=policy.may(scope.user(), "review"),
        filter_args={},
        single=True,
        selector=None,
    )


@bp.post("/review/<int:submission_id>/correct")
@page("review")
def review_correct(submission_id: int) -> Response:
    """Correct one answer with a reason (``field``, ``value``, ``why``: not ``reason``, the
    decision's field on the same card): a new version replaces the submission."""
    session = get_session()
    media = MediaStore(Path(current_app.config["MEDIA_DIR"]))
    form = request.form
    try:
        receipt = correct_as(
            session, scope.user(), submission_id, form.get("field", ""), form.get("value", ""),
            form.get("why", ""), media, utcnow(),
        )  # fmt: skip
        session.commit()
    except (InvalidInput, Conflict, IngestNotFound) as error:
        session.rollback()
        message = error.message_en if i18n.language() == "en" else error.message_vi
        flash(_("Không sửa được phiếu: {message}", message=message), "error")
        return redirect(url_for("dashboard.review_one", submission_id=submission_id))
    except (Forbidden, policy.OutOfScope):
        session.rollback()
        raise Forbidden(_("Tài khoản của bạn không được xem trang này.")) from None
    new_id = receipt.submission.id
    flash(_("Đã sửa phiếu số {id}: phiên bản mới là phiếu số {new}.", id=submission_id,
            new=new_id), "success")  # fmt: skip
    return redirect(url_for("dashboard.review_one", submission_id=new_id))


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
    read = read_stored(session, submission)
    form_spec = read[1] if read else None
    return Card(
        submission=submission,
        state=state,
        campaign=next((c for c in campaigns() if c.id == state.campaign), None),
        unit_name=i18n.unit_name(unit) if unit else None,
        issues=shown_issues(issues),
        answers=_answers(submission, spec, {i.get("path") for i in issues}),
        history=review.history(session, submission.id),
        personal=policy.sees_personal_data(account),
        linked=_linked(submission, state, units),
        corrected=_corrected(submission, form_spec),
        correctable=[
            (path, _label(field.labels, path))
            for path, field in (form_spec.fields.items() if form_spec else ())
            if field.kind in correction.CORRECTABLE_KINDS
            and not any(path.startswith(f"{r}/") for r in form_spec.repeat_paths)
        ]
        if form_spec and state.review_state != ReviewState.SUPERSEDED
        else [],
    )


def shown_issues(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each problem once: the first of a field's issues of one meaning (about the person,
    else about the value), with its dates as dd/mm/yyyy."""
    seen: set[tuple[Any, bool]] = set()
    shown = []
    for issue in issues:
        key = (issue.get("path"), issue.get("code") in ABOUT_PERSON)
        if key in seen:
            continue
        seen.add(key)
        dated: dict[str, Any] = {
            name: ISO_DAY.sub(r"\3/\2/\1", str(issue[name]))
            for name in ("message_vi", "message_en") if name in issue
        }  # fmt: skip
        shown.append({**issue, **dated})
    return shown


def _linked(
    submission: Submission, state: SubmissionStatus, units: set[str] | None
) -> list[Linked]:
    """The other current records of the same person in the same campaign that the account
    sees, oldest first."""
    if not submission.person_key or not state.campaign:
        return []
    query = (
        select(SubmissionStatus.submission_id, SubmissionStatus.review_state, Unit)
        .join(Submission, Submission.id == SubmissionStatus.submission_id)
        .outerjoin(Unit, Unit.code == SubmissionStatus.unit_code)
        .where(
            Submission.person_key == submission.person_key,
            SubmissionStatus.campaign == state.campaign,
            SubmissionStatus.review_state != ReviewState.SUPERSEDED,
            Submission.id != submission.id,
        )
        .order_by(Submission.id)
        .limit(20)
    )
    if units is not None:
        query = query.where(SubmissionStatus.unit_code.in_(units))
    return [
        Linked(number, i18n.unit_name(unit) if unit else "—", review_state)
        for number, review_state, unit in get_session().execute(query)
    ]


def _corrected(submission: Submission, spec: FormSpec | None) -> Corrected | None:
    """What the correction that made this version changed, and who and why."""
    headers = submission.headers or {}
    if submission.source != correction.SOURCE or correction.OF not in headers:
        return None
    path = str(headers.get(correction.FIELD, ""))
    field = spec.fields.get(path) if spec else None
    return Corrected(
        of=int(headers[correction.OF]),
        label=_label(field.labels, path) if field else path,
        by=submission.submitter or "—",
        reason=str(headers.get(correction.REASON, "")),
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
        unit = get_session().get(Unit, text)
        return f"{i18n.unit_name(unit)} ({text})" if unit else text
    try:
        return i18n.day(date.fromisoformat(text)) if len(text) == 10 else text
    except ValueError:
        return text
