"""The coverage page (``/``) and a unit's page (``/units/<code>``), each for one campaign."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for

from reports import queries
from webhook import audit, policy
from webhook.dashboard import paging, scope, tables
from webhook.dashboard.blueprint import bp
from webhook.dashboard.scope import View, page
from webhook.dashboard.selector import selector
from webhook.database import get_session


@bp.get("/")
@page()
def coverage_page() -> str:
    """The district (or the account's units) against the campaign's target, unit by unit."""
    view = scope.view_from_request()
    report = tables.in_category(scope.coverage_for(view), view.category)
    # One page of the units in the report's order; every total stays the whole report's.
    shown = paging.page_from_request(len(report.units))
    return render_template(
        "dashboard/coverage.html",
        view=view,
        report=report,
        groups=tables.groups(report, shown.rows(report.units)),
        shown=shown,
        page_url=lambda number: url_for(
            "dashboard.coverage_page", **_page_args(view, shown, number)
        ),
        unknown=tables.unit_names(report, report.total.units_unknown),
        progress_counts=tables.progress_counts(report),
        behind=tables.furthest_behind(report),
        scope_label=scope.scope_label(view),
        selector=selector(view.campaign.id),
    )


def _page_args(view: View, shown: paging.Page, number: int) -> dict[str, Any]:
    """The query arguments of page ``number`` of ``view``."""
    return {**view.args(), **shown.args(number)}


@bp.get("/units/<code>")
@page()
def unit_page(code: str) -> str:
    """One unit: its numbers by category, trend, reasons and, in a campaign of persons for
    roles allowed personal data, who on its roster is not done yet (a view the audit trail
    records; the others show counts only)."""
    unit = scope.require_unit(code)
    asked = scope.view_from_request()
    view = View(asked.campaign, asked.as_of, unit=code, data_ends=asked.data_ends)
    personal = policy.sees_personal_data(scope.user())
    # A campaign of counts (no person records) has nobody to list.
    listed = personal and view.campaign.person is not None
    report = scope.coverage_for(view, with_findings=listed)  # the unit and those under it
    (row,) = [u for u in report.units if u.code == code]
    session = get_session()
    not_done = queries.not_done(session, view.campaign, code, view.as_of) if listed else []
    findings = [f for f in report.findings if f.unit_code == code] if listed else []
    if not_done or findings:  # names on the page: the audit trail first
        audit.viewed("unit_people", campaign=view.campaign.id, unit_code=code,
                     rows=len(not_done) + len(findings))  # fmt: skip
    return render_template(
        "dashboard/unit.html",
        view=view,
        unit=unit,
        row=row,
        report=report,
        children=[u for u in report.units if u.parent_code == code],
        parent=next((u for u in report.units if u.code == unit.parent_code), None),
        personal=personal,
        not_done=not_done,
        findings=findings,
        selector=selector(view.campaign.id),
    )
