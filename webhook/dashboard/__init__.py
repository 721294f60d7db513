"""The managers' dashboard (sign-in, coverage, units, review, collectors).

``init_app`` is called by ``create_app``. Modules, each one responsibility:

- ``signin`` (``/login``, ``/logout``): sign-ins kept on the server, counted by ``webhook.lockout``;
- ``security``: session cookies, CSRF tokens, page headers; ``errors``: HTML error pages;
- ``scope``: the signed-in account and the view on screen (one campaign as of a date), held
  to ``webhook.policy`` (who may see which page and unit) on every page and download;
  ``selector``: the campaign selector, where there are several campaigns;
- ``i18n`` (with ``english``, its table): Vietnamese first, English on request; numbers and
  dates as each language writes them; a campaign's own words (its title, levels, categories,
  outcomes and reasons) come from the campaign, never from code;
- pages: ``overview`` (``/``, ``/units/<code>``), ``figures`` (charts), ``downloads``,
  ``reviews`` (``/review``), ``collectors`` (``/collectors``), ``hooks`` (``/hooks``: outgoing
  webhooks, administrators only), ``audit_trail`` (``/audit``: who viewed personal data,
  administrators only); ``tables`` shapes the report.
"""

from __future__ import annotations

from flask import Flask

from webhook.dashboard import (
    audit_trail,  # noqa: F401  (routes)
    collectors,  # noqa: F401  (routes)
    downloads,  # noqa: F401  (routes)
    errors,
    figures,  # noqa: F401  (routes)
    hooks,  # noqa: F401  (routes)
    i18n,
    overview,  # noqa: F401  (routes)
    privacy,  # noqa: F401  (routes)
    reviews,  # noqa: F401  (routes)
    scope,
    security,
    selector,
    selfreport_links,  # noqa: F401  (routes)
    signin,
)
from webhook.dashboard.blueprint import bp

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Register the dashboard on ``app``."""
    security.init_app(app)
    signin.init_app(app)
    i18n.init_app(app)
    selector.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals["may"] = scope.may  # what the menu offers is what the pages allow
    # An unknown address in a browser gets the dashboard's 404 page, not the API's JSON.
    app.extensions["vssid.unrouted_page"] = errors.unrouted_page
