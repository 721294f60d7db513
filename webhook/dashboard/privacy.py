"""Personal data (``/privacy``, administrators only): a person's requests and retention.

- look a person up by identifier: what is held about them in each campaign, their records
  (each a link to the review desk, where an answer is corrected), and buttons to download
  their file, erase their data or record that they withdrew consent;
- each campaign's retention: when its personal data must go, what is still held, and a
  button to purge it once due (and a reminder on every page until then: ``reminder``);
- the latest requests handled.

Every action names why (``reason``) and is kept in ``privacy_request``; looking a person up
and downloading their file are recorded in the audit trail. The work itself is
``webhook.privacy_ops``, shared with ``vssid privacy``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from ingest import campaigns
from ingest.db import utcnow
from ingest.errors import VssidError
from ingest.models import Person
from ingest.privacy import erasure, requests, retention
from webhook import audit, privacy_ops
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import Names, _, message
from webhook.dashboard.scope import may, page, today, user
from webhook.database import commit_now, get_session
from webhook.intake_http import media_store

#: Requests listed on the page.
RECENT = 50
#: People of the same name under another identifier shown (the same person in another
#: campaign, whose identifier there is another: a BHXH code here, a CCCD there).
NAMESAKES = 20
#: What each request is called.
REQUEST_KINDS: Names = {
    "see": ("Xem hồ sơ", "See their file"),
    "correct": ("Sửa thông tin", "Correction"),
    "erase": ("Xoá dữ liệu", "Erasure"),
    "withdraw": ("Rút lại sự đồng ý", "Consent withdrawn"),
    "purge": ("Hết hạn lưu trữ", "Retention purge"),
}


#: The longest identifier looked up (``person_key`` holds 64 characters).
IDENTIFIER_LENGTH = 64


def _form(name: str, required: bool = True) -> str:
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise BadRequest(_("Thiếu thông tin: {field}.", field=name))
    if name in ("person", "confirm"):
        _identifier(value)
    return value


def _identifier(value: str) -> str:
    """An identifier as asked: printable, at most :data:`IDENTIFIER_LENGTH` characters."""
    if len(value) > IDENTIFIER_LENGTH or not value.isprintable():
        raise BadRequest(_("Mã định danh không hợp lệ."))
    return value


@bp.get("/privacy")
@page("manage_privacy")
def privacy_page() -> str:
    """The lookup, the retention schedule and the latest requests."""
    session = get_session()
    person = _identifier((request.args.get("person") or "").strip())
    campaign = (request.args.get("campaign_only") or "").strip() or None
    found: dict[str, Any] | None = None
    if person:
        held = erasure.holdings(session, person, campaign)
        current = list(session.scalars(select(Person).where(Person.person_key == person)))
        names = sorted({n for h in held for n in h.names})
        namesakes = privacy_ops.namesakes(session, person, names, NAMESAKES)
        if held:
            audit.viewed("person_request", campaign=campaign, person_key=person, rows=1)
        found = {"held": held, "sizes": privacy_ops.sizes(held), "current": current,
                 "namesakes": namesakes}  # fmt: skip
    day = today()
    plans = retention.schedules(session)
    return render_template(
        "dashboard/privacy.html",
        person=person,
        campaign_only=campaign or "",
        found=found,
        plans=plans,
        as_of=day,
        soon=retention.NOTICE_DAYS,
        recent=requests.latest(session, RECENT),
        request_kinds=REQUEST_KINDS,
    )


@bp.post("/privacy/see")
@page("manage_privacy")
def privacy_see() -> Response:
    """The person's file (Excel), with the request and the audit row recorded."""
    person, reason = _form("person"), _form("reason")
    campaign = _form("campaign_only", required=False) or None
    name = user().username

    def work(session: Any) -> bytes:
        data, _held = privacy_ops.person_file(
            session, name, person, campaign, reason, utcnow(), media_store()
        )
        return data

    try:
        data = commit_now(work)
    except VssidError as error:
        flash(message(error), "error")
        return redirect(url_for("dashboard.privacy_page", person=person))
    audit.viewed("person_request", campaign=campaign, person_key=person, rows=1)
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument"
                                        ".spreadsheetml.sheet")  # fmt: skip
    response.headers["Content-Disposition"] = 'attachment; filename="ho-so-du-lieu-ca-nhan.xlsx"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/privacy/erase")
