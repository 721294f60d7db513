"""The audit trail of personal-data views (``/audit``, administrators: ``manage_privacy``):
who saw whose data, when and from where, newest first, filtered by days (dd/mm/yyyy, as the
coverage page's date box), account, action, unit and identifier, a page at a time; and the
filtered rows as CSV or Excel (``/audit/export.<csv|xlsx>``, ``reports.access_log``).

Reading the trail is itself recorded (``audit_view``, ``audit_export``), with the unit and
identifier asked for: who looked into whom is part of the trail.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, render_template, request, send_file, url_for
from werkzeug.exceptions import BadRequest, NotFound

from ingest.models import ACCESS_ACTIONS
from ingest.privacy import audit as trail
from reports import access_log
from webhook import audit
from webhook.dashboard import paging, scope
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import YES_NO, Names, _
from webhook.dashboard.scope import page
from webhook.database import get_session

#: Each action as the page names it.
ACTIONS: Names = trail.ACTION_NAMES
#: The query arguments of the filters, in the form's order.
FILTERS = ("from", "to", "account", "action", "unit", "person")
#: The longest filter value (an account name's length; codes are shorter).
MAX_FILTER = 150
#: The most rows a download holds (the newest), far above a month of a district's views.
EXPORT_LIMIT = 100_000
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _asked() -> tuple[trail.Filters, dict[str, Any]]:
    """The filters of ``?from=&to=&account=&action=&unit=&person=`` (400 on a bad day or
    action), and the arguments that reproduce them."""
    args = {key: (request.args.get(key) or "").strip() for key in FILTERS}
    for key, value in args.items():  # no control characters, nothing longer than a column
        if len(value) > MAX_FILTER or not value.isprintable():
            raise BadRequest(_("Giá trị không hợp lệ cho {name}: {value}", name=key, value="…"))
    days = []
    for key in ("from", "to"):
        try:
            days.append(scope.box_day(args[key]) if args[key] else None)
        except ValueError:
            raise BadRequest(
                _("Ngày không hợp lệ, cần dạng dd/mm/yyyy: {value}", value=args[key])
            ) from None
    if args["action"] and args["action"] not in ACCESS_ACTIONS:
        raise BadRequest(
            _("Giá trị không hợp lệ cho {name}: {value}", name="action", value=args["action"])
        )
    filters = trail.Filters.of_days(
        days[0], days[1], account=args["account"] or None, action=args["action"] or None,
        unit_code=args["unit"] or None, person_key=args["person"] or None,
    )  # fmt: skip
    return filters, {key: value for key, value in args.items() if value}


@bp.get("/audit")
@page("manage_privacy")
def audit_page() -> str:
    """The rows that match the filters, newest first, a page at a time."""
    filters, kept = _asked()
    session = get_session()
    shown = paging.page_from_request(trail.count(session, filters))
    entries = trail.search(session, filters, limit=shown.per_page,
                           offset=(shown.number - 1) * shown.per_page)  # fmt: skip
    audit.viewed("audit_view", unit_code=filters.unit_code, person_key=filters.person_key,
                 rows=len(entries))  # fmt: skip
    return render_template(
        "dashboard/audit.html",
        entries=entries,
        asked=kept,
        shown=shown,
        actions=ACTIONS,
        yes_no=YES_NO,
        page_url=lambda number: url_for("dashboard.audit_page", **{**kept, **shown.args(number)}),
        export_url=lambda fmt: url_for("dashboard.audit_export", fmt=fmt, **kept),
    )


@bp.get("/audit/export.<fmt>")
@page("manage_privacy")
def audit_export(fmt: str) -> Response:
    """The rows that match the filters (the newest :data:`EXPORT_LIMIT`) as a file."""
    if fmt not in MIMETYPES:
        raise NotFound()
    filters, _kept = _asked()
    entries = trail.search(get_session(), filters, limit=EXPORT_LIMIT)
    audit.viewed("audit_export", unit_code=filters.unit_code, person_key=filters.person_key,
                 rows=len(entries))  # fmt: skip
    body = access_log.to_csv(entries) if fmt == "csv" else access_log.to_xlsx(entries)
    name = f"nhat-ky-truy-cap-{scope.today().isoformat()}.{fmt}"
    response = send_file(io.BytesIO(body), mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=name)  # fmt: skip
    response.headers["Cache-Control"] = "no-store"  # identifiers: kept by no cache
    return response
