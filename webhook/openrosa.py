"""OpenRosa form discovery: form list, form download, manifest and media (docs/protocols.md §1).

Registered twice: at the site root (Digest or Basic auth) and under ``/key/<token>/`` for
collectors onboarded by QR code. ODK Collect refuses a response without
``X-OpenRosa-Version`` or whose Content-Type is not ``text/xml``, errors included, so every
response of this blueprint carries the OpenRosa headers and errors are OpenRosaResponse XML.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from typing import Any

from flask import Blueprint, Response, current_app, g, request, url_for
from lxml import etree
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import http_date

from ingest import forms
from ingest.errors import VssidError
from webhook.auth import require
from webhook.database import get_session
from webhook.errors import database_unavailable, retry_headers, status_for

XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
OPENROSA_NS = "http://openrosa.org/http/response"
XML_TYPE = "text/xml; charset=utf-8"

_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

bp = Blueprint("openrosa", __name__)
log = logging.getLogger(__name__)


@bp.url_value_preprocessor
def _pop_token(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.url_token = values.pop("token", None) if values else None


@bp.url_defaults
def _add_token(endpoint: str, values: dict[str, Any]) -> None:
    if g.get("url_token") is not None and current_app.url_map.is_endpoint_expecting(
        endpoint, "token"
    ):
        values.setdefault("token", g.url_token)


def openrosa_headers(response: Response) -> Response:
    """Add the headers every OpenRosa client checks for."""
    response.headers["X-OpenRosa-Version"] = "1.0"
    response.headers["X-OpenRosa-Accept-Content-Length"] = str(
        current_app.config["MAX_CONTENT_LENGTH"]
    )
    response.headers["Date"] = http_date()
    response.headers.setdefault("Content-Language", "vi")
    return response


bp.after_request(openrosa_headers)


def xml_response(root: etree._Element, status: int = 200) -> Response:
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return Response(body, status=status, content_type=XML_TYPE)


def openrosa_message(text: str, status: int, nature: str = "") -> Response:
    """An ``<OpenRosaResponse>`` whose message ODK Collect shows to the person."""
    root = etree.Element(f"{{{OPENROSA_NS}}}OpenRosaResponse", nsmap={None: OPENROSA_NS})  # type: ignore[dict-item]
    message = etree.SubElement(root, f"{{{OPENROSA_NS}}}message")
    if nature:
        message.set("nature", nature)
    message.text = _XML_UNSAFE.sub("\ufffd", text)  # echoed URL parts may hold control chars
    return xml_response(root, status)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for ``endpoint``, on ``VSSID_PUBLIC_URL`` when configured."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)[len(request.script_root) :]
    return str(base).rstrip("/") + path


def _endpoint(name: str) -> str:
    return f"{request.blueprint}.{name}"


@bp.errorhandler(VssidError)
def _domain_error(error: VssidError) -> Response:
    response = openrosa_message(
        f"{error.message_vi} ({error.message_en})", status_for(error), "error"
    )
    response.headers.update(retry_headers(error))
    return response


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def _database_error(error: Exception) -> Response:
    return _domain_error(database_unavailable(error))


@bp.errorhandler(DataError)
def _refused_value(error: DataError) -> Response:
    # The app's JSON handler would answer Collect in a format it cannot show.
    log.warning("database refused a value: %s", str(error).splitlines()[0][:200])
    get_session().rollback()
    text = "Yêu cầu chứa giá trị không hợp lệ. (The request holds a value that cannot be stored.)"
    return openrosa_message(text, 400, "error")


@bp.errorhandler(InternalServerError)
def _internal_error(error: InternalServerError) -> Response:
    log.error("unhandled error", exc_info=error.original_exception)
    text = "Lỗi máy chủ; sự cố đã được ghi lại. (Server error; it has been logged.)"
    return openrosa_message(text, 500, "error")


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    response = openrosa_message(error.description or error.name, error.code or 500, "error")
    for key, value in error.get_headers():
        if key.lower() in {"www-authenticate", "retry-after"}:
            response.headers.add(key, value)
    return response


@bp.route("/formList", methods=["GET", "HEAD"])
@require("collect")
def form_list() -> Response:
    """The forms a collector may download; ``formID`` narrows it to one (Enketo)."""
    wanted = request.args.get("formID")
    root = etree.Element(f"{{{XFORMS_LIST_NS}}}xforms", nsmap={None: XFORMS_LIST_NS})  # type: ignore[dict-item]
    for form, version in forms.listed_forms(get_session()):
        if wanted is not None and form.form_id != wanted:
            continue
        item = etree.SubElement(root, f"{{{XFORMS_LIST_NS}}}xform")
        fields = {
            "formID": form.form_id,
            "name": version.title or form.form_id,
            "version": version.version,
            "hash": f"md5:{version.md5}",
            "downloadUrl": public_url(_endpoint("form_xml"), form_id=form.form_id),
        }
        if version.attachments:
            fields["manifestUrl"] = public_url(_endpoint("manifest"), form_id=form.form_id)
        for tag, text in fields.items():
            etree.SubElement(item, f"{{{XFORMS_LIST_NS}}}{tag}").text = text
    return xml_response(root)


@bp.get("/forms/<form_id>/form.xml")
@require("collect")
def form_xml(form_id: str) -> Response:
    """The XForm of the current version, byte for byte what its md5 hash says."""
    version = forms.current_version(get_session(), form_id)
    return Response(version.xml.encode("utf-8"), content_type=XML_TYPE)


@bp.get("/forms/<form_id>/manifest")
@require("collect")
def manifest(form_id: str) -> Response:
    """The media files of the current version with their md5 hashes."""
    session = get_session()
    version = forms.current_version(session, form_id)
    root = etree.Element(f"{{{MANIFEST_NS}}}manifest", nsmap={None: MANIFEST_NS})  # type: ignore[dict-item]
    for attachment in version.attachments:
        content = forms.media_content(session, attachment)
        media = etree.SubElement(root, f"{{{MANIFEST_NS}}}mediaFile")
        etree.SubElement(media, f"{{{MANIFEST_NS}}}filename").text = attachment.name
        etree.SubElement(media, f"{{{MANIFEST_NS}}}hash").text = f"md5:{_md5(content)}"
        etree.SubElement(media, f"{{{MANIFEST_NS}}}downloadUrl").text = public_url(
            _endpoint("media"), form_id=form_id, name=attachment.name
        )
    return xml_response(root)


@bp.get("/forms/<form_id>/media/<name>")
@require("collect")
def media(form_id: str, name: str) -> Response:
    """One media file; ``units.csv`` is built from the units registry as it is now."""
    session = get_session()
    attachment = forms.find_attachment(session, form_id, name)
    content = forms.media_content(session, attachment)
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if mimetype.startswith("text/"):
        mimetype += "; charset=utf-8"
    return Response(content, content_type=mimetype)


def _md5(content: bytes) -> str:
    import hashlib

    return hashlib.md5(content).hexdigest()  # noqa: S324 (OpenRosa hash)
