"""JSON API: the review queue (``/api/v1/submissions``) and reviewers' decisions.

Authenticated with a dashboard account (HTTP Basic here; the dashboard's signed-in session
later). Who may call what, which units each account sees and what personal data it sees
are decided in ``webhook.policy``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import BadRequest, Forbidden

from ingest import campaigns
from ingest.campaigns import LOCAL_TZ
from ingest.consumers.projection import read_stored
from ingest.db import utcnow
from ingest.errors import ErrorCode, NotFound
from ingest.models import REVIEW_STATES, ReviewState, Submission, SubmissionStatus
from ingest.submissions import review
from reports import coverage, export, queries
from reports.trend import trend
from webhook import audit, pipeline, policy
from webhook.auth import require
from webhook.database import get_session
from webhook.settings import campaign_named, default_campaign

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PAGE = 500
TREND_DAYS = 30


def _item(
    submission: Submission, state: SubmissionStatus, detail: bool, units: set[str] | None
) -> dict[str, Any]:
    """A submission as ``g.user`` may read it, who sees ``units`` (None: every unit)."""
    user = g.user
    spec = policy.masking_spec(get_session(), submission.form_id, submission.form_version)
    item: dict[str, Any] = {
        "id": submission.id,
        "form_id": submission.form_id,
        "form_version": submission.form_version,
        "source": submission.source,
        "instance_id": submission.instance_id,
        "received_at": submission.received_at.isoformat(),
        "collected_at": submission.collected_at.isoformat() if submission.collected_at else None,
        "submitter": submission.submitter,
        "unit_code": state.unit_code,
        "status": state.review_state,
        "issues": policy.mask_issues(user, state.issues, spec, units),
    }
    if policy.sees_personal_data(user):
        item["instance_name"] = submission.instance_name
    if detail:
        read = read_stored(get_session(), submission)
        values = read[0].values if read else {}
        item["values"] = policy.mask_values(user, values, spec)
        item["attachments"] = [
            {"name": a.name, "size": a.size, "content_type": a.content_type}
            for a in submission.attachments
        ]
        item["reviews"] = [
            {
                "decision": r.decision,
                "reason": r.reason,
                "reviewer": r.reviewer,
                "decided_at": r.decided_at.isoformat(),
            }
            for r in review.history(get_session(), submission.id)
        ]
    return item


def _int_arg(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()):  # str.isdigit() also takes "²", int() does not
        raise BadRequest(f"'{name}' phải là số nguyên không âm ('{name}' must be a number).")
    return min(int(raw), maximum)


@bp.get("/submissions")
@require("read")
def submissions() -> Response:
    """The submissions in a review state (``?status=``, default ``flagged``: the review
    queue), oldest first."""
    asked = request.args.get("status", ReviewState.FLAGGED)
    if asked not in REVIEW_STATES:
        raise BadRequest(f"status phải là một trong (must be one of): {', '.join(REVIEW_STATES)}")
    review_state = ReviewState(asked)
    session = get_session()
    campaign = request.args.get("campaign")
    if campaign is not None:
        campaign = campaign_named(session, campaign).id  # 404 for an unknown campaign
    units = policy.unit_scope(session, g.user)
    rows = review.queue(
        session,
        review_state,
        campaign=campaign,
        unit_codes=units,
        limit=_int_arg("limit", 100, MAX_PAGE),
        offset=_int_arg("offset", 0, 10**9),
    )
    items = [_item(submission, state, detail=False, units=units) for submission, state in rows]
    if items:
        audit.viewed("api_submissions", campaign=campaign, rows=len(items),
                     masked=not policy.sees_personal_data(g.user))  # fmt: skip
    return jsonify({"status": review_state, "count": len(items), "items": items})


def _visible(submission_id: int) -> tuple[Submission, SubmissionStatus]:
    session = get_session()
    submission = session.get(Submission, submission_id)
    state = session.get(SubmissionStatus, submission_id)
    if submission is None or state is None:
        raise NotFound(ErrorCode.SUBMISSION_NOT_FOUND, submission_id=submission_id)
    if not policy.sees_unit(session, g.user, state.unit_code):
        raise Forbidden("Phiếu này thuộc đơn vị khác. (This submission belongs to another unit.)")
    return submission, state


def _detail(submission: Submission, state: SubmissionStatus) -> Response:
    """One submission as ``g.user`` may read it, recorded in the audit trail."""
    units = policy.unit_scope(get_session(), g.user)
    item = _item(submission, state, detail=True, units=units)
    audit.viewed("api_submission", campaign=state.campaign, unit_code=state.unit_code,
                 submission_id=submission.id, person_key=submission.person_key, rows=1,
                 masked=not policy.sees_personal_data(g.user))  # fmt: skip
    return jsonify(item)


@bp.get("/submissions/<int:submission_id>")
@require("read")
def submission_detail(submission_id: int) -> Response:
    """One submission: its values (masked for managers), issues, attachments and reviews."""
    submission, state = _visible(submission_id)
    return _detail(submission, state)


@bp.post("/submissions/<int:submission_id>/review")
@require("review")
def submission_review(submission_id: int) -> Response:
    """Accept or reject a submission: ``{"decision": "accept"|"reject", "reason": "…"}``."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # deeply nested JSON: "silent" only covers ValueError
        body = None
    if not isinstance(body, dict):
        raise BadRequest("Cần gửi JSON {decision, reason}. (Send JSON {decision, reason}.)")
    session = get_session()
    state = review.decide(
        session,
        submission_id,
        str(body.get("decision", "")),
        str(body.get("reason", "")),
        g.user.username,
        utcnow(),
    )
    session.commit()
    pipeline.settle()  # the answer shows the decision applied
    session.expire_all()  # read the state the projection wrote, not the one loaded before
    submission, state = _visible(submission_id)
    return _detail(submission, state)


