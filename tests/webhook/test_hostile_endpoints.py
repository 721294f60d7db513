"""Hostile requests against every endpoint: the API, the dashboard, OpenRosa discovery, the
probes (``test_hostile.py`` covers the submission payloads themselves).

Whatever arrives: never a 500; an answer within seconds; errors in the format the client
reads (JSON from ``/api``, ``/kobo`` and the probes, an ``OpenRosaResponse`` with the
OpenRosa headers from OpenRosa routes, an HTML page from the dashboard; a URL that matches no
route gets the app's JSON 404); no header a client smuggled in; nothing read from or written
to the file system by a name a client chose.

The list is fixed and explicit (``CASES``); hypothesis then tries the API's and the
dashboard's query parameters and the sign-in form with whatever text it likes.
"""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from ingest import forms
from ingest.models import Submission, User
from ingest.submissions import review as decisions
from reports import coverage
from tests.conftest import PASSWORD, make_user
from tests.dashboard import scenario
from tests.dashboard.scenario import csrf_token
from tests.digest import authorization, parse_challenges
from tests.wire import KOBO_SECRET

#: Seconds any answer may take (the slowest page, the trend chart, takes well under one).
PROMPT = 5.0
SQL = "' OR '1'='1' --"
DROP = "x'); DROP TABLE app_user; --"
LONG = "x" * 10_000
CRLF = "%0d%0aX-Injected:%20yes"
NESTED = "[" * 100_000 + "]" * 100_000
OPENROSA_PATHS = ("/formList", "/forms/", "/submission")


@dataclass(frozen=True)
class Case:
    """One hostile request: who sends it, what, and the status it must get."""

    who: str  # "admin" (Basic on the API, session on the dashboard), "collector", "kobo", "anon"
    url: str
    status: int
    method: str = "GET"
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: Send the page's CSRF token with a dashboard form (False: none; "bad": a wrong one).
    csrf: bool | str = True

    @property
    def id(self) -> str:
        return f"{self.method} {self.url[:90]}"


def api(url: str, status: int, **kwargs: Any) -> Case:
    return Case("admin", url, status, **kwargs)


def page(url: str, status: int, **kwargs: Any) -> Case:
    return Case("admin-session", url, status, **kwargs)


def openrosa(url: str, status: int, **kwargs: Any) -> Case:
    return Case("collector", url, status, **kwargs)


def review(body: Any, status: int, content_type: str = "application/json") -> Case:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    kwargs = {"data": data, "content_type": content_type}
    return api("/api/v1/submissions/{flagged}/review", status, method="POST", kwargs=kwargs)


def form(url: str, data: dict[str, str], status: int, csrf: bool | str = True) -> Case:
    return page(url, status, method="POST", kwargs={"data": data}, csrf=csrf)


