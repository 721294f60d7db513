"""Error pages of the dashboard: HTML in the reader's language, not the API's JSON.

Blueprint handlers take precedence over the app's JSON handlers (``webhook.errors``) for
requests routed to the dashboard; a CSRF failure (raised before the view) is one of them.
The app's handlers for a 500, for a value the database refuses and for a database that is
busy or gone are matched before a blueprint's generic ``HTTPException`` handler, so the
dashboard has its own for each (a browser posting a form while SQLite is locked reads a page
saying to try again, not the API's JSON).
"""

from __future__ import annotations

import logging

from flask import make_response, render_template, render_template_string, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError  # type: ignore[import-untyped]
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from ingest.errors import VssidError
from webhook.dashboard import i18n
from webhook.dashboard.blueprint import bp
from webhook.dashboard.i18n import _, language
from webhook.dashboard.security import page_headers
from webhook.database import get_session
from webhook.errors import database_unavailable, retry_headers, status_for

log = logging.getLogger(__name__)

TITLES = {
    400: "Yêu cầu không hợp lệ",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy",
    503: "Tạm thời chưa phục vụ được",
}
#: A page that reads nothing from the database, for when the database cannot be read.
BARE_PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>503</title>
<p>{{ message }}</p></html>"""


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


#: Paths of the machine interfaces: an unknown one there stays a JSON 404.
MACHINE_PREFIXES = ("/api/", "/key/", "/kobo/", "/formList", "/submission", "/forms/", "/static/")


def unrouted_page(error: HTTPException) -> ResponseReturnValue | None:
    """A web address that matches no route, typed or followed in a browser: the dashboard's
    404 page in the reader's language, with a way back. None for machine clients (no
    ``text/html`` preferred in ``Accept``, or a path of the API, OpenRosa or Kobo): they keep
    the JSON answer. Called by the app's JSON handler (``webhook.errors.http_error``)."""
    wants = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if error.code != 404 or wants != "text/html" or request.path.startswith(MACHINE_PREFIXES):
        return None
    # No blueprint answers it, so the dashboard's page headers are added here.
    return page_headers(
        make_response(_page(404, _("Không có trang này. Hãy kiểm tra lại địa chỉ.")))
    )


@bp.errorhandler(VssidError)
def _domain(error: VssidError) -> ResponseReturnValue:
    page, status = _page(status_for(error), i18n.message(error))
    return page, status, retry_headers(error)


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def _database(error: Exception) -> ResponseReturnValue:
    """The database busy (SQLite's lock) or gone: the page says to try again, with
    ``Retry-After``, in the browser's language (the app's handler answers the API's JSON)."""
    unavailable = database_unavailable(error)
    message = unavailable.message_en if language() == "en" else unavailable.message_vi
    try:
        get_session().rollback()  # the page's layout may still read the signed-in account
        page, status = _page(503, message)
    except SQLAlchemyError:  # it cannot: the page without the layout
        page, status = render_template_string(BARE_PAGE, message=message), 503
    return page, status, retry_headers(unavailable)


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