def _as_of() -> date:
    raw = request.args.get("as_of")
    if raw is None:
        return utcnow().astimezone(LOCAL_TZ).date()
    try:
        return coverage.parse_day(raw)
    except ValueError:
        raise BadRequest(
            f"as_of phải là ngày YYYY-MM-DD từ {coverage.FIRST_DAY} đến {coverage.LAST_DAY} "
            f"(as_of must be a date YYYY-MM-DD in that range): '{raw}'"
        ) from None


@bp.get("/coverage")
@require("read")
def coverage_report() -> Response:
    """A campaign's coverage (``?campaign=``, default ``VSSID_DEFAULT_CAMPAIGN``) as of a
    date, by unit, kind or category (a unit account: its own units)."""
    by = request.args.get("by", "unit")
    if by not in export.BY:
        raise BadRequest(f"by phải là một trong (must be one of): {', '.join(export.BY)}")
    session = get_session()
    campaign = campaign_named(session, request.args.get("campaign"))
    result = coverage.compute(
        session, campaign, _as_of(), unit_codes=policy.unit_scope(session, g.user)
    )
    document = export.document(result, by)
    if "page" in request.args or "per_page" in request.args:
        document = _paged(document)
    return jsonify(document)


#: Rows per page of ``/api/v1/coverage`` when ``page`` is asked without ``per_page``, and the
#: most; without either the document has every row (the contract).
COVERAGE_PER_PAGE = 100
COVERAGE_MAX_PER_PAGE = 1000


def _paged(document: dict[str, Any]) -> dict[str, Any]:
    """One page of ``document``'s rows (``?page=&per_page=``); the total stays every row's,
    and ``page`` says where the page is."""
    number = _whole("page", 1)
    per_page = _whole("per_page", COVERAGE_PER_PAGE)
    if number < 1 or not 1 <= per_page <= COVERAGE_MAX_PER_PAGE:
        raise BadRequest(
            f"page phải từ 1, per_page từ 1 đến {COVERAGE_MAX_PER_PAGE} (page must be 1 or "
            f"more, per_page 1 to {COVERAGE_MAX_PER_PAGE}): page={number}, per_page={per_page}"
        )
    rows = document["rows"]
    start = (number - 1) * per_page
    pages = max(1, -(-len(rows) // per_page))
    return {
        **document,
        "rows": rows[start : start + per_page],
        "page": {"number": number, "per_page": per_page, "pages": pages, "rows": len(rows)},
    }


def _whole(name: str, default: int) -> int:
    raw = request.args.get(name) or ""
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(
            f"{name} phải là số nguyên ({name} must be a whole number): '{raw}'"
        ) from None


@bp.get("/campaigns")
@require("read")
def campaign_list() -> Response:
    """The published campaigns: each one's id, title, forms, what counts as done and its
    further levels, categories and target (``default`` marks ``VSSID_DEFAULT_CAMPAIGN``)."""
    default = default_campaign()
    return jsonify(
        {
            "campaigns": [
                {
                    "id": c.id,
                    "title": c.title.get("vi", c.id),
                    "title_en": c.title.get("en", ""),
                    "default": c.id == default,
                    "forms": list(c.forms),
                    "counts_persons": c.person is not None,
                    "identifier": c.person.identifier if c.person else None,
                    "done": {"key": c.done.key, "label": dict(c.done.label)},
                    "levels": [{"key": v.key, "label": dict(v.label)} for v in c.levels],
                    "categories": [{"key": k.key, "label": dict(k.label)} for k in c.categories],
                    "target_pct": c.target_pct,
                    "on_track_pct": c.on_track_pct,
                }
                for c in campaigns.all_campaigns(get_session())
            ]
        }
    )


@bp.get("/units/<code>")
@require("read")
def unit_detail(code: str) -> Response:
    """One unit in a campaign: its row, by category, daily trend, reasons, and (for roles
    allowed personal data) who on its roster is not done yet (``not_done``, and under the
    campaign's own word: ``not_installed`` in VssID)."""
    session = get_session()
    policy.require_unit(session, g.user, code)
    campaign = campaign_named(session, request.args.get("campaign"))
    as_of = _as_of()
    personal = policy.sees_personal_data(g.user)
    result = coverage.compute(session, campaign, as_of, unit_codes=[code], with_findings=personal)
    (row,) = result.units
    days = [as_of - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    daily = trend(session, campaign, days, unit_codes=[code])
    body: dict[str, Any] = {
        "campaign": campaign.id,
        "as_of": as_of.isoformat(),
        "target_pct": result.thresholds.target,
        "unit": export.unit_row(campaign, row),
        "reasons": row.reasons,
        "trend": [
            {"date": day.isoformat(), **export.counts(campaign, total.counts)}
            for day, total in daily
        ],
        "findings": {"not_on_roster": result.findings_total},
    }
    if personal:
        waiting = queries.not_done(session, campaign, code, as_of)
        body["not_done"] = waiting
        body[f"not_{campaign.done.key}"] = waiting
        identifier = campaign.person.identifier if campaign.person else "person_key"
        body["not_on_roster"] = [
            {identifier: f.person_key, "full_name": f.full_name, "category": f.category}
            for f in result.findings
        ]
        if waiting or result.findings:
            audit.viewed("api_unit_people", campaign=campaign.id, unit_code=code,
                         rows=len(waiting) + len(result.findings))  # fmt: skip
    return jsonify(body)
