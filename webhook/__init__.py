"""The HTTP adapter: OpenRosa, KoboToolbox and the JSON API over the ``ingest`` core.

``create_app`` is the only way to get an app; nothing is created at import time.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from webhook import (
    api,
    bodies,
    config,
    converters,
    dashboard,
    database,
    errors,
    fill,
    headers,
    health,
    kobo,
    lockout,
    openrosa,
    pipeline,
    selfreport,
    webforms_assets,
)
from webhook import submission as _submission  # noqa: F401  (adds /submission to openrosa.bp)

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the defaults, then ``VSSID_*`` variables (or ``test_config``)."""
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = bodies.Request  # the size limit holds for chunked bodies too
    app.url_map.converters["int"] = converters.IdConverter  # before any route is added
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None:
        app.config.from_prefixed_env("VSSID")
    else:
        app.config.from_mapping(test_config)
    config.resolve(app.config, app.instance_path)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    weakness = config.weak_secret(app.config["SECRET_KEY"])
    if weakness is not None:
        # A warning, not a refusal: a slip in the configuration must not stop phones from
        # sending. Whoever guesses the key can sign session cookies and Digest nonces.
        log.warning(
            "VSSID_SECRET_KEY is weak (%s): set a long random one, the same on every server, "
            "e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`",
            weakness,
        )

    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese stays readable
    database.init_app(app)
    pipeline.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(kobo.bp)
    app.register_blueprint(api.bp)
    dashboard.init_app(app)
    lockout.init_app(app)  # after the dashboard, whose defaults include the lock-out's
    app.register_blueprint(openrosa.bp)
    app.register_blueprint(openrosa.bp, url_prefix="/key/<token>", name="openrosa_key")
    app.register_blueprint(webforms_assets.bp)
    app.register_blueprint(selfreport.bp)
    app.register_blueprint(fill.bp)

    from webhook import cli

    cli.init_app(app)
    return app
