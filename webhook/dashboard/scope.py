"""What the signed-in account may see, checked on every page and download.

Roles (DESIGN.md §5): ``admin`` sees everything and decides; ``manager`` sees every unit
without personal data; ``unit`` sees its own unit and the units under it, with personal data.
Collectors and integrations cannot sign in at all (``signin``). A unit account asking for
another unit gets 403 whatever the link it followed: :func:`require_unit` is called by every
view that takes a unit, and :func:`coverage_for` never computes beyond :func:`visible`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, request
from flask_login import current_user  # type: ignore[import-untyped]
from sqlalchemy import select
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from ingest import campaign
from ingest.db import utcnow
from ingest.models import Unit, User
from ingest.registry.units import get_unit, subtree
from reports import coverage
from reports.model import CATEGORIES, KINDS, Coverage
from webhook import privacy
from webhook.dashboard.i18n import _
from webhook.database import get_session
from webhook.settings import thresholds_from

F = TypeVar("F", bound=Callable[..., Any])

#: Roles that may sign in to the dashboard.
DASHBOARD_ROLES = ("admin", "manager", "unit")


def user() -> User:
    """The signed-in account (only inside a view guarded by :func:`page`)."""
    account: User = current_user.user
    return account


def page(*roles: str) -> Callable[[F], F]:
    """Guard a view: sign-in required (else to the sign-in page), then 403 unless the
    account has one of ``roles`` (default: every dashboard role)."""
    allowed = roles or DASHBOARD_ROLES

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.user.role not in allowed:
                raise Forbidden(_("Tài khoản của bạn không được xem trang này."))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def visible() -> set[str] | None:
    """The unit codes the account may see (None: all)."""
    return privacy.unit_scope(get_session(), user())


def sees_personal_data() -> bool:
    return privacy.sees_personal_data(user())


def require_unit(code: str) -> Unit:
    """The unit ``code``: 404 when there is none, 403 when it is not the account's."""
    unit = get_unit(get_session(), code)
    if unit is None:
        raise NotFound(_("Trang hoặc đơn vị này không tồn tại."))
    scope = visible()
    if scope is not None and code not in scope:
        raise Forbidden(_("Tài khoản của bạn không được xem trang này."))
    return unit


@dataclass(frozen=True, slots=True)
class View:
    """What a page or download shows: as of a date, optionally one kind of unit, one
    staff category, or one unit and those under it."""

    as_of: date
    kind: str | None = None
    category: str | None = None
    unit: str | None = None

    def args(self, **changes: Any) -> dict[str, str]:
        """Query arguments that reproduce this view (with ``changes``), for ``url_for``."""
        view = replace(self, **changes)
        values = {"as_of": view.as_of.isoformat(), "kind": view.kind,
                  "category": view.category, "unit": view.unit}  # fmt: skip
        return {k: v for k, v in values.items() if v}


def today() -> date:
    """Today in Vietnam."""
    return utcnow().astimezone(campaign.LOCAL_TZ).date()


def view_from_request(unit: str | None = None) -> View:
    """The view asked for by ``?as_of=&kind=&category=&unit=`` (400 on a bad value)."""
    args = request.args
    raw = args.get("as_of") or ""
    try:
        as_of = coverage.parse_day(raw) if raw else today()
    except ValueError:
        raise BadRequest(_("Ngày không hợp lệ, cần dạng YYYY-MM-DD: {value}", value=raw)) from None
    kind = _choice(args.get("kind"), KINDS, "kind")
    category = _choice(args.get("category"), CATEGORIES, "category")
    unit = unit or args.get("unit") or None
    if unit is not None:
        require_unit(unit)
    return View(as_of, kind, category, unit)


def _choice(value: str | None, allowed: Collection[str], name: str) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise BadRequest(_("Giá trị không hợp lệ cho {name}: {value}", name=name, value=value))
    return value


def unit_codes(view: View) -> set[str] | None:
    """The units ``view`` covers, within what the account may see (None: all)."""
    session = get_session()
    codes = visible()
    if view.unit is not None:
        below = subtree(session, view.unit)
        codes = below if codes is None else below & codes
    if view.kind is not None:
        of_kind = set(session.scalars(select(Unit.code).where(Unit.kind == view.kind)))
        codes = of_kind if codes is None else codes & of_kind
    return codes


def coverage_for(view: View, with_findings: bool = False) -> Coverage:
    """The coverage report for ``view``, restricted to what the account may see (findings
    listed by name only when asked for: personal data)."""
    thresholds = thresholds_from(current_app.config)
    return coverage.compute(
        get_session(),
        view.as_of,
        thresholds,
        unit_codes=unit_codes(view),
        with_findings=with_findings,
    )
