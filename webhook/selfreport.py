"""A unit's public self-report link (DESIGN.md §9): ``/s/<token>`` and what it loads.

- ``GET /s/<token>``: the page, hosting ODK Web Forms (``webhook.webforms_assets``); Vietnamese,
  ``?lang=en`` for English (our texts and the form's language);
- ``GET /s/<token>/form.xml``: the campaign's self-report form, current version, in that
  language, with the link's unit filled in;
- ``GET /s/<token>/media/<name>``: its media (``units.csv`` …), for ``fetchFormAttachment``;
- ``POST /s/<token>/submission``: OpenRosa multipart (``xml_submission_file`` + files), no
  credentials. The unit is the link's, written into the XML over whatever the page sent.
  Rate-limited per link and per address (429). The answer is the same whether or not the
  identifier and birth date match the roster (``ingest.selfreport.identity``).

An unknown link answers 404 and an expired or revoked one 410, with a page (or, for the
machine routes, an OpenRosa message) in Vietnamese and English.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for

from ingest import campaigns, forms, selfreport
from ingest.campaigns import LOCAL_TZ, Campaign
from ingest.db import begin_write, utcnow
from ingest.errors import ErrorCode, InvalidInput, NotFound, VssidError
from ingest.models import Unit
from ingest.selfreport import limits, links
from ingest.submissions import intake
from webhook.bodies import DRAIN_LIMIT, drain, refuse_too_large
from webhook.database import get_session
from webhook.errors import retry_headers, status_for
from webhook.headers import WEBFORM_CONTENT_SECURITY_POLICY
from webhook.intake_http import kept_headers, store
from webhook.openrosa import XML_TYPE, openrosa_headers, openrosa_message
from webhook.submission import parts
from webhook.webforms_assets import entry_url

bp = Blueprint("selfreport", __name__, template_folder="templates")

#: The one answer to a stored self-report, matched or not: a link must not tell who is on a
#: roster.
RECEIVED = (
    "Đã nhận phiếu tự khai của Anh/Chị. Cảm ơn! (Your self-report has been received. Thank you!)"
)
#: Expired and revoked links are gone for good: 410 tells a browser and a proxy so.
GONE = frozenset({ErrorCode.SELFREPORT_LINK_EXPIRED.code, ErrorCode.SELFREPORT_LINK_REVOKED.code})


@bp.after_request
def _openrosa_headers(response: Response) -> Response:
    """The form, media and submission answers are OpenRosa's, like the rest of OpenRosa."""
    return response if request.endpoint == "selfreport.page" else openrosa_headers(response)


def _lang() -> str:
    return "en" if request.args.get("lang") == "en" else "vi"


def _status(error: VssidError) -> int:
    return 410 if error.code in GONE else status_for(error)


def _open(token: str) -> tuple[links.OpenLink, Campaign, str]:
    """The link, its campaign and its self-report form's id; a VssidError if unusable."""
    session = get_session()
    link = links.open_link(session, token, utcnow())
    campaign = campaigns.cached(session, link.campaign)
    if campaign is None or campaign.selfreport_form is None:
        raise NotFound(ErrorCode.SELFREPORT_NO_FORM, campaign=link.campaign)
    return link, campaign, campaign.selfreport_form


def _page_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = WEBFORM_CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


@bp.get("/s/<token>")
def page(token: str) -> Response:
    """The self-report page, or a page saying why the link cannot be used."""
    lang = _lang()
    try:
        link, campaign, _form = _open(token)
    except VssidError as error:
        html = render_template("selfreport/gone.html", error=error, lang=lang)
        return _page_headers(Response(html, status=_status(error), mimetype="text/html"))
    unit = get_session().get(Unit, link.unit_code)
    args: dict[str, Any] = {"lang": "en"} if lang == "en" else {}
    html = render_template(
        "selfreport/page.html",
        lang=lang,
        title=campaign.title.get(lang) or campaign.title.get("vi") or campaign.id,
        unit_name=(unit.name_en if lang == "en" and unit.name_en else unit.name_vi) if unit else "",
        expires=link.expires_at.astimezone(LOCAL_TZ).date(),
        agency=campaign.report.agency,
        form_url=url_for(".form_xml", token=token, **args),
        media_url=url_for(".media", token=token, name="x")[:-1],
        submit_url=url_for(".submission", token=token),
        other_url=url_for(".page", token=token, lang=None if lang == "en" else "en"),
        script=entry_url(),
    )
    return _page_headers(Response(html, mimetype="text/html"))


