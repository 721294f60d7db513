"""HTTP statuses for the core's error codes, and the app-wide JSON error handlers.

The core (``ingest.errors``) names what went wrong; only this module decides what HTTP status
that is. Everything outside the OpenRosa blueprint answers errors as JSON
``{"error": {"code", "message", "message_en"}}``, never as an HTML page or a stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from ingest.errors import (
    Conflict,
    ErrorCode,
    InvalidInput,
    NotFound,
    OverQuota,
    Unavailable,
    VssidError,
)

log = logging.getLogger(__name__)


#: Codes whose status is not the one of their class.
STATUS_BY_CODE = {ErrorCode.UNSUPPORTED_MEDIA_TYPE.code: 415}
#: Seconds a client is asked to wait before retrying after a 503.
RETRY_AFTER = 60
#: Database errors that mean "not now" (connection lost, database locked), not "wrong".
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


def status_for(error: VssidError) -> int:
    """The HTTP status of a domain error."""
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    if isinstance(error, Unavailable):
        return 503
    if isinstance(error, OverQuota):
        return 429
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
        response = _json_error(error.code, error.message_vi, error.message_en, status_for(error))
        response.headers.update(retry_headers(error))
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database(error: Exception) -> Response:
        return _domain(database_unavailable(error))

    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(DataError)
    def _data(error: DataError) -> Response:
        # The database refused a value (PostgreSQL: NUL in text, an overlong string) that
        # slipped past our checks: the request was wrong, and it is logged for a fix.
        log.warning("database refused a value: %s", str(error).splitlines()[0][:200])
        return _json_error(
            "request.invalid_value",
            "Yêu cầu chứa giá trị không hợp lệ.",
            "The request holds a value that cannot be stored.",
            400,
        )

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError) -> Response:
        log.error("unhandled error", exc_info=error.original_exception)
        return _json_error(
            "http.500",
            "Lỗi máy chủ; sự cố đã được ghi lại.",
            "Server error; it has been logged.",
            500,
        )


def http_error(error: HTTPException) -> ResponseReturnValue:
    """An HTTP error (404, 405, 413…) as the JSON every machine client reads; for an address
    that matches no route, asked by a browser, the dashboard's page when it is installed."""
    page = current_app.extensions.get("vssid.unrouted_page")
    if page is not None and request.blueprint is None:
        shown = page(error)
        if shown is not None:
            return shown  # type: ignore[no-any-return]
    response = _json_error(
        f"http.{error.code}", error.description or error.name, error.name, error.code or 500
    )
    for key, value in error.get_headers():
        if key.lower() not in {"content-type", "content-length"}:
            response.headers.add(key, value)
    return response


def retry_headers(error: VssidError) -> dict[str, str]:
    """The ``Retry-After`` of an answer to ``error``, when waiting helps: after a quota, the
    seconds until the account may send again; after a 503, :data:`RETRY_AFTER`."""
    if isinstance(error, OverQuota):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, Unavailable):
        return {"Retry-After": str(RETRY_AFTER)}
    return {}


def database_unavailable(error: Exception) -> Unavailable:
    """Log a lost database and describe it to the client as "retry later"."""
    log.warning("database unavailable: %s", str(error).splitlines()[0][:200])
    return Unavailable(ErrorCode.DATABASE_UNAVAILABLE)
