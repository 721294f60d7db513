"""The dashboard's blueprint; the view modules add their routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "dashboard",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets/dashboard",
)