HUGE = {"environ_overrides": {"CONTENT_LENGTH": str(10**12)}}
CASES: list[Case] = [
    # --- the JSON API: as_of, by, status, limits, unit codes, ids --------------------------
    *(
        api(f"/api/v1/coverage?as_of={quote(value)}", 400)
        for value in (
            SQL,
            "2021-02-30",
            "2021-13-01",
            "31/03/2021",
            "9999-12-31",
            "0001-01-01",
            "1899-12-31",
            "3000-01-01",
            "\x00",
            LONG,
            "2021-03-31\r\nX-Injected: yes",
            "-1",
            "١٢٣",
        )
    ),
    api("/api/v1/coverage?as_of=%ff%fe%00", 400),
    api(f"/api/v1/coverage?as_of=2021-03-31{CRLF}", 400),
    api("/api/v1/coverage?as_of=1900-01-01", 200),
    *(
        api(f"{path}campaign={quote(value)}", 404)
        for path in ("/api/v1/coverage?", "/api/v1/units/27184?", "/api/v1/submissions?")
        for value in ("khong_co", "VSSID", "vssid' OR '1'='1", "\x00", "é" * 3000, "../vssid")
    ),
    api("/api/v1/coverage?campaign=vneid", 200),
    api("/api/v1/campaigns", 200),
    api("/api/v1/campaigns?campaign=%ff", 200),
    api("/api/v1/coverage?as_of=2999-12-31", 200),
    *(
        api(f"/api/v1/coverage?by={quote(value)}", 400)
        for value in (SQL, DROP, "UNIT", "person", "\x00", LONG, "unit\r\n")
    ),
    api("/api/v1/coverage?by=%c0%af", 400),
    api("/api/v1/coverage?by=unit&by=kind", 200),
    *(
        api(f"/api/v1/submissions?status={quote(value)}", 400)
        for value in (SQL, "\x00", "FLAGGED", LONG)
    ),
    *(
        api(f"/api/v1/submissions?{name}={quote(value)}", 400)
        for name in ("limit", "offset")
        for value in ("-1", "1e9", "²", "١", "0x10", SQL, "\x00")
    ),
    api("/api/v1/submissions?limit=99999999999999999999999&offset=99999999999999999999999", 200),
    *(
        api(f"/api/v1/units/{quote(code, safe='')}", 404)
        for code in (
            SQL,
            DROP,
            "\x00",
            "27184\x00",
            LONG,
            "%",
            "..",
            "27184\r\nX-Injected: yes",
            " 27184",
            "27184 ",
            "Phường 1",
        )
    ),
    api("/api/v1/units/%ff%fe", 404),
    api("/api/v1/units/..%2f..%2fetc%2fpasswd", 404),
    api("/api/v1/units/27184?as_of=0001-01-01", 400),
    api("/api/v1/units/27184?as_of=9999-12-31", 400),
    api("/api/v1/units/27184?as_of=2999-12-31", 200),
    api("/api/v1/units/27184?as_of=1900-01-01", 200),
    *(
        api(f"/api/v1/submissions/{value}", 404)
        for value in (
            "0",
            "-1",
            "1.5",
            "99999999999999999999999",
            "9223372036854775808",
            "1%00",
            "%ef%bc%91",
        )
    ),
    *(api(f"/api/v1/submissions/{n}", 404) for n in (2**31 - 1, 2**31, 2**63 - 1, 2**63)),
    review(NESTED, 400),
    review('{"a":' * 50_000 + "1" + "}" * 50_000, 400),
    review({"decision": "accept", "reason": "x"}, 400, content_type="text/plain"),
    review(
        {"decision": "accept", "reason": "x"}, 400, content_type="application/x-www-form-urlencoded"
    ),
    review(b"\xff\xfe{\x00", 400),
    review([], 400),
    review("null", 400),
    review({"decision": SQL, "reason": "x"}, 400),
    review({"decision": ["accept"], "reason": {"x": 1}}, 400),
    review({"decision": "accept", "reason": "   "}, 400),
    review({"decision": "accept", "reason": "\x00"}, 400),
    review({"decision": "accept", "reason": "ok\x00"}, 400),
    review({"decision": "accept", "reason": "1e999999", "n": 1e308}, 200),
    api(
        "/api/v1/submissions/99999999999999999999999/review",
        404,
        method="POST",
        kwargs={"json": {"decision": "accept", "reason": "x"}},
    ),
    api(
        "/api/v1/submissions/{flagged}/review",
        413,
        method="POST",
        kwargs={"json": {"decision": "accept", "reason": "x"}, **HUGE},
    ),
    api("/api/v1/coverage", 200, kwargs={"data": b"x", **HUGE}),
    api("/api/v1/coverage", 405, method="DELETE"),
    # --- OpenRosa discovery: names in URLs and queries ----------------------------------
    openrosa(f"/formList?formID={quote(SQL)}", 200),
    openrosa("/formList?formID=%00&deviceID=%ff%fe", 200),
    openrosa(f"/formList?formID={LONG}&verbose={CRLF}", 200),
    *(
        openrosa(f"/forms/{quote(name, safe='')}/form.xml", 404)
        for name in (SQL, DROP, "\x00", LONG, "vssid_install\x00", "..", "vssid_install\r\n")
    ),
    *(
        openrosa(f"/forms/vssid_install/media/{quote(name, safe='')}", 404)
        for name in (
            "..",
            "../../etc/passwd",
            "..\\..\\etc\\passwd",
            "units.csv\x00.xml",
            SQL,
            LONG,
            "/etc/passwd",
            "C:\\Windows\\win.ini",
            "units.csv/..",
            "%2e%2e",
        )
    ),
    openrosa("/forms/vssid_install/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404),
    openrosa("/forms/vssid_install/manifest?x=" + CRLF, 200),
    openrosa("/submission?deviceID=" + CRLF, 204),
    *(
        Case("anon", f"/key/{quote(token, safe='')}/formList", 403)
        for token in (
            SQL,
            "\x00",
            LONG,
            "é" * 40,
            "%ff",
            "a\r\nX-Injected: yes",
            "..",
        )
    ),
    Case("anon", "/key/%ff%fe/forms/vssid_install/media/units.csv", 403),
    *(
        Case("anon", "/formList", 401, kwargs={"headers": {"Authorization": value}})
        for value in (
            "Basic !!!",
            "Basic " + "A" * 10_000,
            "Digest",
            "Digest username=",
            "Token",
            "Token é",
            'Digest username="ctv.an", realm="VssID", nonce="1-x", uri="/formList", response="é"',
            'Digest username="ctv.an", realm="VssID", nonce="é-é", uri="/formList", '
            'response="0", qop=auth, nc=1, cnonce="x"',
            'Digest username="ctv.an", realm="VssID", nonce="1", uri="/formList", response="0", '
            "algorithm=SHA-256",
            'Digest username="ctv.an", realm="VssID", nonce="1-x", uri="/formList", response="0", '
            'qop=auth, nc=zz, cnonce="x"',
            'Digest username="ctv.an", realm="VssID", nonce="1-x-y", uri="/formList", '
            'response="0", qop=auth-int, nc=00000001, cnonce="x"',
            'Digest username="ctv.an", realm="VssID", nonce="1-x", uri="/formList", response="0", '
            "qop=auth, nc=00000001",
            "Bearer " + SQL,
            "Negotiate " + LONG,
        )
    ),
    Case(
        "anon",
        "/formList",
        401,
        kwargs={"environ_overrides": {"HTTP_AUTHORIZATION": "Basic\r\nX-Injected: yes"}},
    ),
    openrosa(
        "/submission",
        204,
        kwargs={"environ_overrides": {"HTTP_X_OPENROSA_VERSION": "1.0\r\nX-Injected: yes"}},
    ),
    openrosa(
        "/submission",
        400,
        method="POST",
        kwargs={"data": b"not multipart", "content_type": "multipart/form-data"},
    ),
    # --- KoboToolbox: the hook's body shapes (the payloads are test_hostile.py's) ----------
    Case(
        "kobo",
        "/kobo/submission?form_id=vssid_install",
        400,
        method="POST",
        kwargs={"data": NESTED, "content_type": "application/json"},
    ),
    Case(
        "kobo",
        f"/kobo/submission?form_id={quote(SQL)}",
        404,
        method="POST",
        kwargs={"data": "{}", "content_type": "application/json"},
    ),
    Case(
        "kobo",
        "/kobo/submission",
        413,
        method="POST",
        kwargs={"data": "{}", "content_type": "application/json", **HUGE},
    ),
    Case("kobo", "/kobo/submission", 405),
    # --- the dashboard: queries, codes, formats ----------------------------------------
    *(
        page(f"/?as_of={quote(value)}", 400)
        for value in (SQL, "9999-12-31", "0001-01-01", "2021-02-30", "\x00", LONG)
    ),
    *(page(f"/?{name}={quote(SQL)}", 400) for name in ("kind", "category")),
    *(page(f"/?{name}=%00", 400) for name in ("kind", "category")),
    *(page(f"/?unit={quote(code)}", 404) for code in (SQL, "\x00", LONG, "..", "27184\r\n")),
    page(f"/?lang={quote(SQL)}", 200),
    page("/?lang=%00%ff", 200),
    *(
        page(f"/units/{quote(code, safe='')}", 404)
        for code in (SQL, DROP, "\x00", LONG, "..", "27184\r\nX-Injected: yes")
    ),
    page("/units/27184?as_of=9999-12-31", 400),
    page("/units/27184?as_of=0001-01-01", 400),
    page(f"/review?status={quote(SQL)}", 400),
    page("/review?status=%00", 400),
    *(page(f"/review?offset={value}", 200) for value in ("%C2%B2", "-1", "99999999999999999999")),
    page("/download/coverage.exe", 404),
    page("/download/coverage.csv%00.exe", 404),
    page(f"/download/coverage.csv?by={quote(SQL)}", 400),
    page("/download/coverage.csv?unit=..%2f..%2fetc%2fpasswd", 404),
    page("/download/coverage.xlsx?as_of=9999-12-31", 400),
    page("/download/coverage.json?as_of=0001-01-01", 400),
    page("/charts/trend.svg?as_of=0001-01-01", 400),
    page("/charts/trend.png?as_of=9999-12-31", 400),
    page("/charts/coverage.svg?as_of=9999-12-31", 400),
    page("/charts/coverage.gif", 404),
    page(f"/collectors/sheet/{quote(SQL, safe='')}", 404),
    page("/collectors/sheet/%00", 404),
    page("/assets/dashboard/..%2f..%2f__init__.py", 404),
    page("/assets/dashboard/../templates/dashboard/base.html", 404),
    page("/assets/dashboard/%2e%2e/templates/dashboard/base.html", 404),
    page("/assets/dashboard/dashboard.css%00", 404),
    Case("anon", "/static/..%2f..%2fetc%2fpasswd", 404),
    # The public self-report link, ODK Web Forms' files and the fill pages.
    Case("anon", f"/s/{LONG}", 404),
    Case("anon", f"/s/{quote(SQL, safe='')}/form.xml", 404),
    Case("anon", "/s/%00/media/units.csv", 404),
    Case(
        "anon",
        f"/s/{quote(DROP, safe='')}/submission",
        404,
        method="POST",
        kwargs={"data": NESTED, "content_type": "text/xml"},
    ),
    Case("anon", "/webforms/..%2f..%2f__init__.py", 404),
    Case("anon", "/webforms/assets/%2e%2e/%2e%2e/selfreport.py", 404),
    openrosa("/fill", 200),
    openrosa(f"/fill/{quote(SQL, safe='')}", 404),
    form("/collectors/selfreport", {"unit": SQL, "days": "30"}, 404),
    form("/collectors/selfreport", {"unit": "27184", "days": LONG}, 400),
    form("/collectors/selfreport/999999/revoke", {}, 404),
    page("/collectors/selfreport/999999/poster", 404),
    # Outgoing webhooks (administrators): hostile ids and queries.
    page(f"/hooks?hook={quote(SQL)}", 200),
    form("/hooks/deliveries/999999/redeliver", {}, 404),
    form(f"/hooks/deliveries/{LONG}/redeliver", {}, 404),
    # The audit trail (administrators): text filters match nothing; bad days, actions, 400.
    *(page(f"/audit?{name}={quote(SQL)}", 200) for name in ("account", "unit", "person")),
    *(
        page(f"/audit?{name}={value}", 400)
        for name in ("account", "person")
        for value in ("%00", LONG, "a%0d%0ab")
    ),
    *(page(f"/audit?{name}={quote(SQL)}", 400) for name in ("from", "to", "action")),
    page("/audit?from=31/02/2026", 400),
    page("/audit?page=%C2%B2", 400),
    page(f"/audit/export.csv?person={quote(DROP)}", 200),
    page("/audit/export.exe", 404),
    page("/audit/export.csv%00.exe", 404),
    # A person's requests and retention (administrators): hostile people and forms.
    page(f"/privacy?person={quote(SQL)}&campaign_only={quote(SQL)}", 200),
    page(f"/privacy?person={LONG}", 400),
    *(page(f"/privacy?person={value}", 400) for value in ("%00", "a%0d%0ab")),
    form(
        "/privacy/erase",
        {"person": "a\x00b", "reason": "x", "kind": "erase", "confirm": "a\x00b"},
        400,
    ),
    form("/privacy/see", {"person": SQL, "reason": LONG}, 302),
    form("/privacy/see", {}, 400),
    form("/privacy/erase", {"person": SQL, "reason": "x", "kind": SQL, "confirm": SQL}, 400),
    form("/privacy/erase", {"person": SQL, "reason": "x", "kind": "erase", "confirm": SQL}, 302),
    form("/privacy/purge", {"campaign_id": SQL, "confirm": "yes"}, 302),
    form("/privacy/purge", {"campaign_id": "vssid\x00", "confirm": "yes"}, 302),
    Case("anon", f"/login?next={quote(SQL)}", 200),
    page(f"/login?next=/{CRLF}", 302),
    page("/login?next=//evil.example/", 302),
    page("/login?next=////evil.example/", 302),
    page("/login?next=%2F%5Cevil.example", 302),
    page("/login?next=/%00", 302),
    # --- dashboard forms: CSRF, content types, values ----------------------------------
    *(
        form(url, {}, 400, csrf=csrf)
        for url in (
            "/login",
            "/logout",
            "/review/{flagged}",
            "/review/{flagged}/correct",
            "/collectors",
            "/collectors/{spare}/qr",
            "/collectors/sheet/27190",
        )
        for csrf in (False, "bad")
    ),
    page(
        "/login",
        400,
        method="POST",
        kwargs={"json": {"username": "quan.tri", "password": PASSWORD}},
    ),
    page("/login", 413, method="POST", kwargs={"data": {"username": "a"}, **HUGE}),
    *(
        form("/collectors", {"username": name, "password": "mật-khẩu-ctv-1", "unit": unit}, 302)
        for name, unit in (
            (SQL, ""),
            ("\x00", ""),
            (LONG, ""),
            ("ctv.x\r\nX-Injected: yes", ""),
            ("ctv.moi", SQL),
            ("ctv.moi2", "\x00"),
        )
    ),
    *(
        form("/review/{flagged}", {"decision": decision, "reason": reason}, 302)
        for decision, reason in (
            (SQL, "x"),
            ("accept", ""),
            ("accept", LONG * 10),
            ("reject", DROP),
            ("accept", "\x00"),
            ("reject", "ok\x00ok"),
        )
    ),
    form("/review/99999999999999999999999", {"decision": "accept", "reason": "x"}, 404),
    # A correction that cannot be made says why on the page (302 back to the submission).
    *(
        form("/review/{flagged}/correct", {"field": path, "value": value, "why": reason}, 302)
        for path, value, reason in (
            (SQL, "1", "x"),
            ("../meta/instanceID", "uuid:x", "x"),
            ("meta/instanceID", "uuid:x", "x"),
            ("install_date", "2021-03-19", ""),
            ("install_date", "2021-03-19\x00", "x"),
            ("install_date", LONG * 10, "x"),
            ("install_date", "2021-03-19", "ok\x00ok"),
            (
                "full_name",
                "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
                "x",
            ),
        )
    ),
    *(
        form(
            f"/review/{number}/correct",
            {"field": "install_date", "value": "2021-03-19", "why": "x"},
            status,
        )
        for number, status in (("99999999999999999999999", 404), ("999999", 302))
    ),
    page("/review/submission/99999999999999999999999", 404),
    page("/review/submission/999999", 404),
    page("/review/submission/{flagged}", 200),
    form("/collectors/99999999999999999999999/qr", {}, 404),
    form("/collectors/sheet/%00", {}, 404),
    # --- cookies a client made up --------------------------------------------------------
    *(
        Case("anon", url, status, kwargs={"headers": {"Cookie": cookie}})
        for url, status in (("/", 302), ("/api/v1/coverage", 401), ("/login", 200))
        for cookie in (
            "session=" + LONG,
            "session=.eJyrVkrOz0nNTVWyUkpKzEtR0lEqLU4tUrJSSs7PS81JVaoFAH3PCTY.x.y",
            "lang=" + SQL,
            "session=\x00; lang=%ff",
        )
    ),
    # --- the probes ------------------------------------------------------------------
    Case("anon", f"/healthz?x={CRLF}", 200),
    Case("anon", "/readyz", 200, kwargs={"headers": {"Authorization": "Basic !!!"}}),
    Case("anon", "/healthz", 405, method="POST", kwargs={"data": NESTED}),
]


def expected_format(case: Case, response: TestResponse, app: Flask) -> str:
    """``json``, ``xml`` or ``html``: what the client of this route reads."""
    path = case.url.split("?")[0]
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _values = adapter.match(
            response.request.path, method=case.method if case.method != "HEAD" else "GET"
        )
    except Exception:  # no route: the app's JSON 404/405
        return "json"
    if endpoint.startswith("openrosa") or endpoint.startswith("selfreport."):
        return "html" if endpoint == "selfreport.page" else "xml"
    if endpoint.startswith("dashboard"):
        return "html"
    assert path.startswith(
        ("/api/", "/kobo/", "/healthz", "/readyz", "/static", "/webforms/", "/fill")
    ), path
    return "json"


def problems_with(case: Case, response: TestResponse, elapsed: float, app: Flask) -> list[str]:
    found = []
    if response.status_code != case.status:
        found.append(f"status {response.status_code}, expected {case.status}")
    if elapsed > PROMPT:
        found.append(f"took {elapsed:.1f} s")
    if "X-Injected" in response.headers:
        found.append("injected header")
    if b"root:x:0:0" in response.data or b"def create_app" in response.data:
        found.append("a file was read")
    fmt = expected_format(case, response, app)
    if fmt == "xml":
        if response.headers.get("X-OpenRosa-Version") != "1.0":
            found.append("no X-OpenRosa-Version")
        if response.status_code >= 400:
            if "text/xml" not in response.headers.get("Content-Type", ""):
                found.append(f"error as {response.mimetype}, not XML")
            else:
                root = etree.fromstring(response.data)
                if etree.QName(root).localname != "OpenRosaResponse":
                    found.append("error is not an OpenRosaResponse")
    elif fmt == "json" and response.status_code >= 400:
        if not response.is_json or "error" not in (response.json or {}):
            found.append(f"error as {response.mimetype}, not JSON")
    elif fmt == "html" and response.status_code >= 400 and response.mimetype != "text/html":
        found.append(f"error as {response.mimetype}, not HTML")
    return found


@dataclass
class Site:
    """The campaign of ``tests/dashboard/scenario.py`` and a client for each sender."""

    app: Flask
    flagged: int
    spare: int
    admin_browser: FlaskClient

    def send(self, case: Case) -> TestResponse:
        url = case.url.replace("{flagged}", str(self.flagged)).replace("{spare}", str(self.spare))
        kwargs = dict(case.kwargs)
        headers = dict(kwargs.pop("headers", {}))
        client = self.app.test_client()
        if case.who == "admin":
            kwargs["auth"] = ("quan.tri", PASSWORD)
        elif case.who == "collector":
            kwargs["auth"] = ("ctv.an", PASSWORD)
        elif case.who == "kobo":
            headers["Authorization"] = f"Token {KOBO_SECRET}"
        elif case.who == "admin-session":
            client = self.admin_browser
            if case.method == "POST" and isinstance(kwargs.get("data"), dict) and case.csrf:
                token = csrf_token(client.get("/").text)
                token = token if case.csrf is True else token[::-1]
                kwargs["data"] = {**kwargs["data"], "csrf_token": token}
        return client.open(url, method=case.method, headers=headers, **kwargs)


def tree(root: Path, skip: Path) -> dict[Path, float]:
    """Every path under ``root`` but ``skip`` (and SQLite's files), with its mtime."""
    return {
        p: p.stat().st_mtime
        for p in root.rglob("*")
        if not p.is_relative_to(skip) and "sqlite3" not in p.name
    }


@pytest.fixture
def site(
    app: Flask,
    published: Any,
    client: FlaskClient,
    runner: FlaskCliRunner,
    session: Session,
    tmp_path: Path,
) -> Iterator[Site]:
    """The campaign, with a sentinel beside the media folder that nothing may touch."""
    scenario.load(client, runner, session, tmp_path)
    make_user(session, "ctv.du", "collector", unit_code="27184")
    flagged = session.scalar(select(Submission.id).where(Submission.instance_id == "uuid:dung"))
    spare = session.scalar(select(User.id).where(User.username == "ctv.du"))
    assert flagged is not None and spare is not None
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a bug is a 500 here, as in production
    browser = app.test_client()
    assert scenario.sign_in(browser, "quan.tri").status_code == 302
    media = Path(app.config["MEDIA_DIR"])
    sentinel = tmp_path / "sentinel.txt"
    sentinel.write_text("untouched")
    package = Path(__file__).resolve().parents[2] / "webhook"
    before, code_before = tree(tmp_path.parent, media), tree(package, package / "__pycache__")
    passwd = Path("/etc/passwd").read_bytes()
    yield Site(app, flagged, spare, browser)
    assert tree(tmp_path.parent, media) == before
    assert tree(package, package / "__pycache__") == code_before
    assert sentinel.read_text() == "untouched"
    assert Path("/etc/passwd").read_bytes() == passwd
    for path in media.rglob("*") if media.exists() else ():
        relative = path.relative_to(media).as_posix()
        assert re.fullmatch(r"tmp|[0-9a-f]{2}(/[0-9a-f]{64})?", relative), relative


#: Routes no case names: the same views as routes that are covered (the token prefix runs
#: the root's views after the token check, which the cases exercise on two of them).
EXEMPT = {
    "openrosa_key.form_xml", "openrosa_key.manifest", "openrosa_key.submission_probe",
    "openrosa_key.submission_post", "dashboard.sheet_confirm", "dashboard.collectors",
}  # fmt: skip


def test_case_list__covers_every_route(app: Flask) -> None:
    """Every route of the app gets hostile cases (a new route must join the list)."""
    adapter = app.url_map.bind("localhost")
    hit = set()
    for case in CASES:
        path = case.url.split("?")[0].replace("{flagged}", "1").replace("{spare}", "1")
        try:
            endpoint, _ = adapter.match(path, method=case.method)
        except Exception:  # some URLs match no route on purpose
            continue
        hit.add(endpoint)
    assert {rule.endpoint for rule in app.url_map.iter_rules()} - hit - EXEMPT == set()


def test_hostile_requests__no_500_prompt_and_in_the_clients_format(site: Site) -> None:
    wrong = []
    for case in CASES:
        start = time.monotonic()
        response = site.send(case)
        elapsed = time.monotonic() - start
        found = problems_with(case, response, elapsed, site.app)
        response.close()
        if found:
            wrong.append(f"{case.id}: {', '.join(found)} {response.data[:160]!r}")
    assert not wrong, "\n".join(["", *wrong])


def test_digest__valid_response_over_a_foreign_nonce__401(site: Site) -> None:
    """A client that knows the password and signs a nonce we never issued (non-ASCII in
    it) is challenged again, not answered with a 500."""
    for nonce in ("1-é", "é-1", "١٢٣-x", "1"):
        challenge = {"realm": "VssID", "nonce": nonce}
        header = authorization(challenge, "GET", "/formList", "ctv.an", PASSWORD)
        response = site.app.test_client().get("/formList", headers={"Authorization": header})
        assert response.status_code == 401, nonce
        assert response.headers["X-OpenRosa-Version"] == "1.0"


def test_digest__replayed_or_signed_for_another_uri__401_and_never_a_lock_out(
    site: Site,
) -> None:
    """Issue 13: a captured header was accepted again (12 h), and for any URI ending like
    this one. A right response refused for such a reason is no guess: it locks nobody out."""
    client = site.app.test_client()

    def signed(uri: str) -> str:
        first = client.get("/formList")
        challenge = parse_challenges(first.headers.getlist("WWW-Authenticate"))["digest"]
        return authorization(challenge, "GET", uri, "ctv.an", PASSWORD)

    header = signed("/formList")
    assert client.get("/formList", headers={"Authorization": header}).status_code == 200
    for uri in ("http://evil.example/formList", "/key/x/formList", "/formList?x=1",
                "/FORMLIST", "/%66ormList", "/formList/", "formList", "*"):  # fmt: skip
        header_for_other = signed(uri)
        response = client.get("/formList", headers={"Authorization": header_for_other})
        assert response.status_code == 401, uri
        assert response.headers["X-OpenRosa-Version"] == "1.0"
    for _ in range(6):
        replay = client.get("/formList", headers={"Authorization": header})
        assert replay.status_code == 401
    assert client.get("/formList", auth=("ctv.an", PASSWORD)).status_code == 200


# --- properties ---------------------------------------------------------------------------

TEXT = st.text(max_size=40)
DAYS = st.one_of(st.dates().map(date.isoformat), TEXT, st.from_regex(r"-?\d{1,6}-\d{1,3}-\d{1,3}"))
CODES = st.one_of(st.sampled_from(["27184", "27190", "Q10-NV"]), TEXT.filter(bool))


def unit_page_answers(code: str) -> set[int]:
    """What a unit page may answer for ``code``: a page, a refusal, or none. A "/" in the code
    (never in a real one) makes an empty path segment, which Werkzeug merges with a 308."""
    return {200, 400, 404} | ({308} if "/" in code else set())


def assert_unit_page(response: Any, code: str, prefix: str) -> None:
    assert response.status_code in unit_page_answers(code)
    if response.status_code == 308:
        assert urlsplit(response.headers["Location"]).path.startswith(prefix)


PROPERTIES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def answered(response: TestResponse, started: float, fmt: str) -> None:
    """No 500, prompt, and an error in the client's format."""
    assert response.status_code < 500, response.data[:300]
    assert time.monotonic() - started < PROMPT
    assert "X-Injected" not in response.headers
    if response.status_code >= 400:
        if fmt == "json":
            assert response.is_json and "error" in (response.json or {})
        else:
            assert response.mimetype == "text/html"


def get(client: FlaskClient, url: str, fmt: str) -> TestResponse:
    started = time.monotonic()
    response = client.get(url)
    try:  # a code holding "/" (%2F) leaves the route: the app's JSON 404
        client.application.url_map.bind("localhost").match(response.request.path)
    except HTTPException:
        fmt = "json"
    answered(response, started, fmt)
    return response


@PROPERTIES
@given(as_of=DAYS, by=st.one_of(st.sampled_from(["unit", "kind", "category"]), TEXT),
       status=st.one_of(st.sampled_from(["flagged", "accepted"]), TEXT), code=CODES,
       number=st.one_of(st.integers().map(str), TEXT))  # fmt: skip
@example(as_of="", by="", status="", code="/0", number="")
def test_api_queries__any_text__no_500(
    site: Site, as_of: str, by: str, status: str, code: str, number: str
) -> None:
    browser = site.admin_browser  # the API takes the session: no password hash per request
    coverage = get(browser, "/api/v1/coverage?" + urlencode({"as_of": as_of, "by": by}), "json")
    assert coverage.status_code in {200, 400}
    unit = get(browser, f"/api/v1/units/{quote(code, safe='')}?{urlencode({'as_of': as_of})}",
               "json")  # fmt: skip
    assert_unit_page(unit, code, "/api/v1/units/")
    query = urlencode({"status": status, "limit": number, "offset": number})
    assert get(browser, f"/api/v1/submissions?{query}", "json").status_code in {200, 400}


@PROPERTIES
@given(as_of=DAYS, kind=TEXT, category=TEXT, code=CODES, by=TEXT)
@example(as_of="", kind="", category="", code="/0", by="")  # found in CI: /units//0 → 308
def test_dashboard_queries__any_text__no_500(
    site: Site, as_of: str, kind: str, category: str, code: str, by: str
) -> None:
    browser = site.admin_browser
    query = urlencode({"as_of": as_of, "kind": kind, "category": category})
    assert get(browser, f"/?{query}", "html").status_code in {200, 400}
    unit = get(browser, f"/units/{quote(code, safe='')}?{urlencode({'as_of': as_of})}", "html")
    assert_unit_page(unit, code, "/units/")
    query = urlencode({"as_of": as_of, "unit": code, "by": by})
    assert get(browser, f"/download/coverage.csv?{query}", "html").status_code in {
        200, 400, 404,
    }  # fmt: skip


@PROPERTIES
@given(username=TEXT, password=TEXT, next_=TEXT)
def test_sign_in_form__any_text__refused_in_html(
    site: Site, username: str, password: str, next_: str
) -> None:
    browser = site.app.test_client()
    form = {"username": username, "password": password,
            "csrf_token": csrf_token(browser.get("/login").text)}  # fmt: skip
    started = time.monotonic()
    response = browser.post(f"/login?{urlencode({'next': next_})}", data=form)
    answered(response, started, "html")
    assert response.status_code in {401, 429}


@PROPERTIES
@given(next_=TEXT)
@example(next_="////evil.example/")  # issue 13: answered Location: //evil.example/
@example(next_="///evil.example/")
@example(next_="/\t/evil.example")
@example(next_="javascript:alert(1)")
def test_sign_in__any_next__stays_on_this_site(site: Site, next_: str) -> None:
    browser = site.app.test_client()
    form = {"username": "lanh.dao", "password": PASSWORD,
            "csrf_token": csrf_token(browser.get("/login").text)}  # fmt: skip
    started = time.monotonic()
    response = browser.post(f"/login?{urlencode({'next': next_})}", data=form)
    answered(response, started, "html")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert location == "/" or next_.startswith("/"), location
    assert "\r" not in location and "\n" not in location


# --- errors nobody foresaw ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (RuntimeError("a bug"), 500),
        (DataError("SELECT 1", {}, ValueError("a string literal cannot contain NUL")), 400),
    ],
    ids=["bug", "database refused a value"],
)
def test_unforeseen_errors__answered_in_the_clients_format(
    app: Flask,
    published: Any,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    status: int,
) -> None:
    make_user(session, "quan.tri", "admin")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    browser = app.test_client()
    assert scenario.sign_in(browser, "quan.tri").status_code == 302
    monkeypatch.setattr(coverage, "compute", fail)
    monkeypatch.setattr(forms, "listed_forms", fail)
    page = browser.get("/")
    assert (page.status_code, page.mimetype) == (status, "text/html")
    assert 'lang="vi"' in page.text and "quan.tri" in page.text  # the layout, signed in
    api_error = browser.get("/api/v1/coverage")
    assert (api_error.status_code, api_error.is_json) == (status, True)
    assert (api_error.json or {})["error"]["code"] in {"http.500", "request.invalid_value"}
    openrosa_error = app.test_client().get("/formList", auth=("quan.tri", PASSWORD))
    assert openrosa_error.status_code == status
    assert openrosa_error.headers["X-OpenRosa-Version"] == "1.0"
    root = etree.fromstring(openrosa_error.data)
    assert etree.QName(root).localname == "OpenRosaResponse"


