"""Self-report links on the Collectors page (``/collectors``, administrators): each unit's
public link in the campaign on screen, a form to make one, revoking, and a printable A4 QR
poster in Vietnamese (``/collectors/selfreport/<id>/poster``).

Who may do this is ``webhook.policy``'s ``manage_collectors`` (checked by ``scope.page``);
the poster of a unit is also held to the account's unit scope (``scope.require_unit``).
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.wrappers import Response

from ingest.campaigns import LOCAL_TZ
from ingest.db import begin_write, utcnow
from ingest.errors import VssidError
from ingest.models import SelfReportLink
from ingest.selfreport import links
from webhook.dashboard import i18n, scope
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import _
from webhook.dashboard.scope import page
from webhook.database import get_session
from webhook.settings import campaign_named


def public_link(token: str) -> str:
    """The address phones open: on ``VSSID_PUBLIC_URL`` when set, else this request's."""
    base = current_app.config.get("PUBLIC_URL") or request.url_root
    return f"{str(base).rstrip('/')}/s/{token}"


@bp.app_context_processor
def _links_for_page() -> dict[str, Any]:
    return {"selfreport_rows": selfreport_rows}


def selfreport_rows() -> dict[str, Any]:
    """What the Collectors page shows: the campaign, its links (newest first per unit) with
    their state and address, and whether the campaign has a self-report form."""
    session = get_session()
    try:
        campaign = campaign_named(session, request.args.get("campaign") or None)
    except VssidError:
        return {"campaign": None, "rows": []}
    now = utcnow()
    rows = [
        {
            "link": link,
            "state": links.state(link, now),
            "url": public_link(link.token),
            "expires": link.expires_at.astimezone(LOCAL_TZ).date(),
        }
        for link in links.listed(session, campaign.id)
    ]
    return {"campaign": campaign, "rows": rows, "days": links.DEFAULT_DAYS}


@bp.post("/collectors/selfreport")
@page("manage_collectors")
def selfreport_create() -> Response:
    """Make a link for a unit in a campaign, then show its poster."""
    session = get_session()
    unit = scope.require_unit(request.form.get("unit", ""))
    try:
        days = int(request.form.get("days") or links.DEFAULT_DAYS)
    except ValueError:
        raise BadRequest(_("Số ngày không hợp lệ.")) from None
    try:
        campaign = campaign_named(session, request.form.get("campaign") or None)
        if session.get_bind().dialect.name == "sqlite":
            session.commit()
            begin_write(session)
        link = links.create(session, campaign, unit.code, scope.user().username, utcnow(), days)
        session.commit()
    except VssidError as error:
        session.rollback()
        flash(error.message(i18n.language()), "error")
        return redirect(url_for("dashboard.collectors"))
    return redirect(url_for("dashboard.selfreport_poster", link_id=link.id))


@bp.post("/collectors/selfreport/<int:link_id>/revoke")
@page("manage_collectors")
def selfreport_revoke(link_id: int) -> Response:
    """Revoke a link: its page answers "withdrawn" (410) from now on."""
    session = get_session()
    link = _link(link_id)
    if session.get_bind().dialect.name == "sqlite":
        session.commit()
        begin_write(session)
    links.revoke(session, link.id, utcnow())
    session.commit()
    flash(_("Đã thu hồi đường dẫn tự khai #{id}.", id=link_id), "success")
    return redirect(url_for("dashboard.collectors", campaign=link.campaign))


@bp.get("/collectors/selfreport/<int:link_id>/poster")
@page("manage_collectors")
def selfreport_poster(link_id: int) -> str:
    """An A4 poster: the unit, the campaign, the QR code of the link and three steps."""
    session = get_session()
    link = _link(link_id)
    unit = scope.require_unit(link.unit_code)
    campaign = campaign_named(session, link.campaign)
    url = public_link(link.token)
    svg = io.BytesIO()
    segno.make(url, error="m", micro=False).save(svg, kind="svg", scale=10, border=2,
                                                  xmldecl=False, svgns=True)  # fmt: skip
    return render_template(
        "dashboard/selfreport_poster.html",
        link=link,
        state=links.state(link, utcnow()),
        unit=unit,
        campaign=campaign,
        url=url,
        qr_svg=svg.getvalue().decode("utf-8"),
        expires=link.expires_at.astimezone(LOCAL_TZ).date(),
    )


def _link(link_id: int) -> SelfReportLink:
    link = get_session().get(SelfReportLink, link_id)
    if link is None:
        raise NotFound()
    scope.require_unit(link.unit_code)
    return link
