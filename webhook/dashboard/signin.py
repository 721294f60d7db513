"""Signing in and out (``/login``, ``/logout``) with Flask-Login.

The session is Flask's signed cookie; it holds the account's id and a fingerprint of its
password hash, so a password change signs out every browser. A sign-in lasts at most
``SIGN_IN_HOURS`` (a working day) from the moment the password was typed, active or not;
Flask checks the same age on the cookie's signature. Collectors and integrations are told
plainly that their account is for phones and servers, and only once their password is right,
so that the message does not reveal which usernames exist.
"""

from __future__ import annotations

import hashlib
import math
import time
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

from ingest.errors import NotFound
from ingest.models import User
from ingest.registry.accounts import check_no_account, check_password, find_user
from webhook import lockout, policy
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import _, translate
from webhook.database import get_session

NOT_FOR_DASHBOARD = {
    "collector": "Tài khoản cộng tác viên chỉ dùng để gửi phiếu từ ODK Collect, không đăng "
    "nhập được trang quản lý. Hãy liên hệ quản trị viên nếu bạn cần xem báo cáo.",
    "integration": "Tài khoản tích hợp (KoboToolbox) chỉ dùng cho máy chủ gửi dữ liệu, không "
    "đăng nhập được trang quản lý.",
}


class Account(UserMixin):  # type: ignore[misc]
    """The signed-in user as Flask-Login sees it; ``user`` is the account row."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return session_id(self.user)


def session_id(user: User) -> str:
    """``<id>.<fingerprint of the password hash>``: stale once the password changes."""
    fingerprint = hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
    return f"{user.id}.{fingerprint}"


def _load(value: str) -> Account | None:
    user_id, _sep, _fingerprint = value.partition(".")
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active or not policy.may(user, "read"):
        return None
    if session_id(user) != value or _expired():
        return None
    return Account(user)


def _expired() -> bool:
    signed_in = session.get("signed_in_at")
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    return not isinstance(signed_in, int | float) or time.time() - signed_in > lifetime


def init_app(app: Flask) -> None:
    """Flask-Login for ``app``."""
    manager = LoginManager(app)
    manager.user_loader(_load)
    manager.login_view = "dashboard.login"
    manager.login_message = "Vui lòng đăng nhập để xem trang này."
    manager.login_message_category = "info"
    manager.localize_callback = translate
    # "basic": a changed address marks the session non-fresh; "strong" would sign out a
    # phone every time it moves between Wi-Fi and mobile data.
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
    session.clear()  # nothing from before the sign-in carries over
    session.permanent = True
    session["signed_in_at"] = time.time()
    login_user(Account(user))
    return redirect(_safe_next(request.args.get("next")))


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
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("dashboard.login"))
