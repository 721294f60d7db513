"""Collectors (``/collectors``, administrators only): accounts, QR codes and printed sheets.

A QR code carries a new URL token (``webhook.onboarding``): making one ends the previous
code of that account, so it is a POST, and a printed sheet for a unit (new codes for all its
collectors) is confirmed first. Tokens are kept only as hashes: a code can be shown once,
never looked up again.

A code carries the address phones reach the server at: ``VSSID_PUBLIC_URL``. Without it the
page says so and what to set; a code is still made for the address the page was opened at,
unless that is this machine itself (``127.0.0.1``, ``localhost``), which no phone reaches:
then no code is made (and no old code ended), as ``vssid collect-qr`` refuses.
"""

from __future__ import annotations

import base64
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from ingest import campaigns
from ingest.errors import VssidError
from ingest.models import Unit, User
from ingest.registry import accounts
from ingest.registry.accounts import MIN_PASSWORD_LENGTH
from ingest.registry.units import ordered_units
from webhook.dashboard import i18n, scope
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import _
from webhook.dashboard.scope import page
from webhook.database import get_session
from webhook.settings import default_campaign

ROLE = "collector"


@bp.get("/collectors")
@page("manage_collectors")
def collectors() -> str:
    """The collector accounts, a form to add one, and the units to print sheets for."""
    session = get_session()
    query = select(User).where(User.role == ROLE).order_by(User.unit_code, User.username)
    people = list(session.scalars(query))
    units = ordered_units(session)
    names = {u.code: u.name_vi for u in units}
    with_collectors = [u for u in units if any(p.unit_code == u.code for p in people)]
    return render_template(
        "dashboard/collectors.html",
        people=people,
        units=units,
        names=names,
        with_collectors=with_collectors,
        min_password=MIN_PASSWORD_LENGTH,
        public_url=current_app.config.get("PUBLIC_URL") or None,
        unreachable=_unreachable(),
    )


@bp.post("/collectors")
@page("manage_collectors")
def collector_create() -> Response:
    """Add a collector account (username, optional unit, password)."""
    session = get_session()
    username = request.form.get("username", "").strip()
    try:
        accounts.create_user(
            session,
            username,
            ROLE,
            request.form.get("password", ""),
            current_app.config["REALM"],
            request.form.get("unit") or None,
        )
        session.commit()
    except VssidError as error:
        session.rollback()
        flash(_("Không tạo được tài khoản: {message}", message=i18n.message(error)), "error")
    else:
        flash(_("Đã tạo tài khoản {username}.", username=username), "success")
    return redirect(url_for("dashboard.collectors"))


@bp.post("/collectors/<int:user_id>/qr")
@page("manage_collectors")
def collector_qr(user_id: int) -> str | Response:
    """A new settings QR code for one collector, shown once."""
    session = get_session()
    user = session.get(User, user_id)
    if user is None or user.role != ROLE or not user.is_active:
        raise NotFound()
    if _unreachable():
        return _refuse()
    card = _qr_card(user)
    session.commit()
    return render_template("dashboard/collector_qr.html", card=card)


@bp.get("/collectors/sheet/<unit_code>")
@page("manage_collectors")
def sheet_confirm(unit_code: str) -> str:
    """Ask before printing: the sheet replaces the unit's collectors' codes."""
    unit = scope.require_unit(unit_code)
    return render_template("dashboard/sheet_confirm.html", unit=unit, people=_of_unit(unit))


@bp.post("/collectors/sheet/<unit_code>")
@page("manage_collectors")
def sheet(unit_code: str) -> str | Response:
    """A printable sheet: each collector of the unit with a new QR code and the steps."""
    unit = scope.require_unit(unit_code)
    if _unreachable():
        return _refuse()
    cards = [_qr_card(user) for user in _of_unit(unit)]
    get_session().commit()
    return render_template("dashboard/sheet.html", unit=unit, cards=cards, agency=_agency())


def _unreachable() -> bool:
    """Whether a code would carry an address no phone reaches: no ``VSSID_PUBLIC_URL``, and
    the page opened at this machine's own address."""
    if current_app.config.get("PUBLIC_URL"):
        return False
    host = urlsplit(request.url_root).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse() -> Response:
    flash(_("Chưa tạo mã QR: máy chủ chưa có địa chỉ mà điện thoại truy cập được. Hãy đặt "
            "VSSID_PUBLIC_URL (ví dụ https://vssid.quan10.gov.vn) rồi khởi động lại máy chủ."),
          "error")  # fmt: skip
    return redirect(url_for("dashboard.collectors"))


def _agency() -> str:
    """Who hands the sheet out: the default campaign's agency ("" when there is none)."""
    campaign = campaigns.cached(get_session(), default_campaign())
    return campaign.report.agency if campaign is not None else ""


def _of_unit(unit: Unit) -> list[User]:
    query = select(User).where(User.role == ROLE, User.unit_code == unit.code, User.is_active)
    return list(get_session().scalars(query.order_by(User.username)))


def _qr_card(user: User) -> dict[str, Any]:
    """Issue ``user`` a new token; the QR code (a data: URL), the masked server URL, whether
    an earlier code was ended and whether the address is the page's (no ``PUBLIC_URL``)."""
    from webhook import onboarding

    replaced = user.token_hash is not None
    unit = get_session().get(Unit, user.unit_code) if user.unit_code else None
    base = current_app.config.get("PUBLIC_URL") or request.url_root
    url = onboarding.token_url(str(base), accounts.issue_token(user))
    campaign = campaigns.cached(get_session(), default_campaign())
    title = campaign.title.get("vi") if campaign is not None else None
    settings = onboarding.collect_settings(
        url, user.username, onboarding.project_name(unit.name_vi if unit else None, title)
    )
    png = onboarding.qr_png(settings)
    return {
        "username": user.username,
        "unit": unit.name_vi if unit else "",
        "server": onboarding.masked(url),
        "image": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "replaced": replaced,
        "guessed": not current_app.config.get("PUBLIC_URL"),
    }