def test_sign_in_lock_out__not_lifted_by_a_forwarded_for_header(site: Site) -> None:
    """The lock-out counts the connection's address: a client cannot claim another one."""
    browser = site.app.test_client()
    token = csrf_token(browser.get("/login").text)
    for attempt in range(6):
        response = browser.post(
            "/login",
            data={"username": "lanh.dao", "password": "sai", "csrf_token": token},
            headers={"X-Forwarded-For": f"10.0.0.{attempt}", "X-Real-IP": f"10.0.1.{attempt}"},
        )
    assert response.status_code == 429
    right = {"username": "lanh.dao", "password": PASSWORD, "csrf_token": token}
    again = browser.post("/login", data=right, headers={"X-Forwarded-For": "192.0.2.9"})
    assert again.status_code == 429 and again.mimetype == "text/html"


# --- storage abuse: per-account quotas and the size limit ---------------------------------

OR_NS = {"r": "http://openrosa.org/http/response"}
GARBAGE = b"<vssid_install>" + b"x" * 5000  # malformed: kept in the log with its error


def post_instance(client: FlaskClient, xml: bytes, auth: tuple[str, str]) -> TestResponse:
    return client.post(
        "/submission",
        data={"xml_submission_file": (io.BytesIO(xml), "instance.xml", "text/xml")},
        auth=auth,
        headers={"X-OpenRosa-Version": "1.0"},
    )


