"""Signing in and out (``/login``, ``/logout``) with Flask-Login.

A sign-in lives on the server (``ingest.access.signins``): Flask's signed cookie carries only
a random token, whose hash the database keeps with the account. Signing out deletes that row,
so a copy of the cookie taken before opens nothing any more, on any worker or machine. A
sign-in lasts at most ``SIGN_IN_HOURS`` (a working day) from the moment the password was
typed, active or not, and ends when the password changes or the account is deactivated.

Failed passwords count towards the lock-out (``webhook.lockout``) before they are checked; an
unknown username pays the same password hash as a wrong password, so neither the answer nor
its time tells which usernames exist. Collectors and integrations are told plainly that their
account is for phones and servers, and only once their password is right.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import (  # type: ignore[import-untyped]
    LoginManager,
    UserMixin,
    current_user,
    login_user,
    logout_user,
)
from werkzeug.urls import iri_to_uri
from werkzeug.wrappers import Response

from ingest.access import signins
from ingest.errors import NotFound
from ingest.models import User
from ingest.registry.accounts import check_no_account, check_password, find_user
from webhook import lockout, policy
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import _, translate
from webhook.database import commit_now, get_session

log = logging.getLogger(__name__)

NOT_FOR_DASHBOARD = {
    "collector": "Tài khoản cộng tác viên chỉ dùng để gửi phiếu từ ODK Collect, không đăng "
    "nhập được trang quản lý. Hãy liên hệ quản trị viên nếu bạn cần xem báo cáo.",
    "integration": "Tài khoản tích hợp (KoboToolbox) chỉ dùng cho máy chủ gửi dữ liệu, không "
    "đăng nhập được trang quản lý.",
}


class Account(UserMixin):  # type: ignore[misc]
    """The signed-in user as Flask-Login sees it: the account row and the sign-in's token."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token

    def get_id(self) -> str:
        return self.token


def _now() -> datetime:
    return datetime.now(UTC)


def _load(token: str) -> Account | None:
    lifetime = current_app.permanent_session_lifetime
    user = signins.signed_in_user(get_session(), token, lifetime, _now())
    if user is None or not policy.may(user, "read"):
        return None
    return Account(user, token)


def init_app(app: Flask) -> None:
    """Flask-Login for ``app``."""
    manager = LoginManager(app)
    manager.user_loader(_load)
    manager.login_view = "dashboard.login"
    manager.login_message = "Vui lòng đăng nhập để xem trang này."
    manager.login_message_category = "info"
    manager.localize_callback = translate
    # "basic": a changed address marks the session non-fresh; "strong" would sign out a
    # phone every time it moves between Wi-Fi and mobile data. Signing out is what ends a
    # session, on the server.
    manager.session_protection = "basic"


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site.

    Only ``/`` followed by something other than a second slash or a backslash: browsers read
    any run of slashes and backslashes (``//``, ``////``, ``/\\``) as the start of another
    host, and drop tabs and newlines before they do. The check is made again on the
    ``Location`` Werkzeug will send (``iri_to_uri`` collapses ``////host`` to ``//host``).
    """
    if target and _on_this_site(target) and _on_this_site(iri_to_uri(target)):
        return target
    return url_for("dashboard.coverage_page")


def _on_this_site(target: str) -> bool:
    # Printable only: no tab, CR or LF (browsers skip them; the Location header refuses them).
    if not target.isprintable() or "\\" in target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
    )


def _check(username: str, password: str) -> User | None:
    try:
        user = find_user(get_session(), username)
    except NotFound:
        check_no_account(password)  # as long as a wrong password takes
        return None
    return user if check_password(user, password) else None


@bp.get("/login")
def login() -> ResponseReturnValue:
    """The sign-in form."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("dashboard/login.html", username="", error=None)


@bp.post("/login")
def login_post() -> ResponseReturnValue:
    """Count the attempt (after the lock-out), check the password, then sign in for a
    working day."""
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        attempt = lockout.current().begin(lockout.SignInThrottle.key(username, request.remote_addr))
    except lockout.LockedOut as locked:
        wait = locked.retry_after
        return _refused(username, _too_many(wait), 429, {"Retry-After": str(math.ceil(wait))})
    user = _check(username, password)
    if user is None:
        attempt.failed()
        return _refused(username, _("Tên đăng nhập hoặc mật khẩu không đúng."), 401)
    attempt.succeeded()
    if not policy.may(user, "read"):
        return _refused(username, _(NOT_FOR_DASHBOARD[user.role]), 403)
    _sign_out_here()  # a browser signed in as someone else: that sign-in ends
    lifetime = current_app.permanent_session_lifetime
    token = commit_now(lambda s: signins.open_signin(s, user, lifetime, _now()))
    session.clear()  # nothing from before the sign-in carries over
    session.permanent = True
    login_user(Account(user, token))
    log.info("signed in: %r from %s", user.username, request.remote_addr)
    return redirect(_safe_next(request.args.get("next")))


def _sign_out_here() -> None:
    """End this browser's sign-in on the server, if it has one."""
    if current_user.is_authenticated:
        token = current_user.token
        commit_now(lambda s: signins.close_signin(s, token))
        log.info("signed out: %r from %s", current_user.user.username, request.remote_addr)


def _too_many(wait: float) -> str:
    minutes = max(1, math.ceil(wait / 60))
    return _("Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.", minutes=minutes)


def _refused(
    username: str, error: str, status: int, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    page = render_template("dashboard/login.html", username=username, error=error)
    return page, status, headers or {}


@bp.post("/logout")
def logout() -> Response:
    """Sign out: the sign-in ends on the server, and the browser forgets its cookie."""
    _sign_out_here()
    logout_user()
    session.clear()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("dashboard.login"))
