"""Error pages of the dashboard: HTML in the reader's language, not the API's JSON.

Blueprint handlers take precedence over the app's JSON handlers (``webhook.errors``) for
requests routed to the dashboard; a CSRF failure (raised before the view) is one of them.
The app's handlers for a 500 and for a value the database refuses are matched before a
blueprint's generic ``HTTPException`` handler, so the dashboard has its own for both.
"""

from __future__ import annotations

import logging

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError  # type: ignore[import-untyped]
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from ingest.errors import VssidError
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import _, language
from webhook.database import get_session
from webhook.errors import status_for

log = logging.getLogger(__name__)

TITLES = {
    400: "Yêu cầu không hợp lệ",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy",
}


def _page(status: int, message: str) -> tuple[str, int]:
    title = _(TITLES.get(status, "Lỗi"))
    page = render_template("dashboard/error.html", status=status, title=title, message=message)
    return page, status


@bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if isinstance(error, CSRFError):
        message = _("Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang rồi thử lại.")
    else:
        message = error.description or error.name
    page, code = _page(status, message)
    headers = [(k, v) for k, v in error.get_headers() if k.lower() == "retry-after"]
    return page, code, headers


@bp.errorhandler(VssidError)
def _domain(error: VssidError) -> ResponseReturnValue:
    return _page(status_for(error), error.message_en if language() == "en" else error.message_vi)


@bp.errorhandler(InternalServerError)
def _internal(error: InternalServerError) -> ResponseReturnValue:
    log.error("unhandled error", exc_info=error.original_exception)
    get_session().rollback()  # the page's layout may still read the signed-in account
    return _page(500, _("Lỗi máy chủ; sự cố đã được ghi lại. Vui lòng thử lại sau."))


@bp.errorhandler(DataError)
def _refused_value(error: DataError) -> ResponseReturnValue:
    log.warning("database refused a value: %s", str(error).splitlines()[0][:200])
    get_session().rollback()  # PostgreSQL: the transaction is aborted
    return _page(400, _("Yêu cầu chứa giá trị không hợp lệ."))
