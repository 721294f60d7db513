"""``vssid serve``: the app under gunicorn, configured in code rather than a config file."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def run(app: Flask, host: str, port: int, workers: int) -> None:
    """Serve ``app`` on ``host:port`` with ``workers`` processes until stopped."""
    # The engine's connections must not be shared across the fork.
    app.extensions["vssid.db"].engine.dispose(close=False)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-",
        "control_socket_disable": True,  # one less file in $HOME; we manage by signals
        "post_fork": _post_fork,
    }
    _Gunicorn(app, options).run()


def _post_fork(_server: Any, worker: Any) -> None:
    worker.app.application.extensions["vssid.db"].engine.dispose(close=False)
