"""``vssid serve``: the app under gunicorn, configured in code rather than a config file."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from ingest.db import limit_statements

_TOKEN_IN_PATH = re.compile(r"/key/[^/?\s]+")


class MaskingLogger(Logger):  # type: ignore[misc]
    """Gunicorn's logger, with the secret of token URLs (``/key/<token>/``) masked in the
    access log: a token is a collector's password."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = _TOKEN_IN_PATH.sub("/key/***", atoms[key])
        return atoms


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
    from webhook import pipeline

    pipeline.start(app)  # the log's consumers, in the background of every worker
