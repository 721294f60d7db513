"""Filling any form in the browser with ODK Web Forms, for collectors without Android.

``GET /fill`` lists the forms a collector may fill and ``GET /fill/<form_id>`` hosts the
form. Both authenticate exactly as ODK Collect does (HTTP Digest, or Basic over HTTPS,
``webhook.auth``): the browser asks for the account once and keeps it for the site, so the
page's own requests go to the normal OpenRosa endpoints with the same account: the form
(``/forms/<id>/form.xml``), its media (``units.csv`` …, through Web Forms'
``fetchFormAttachment``) and ``POST /submission``, where quotas, unit rights and checks are
those of any collector's phone.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from ingest import forms
from webhook.auth import require
from webhook.database import get_session
from webhook.headers import WEBFORM_CONTENT_SECURITY_POLICY
from webhook.webforms_assets import entry_url

bp = Blueprint("fill", __name__)


def _lang() -> str:
    return "en" if request.args.get("lang") == "en" else "vi"


def _html(html: str) -> Response:
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = WEBFORM_CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    return response


@bp.get("/fill")
@require("collect")
def index() -> Response:
    """The forms this account may fill, each a link to its page."""
    listed = [(form.form_id, version.title or form.form_id)
              for form, version in forms.listed_forms(get_session())]  # fmt: skip
    return _html(render_template("selfreport/fill_index.html", lang=_lang(), forms=listed))


@bp.get("/fill/<form_id>")
@require("collect")
def page(form_id: str) -> Response:
    """One form in ODK Web Forms, sent to ``/submission`` as this account."""
    version = forms.current_version(get_session(), form_id)
    lang = _lang()
    html = render_template(
        "selfreport/fill.html",
        lang=lang,
        title=version.title or form_id,
        form_url=url_for("openrosa.form_xml", form_id=form_id),
        media_url=url_for("openrosa.media", form_id=form_id, name="x")[:-1],
        submit_url=url_for("openrosa.submission_post"),
        other_url=url_for("fill.page", form_id=form_id, lang=None if lang == "en" else "en"),
        back_url=url_for("fill.index", lang="en" if lang == "en" else None),
        script=entry_url(),
    )
    return _html(html)
