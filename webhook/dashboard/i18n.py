"""The dashboard's two languages: Vietnamese (the default) and English.

Templates write Vietnamese and wrap it in ``_()``; ``english.EN`` maps each such text to
its English. A small table rather than gettext catalogues: the dashboard has a few hundred
words, and one Python mapping is easier to keep complete (a test checks that every ``_()``
in the templates has an English entry). The language comes from ``?lang=`` (remembered in a
cookie), else the cookie, else Vietnamese.

Numbers follow the language: Vietnamese groups thousands with a dot and writes a decimal
comma (``1.234``, ``87,5 %``), English the other way round (``1,234``, ``87.5%``). Dates are
``dd/mm/yyyy`` in Vietnamese.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, has_request_context, request, url_for

from ingest.campaigns import LOCAL_TZ, Campaign
from ingest.errors import VssidError
from reports.export import KIND_NAMES, PROGRESS_NAMES, SOURCE_NAMES
from webhook.dashboard.blueprint import bp
from webhook.dashboard.english import EN, EN_ONE

LANGUAGES = ("vi", "en")
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

#: Label tables: code -> (Vietnamese, English). A campaign's own words (its categories,
#: outcomes, reasons, done and levels) come from the campaign: :func:`label`.
Names = Mapping[str | None, tuple[str, str]]
ROLES: Names = {
    "admin": ("Quản trị", "Administrator"),
    "manager": ("Lãnh đạo, quản lý", "Manager"),
    "unit": ("Đầu mối đơn vị", "Unit focal point"),
    "collector": ("Cộng tác viên thu thập", "Collector"),
    "integration": ("Tích hợp (KoboToolbox)", "Integration (KoboToolbox)"),
}
KINDS: Names = {code: names for code, names in KIND_NAMES.items()}
SOURCES: Names = SOURCE_NAMES
PROGRESS: Names = PROGRESS_NAMES
YES_NO: Names = {"yes": ("Có", "Yes"), "no": ("Không", "No")}


def language() -> str:
    """The request's language: ``?lang=``, else the cookie, else Vietnamese."""
    if "lang" not in g:
        if not has_request_context():
            return "vi"
        asked = request.args.get("lang")
        g.lang_asked = asked if asked in LANGUAGES else None
        cookie = request.cookies.get(COOKIE)
        g.lang = g.lang_asked or (cookie if cookie in LANGUAGES else "vi")
    lang: str = g.lang
    return lang


def translate(text: str, **values: Any) -> str:
    """``text`` in the request's language, with ``{name}`` filled from ``values``."""
    if language() == "en":
        many = values.get("denominator", values.get("count"))
        one = many in (1, "1") and text in EN_ONE  # "1 unit", not "1 units"
        text = EN_ONE[text] if one else EN.get(text, text)
    return text.format(**values) if values else text


_ = translate


def name(table: Names, code: str | None) -> str:
    """A code's label in the request's language (the code itself when unknown)."""
    if code not in table:
        return "—" if code is None else code
    vi, en = table[code]
    return en if language() == "en" else vi


def message(error: VssidError) -> str:
    """A domain error's text in the request's language."""
    return error.message_en if language() == "en" else error.message_vi


def label(key: str | None, campaign: Campaign | None = None) -> str:
    """A campaign's word for ``key`` (a category, outcome, reason, ``done`` or a level) in the
    request's language; the campaign is the page's (``g.campaign``) unless given."""
    campaign = campaign or g.get("campaign")
    if key is None:
        return "—"
    return campaign.label(key, language()) if campaign is not None else key


def local(texts: Mapping[str, str] | None) -> str:
    """A campaign's ``{"vi": …, "en": …}`` text (its title, the ``done`` level's
    ``not_label``, the identifier's label) in the request's language, else Vietnamese."""
    texts = texts or {}
    return texts.get(language()) or texts.get("vi") or texts.get("en") or "—"


class Named(Protocol):
    """A unit as the registry names it (``Unit``, a report's ``UnitCoverage``)."""

    @property
    def name_vi(self) -> str: ...
    @property
    def name_en(self) -> str: ...


def unit_name(unit: Named) -> str:
    """A unit's name in the request's language: the registry's English name in English, when
    it has one; else the Vietnamese."""
    if language() == "en" and unit.name_en:
        return unit.name_en
    return unit.name_vi


def in_sentence(text: str) -> str:
    """A label written for a heading, inside a sentence: its first letter in lower case
    ("Chưa cài đặt" → "chưa cài đặt"), unless the first word is an acronym ("VNeID")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def number(value: int | float | None) -> str:
    """``1234`` as ``1.234`` (Vietnamese) or ``1,234`` (English); None as "—"."""
    if value is None:
        return "—"
    text = f"{value:,.0f}"
    return text.replace(",", ".") if language() == "vi" else text


def percent(value: float | None, decimals: int = 1) -> str:
    """``87.5`` as ``87,5 %`` (Vietnamese) or ``87.5%`` (English); None as "—"."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    if language() == "vi":
        return text.replace(",", " ").replace(".", ",").replace(" ", ".") + " %"
    return f"{text}%"


def day(value: date | None) -> str:
    """A date as ``dd/mm/yyyy`` (Vietnamese) or ``31 Mar 2021`` (English)."""
    if value is None:
        return "—"
    return f"{value:%d/%m/%Y}" if language() == "vi" else f"{value:%d %b %Y}"


def moment(value: datetime | None) -> str:
    """A time in Vietnam's time zone, ``dd/mm/yyyy HH:MM``."""
    if value is None:
        return "—"
    local = value.astimezone(LOCAL_TZ)
    return f"{day(local.date())} {local:%H:%M}"


def language_url(lang: str) -> str:
    """This page in ``lang`` (the progress page after a form was posted)."""
    if request.method != "GET":
        return url_for("dashboard.coverage_page", lang=lang)
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return f"{request.path}?{urlencode(args, doseq=True)}"


@bp.after_request
def _remember(response: Response) -> Response:
    if language() and g.get("lang_asked"):
        # Secure as the session cookie is (``PUBLIC_URL`` on https), and on any https request.
        secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure
        response.set_cookie(
            COOKIE, g.lang_asked, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
            secure=secure,
        )  # fmt: skip
    return response


def init_app(app: Flask) -> None:
    """Give ``app``'s templates the translation and formatting helpers."""
    app.jinja_env.globals.update(
        _=translate, name=name, label=label, local=local, language=language,
        language_url=language_url, unit_name=unit_name,
        ROLES=ROLES, KINDS=KINDS, SOURCES=SOURCES, PROGRESS=PROGRESS,
    )  # fmt: skip
    app.jinja_env.filters.update(
        number=number, percent=percent, day=day, moment=moment, in_sentence=in_sentence
    )