@bp.get("/s/<token>/form.xml")
def form_xml(token: str) -> Response:
    """The self-report form in the page's language, with the link's unit filled in."""
    link, campaign, form_id = _open(token)
    version = forms.current_version(get_session(), form_id)
    unit_field = campaign.person.unit if campaign.person else "unit"
    body = selfreport.instance.served_form(version.xml, _lang(), {unit_field: link.unit_code})
    return Response(body, content_type=XML_TYPE)


@bp.get("/s/<token>/media/<name>")
def media(token: str, name: str) -> Response:
    """A media file of the self-report form (``units.csv`` as the registry is now)."""
    _link, _campaign, form_id = _open(token)
    session = get_session()
    content = forms.media_content(session, forms.find_attachment(session, form_id, name))
    kind = "text/csv" if name.endswith(".csv") else "text/xml" if name.endswith(".xml") else ""
    return Response(content, content_type=f"{kind or 'application/octet-stream'}; charset=utf-8")


@bp.errorhandler(VssidError)
def _error(error: VssidError) -> Response:
    response = openrosa_message(f"{error.message_vi} ({error.message_en})", _status(error), "error")
    response.headers.update(retry_headers(error))
    return response


@bp.post("/s/<token>/submission")
def submission(token: str) -> Response:
    """Store a self-report posted through the link; the same answer whatever it matched."""
    refuse_too_large()
    link, campaign, form_id = _open(token)
    session = get_session()
    config = current_app.config
    allowed = limits.Limits(
        config["SELFREPORT_POSTS_PER_LINK"], config["SELFREPORT_POSTS_PER_ADDRESS"]
    )
    if session.get_bind().dialect.name == "sqlite":
        session.commit()  # a writer begins with BEGIN IMMEDIATE (ingest.db)
        begin_write(session)
    refused = limits.admit(session, link.id, request.remote_addr, allowed, utcnow())
    session.commit()
    if refused is not None:
        # As an account over its quota (webhook.intake_http.over_quota): a row without the
        # body (who, when, headers), the body drained so that the browser reads the answer.
        size = request.content_length or 0
        drain(request.environ["wsgi.input"], min(size, DRAIN_LIMIT) if size else DRAIN_LIMIT)
        return _answer(store(_incoming(link, b"", ()), refused))
    xml, files = parts()
    incoming = _incoming(link, b"" if xml is None else xml, files)
    if xml is None:
        return _answer(store(incoming, InvalidInput(ErrorCode.SUBMISSION_NO_XML)))
    try:
        if selfreport.instance.form_id(xml) != form_id:
            refusal = InvalidInput(ErrorCode.SELFREPORT_WRONG_FORM, form_id=form_id)
            return _answer(store(incoming, refusal))
        unit_field = campaign.person.unit if campaign.person else "unit"
        pinned = selfreport.instance.pin_unit(xml, unit_field, link.unit_code)
    except VssidError as error:
        return _answer(store(incoming, error))
    return _answer(store(_incoming(link, pinned, files)))


def _incoming(
    link: links.OpenLink, payload: bytes, files: tuple[intake.IncomingFile, ...]
) -> intake.Incoming:
    return intake.Incoming(
        source=selfreport.SOURCE,
        payload=payload,
        content_type=request.content_type or "",
        submitter=f"selfreport:{link.id}",
        received_at=utcnow(),
        headers=kept_headers(),
        files=files,
        # Only the link's unit, and never another sender's record.
        rights=intake.Rights(units=frozenset({link.unit_code}), edit_others=False),
    )


def _answer(receipt: intake.Receipt) -> Response:
    if receipt.error is not None:
        return _error(receipt.error)
    status = 202 if receipt.outcome == intake.Outcome.DUPLICATE else 201
    return openrosa_message(RECEIVED, status, "submit_success")
