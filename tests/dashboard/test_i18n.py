"""The dashboard's translation table and its Vietnamese and English number formats."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from jinja2 import nodes
from sqlalchemy.orm import Session

from ingest import campaigns
from webhook.dashboard import errors, i18n, signin

PACKAGE = Path(i18n.__file__).parent
#: Texts translated through a variable rather than a literal ``_("…")``.
INDIRECT = {
    *signin.NOT_FOR_DASHBOARD.values(),
    *errors.TITLES.values(),
    "Lỗi",
    "Cần xem lại", "Đã từ chối", "Đã chấp nhận",  # review.html's review_state_names
    "Đã có phiên bản mới",
    "Đã chấp nhận phiếu số {id}.", "Đã từ chối phiếu số {id}.",  # reviews.review_decide
    "Vui lòng đăng nhập để xem trang này.",  # Flask-Login's message, localized
}  # fmt: skip


def _python_texts() -> set[str]:
    found = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "translate"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def _template_texts(app: Flask) -> set[str]:
    found = set()
    for path in (PACKAGE / "templates").rglob("*.html"):
        tree = app.jinja_env.parse(path.read_text(encoding="utf-8"))
        for call in tree.find_all(nodes.Call):
            if (
                isinstance(call.node, nodes.Name)
                and call.node.name == "_"
                and call.args
                and isinstance(call.args[0], nodes.Const)
            ):
                found.add(call.args[0].value)
    return found


def test_every_text__has_an_english_translation(app: Flask):
    used = _python_texts() | _template_texts(app) | INDIRECT
    assert sorted(used - i18n.EN.keys()) == []


def test_translation_table__no_unused_entries(app: Flask):
    used = _python_texts() | _template_texts(app) | INDIRECT
    assert sorted(i18n.EN.keys() - used) == []


def test_translations__same_placeholders():
    for vi, en in i18n.EN.items():
        assert sorted(_fields(vi)) == sorted(_fields(en)), vi


def _fields(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ("1.234", "87,5 %", "1.234,5 %", "100 %", "—", "31/03/2021", "31/03/2021 08:05")),
        ("en", ("1,234", "87.5%", "1,234.5%", "100%", "—", "31 Mar 2021", "31 Mar 2021 08:05")),
    ],
)
def test_formats__follow_the_language(app: Flask, lang: str, expected: tuple[str, ...]):
    with app.test_request_context(f"/?lang={lang}"):
        moment = datetime(2021, 3, 31, 1, 5, tzinfo=UTC)  # 08:05 in Vietnam
        got = (
            i18n.number(1234), i18n.percent(87.5), i18n.percent(1234.5), i18n.percent(100.0, 0),
            i18n.percent(None), i18n.day(date(2021, 3, 31)), i18n.moment(moment),
        )  # fmt: skip
        assert got == expected


def test_language__cookie_then_default(app: Flask):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert i18n.language() == "en" and i18n.translate("Tiến độ") == "Progress"
    with app.test_request_context("/", headers={"Cookie": "lang=fr"}):
        assert i18n.language() == "vi" and i18n.translate("Tiến độ") == "Tiến độ"
    with app.test_request_context("/?lang=en"):
        assert i18n.translate("Phiếu số {id}", id=7) == "Submission 7"
        assert "lang_asked" in g


def test_campaign_words__the_page_campaigns_in_the_page_language(
    app: Flask, published: Any, session: Session
):
    vneid, vssid = campaigns.load(session, "vneid"), campaigns.load(session, "vssid")
    with app.test_request_context("/?lang=en"):
        g.campaign = vneid
        assert i18n.label("done") == "Level 2 activated"
        assert i18n.label("no_chip_cccd") == "No chip-based citizen identity card yet"  # the form's
        assert i18n.local(vneid.done.not_label) == "Not activated"
        assert i18n.label("declined", vssid) == "Does not wish to install"
    with app.test_request_context("/"):
        g.campaign = vssid
        assert i18n.label("done") == "Đã cài đặt" and i18n.label("active") == "Đang sử dụng"
        assert i18n.label("declined") == "Không muốn cài đặt"
        assert i18n.label("nguoi_lao_dong") == "Người lao động"
        assert i18n.local(vssid.identifier_label) == "Mã số BHXH"
        assert i18n.label(None) == "—" and i18n.local({}) == "—"


@pytest.mark.parametrize(
    ("label", "expected"),
    [("Chưa cài đặt", "chưa cài đặt"), ("Đã kích hoạt mức độ 2", "đã kích hoạt mức độ 2"),
     ("VNeID đã kích hoạt", "VNeID đã kích hoạt"), ("", "")],
)  # fmt: skip
def test_in_sentence__lower_first_letter_but_not_an_acronym(label: str, expected: str):
    assert i18n.in_sentence(label) == expected
