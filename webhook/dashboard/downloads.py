"""Downloads of the coverage report for the view on screen: Excel, PDF, CSV and JSON.

``/download/coverage.<xlsx|pdf|csv|json>?campaign=&as_of=&by=&kind=&unit=``: the same numbers as
the page, for its campaign, restricted to the account's units. The Excel workbook lists who
is not done only in a campaign of persons and for roles allowed personal data; the PDF is
the appendix to sign (Decree 30/2020 layout, no personal data); the CSV and
JSON are the documents of the CLI and the API. Files are named after the campaign and the
date: ``bao-cao-vneid-2026-12-06.xlsx``; no cache keeps them (``Cache-Control: no-store``).
Names people typed are text in the Excel, PDF and CSV files (``reports.neutral``). A file
with names is recorded in the audit trail (``webhook.audit``) before it is made.
"""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Response, request, send_file
from werkzeug.exceptions import BadRequest, NotFound

from reports import export, queries, wording
from reports.model import Coverage
from webhook import audit, policy
from webhook.dashboard import scope
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import _
from webhook.dashboard.scope import page
from webhook.database import get_session

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to every text/ type
    "json": "application/json",
}


@bp.get("/download/coverage.<fmt>")
@page()
def download(fmt: str) -> Response:
    """The report as a file named after its campaign and date (and unit, kind)."""
    if fmt not in MIMETYPES:
        raise NotFound()
    view = scope.view_from_request()
    by = request.args.get("by", "unit")
    if by not in export.BY:
        raise BadRequest(_("Giá trị không hợp lệ cho {name}: {value}", name="by", value=by))
    personal_data = (
        fmt == "xlsx"
        and view.campaign.person is not None
        and policy.sees_personal_data(scope.user())
    )
    report = scope.coverage_for(view, with_findings=personal_data)
    if fmt == "xlsx":
        from reports import excel

        personal = _not_done(report) if personal_data else None
        if personal_data:
            _record_names(view, report, personal or [])
        body = excel.workbook(report, personal=personal, scope_label=_part(view))
    elif fmt == "pdf":
        from reports import pdf

        body = pdf.document(report, scope_label=_part(view))
    elif fmt == "csv":
        body = export.to_csv(report, by)
    else:
        body = json.dumps(export.document(report, by), ensure_ascii=False, indent=1).encode()
    parts = ["bao-cao", view.campaign.id, view.as_of.isoformat(), view.unit, view.kind]
    name = "-".join(part for part in parts if part)
    response = send_file(
        io.BytesIO(body), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=f"{name}.{fmt}"
    )
    # Names and identifiers, or figures only a unit may see: kept by no cache (DESIGN §10).
    response.headers["Cache-Control"] = "no-store"
    return response


def _not_done(report: Coverage) -> list[dict[str, Any]]:
    """Who is not done, unit by unit (only units with a roster have names)."""
    people = []
    for row in report.units:
        if row.source == "roster":
            for person in queries.not_done(get_session(), report.campaign, row.code, report.as_of):
                people.append({**person, "unit_code": row.code, "unit_name": row.name_vi})
    return people


def _record_names(view: scope.View, report: Coverage, people: list[dict[str, Any]]) -> None:
    """Record a workbook with names in the audit trail (none when it lists nobody), with the
    unit it covers and those under it: the view's, else a unit account's own (None: all)."""
    shown = len(people) + len(report.findings)
    if not shown:
        return
    account = scope.user()
    own = account.unit_code if account.role not in policy.ALL_UNITS_ROLES else None
    audit.viewed("export_names", campaign=view.campaign.id, unit_code=view.unit or own,
                 rows=shown)  # fmt: skip


def _part(view: scope.View) -> str | None:
    """The part of the district a download covers ("Các phường"), None for all of it."""
    covers = scope.scope_label(view)[0]
    return None if covers == wording.WHOLE[0] else covers
