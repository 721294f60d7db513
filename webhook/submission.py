"""OpenRosa submission: ``HEAD|GET /submission`` and ``POST /submission``
(docs/protocols.md §0, §2).

Status codes are the ones ODK Collect acts on: 201 for a new submission, 202 for one we
already have (a retry, or the next part of a submission split by ``*isIncomplete*``),
400 malformed, 401/403 credentials, 404 unknown form or edited record, 409 conflict or closed
form, 413 too large, 429 (with Retry-After) for an account over its quota, 503 (with
Retry-After) when we cannot store right now. Collect treats 200 as a failure, and any other
2xx than 204 on HEAD as "not an OpenRosa server".
"""

from __future__ import annotations

from flask import Response, request

from ingest.errors import ErrorCode, InvalidInput
from ingest.submissions import intake
from webhook.auth import require
from webhook.bodies import refuse_too_large
from webhook.errors import retry_headers, status_for
from webhook.intake_http import incoming, over_quota, store
from webhook.openrosa import bp, openrosa_message

XML_PART = "xml_submission_file"


@bp.route("/submission", methods=["HEAD", "GET"])
@require("collect")
def submission_probe() -> Response:
    # Collect sends HEAD first to learn the size limit and check auth: 204, empty body.
    return Response(status=204, content_type="text/xml; charset=utf-8")


def parts() -> tuple[bytes | None, tuple[intake.IncomingFile, ...]]:
    """The instance XML and the attachment parts of the request."""
    if request.mimetype in {"text/xml", "application/xml"}:
        return request.get_data(cache=False), ()
    xml_file = request.files.get(XML_PART)
    if xml_file is not None:
        xml: bytes | None = xml_file.read()
    elif XML_PART in request.form:
        xml = request.form[XML_PART].encode("utf-8")
    else:
        xml = None
    files = tuple(
        intake.IncomingFile(f.filename or name, f.mimetype or "", f.stream)
        for name, f in request.files.items(multi=True)
        if name != XML_PART
    )
    return xml, files


@bp.post("/submission")
@require("collect")
def submission_post() -> Response:
    refuse_too_large()
    refused = over_quota("openrosa")
    if refused is not None:
        return _answer(refused)
    xml, files = parts()
    if xml is None:
        error = InvalidInput(ErrorCode.SUBMISSION_NO_XML)
        return _answer(store(incoming("openrosa", b""), error))
    return _answer(store(incoming("openrosa", xml, files)))


def _answer(receipt: intake.Receipt) -> Response:
    if receipt.error is not None:
        error = receipt.error
        response = openrosa_message(
            f"{error.message_vi} ({error.message_en})", status_for(error), "error"
        )
        response.headers.update(retry_headers(error))
        return response
    name = receipt.submission.instance_name
    who = f": {name}" if name else ""
    if receipt.outcome == intake.Outcome.DUPLICATE:
        text = f"Phiếu này đã được nhận trước đó{who}. (Already received.)"
        return openrosa_message(text, 202, "submit_success")
    missing = receipt.missing_attachments
    more = f" Còn thiếu {missing} tệp đính kèm." if missing else ""
    if receipt.verdict == "flagged":
        # Still a success: the data is safe with us and sending it again would not fix it.
        problems = "; ".join(
            str(i.get("message_vi")) for i in receipt.issues if i.get("blocking", True)
        )
        text = (
            f"Đã nhận phiếu{who}, nhưng phiếu cần được kiểm tra lại: {problems}.{more} "
            "(Received, flagged for review.)"
        )
    else:
        text = f"Đã nhận phiếu{who}. Cảm ơn!{more} (Submission received.)"
    return openrosa_message(text, 201, "submit_success")
