"""Headers on every answer of the app, whichever blueprint (or none) made it.

- ``X-Content-Type-Options: nosniff``: a browser reads an answer as the type it says, never
  as another (a JSON error quoting what someone typed is not a page).
- ``Cache-Control: no-store``: the answers are about people (the API's names and codes, a
  submission's answer naming the record) or a campaign as it stands now, and none may be
  kept by a browser or a proxy; only the dashboard's static files (CSS, JS) may be. A view
  that says otherwise keeps its own (blueprints' ``after_request`` run first).
"""

from __future__ import annotations

from flask import Flask, Response, request


def init_app(app: Flask) -> None:
    """Add the headers to every answer of ``app``."""
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not (request.endpoint or "").endswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
