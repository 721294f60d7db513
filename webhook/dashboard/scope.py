"""The signed-in account and the view on screen, checked on every page and download.

The rules are ``webhook.policy``'s (who may open which page, which units an account sees,
who sees personal data); this module applies them to the request and words the refusals
for the dashboard. A unit account asking for another unit gets 403 whatever the link it
followed: :func:`require_unit` is called by every view that takes a unit, and
:func:`coverage_for` never computes beyond ``policy.unit_scope``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_login import current_user  # type: ignore[import-untyped]
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from ingest import errors as ingest_errors
from ingest.campaigns import LOCAL_TZ, Campaign
from ingest.db import utcnow
from ingest.models import Unit, User
from ingest.registry.units import subtree
from reports import coverage, queries, wording
from reports.model import KINDS, Coverage
from webhook import policy
from webhook.dashboard.i18n import _
from webhook.database import get_session
from webhook.settings import campaign_named, default_campaign

F = TypeVar("F", bound=Callable[..., Any])


def user() -> User:
    """The signed-in account (only inside a view guarded by :func:`page`)."""
    account: User = current_user.user
    return account


def page(action: policy.Action = "read") -> Callable[[F], F]:
    """Guard a view: sign-in required (else to the sign-in page), then 403 unless the
    account may do ``action`` (default: read, which every dashboard account may)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not policy.may(current_user.user, action):
                raise Forbidden(_("Tài khoản của bạn không được xem trang này."))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def may(action: policy.Action) -> bool:
    """Whether the signed-in account may do ``action`` (for templates: no account, no)."""
    return bool(current_user.is_authenticated) and policy.may(current_user.user, action)


def require_unit(code: str) -> Unit:
    """The unit ``code``: 404 when there is none, 403 when it is not the account's."""
    try:
        return policy.require_unit(get_session(), user(), code)
    except ingest_errors.NotFound:
        raise NotFound(_("Trang hoặc đơn vị này không tồn tại.")) from None
    except policy.OutOfScope:
        raise Forbidden(_("Tài khoản của bạn không được xem trang này.")) from None


@dataclass(frozen=True, slots=True)
class View:
    """What a page or download shows: one campaign as of a date, optionally one kind of
    unit, one category, or one unit and those under it."""

    campaign: Campaign
    as_of: date
    kind: str | None = None
    category: str | None = None
    unit: str | None = None
    #: Set when no date was asked for and the campaign's data ends before today (a demo's,
    #: an ended campaign's): the view opens on that last day, and the page says so.
    data_ends: date | None = None

    def args(self, **changes: Any) -> dict[str, str]:
        """Query arguments that reproduce this view (with ``changes``), for ``url_for``."""
        view = replace(self, **changes)
        campaign = view.campaign.id if view.campaign.id != default_campaign() else None
        values = {"campaign": campaign, "as_of": view.as_of.isoformat(), "kind": view.kind,
                  "category": view.category, "unit": view.unit}  # fmt: skip
        return {k: v for k, v in values.items() if v}

    def page_args(self) -> dict[str, str]:
        """The campaign and the date alone: what a link to another page keeps."""
        return self.args(kind=None, category=None, unit=None)


def today() -> date:
    """Today in Vietnam."""
    return utcnow().astimezone(LOCAL_TZ).date()


def view_from_request(unit: str | None = None) -> View:
    """The view asked for by ``?campaign=&as_of=&kind=&category=&unit=`` (400 on a bad
    value, 404 for an unknown campaign)."""
    args = request.args
    try:
        campaign = campaign_named(get_session(), args.get("campaign") or None)
    except ingest_errors.NotFound:
        raise NotFound(_("Không có chiến dịch này: {value}", value=args.get("campaign"))) from None
    raw = (args.get("as_of") or "").strip()
    data_ends = None
    try:
        as_of = box_day(raw) if raw else today()
    except ValueError:
        raise BadRequest(_("Ngày không hợp lệ, cần dạng dd/mm/yyyy: {value}", value=raw)) from None
    if not raw:  # open on the last day with data, not on a flat line after it
        last = queries.last_day(get_session(), campaign)
        if last is not None and last < as_of:
            as_of = data_ends = last
    kind = _choice(args.get("kind"), KINDS, "kind")
    category = _choice(args.get("category"), campaign.category_keys, "category")
    unit = unit or args.get("unit") or None
    if unit is not None:
        require_unit(unit)
    g.campaign = campaign  # the page's words (``i18n.label``)
    return View(campaign, as_of, kind, category, unit, data_ends)


def box_day(text: str) -> date:
    """The day typed in a date box (``dd/mm/yyyy``) or given by a link (``YYYY-MM-DD``);
    :class:`ValueError` for anything else or a day out of range."""
    return coverage.parse_day(_iso(text.strip()))


def _iso(text: str) -> str:
    """A day as the date box writes it (``dd/mm/yyyy``, as Vietnamese do) or as links do
    (``YYYY-MM-DD``), in ISO form; anything else is left for ``parse_day`` to refuse."""
    parts = text.split("/")
    if len(parts) == 3 and all(p.isascii() and p.isdigit() for p in parts) and len(parts[2]) == 4:
        return f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}"
    return text


def _choice(value: str | None, allowed: Collection[str], name: str) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise BadRequest(_("Giá trị không hợp lệ cho {name}: {value}", name=name, value=value))
    return value


def unit_codes(view: View) -> set[str] | None:
    """The units ``view`` covers, within what the account may see (None: all)."""
    session = get_session()
    codes = policy.unit_scope(session, user())
    if view.unit is not None:
        below = subtree(session, view.unit)
        codes = below if codes is None else below & codes
    if view.kind is not None:
        of_kind = set(session.scalars(select(Unit.code).where(Unit.kind == view.kind)))
        codes = of_kind if codes is None else codes & of_kind
    return codes


def scope_label(view: View) -> tuple[str, str]:
    """What ``view``'s totals cover, in Vietnamese and English (``reports.wording``): the
    whole district, a kind of unit, the unit of the page or the account's own unit."""
    session = get_session()
    root = view.unit
    if root is None and policy.unit_scope(session, user()) is not None:
        root = user().unit_code
    unit = session.get(Unit, root) if root else None
    category = (
        (view.campaign.label(view.category, "vi"), view.campaign.label(view.category, "en"))
        if view.category
        else None
    )
    names = (unit.name_vi, unit.name_en or unit.name_vi) if unit else None
    return wording.scope_label(view.kind, names, category)


def coverage_for(view: View, with_findings: bool = False) -> Coverage:
    """The coverage report for ``view``, restricted to what the account may see (findings
    listed by name only when asked for: personal data)."""
    return coverage.compute(
        get_session(),
        view.campaign,
        view.as_of,
        unit_codes=unit_codes(view),
        with_findings=with_findings,
    )
