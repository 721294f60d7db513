"""Browser security for the dashboard: session cookies, CSRF tokens and response headers.

- The session cookie is HttpOnly and SameSite=Lax, Secure when ``PUBLIC_URL`` is https, and
  lives ``SIGN_IN_HOURS`` (default 8: a working day).
- Every unsafe request carries a CSRF token (Flask-WTF), except the machine endpoints: the
  OpenRosa and KoboToolbox blueprints, which authenticate every request by HTTP headers or a
  URL token and are never called by a browser holding our cookie, the public self-report
  link (no account: nothing for a forged request to ride on), and the JSON API when it
  is called with an ``Authorization`` header. The API called with the dashboard's session
  (a browser) needs the token like any form. Flask-WTF cannot exempt a blueprint only when
  it is called with a header, so its default check is off and :func:`_check_csrf` decides.
- Pages are not cached (they hold personal data) and may not be framed; scripts and styles
  come only from this site (no CDN: the field network may be closed).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, request
from flask_login import current_user  # type: ignore[import-untyped]
from flask_wtf.csrf import CSRFProtect  # type: ignore[import-untyped]
from werkzeug.wrappers import Response

from webhook.dashboard.blueprint import bp

#: Blueprints of machine clients: authenticated per request, exempt from CSRF tokens.
MACHINE_BLUEPRINTS = frozenset({"openrosa", "openrosa_key", "kobo", "selfreport"})
#: Blueprints that skip the token only when the request authenticates by header.
HEADER_AUTH_BLUEPRINTS = frozenset({"api"})
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DEFAULTS = {
    "SIGN_IN_HOURS": 8,
    "SIGN_IN_MAX_FAILURES": 5,
    "SIGN_IN_WINDOW_MINUTES": 15,
}


def init_app(app: Flask) -> None:
    """Session cookie settings and CSRF protection for ``app``."""
    config = app.config
    for key, value in DEFAULTS.items():
        config.setdefault(key, value)
    lifetime = timedelta(hours=float(config["SIGN_IN_HOURS"]))
    config["PERMANENT_SESSION_LIFETIME"] = lifetime
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if str(config.get("PUBLIC_URL") or "").lower().startswith("https://"):
        config["SESSION_COOKIE_SECURE"] = True
    # A form stays valid as long as the sign-in (Flask-WTF's default is one hour).
    config.setdefault("WTF_CSRF_TIME_LIMIT", int(lifetime.total_seconds()))
    config["WTF_CSRF_CHECK_DEFAULT"] = False  # _check_csrf decides, see the module docstring
    CSRFProtect(app)
    app.before_request(_check_csrf)


def _check_csrf() -> None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or request.endpoint is None:
        return
    if request.blueprint in MACHINE_BLUEPRINTS:
        return
    if request.blueprint in HEADER_AUTH_BLUEPRINTS and (
        request.authorization is not None or not current_user.is_authenticated
    ):
        # Authenticated by a header, or not at all (the view answers 401 with a challenge):
        # no session cookie for a forged request to ride on.
        return
    current_app.extensions["csrf"].protect()


@bp.after_request
def page_headers(response: Response) -> Response:
    """The dashboard's headers (also on its 404 page for an address that matches no route,
    which no blueprint answers: ``webhook.dashboard.errors.unrouted_page``)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cache-Control", "no-store")
    return response
