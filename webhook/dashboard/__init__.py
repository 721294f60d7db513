"""The managers' dashboard (sign-in, coverage, units, review, collectors).

``init_app`` is called by ``create_app``.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    """Register the dashboard on ``app``."""
