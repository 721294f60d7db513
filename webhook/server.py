"""``vssid serve``: the app under gunicorn, configured in code rather than a config file."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from ingest.db import limit_statements

_TOKEN_IN_PATH = re.compile(r"/key/[^/?#\s]*", re.IGNORECASE)
#: Percent-decoding rounds before a text is taken as decoded (``%25`` hides one more).
_DECODINGS = 4


def redact(text: str) -> str:
    """``text`` with the token of every ``/key/<token>`` in it masked, however the path is
    encoded. The router decodes the path (``/%6Bey/<token>/`` is ``/key/<token>/``, and a
    proxy may decode once more), so the text is decoded until it stops changing; where a
    token is found, the decoded text is what is logged, masked, with whatever a log line must
    not hold (control characters, quotes) encoded again."""
    decoded = text
    for _ in range(_DECODINGS):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    if not _TOKEN_IN_PATH.search(decoded):
        return text
    masked = _TOKEN_IN_PATH.sub("/key/***", decoded)
    return "".join(c if c.isprintable() and c not in '"\\' else quote(c) for c in masked)


class MaskingLogger(Logger):  # type: ignore[misc]
    """Gunicorn's logger, with the secret of token URLs (``/key/<token>/``) masked in the
    access log, in whatever spelling it came (:func:`redact`), wherever it appears (the
    request line, the path, the referer, any header or environ value a format names): a token
    is a collector's password."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}


class Gunicorn(BaseApplication):  # type: ignore[misc]
    """Gunicorn serving one WSGI app with options given in code."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def options(host: str, port: int, workers: int) -> dict[str, Any]:
    """Gunicorn's settings for ``vssid serve`` (also used by bench/bare_app.py)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-",
        "logger_class": MaskingLogger,
        "control_socket_disable": True,  # one less file in $HOME; we manage by signals
    }


def run(app: Flask, host: str, port: int, workers: int) -> None:
    """Serve ``app`` on ``host:port`` with ``workers`` processes until stopped."""
    engine = app.extensions["vssid.db"].engine
    limit_statements(engine, float(app.config["STATEMENT_TIMEOUT_SECONDS"]))
    # The engine's connections must not be shared across the fork.
    engine.dispose(close=False)
    Gunicorn(app, {**options(host, port, workers), "post_fork": _post_fork}).run()


def _post_fork(_server: Any, worker: Any) -> None:
    app = worker.app.application
    app.extensions["vssid.db"].engine.dispose(close=False)
    from webhook import hooks, pipeline

    pipeline.start(app)  # the log's consumers, in the background of every worker
    hooks.start(app)  # webhook deliveries and the daily jobs, likewise
