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

#: The policy of the pages that host ODK Web Forms (``/s/<token>``, ``/fill/<form_id>``) and
#: of no other page: its XPath engine calls ``eval`` ('unsafe-eval'), compiles WebAssembly
#: embedded as data: URLs ('wasm-unsafe-eval', connect-src data:), shrinks photos in workers
#: made from blob: and data: URLs (worker-src; found by the browser test), and it and PrimeVue add
#: <style> elements and style attributes ('unsafe-inline' styles). Scripts still come only
#: from this site, so no injected <script> runs; the dashboard keeps its strict policy.
WEBFORM_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self' data:; worker-src 'self' blob: data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Add the headers to every answer of ``app``."""
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not (request.endpoint or "").endswith("static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
