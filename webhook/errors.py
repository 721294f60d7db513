"""HTTP statuses for the core's error codes, and the app-wide JSON error handlers.

The core (``ingest.errors``) names what went wrong; only this module decides what HTTP status
that is. Everything outside the OpenRosa blueprint answers errors as JSON
``{"error": {"code", "message", "message_en"}}``, never as an HTML page or a stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

from ingest.errors import Conflict, InvalidInput, NotFound, VssidError

log = logging.getLogger(__name__)


def status_for(error: VssidError) -> int:
    """The HTTP status of a domain error."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, InvalidInput):
        return 400
    return 400


def _json_error(code: str, message: str, message_en: str, status: int) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "message_en": message_en}})
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    """Install JSON error handlers for the whole app."""

    @app.errorhandler(VssidError)
    def _domain(error: VssidError) -> Response:
        return _json_error(error.code, error.message_vi, error.message_en, status_for(error))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        response = _json_error(
            f"http.{error.code}", error.description or error.name, error.name, error.code or 500
        )
        for key, value in error.get_headers():
            if key.lower() not in {"content-type", "content-length"}:
                response.headers.add(key, value)
        return response

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError) -> Response:
        log.error("unhandled error", exc_info=error.original_exception)
        return _json_error(
            "http.500",
            "Lỗi máy chủ; sự cố đã được ghi lại.",
            "Server error; it has been logged.",
            500,
        )
