"""KoboToolbox REST Service receiver: ``POST /kobo/submission`` (docs/protocols.md §5).

Kobo posts each new submission once, as JSON or XML, waits 30 s, counts any 2xx as done and
retries by itself only on 502/503/504. So: 201 once the data is committed, 200 for a
delivery we already have (Kobo delivers at least once), 503 with Retry-After only when a
retry can succeed (database or disk unavailable), and a 4xx with a JSON error otherwise,
which Kobo shows in its REST Service log: a 429 with Retry-After too, for an integration over
its quota (``ingest.submissions.quota``; Kobo does not retry it: the deliveries are resent
from Kobo's REST Service log once the quota is raised or the hour is over).

Configure the service with the URL ``https://<server>/kobo/submission?form_id=vssid_install``
(Kobo's ``_xform_id_string`` is its own asset uid unless the form was deployed under our id).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ingest.errors import ErrorCode, InvalidInput
from ingest.submissions.intake import Outcome, Receipt, summary
from webhook.auth import require
from webhook.bodies import refuse_too_large
from webhook.errors import retry_headers, status_for
from webhook.intake_http import incoming, over_quota, store

bp = Blueprint("kobo", __name__)

JSON_TYPES = {"application/json"}
XML_TYPES = {"application/xml", "text/xml"}


@bp.post("/kobo/submission")
@require("push")
def kobo_submission() -> tuple[Response, int]:
    form_hint = request.args.get("form_id")
    refuse_too_large()
    refused = over_quota("kobo", form_hint)
    if refused is not None:
        return _answer(refused)
    payload = request.get_data(cache=False)
    arrived = incoming("kobo", payload, form_hint=form_hint)
    if request.mimetype not in JSON_TYPES | XML_TYPES:
        error = InvalidInput(ErrorCode.UNSUPPORTED_MEDIA_TYPE, content_type=request.mimetype)
        return _answer(store(arrived, error))
    return _answer(store(arrived))


def _answer(receipt: Receipt) -> tuple[Response, int]:
    if receipt.error is not None:
        error = receipt.error
        status = status_for(error)
        body = jsonify(
            {
                "error": {
                    "code": error.code,
                    "message": error.message_vi,
                    "message_en": error.message_en,
                },
                "id": receipt.submission.id,
            }
        )
        body.headers.update(retry_headers(error))
        return body, status
    return jsonify(summary(receipt)), 201 if receipt.outcome == Outcome.CREATED else 200
