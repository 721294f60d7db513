"""The charts as images (``/charts/coverage.<svg|png>``, ``/charts/trend.<svg|png>``).

Drawn by ``reports.charts`` for the view on screen and the account's units, in the page's
language, naming what the numbers cover (``scope.scope_label``); ``?narrow=1`` draws for a
phone (the pages offer it with ``<picture>`` below 640 px). The pages embed them with
``<img>``, so they load after the table and cost nothing when not looked at.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Response, request
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from ingest.campaigns import LOCAL_TZ
from ingest.models import PersonRecord, UnitReport
from reports.model import Counts
from reports.trend import trend
from webhook.dashboard import scope, tables
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import language
from webhook.dashboard.scope import View, page
from webhook.database import get_session

MIMETYPES = {"svg": "image/svg+xml", "png": "image/png"}
#: Longest trend drawn, in days.
TREND_DAYS = 60


def _image(body: bytes, fmt: str) -> Response:
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/charts/coverage.<fmt>")
@page()
def coverage_chart(fmt: str) -> Response:
    """The done % per unit against the target (same campaign and filters as the page)."""
    if fmt not in MIMETYPES:
        raise NotFound()
    from reports import charts

    view = scope.view_from_request()
    report = tables.in_category(scope.coverage_for(view), view.category)
    body = charts.coverage_by_unit(report, fmt, language(), scope.scope_label(view), _narrow())
    return _image(body, fmt)


@bp.get("/charts/trend.<fmt>")
@page()
def trend_chart(fmt: str) -> Response:
    """The campaign's done % and each level's % per day up to the view's date."""
    if fmt not in MIMETYPES:
        raise NotFound()
    from reports import charts

    view = scope.view_from_request()
    body = charts.trend(view.campaign, trend_points(view), format=fmt, lang=language(),
                        scope=scope.scope_label(view), narrow=_narrow())  # fmt: skip
    return _image(body, fmt)


def _narrow() -> bool:
    return request.args.get("narrow") == "1"


def trend_points(view: View) -> list[tuple[date, Counts]]:
    """Each day of :func:`trend_days` with the view's total counts that day."""
    days = trend_days(view)
    found = trend(get_session(), view.campaign, days, scope.unit_codes(view), view.category)
    return [(day, total.counts) for day, total in found]


def trend_days(view: View) -> list[date]:
    """The days to draw: from the campaign's first collection (at most ``TREND_DAYS`` back)
    to the last one on or before the view's date (a campaign over since March ends its line
    in March)."""
    session = get_session()
    as_of, campaign = view.as_of, view.campaign.id
    first_record, last_record = session.execute(
        select(func.min(PersonRecord.effective_at), func.max(PersonRecord.effective_at)).where(
            PersonRecord.campaign == campaign
        )
    ).one()
    first_report, last_report = session.execute(
        select(func.min(UnitReport.report_date), func.max(UnitReport.report_date)).where(
            UnitReport.campaign == campaign
        )
    ).one()
    firsts = [d for d in (_local(first_record), first_report) if d is not None]
    lasts = [d for d in (_local(last_record), last_report) if d is not None]
    if not firsts:
        return []
    end = min(as_of, max(lasts))
    start = max(min(firsts) - timedelta(days=1), end - timedelta(days=TREND_DAYS - 1))
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _local(moment: datetime | None) -> date | None:
    return moment.astimezone(LOCAL_TZ).date() if moment is not None else None