@page("manage_privacy")
def privacy_erase() -> Response:
    """Erase a person's data (or record their withdrawn consent, which erases it too)."""
    person, reason, kind = _form("person"), _form("reason"), _form("kind")
    campaign = _form("campaign_only", required=False) or None
    if kind not in ("erase", "withdraw"):
        raise BadRequest(_("Yêu cầu không hợp lệ."))
    if _form("confirm", required=False) != person:
        flash(_("Hãy gõ lại đúng mã định danh để xác nhận việc xoá."), "error")
        return redirect(url_for("dashboard.privacy_page", person=person))
    name = user().username
    try:
        done = commit_now(
            lambda s: privacy_ops.erase_person(s, name, person, campaign, reason, kind, begun=True)
        )
    except VssidError as error:
        flash(message(error), "error")
        return redirect(url_for("dashboard.privacy_page", person=person))
    media = media_store()
    done.remove_files(media)
    left = privacy_ops.traces_left(get_session(), done, person, media.root)
    flash(
        _("Đã xoá dữ liệu cá nhân ({submissions} phiếu, {entries} dòng danh sách, {files} tệp); "
          "số liệu được giữ dưới mã ẩn danh {pseudonym}.",
          submissions=done.counts.get("submissions", 0),
          entries=done.counts.get("roster_entries", 0),
          files=done.counts.get("attachments", 0), pseudonym=done.erasure.pseudonym),
        "success",
    )  # fmt: skip
    places = ", ".join(t.where for t in left.identifier)
    if places:
        flash(_("Mã định danh vẫn còn ở: {places}.", places=places), "error")
    else:
        flash(_("Đã kiểm tra cơ sở dữ liệu và kho tệp: mã định danh không còn ở đâu."), "success")
    if left.names:
        flash(
            _("Họ tên của người này vẫn có ở: {places}. Có thể là người khác trùng tên, hoặc "
              "một ghi chú nhắc đến họ: hãy kiểm tra.",
              places=", ".join(t.where for t in left.names)),
            "warning",
        )  # fmt: skip
    elif not places:
        flash(_("Họ tên của người này cũng không còn ở đâu."), "success")
    return redirect(url_for("dashboard.privacy_page"))


@bp.post("/privacy/purge")
@page("manage_privacy")
def privacy_purge() -> Response:
    """Purge one campaign's personal data, once its retention period is over."""
    asked = _form("campaign_id")
    campaign = campaigns.cached(get_session(), asked) if asked.isprintable() else None
    due = retention.due_on(campaign) if campaign is not None else None
    if campaign is None or due is None or due > today():
        flash(_("Chưa đến hạn xoá dữ liệu của chiến dịch này."), "error")
        return redirect(url_for("dashboard.privacy_page"))
    if _form("confirm", required=False) != "yes":
        flash(_("Hãy đánh dấu ô xác nhận trước khi xoá."), "error")
        return redirect(url_for("dashboard.privacy_page"))
    name = user().username
    done = commit_now(lambda s: privacy_ops.purge(s, name, campaign, due, begun=True))
    done.remove_files(media_store())
    flash(
        _("Đã xoá dữ liệu cá nhân của {count} người ({submissions} phiếu); số liệu giữ nguyên.",
          count=done.counts.get("persons", 0), submissions=done.counts.get("submissions", 0)),
        "success",
    )  # fmt: skip
    return redirect(url_for("dashboard.privacy_page"))


@bp.app_context_processor
def reminder() -> dict[str, Any]:
    """For administrators, the campaigns whose personal data is past its retention period
    and not purged yet (a banner on every page)."""

    def privacy_due() -> list[tuple[Any, date]]:
        if not may("manage_privacy"):
            return []
        return retention.overdue(get_session(), today())

    return {"privacy_due": privacy_due}