def new_instance() -> bytes:
    return (
        '<vssid_install id="vssid_install" version="2021031001"><consent>yes</consent>'
        f"<unit>27184</unit><meta><instanceID>uuid:{uuid.uuid4()}</instanceID></meta>"
        "</vssid_install>"
    ).encode()


def rows_of(site: Site, submitter: str) -> list[Submission]:
    with site.app.extensions["vssid.db"].sessionmaker() as session:
        return list(
            session.scalars(
                select(Submission).where(Submission.submitter == submitter).order_by(Submission.id)
            )
        )


def test_quota__submissions_per_hour__429_retry_after_and_a_row_without_the_body(
    site: Site,
) -> None:
    """Past its hourly quota an account is told to wait, in its client's format; what it
    sent is recorded without its body, and other accounts are not held back."""
    site.app.config["SUBMISSIONS_PER_HOUR"] = 2
    client, auth = site.app.test_client(), ("ctv.an", PASSWORD)
    assert [post_instance(client, new_instance(), auth).status_code for _ in range(2)] == [201] * 2
    refused = post_instance(client, new_instance(), auth)
    assert refused.status_code == 429
    assert refused.headers["X-OpenRosa-Version"] == "1.0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    text = etree.fromstring(refused.data).findtext("r:message", namespaces=OR_NS)
    assert text and "2 phiếu" in text
    last = rows_of(site, "ctv.an")[-1]
    assert (last.error_code, last.payload) == ("submission.quota_submissions", b"")
    assert last.headers["Content-Length"] == str(refused.request.content_length)
    assert post_instance(client, new_instance(), ("phuong1", PASSWORD)).status_code == 201
    # The Kobo hook (8 deliveries already): JSON, as Kobo logs it.
    kobo = client.post(
        "/kobo/submission?form_id=vssid_install",
        data=json.dumps({"meta/instanceID": "uuid:mot-nua"}),
        content_type="application/json",
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    assert kobo.status_code == 429 and int(kobo.headers["Retry-After"]) >= 1
    assert (kobo.json or {})["error"]["code"] == "submission.quota_submissions"


def test_quota__bytes_per_day__garbage_stops_being_stored(site: Site) -> None:
    site.app.config["SUBMISSION_BYTES_PER_DAY"] = 8000
    client, auth = site.app.test_client(), ("ctv.an", PASSWORD)
    assert post_instance(client, GARBAGE, auth).status_code == 400
    refused = post_instance(client, GARBAGE, auth)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert [(r.error_code, len(r.payload)) for r in rows_of(site, "ctv.an")] == [
        ("submission.malformed", len(GARBAGE)),
        ("submission.quota_bytes", 0),
    ]


def chunked(body: bytes, content_type: str, **kwargs: Any) -> dict[str, Any]:
    """A request body of unknown length, as a server hands a chunked one to the app."""
    return {
        "input_stream": io.BytesIO(body),
        "content_type": content_type,
        "headers": {"Transfer-Encoding": "chunked", **kwargs.pop("headers", {})},
        "environ_overrides": {"wsgi.input_terminated": True},
        **kwargs,
    }


@pytest.mark.parametrize("size", [9_000, 10_000, 10_001, 50_000])
def test_chunked_body__over_the_limit__413_nothing_stored(site: Site, size: int) -> None:
    """A chunked body says no length: over the limit it is refused whole, not cut at the
    limit and kept as malformed."""
    site.app.config["MAX_CONTENT_LENGTH"] = 10_000
    client = site.app.test_client()
    boundary = "chunkedBoundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
        'filename="instance.xml"\r\nContent-Type: text/xml\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    xml = new_instance()
    xml = xml.replace(
        b"<consent>", b"<!--" + b"x" * (size - len(head + xml + tail) - 7) + b"--><consent>"
    )
    body = head + xml + tail
    assert len(body) == size
    openrosa = client.post(
        "/submission",
        **chunked(body, f"multipart/form-data; boundary={boundary}", auth=("ctv.an", PASSWORD)),
    )
    answer = {"content_type": "application/json",
              "headers": {"Authorization": f"Token {KOBO_SECRET}"}}  # fmt: skip
    kobo_body = json.dumps({"meta/instanceID": f"uuid:{uuid.uuid4()}", "note": "x" * size})
    kobo = client.post(
        "/kobo/submission?form_id=vssid_install", **chunked(kobo_body[:size].encode(), **answer)
    )
    if size <= 10_000:
        assert openrosa.status_code == 201, openrosa.data[:300]
        assert kobo.status_code == 400  # cut by the test, not by the server
        return
    assert openrosa.status_code == 413 and openrosa.headers["X-OpenRosa-Version"] == "1.0"
    assert kobo.status_code == 413 and (kobo.json or {})["error"]["code"] == "http.413"
    assert rows_of(site, "ctv.an") == [] and rows_of(site, "kobo")[8:] == []


# --- headers ------------------------------------------------------------------------------


def test_api_and_kobo_answers__not_stored_nor_sniffed(site: Site) -> None:
    """Answers with personal data (and their errors) must not be kept by a browser or a
    proxy, nor read as another type than they say."""
    client, auth = site.app.test_client(), ("quan.tri", PASSWORD)
    answers = [
        client.get(path, auth=auth)
        for path in (
            "/api/v1/coverage",
            "/api/v1/campaigns",
            "/api/v1/units/27184",
            "/api/v1/submissions",
            f"/api/v1/submissions/{site.flagged}",
            "/api/v1/units/KHONG-CO",
        )
    ]
    answers.append(client.get("/api/v1/coverage"))
    answers.append(
        client.post(
            "/kobo/submission?form_id=vssid_install",
            data="{}",
            content_type="application/json",
            headers={"Authorization": f"Token {KOBO_SECRET}"},
        )
    )
    answers.append(post_instance(client, new_instance(), ("ctv.an", PASSWORD)))
    for response in answers:
        where = f"{response.request.path} {response.status_code}"
        assert response.headers.get("Cache-Control") == "no-store", where
        assert response.headers.get("X-Content-Type-Options") == "nosniff", where


def test_browser_404_page__same_headers_as_every_page(site: Site) -> None:
    page = site.app.test_client().get("/khong-co-trang-nay", headers={"Accept": "text/html"})
    assert (page.status_code, page.mimetype) == (404, "text/html")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("base_url", "public_url"),
    [("https://localhost", None), ("http://localhost", "https://bhxh-q10.example.vn")],
    ids=["https request", "behind a proxy"],
)
def test_language_cookie__secure_over_https(
    site: Site, base_url: str, public_url: str | None
) -> None:
    site.app.config["PUBLIC_URL"] = public_url
    site.app.config["SESSION_COOKIE_SECURE"] = bool(public_url)  # as security.init_app sets
    response = site.app.test_client().get("/login?lang=en", base_url=base_url)
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang=")]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_language_cookie__plain_http__not_secure(site: Site) -> None:
    response = site.app.test_client().get("/login?lang=en")
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang=")]
    assert "Secure" not in cookie


# --- the database busy while a browser posts ---------------------------------------------


def test_dashboard_post__database_locked__html_503_retry_after(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's "database is locked" (or PostgreSQL gone) during a dashboard form: the
    browser gets the dashboard's page saying to try again, not the API's JSON."""

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT INTO review", {}, Exception("database is locked"))

    monkeypatch.setattr(decisions, "decide", locked)
    browser = site.admin_browser
    token = csrf_token(browser.get("/review").text)
    form = {"decision": "accept", "reason": "Đã xác nhận", "csrf_token": token}
    response = browser.post(f"/review/{site.flagged}", data=form)
    assert (response.status_code, response.mimetype) == (503, "text/html")
    assert int(response.headers["Retry-After"]) > 0
    assert "Content-Security-Policy" in response.headers
    assert "quan.tri" in response.text  # the layout, signed in
