"""Who may call what: every route of the app, for every role, with every credential style.

``EXPECTED`` is the authorization matrix of docs/architecture.md §5, written out: for each route of
``app.url_map`` (method and rule), the status each role gets when it presents its own
credentials in the styles that route accepts (``STYLES``). A route the table does not list
fails :func:`test_matrix__lists_every_route`, so a new route cannot ship unchecked.

Requests are realistic (a valid body where the route needs one), so that a 4xx is about who
asks, not about the body. The data is the hand-computed campaign of
``tests/dashboard/scenario.py``: accounts ``quan.tri`` admin, ``lanh.dao`` manager,
``phuong1`` unit of Phường 1 (27184), ``ctv.an`` collector and ``kobo`` integration.

Credential styles:

- ``basic``, ``digest``: HTTP authentication (``digest`` answers the server's challenge as
  ODK Collect does); ``token``: ``Authorization: Token …`` (the integration's secret, or an
  account's URL token); ``url_token``: ``/key/<token>/…`` (anonymous: a token nobody has);
- ``session``: a browser signed in through the real sign-in form (CSRF token from the page;
  unsafe requests carry it). Collectors and integrations cannot sign in, so in this style
  they are anonymous; ``form``: the sign-in form itself, with the role's own password.

A style a route does not accept (``IGNORED``) must change nothing: the answer is the
anonymous one (the dashboard's session does not open OpenRosa or Kobo; Basic does not open
the dashboard).
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from ingest.models import Submission, User
from ingest.registry import accounts
from tests.conftest import PASSWORD, make_user
from tests.dashboard import scenario
from tests.dashboard.scenario import AS_OF, csrf_token
from tests.digest import authorization, parse_challenges
from tests.wire import KOBO_SECRET

ROLES = ("anonymous", "admin", "manager", "unit", "collector", "integration")
USERNAMES = {
    "admin": "quan.tri",
    "manager": "lanh.dao",
    "unit": "phuong1",
    "collector": "ctv.an",
    "integration": "kobo",
}
#: Roles that may sign in to the dashboard (the others have no session).
SIGN_IN_ROLES = ("admin", "manager", "unit")


def row(
    anonymous: int, admin: int, manager: int, unit: int, collector: int, integration: int
) -> dict[str, int]:
    """One line of the matrix, in the order of ``ROLES``."""
    return dict(zip(ROLES, (anonymous, admin, manager, unit, collector, integration), strict=True))


# fmt: off
#: route → role → status.                                anon admin mgr  unit coll integ
EXPECTED: dict[str, dict[str, int]] = {
    # OpenRosa (ODK Collect, Enketo): Basic or Digest; admin, unit and collector accounts.
    "GET /formList":                                 row(401, 200, 403, 200, 200, 403),
    "HEAD /formList":                                row(401, 200, 403, 200, 200, 403),
    "GET /forms/<form_id>/form.xml":                 row(401, 200, 403, 200, 200, 403),
    "GET /forms/<form_id>/manifest":                 row(401, 200, 403, 200, 200, 403),
    "GET /forms/<form_id>/media/<name>":             row(401, 200, 403, 200, 200, 403),
    "GET /submission":                               row(401, 204, 403, 204, 204, 403),
    "HEAD /submission":                              row(401, 204, 403, 204, 204, 403),
    "POST /submission":                              row(401, 201, 403, 201, 201, 403),
    # The same behind a URL token; a token nobody has is 403, as in ODK Central.
    "GET /key/<token>/formList":                     row(403, 200, 403, 200, 200, 403),
    "HEAD /key/<token>/formList":                    row(403, 200, 403, 200, 200, 403),
    "GET /key/<token>/forms/<form_id>/form.xml":     row(403, 200, 403, 200, 200, 403),
    "GET /key/<token>/forms/<form_id>/manifest":     row(403, 200, 403, 200, 200, 403),
    "GET /key/<token>/forms/<form_id>/media/<name>": row(403, 200, 403, 200, 200, 403),
    "GET /key/<token>/submission":                   row(403, 204, 403, 204, 204, 403),
    "HEAD /key/<token>/submission":                  row(403, 204, 403, 204, 204, 403),
    "POST /key/<token>/submission":                  row(403, 201, 403, 201, 201, 403),
    # KoboToolbox REST Service: integration accounts only, Basic or Token.
    "POST /kobo/submission":                         row(401, 403, 403, 403, 403, 201),
    # JSON API: Basic or the signed-in session; reports for admin, manager and unit.
    "GET /api/v1/coverage":                          row(401, 200, 200, 200, 403, 403),
    "GET /api/v1/campaigns":                         row(401, 200, 200, 200, 403, 403),
    "GET /api/v1/units/<code>":                      row(401, 200, 200, 200, 403, 403),
    "GET /api/v1/submissions":                       row(401, 200, 200, 200, 403, 403),
    "GET /api/v1/submissions/<int:submission_id>":   row(401, 200, 200, 200, 403, 403),
    "POST /api/v1/submissions/<int:submission_id>/review": row(401, 200, 403, 403, 403, 403),
    # Dashboard: the signed-in session only; 302 is "to the sign-in page".
    "GET /":                                         row(302, 200, 200, 200, 302, 302),
    "GET /units/<code>":                             row(302, 200, 200, 200, 302, 302),
    "GET /review":                                   row(302, 200, 200, 200, 302, 302),
    "POST /review/<int:submission_id>":              row(302, 302, 403, 403, 302, 302),
    "GET /review/submission/<int:submission_id>":    row(302, 200, 200, 200, 302, 302),
    "POST /review/<int:submission_id>/correct":      row(302, 302, 403, 403, 302, 302),
    "GET /download/coverage.<fmt>":                  row(302, 200, 200, 200, 302, 302),
    "GET /charts/coverage.<fmt>":                    row(302, 200, 200, 200, 302, 302),
    "GET /charts/trend.<fmt>":                       row(302, 200, 200, 200, 302, 302),
    "GET /collectors":                               row(302, 200, 403, 403, 302, 302),
    "POST /collectors":                              row(302, 302, 403, 403, 302, 302),
    "POST /collectors/<int:user_id>/qr":             row(302, 200, 403, 403, 302, 302),
    "GET /collectors/sheet/<unit_code>":             row(302, 200, 403, 403, 302, 302),
    "POST /collectors/sheet/<unit_code>":            row(302, 200, 403, 403, 302, 302),
    # Outgoing webhooks: administrators only (no delivery 1 here: 404 once allowed).
    "GET /hooks":                                    row(302, 200, 403, 403, 302, 302),
    "POST /hooks/deliveries/<int:delivery_id>/redeliver": row(302, 404, 403, 403, 302, 302),
    # The audit trail of personal-data views: administrators only (manage_privacy).
    "GET /audit":                                    row(302, 200, 403, 403, 302, 302),
    "GET /audit/export.<fmt>":                       row(302, 200, 403, 403, 302, 302),
    # A person's requests and retention: administrators only (manage_privacy); the bodies
    # name nobody held and no campaign, so an allowed call ends in a redirect with a message.
    "GET /privacy":                                  row(302, 200, 403, 403, 302, 302),
    "POST /privacy/see":                             row(302, 302, 403, 403, 302, 302),
    "POST /privacy/erase":                           row(302, 302, 403, 403, 302, 302),
    "POST /privacy/purge":                           row(302, 302, 403, 403, 302, 302),
    # (before signing out, below) Self-report links on the Collectors page: administrators.
    "POST /collectors/selfreport":                   row(302, 302, 403, 403, 302, 302),
    "POST /collectors/selfreport/<int:link_id>/revoke": row(302, 302, 403, 403, 302, 302),
    "GET /collectors/selfreport/<int:link_id>/poster": row(302, 200, 403, 403, 302, 302),
    "GET /login":                                    row(200, 302, 302, 302, 200, 200),
    "POST /logout":                                  row(302, 302, 302, 302, 302, 302),
    # Signing in with the role's own password (anonymous: a wrong one).
    "POST /login":                                   row(401, 302, 302, 302, 403, 403),
    # Open to all: probes and the dashboard's CSS/JS; the app has no /static folder.
    "GET /healthz":                                  row(200, 200, 200, 200, 200, 200),
    "GET /readyz":                                   row(200, 200, 200, 200, 200, 200),
    "GET /assets/dashboard/<path:filename>":         row(200, 200, 200, 200, 200, 200),
    "GET /static/<path:filename>":                   row(404, 404, 404, 404, 404, 404),
    # ODK Web Forms' built files and a unit's public self-report link: no account at all.
    "GET /webforms/<path:name>":                     row(200, 200, 200, 200, 200, 200),
    "GET /s/<token>":                                row(200, 200, 200, 200, 200, 200),
    "GET /s/<token>/form.xml":                       row(200, 200, 200, 200, 200, 200),
    "GET /s/<token>/media/<name>":                   row(404, 404, 404, 404, 404, 404),
    "POST /s/<token>/submission":                    row(201, 201, 201, 201, 201, 201),
    # Filling in the browser: as ODK Collect authenticates (Basic or Digest).
    "GET /fill":                                     row(401, 200, 403, 200, 200, 403),
    "GET /fill/<form_id>":                           row(401, 200, 403, 200, 200, 403),
}
# fmt: on

STYLES = {
    "openrosa": ("basic", "digest"),
    "openrosa_key": ("url_token",),
    "kobo": ("basic", "token"),
    "api": ("basic", "session"),
    "dashboard": ("session",),
    "signin": ("form",),
    "public": ("none", "basic", "session"),
}
#: Credentials a route family must not accept: they leave the request anonymous.
IGNORED = {
    "openrosa": ("session",),
    "kobo": ("session",),
    "dashboard": ("basic",),
}


@dataclass
class World:
    """The campaign, the ids the requests need, and a browser per role."""

    app: Flask
    session: Session
    flagged_id: int
    spare_collector_id: int
    tokens: dict[str, str]
    #: Two self-report links of Phường 1 (id, token): one to use, one to revoke.
    links: list[tuple[int, str]] = field(default_factory=list)
    browsers: dict[str, FlaskClient] = field(default_factory=dict)

    def password(self, role: str) -> str:
        return KOBO_SECRET if role == "integration" else PASSWORD

    def browser(self, role: str) -> FlaskClient:
        """A browser signed in as ``role`` (anonymous for roles that cannot sign in)."""
        if role not in self.browsers:
            browser = self.app.test_client()
            page = browser.get("/login")
            if role != "anonymous":
                form = {"username": USERNAMES[role], "password": self.password(role),
                        "csrf_token": csrf_token(page.text)}  # fmt: skip
                signed = browser.post("/login", data=form)
                assert signed.status_code == (302 if role in SIGN_IN_ROLES else 403), role
            self.browsers[role] = browser
        return self.browsers[role]

    def fresh_browser(self, role: str) -> FlaskClient:
        self.browsers.pop(role, None)
        return self.browser(role)


def instance_xml() -> bytes:
    """A new, valid vssid_install instance as ODK Collect sends it."""
    return (
        '<?xml version=\'1.0\' ?><vssid_install id="vssid_install" version="2021031001" '
        'xmlns:orx="http://openrosa.org/xforms"><start>2021-03-16T08:02:11.120+07:00</start>'
        "<end>2021-03-16T08:05:47.902+07:00</end><consent>yes</consent><unit>27190</unit>"
        "<full_name>Vũ Thu Hà</full_name><bhxh_code>0792000002</bhxh_code>"
        "<category>cong_chuc</category><phone>0987654321</phone><status>account_active</status>"
        "<install_date>2021-03-16</install_date><proof_photo/><note/>"
        f"<orx:meta><orx:instanceID>uuid:{uuid.uuid4()}</orx:instanceID></orx:meta>"
        "</vssid_install>"
    ).encode()


BOUNDARY = "matrixBoundary7MA4YWxkTrZu0gW"


def openrosa_body(world: World) -> dict[str, Any]:
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            'filename="instance.xml"\r\nContent-Type: text/xml\r\n\r\n'
        ).encode()
        + instance_xml()
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return {
        "data": body,
        "content_type": f"multipart/form-data; boundary={BOUNDARY}",
        "headers": {"X-OpenRosa-Version": "1.0"},
    }


def kobo_body(world: World) -> dict[str, Any]:
    answers = scenario.person("0792000002", "Vũ Thu Hà", "27190", "cong_chuc",
                              "account_active", "2021-03-22T08:00:00+07:00")  # fmt: skip
    answers["meta/instanceID"] = f"uuid:{uuid.uuid4()}"
    return {"data": json.dumps(answers, ensure_ascii=False), "content_type": "application/json"}


def review_json(world: World) -> dict[str, Any]:
    return {"json": {"decision": "accept", "reason": "Đã gọi xác nhận ngày cài đặt"}}


def review_form(world: World) -> dict[str, Any]:
    return {"data": {"decision": "accept", "reason": "Đã gọi xác nhận"}}


def correction_form(world: World) -> dict[str, Any]:
    return {"data": {"field": "note", "value": f"ghi chú {uuid.uuid4().hex[:6]}", "why": "x"}}


def collector_form(world: World) -> dict[str, Any]:
    name = f"ctv.{uuid.uuid4().hex[:8]}"
    return {"data": {"username": name, "password": "mật-khẩu-ctv-1", "unit": "27190"}}


def selfreport_body(world: World) -> dict[str, Any]:
    from tests.selfreport.conftest import instance

    data = {"xml_submission_file": (io.BytesIO(instance().encode()), "xml_submission_file")}
    return {"data": data, "content_type": "multipart/form-data"}


def link_form(world: World) -> dict[str, Any]:
    return {"data": {"unit": "27184", "days": "30", "campaign": "vssid"}}


def privacy_form(world: World) -> dict[str, Any]:
    return {"data": {"person": "0000000000", "reason": "x", "kind": "erase",
                     "confirm": "0000000000", "campaign_id": "nope"}}  # fmt: skip


def no_body(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Call:
    """How to call one route: a concrete URL (``{…}`` filled from the world), its family
    (which credential styles apply) and its body."""

    url: str
    family: str
    body: Callable[[World], dict[str, Any]] = no_body


OPENROSA_CALLS = {
    "GET /formList": Call("/formList", "openrosa"),
    "HEAD /formList": Call("/formList", "openrosa"),
    "GET /forms/<form_id>/form.xml": Call("/forms/vssid_install/form.xml", "openrosa"),
    "GET /forms/<form_id>/manifest": Call("/forms/vssid_install/manifest", "openrosa"),
    "GET /forms/<form_id>/media/<name>": Call("/forms/vssid_install/media/units.csv", "openrosa"),
    "GET /submission": Call("/submission", "openrosa"),
    "HEAD /submission": Call("/submission", "openrosa"),
    "POST /submission": Call("/submission", "openrosa", openrosa_body),
}
CALLS: dict[str, Call] = {
    **OPENROSA_CALLS,
    **{
        key.replace(" /", " /key/<token>/", 1): Call(
            "/key/{token}" + call.url, "openrosa_key", call.body
        )
        for key, call in OPENROSA_CALLS.items()
    },
    "POST /kobo/submission": Call("/kobo/submission?form_id=vssid_install", "kobo", kobo_body),
    "GET /api/v1/coverage": Call(f"/api/v1/coverage?as_of={AS_OF}", "api"),
    "GET /api/v1/campaigns": Call("/api/v1/campaigns", "api"),
    "GET /api/v1/units/<code>": Call(f"/api/v1/units/27184?as_of={AS_OF}", "api"),
    "GET /api/v1/submissions": Call("/api/v1/submissions", "api"),
    "GET /api/v1/submissions/<int:submission_id>": Call("/api/v1/submissions/{flagged}", "api"),
    "POST /api/v1/submissions/<int:submission_id>/review": Call(
        "/api/v1/submissions/{flagged}/review", "api", review_json
    ),
    "GET /": Call(f"/?as_of={AS_OF}", "dashboard"),
    "GET /units/<code>": Call(f"/units/27184?as_of={AS_OF}", "dashboard"),
    "GET /review": Call("/review", "dashboard"),
    "POST /review/<int:submission_id>": Call("/review/{flagged}", "dashboard", review_form),
    "GET /review/submission/<int:submission_id>": Call("/review/submission/{flagged}", "dashboard"),
    "POST /review/<int:submission_id>/correct": Call(
        "/review/{flagged}/correct", "dashboard", correction_form
    ),
    "GET /download/coverage.<fmt>": Call(f"/download/coverage.csv?as_of={AS_OF}", "dashboard"),
    "GET /charts/coverage.<fmt>": Call(f"/charts/coverage.svg?as_of={AS_OF}", "dashboard"),
    "GET /charts/trend.<fmt>": Call(f"/charts/trend.svg?as_of={AS_OF}", "dashboard"),
    "GET /collectors": Call("/collectors", "dashboard"),
    "POST /collectors": Call("/collectors", "dashboard", collector_form),
    "POST /collectors/<int:user_id>/qr": Call("/collectors/{spare}/qr", "dashboard"),
    "GET /collectors/sheet/<unit_code>": Call("/collectors/sheet/27190", "dashboard"),
    "POST /collectors/sheet/<unit_code>": Call("/collectors/sheet/27190", "dashboard"),
    "GET /hooks": Call("/hooks", "dashboard"),
    "POST /hooks/deliveries/<int:delivery_id>/redeliver": Call(
        "/hooks/deliveries/{flagged}/redeliver", "dashboard"
    ),
    "GET /audit": Call("/audit", "dashboard"),
    "GET /audit/export.<fmt>": Call("/audit/export.csv", "dashboard"),
    "GET /privacy": Call("/privacy", "dashboard"),
    "POST /privacy/see": Call("/privacy/see", "dashboard", privacy_form),
    "POST /privacy/erase": Call("/privacy/erase", "dashboard", privacy_form),
    "POST /privacy/purge": Call("/privacy/purge", "dashboard", privacy_form),
    "POST /collectors/selfreport": Call("/collectors/selfreport", "dashboard", link_form),
    "POST /collectors/selfreport/<int:link_id>/revoke": Call(
        "/collectors/selfreport/{spare_link}/revoke", "dashboard"
    ),
    "GET /collectors/selfreport/<int:link_id>/poster": Call(
        "/collectors/selfreport/{link_id}/poster", "dashboard"
    ),
    "GET /login": Call("/login", "dashboard"),
    "POST /logout": Call("/logout", "dashboard"),
    "POST /login": Call("/login", "signin"),
    "GET /healthz": Call("/healthz", "public"),
    "GET /readyz": Call("/readyz", "public"),
    "GET /assets/dashboard/<path:filename>": Call("/assets/dashboard/dashboard.css", "public"),
    "GET /static/<path:filename>": Call("/static/dashboard.css", "public"),
    "GET /webforms/<path:name>": Call("/webforms/LICENSE", "public"),
    "GET /s/<token>": Call("/s/{link}", "public"),
    "GET /s/<token>/form.xml": Call("/s/{link}/form.xml", "public"),
    "GET /s/<token>/media/<name>": Call("/s/{link}/media/units.csv", "public"),
    "POST /s/<token>/submission": Call("/s/{link}/submission", "public", selfreport_body),
    "GET /fill": Call("/fill", "openrosa"),
    "GET /fill/<form_id>": Call("/fill/vssid_install", "openrosa"),
}
FAMILIES = sorted({call.family for call in CALLS.values()})


def url_map_routes(app: Flask) -> set[str]:
    """``METHOD rule`` for every route (HEAD only where a view asks for it by name)."""
    routes = set()
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.add(f"{method} {rule.rule}")
    return routes


def test_matrix__lists_every_route(app: Flask) -> None:
    routes = url_map_routes(app)
    listed = {key for key in EXPECTED if not key.startswith("HEAD ")}
    assert routes - listed == set(), "routes missing from the authorization matrix"
    assert listed - routes == set(), "the matrix lists routes the app does not have"
    assert EXPECTED.keys() == CALLS.keys()
    for key in EXPECTED:
        if key.startswith("HEAD "):  # HEAD only on GET routes
            assert f"GET {key.removeprefix('HEAD ')}" in routes, key


def test_matrix__options_answers_allow_without_data(app: Flask, client: FlaskClient) -> None:
    """OPTIONS is Flask's automatic answer: the allowed methods and nothing else."""
    for key, call in CALLS.items():
        url = call.url.format(token="x" * 43, flagged=1, spare=1, link="x" * 43, link_id=1,
                              spare_link=1)  # fmt: skip
        response = client.options(url.split("?")[0])
        assert response.status_code == 200, key
        assert response.data == b"", key
        assert key.split()[0] in response.headers["Allow"], key


@pytest.fixture
def world(
    app: Flask,
    published: Any,
    client: FlaskClient,
    runner: FlaskCliRunner,
    session: Session,
    tmp_path: Path,
) -> World:
    scenario.load(client, runner, session, tmp_path)
    app.config["PUBLIC_URL"] = "https://vssid.example.vn"  # QR codes need an address phones reach
    make_user(session, "ctv.du", "collector", unit_code="27184")
    flagged = session.scalar(select(Submission.id).where(Submission.instance_id == "uuid:dung"))
    spare = session.scalar(select(User.id).where(User.username == "ctv.du"))
    assert flagged is not None and spare is not None
    tokens = {"anonymous": "khong-phai-ma-cua-ai-" + "x" * 22, "integration": KOBO_SECRET}
    for role in ("admin", "manager", "unit", "collector"):
        user = session.scalars(select(User).where(User.username == USERNAMES[role])).one()
        tokens[role] = accounts.issue_token(user)
    from ingest import campaigns
    from ingest.db import utcnow
    from ingest.selfreport import links

    made = [links.create(session, campaigns.load(session, "vssid"), "27184", "quan.tri",
                         utcnow()) for _ in range(2)]  # fmt: skip
    session.commit()
    return World(app, session, flagged, spare, tokens, [(link.id, link.token) for link in made])


def send(world: World, key: str, role: str, style: str) -> TestResponse:
    """The request of ``key`` as ``role`` presenting its credentials in ``style``."""
    call = CALLS[key]
    method = key.split()[0]
    url = call.url.format(token=world.tokens[role], flagged=world.flagged_id,
                          spare=world.spare_collector_id, link=world.links[0][1],
                          link_id=world.links[0][0], spare_link=world.links[1][0])  # fmt: skip
    kwargs = call.body(world)
    headers = dict(kwargs.pop("headers", {}))
    username, password = USERNAMES.get(role, "nobody"), world.password(role)
    if style == "session":
        browser = world.fresh_browser(role) if key == "POST /logout" else world.browser(role)
        if method == "POST":
            token = csrf_token(browser.get("/login", follow_redirects=True).text)
            if call.family == "api":
                headers["X-CSRFToken"] = token
            elif call.family == "dashboard":
                kwargs["data"] = {**kwargs.get("data", {}), "csrf_token": token}
        return browser.open(url, method=method, headers=headers, **kwargs)
    client = world.app.test_client()
    if call.family == "dashboard" and method == "POST":
        # A CSRF token from an anonymous page, so that only the credentials differ.
        kwargs["data"] = {**kwargs.get("data", {}),
                          "csrf_token": csrf_token(client.get("/login").text)}  # fmt: skip
    if style == "form":
        form = {"username": username, "password": password if role != "anonymous" else "sai",
                "csrf_token": csrf_token(client.get("/login").text)}  # fmt: skip
        return client.post(url, data=form)
    if role == "anonymous" or style in {"none", "url_token"}:
        return client.open(url, method=method, headers=headers, **kwargs)
    if style == "basic":
        return client.open(url, method=method, headers=headers, auth=(username, password),
                           **kwargs)  # fmt: skip
    if style == "token":
        headers["Authorization"] = f"Token {world.tokens[role]}"
        return client.open(url, method=method, headers=headers, **kwargs)
    assert style == "digest", style
    again = call.body(world)
    first = client.open(url, method=method, headers=again.pop("headers", {}), **again)
    assert first.status_code == 401, (key, first.status_code)
    challenge = parse_challenges(first.headers.getlist("WWW-Authenticate"))["digest"]
    headers["Authorization"] = authorization(challenge, method, url, username, password)
    return client.open(url, method=method, headers=headers, **kwargs)


def mismatches(world: World, family: str) -> Iterator[str]:
    for key, call in CALLS.items():
        if call.family != family:
            continue
        for role in ROLES:
            styles = STYLES[family] if role != "anonymous" else STYLES[family][:1]
            ignored = IGNORED.get(family, ()) if role != "anonymous" else ()
            for style in styles + ignored:
                response = send(world, key, role, style)
                anonymous = style in ignored or (style == "session" and role not in SIGN_IN_ROLES)
                expected = EXPECTED[key]["anonymous" if anonymous else role]
                response.close()  # static files are streamed from disk
                location = response.headers.get("Location", "")
                # A 302 is "sign in first" only for whoever has no session.
                no_session = anonymous or role == "anonymous"
                if (
                    expected == 302
                    and key != "POST /logout"
                    and no_session != location.startswith("/login")
                ):
                    yield f"{key} as {role} by {style}: redirected to {location}"
                if response.status_code != expected:
                    yield (
                        f"{key} as {role} by {style}: expected {expected}, got "
                        f"{response.status_code} {response.data[:120]!r}"
                    )


@pytest.mark.parametrize("family", FAMILIES)
def test_matrix(world: World, family: str) -> None:
    wrong = list(mismatches(world, family))
    assert not wrong, "\n".join(["", *wrong])


# --- what each role sees ------------------------------------------------------------------

PERSONAL = [
    value
    for line in scenario.ROSTER.splitlines()[1:]
    for value in line.split(",")[:2]
] + ["Vũ Văn Phúc", "0791000099", "Chưa sắp xếp được thời gian"]  # fmt: skip


def document(response: TestResponse) -> dict[str, Any]:
    """The JSON object of a response."""
    body = response.json
    assert isinstance(body, dict), response.data[:200]
    return body


def leaked(text: str) -> list[str]:
    return [value for value in PERSONAL if value in text]


def test_manager__no_personal_data_in_api_or_pages(world: World) -> None:
    manager = world.browser("manager")
    api = world.app.test_client()
    auth = ("lanh.dao", PASSWORD)
    unit = api.get(f"/api/v1/units/27184?as_of={AS_OF}", auth=auth)
    assert unit.status_code == 200
    assert "not_installed" not in document(unit) and "not_on_roster" not in document(unit)
    assert document(unit)["findings"] == {"not_on_roster": 1}  # a count, not who
    for response in (
        unit,
        api.get(f"/api/v1/coverage?as_of={AS_OF}", auth=auth),
        *(api.get(f"/api/v1/submissions?status={s}", auth=auth) for s in ("flagged", "accepted")),
        api.get(f"/api/v1/submissions/{world.flagged_id}", auth=auth),
        manager.get(f"/units/27184?as_of={AS_OF}"),
        manager.get(f"/?as_of={AS_OF}"),
        manager.get("/review"),
        manager.get("/review?status=accepted"),
        manager.get(f"/download/coverage.csv?as_of={AS_OF}"),
        manager.get(f"/download/coverage.json?as_of={AS_OF}&unit=27184"),
    ):
        assert response.status_code == 200, response.request.path
        assert leaked(response.get_data(as_text=True)) == [], response.request.path


def test_admin_and_unit__see_personal_data_of_their_units(world: World) -> None:
    for role in ("admin", "unit"):
        body = world.app.test_client().get(
            f"/api/v1/units/27184?as_of={AS_OF}", auth=(USERNAMES[role], PASSWORD)
        )
        assert "Hoàng Văn Em" in body.get_data(as_text=True), role
        page = world.browser(role).get(f"/units/27184?as_of={AS_OF}")
        assert "0791000005" in page.text, role


OTHER_UNIT_PAGES = (
    "/units/27190",
    "/units/Q10-NV",
    "/download/coverage.csv?unit=27190",
    "/download/coverage.json?unit=27190",
    "/download/coverage.xlsx?unit=27190",
    "/charts/coverage.svg?unit=27190",
    "/charts/trend.svg?unit=27190",
    "/?unit=27190",
)


def test_unit__another_unit_in_the_dashboard__403(world: World) -> None:
    """403 rather than 404: unit codes are public (the form's units.csv), only the numbers
    and names behind them are not."""
    unit = world.browser("unit")
    for path in OTHER_UNIT_PAGES:
        response = unit.get(path)
        assert response.status_code == 403, path
        assert response.mimetype == "text/html", path
        assert leaked(response.text) == [] and "Giang" not in response.text, path


def test_unit__another_unit_in_the_api__403_and_lists_only_its_own(world: World) -> None:
    api = world.app.test_client()
    auth = ("phuong1", PASSWORD)
    assert api.get("/api/v1/units/27190", auth=auth).status_code == 403
    giang = world.session.scalar(
        select(Submission.id).where(Submission.instance_id == "uuid:giang")
    )
    other = api.get(f"/api/v1/submissions/{giang}", auth=auth)
    assert other.status_code == 403 and "Giang" not in other.text
    rows = document(api.get(f"/api/v1/coverage?as_of={AS_OF}", auth=auth))["rows"]
    assert [r["unit_code"] for r in rows] == ["27184"]
    for status in ("flagged", "accepted"):
        items = document(api.get(f"/api/v1/submissions?status={status}", auth=auth))["items"]
        assert {item["unit_code"] for item in items} <= {"27184"}, status
    # An unknown unit is 404 for everyone: unit codes are public (the form's units.csv).
    assert api.get("/api/v1/units/KHONG-CO", auth=auth).status_code == 404


def test_collector__cannot_read_reports(world: World) -> None:
    api = world.app.test_client()
    for path in ("/api/v1/coverage", "/api/v1/units/27184", "/api/v1/submissions"):
        response = api.get(path, auth=("ctv.an", PASSWORD))
        assert response.status_code == 403 and leaked(response.text) == [], path
    token = {"Authorization": f"Token {world.tokens['collector']}"}
    assert api.get("/api/v1/coverage", headers=token).status_code == 403


def test_integration__neither_openrosa_nor_dashboard(world: World) -> None:
    api = world.app.test_client()
    token = {"Authorization": f"Token {KOBO_SECRET}"}
    for path in ("/formList", "/forms/vssid_install/form.xml", "/submission"):
        assert api.get(path, auth=("kobo", KOBO_SECRET)).status_code == 403, path
        assert api.get(path, headers=token).status_code == 403, path
        assert api.get(f"/key/{KOBO_SECRET}{path}").status_code == 403, path
    page = api.get("/login")
    refused = api.post("/login", data={"username": "kobo", "password": KOBO_SECRET,
                                       "csrf_token": csrf_token(page.text)})  # fmt: skip
    assert refused.status_code == 403
    assert api.get("/").status_code == 302
    assert api.get("/api/v1/coverage", headers=token).status_code == 403


def test_session_cookie__never_opens_machine_endpoints(world: World) -> None:
    admin = world.browser("admin")
    assert admin.get("/formList").status_code == 401
    token = csrf_token(admin.get("/").text)
    response = admin.post("/kobo/submission?form_id=vssid_install",
                          headers={"X-CSRFToken": token}, **kobo_body(world))  # fmt: skip
    assert response.status_code == 401


def test_wrong_password__401_everywhere_it_is_checked(world: World) -> None:
    client = world.app.test_client()
    for path in ("/formList", "/api/v1/coverage"):
        response = client.get(path, auth=("quan.tri", "sai-mat-khau"))
        assert response.status_code == 401, path
    kobo = client.post("/kobo/submission", auth=("kobo", "sai"), **kobo_body(world))
    assert kobo.status_code == 401
    assert re.search(r"Basic", " ".join(kobo.headers.getlist("WWW-Authenticate")))


def test_http_authentication__shares_the_sign_in_lock_out(world: World) -> None:
    """Five wrong passwords for an account from one address pause it, whether they were
    typed in the sign-in form or sent over HTTP Basic or Digest."""
    client = world.app.test_client()
    for _ in range(5):
        assert client.get("/api/v1/coverage", auth=("lanh.dao", "sai")).status_code == 401
    refused = client.get("/api/v1/coverage", auth=("lanh.dao", PASSWORD))
    assert refused.status_code == 429 and refused.is_json
    assert int(refused.headers["Retry-After"]) > 0
    page = client.get("/login")
    form = {"username": "lanh.dao", "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    assert client.post("/login", data=form).status_code == 429
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    other = client.get("/api/v1/coverage", auth=("lanh.dao", PASSWORD), environ_base=elsewhere)
    assert other.status_code == 200
    # Digest, as ODK Collect sends it: the challenge is no failure, wrong responses are.
    for _ in range(5):
        first = client.get("/formList")
        challenge = parse_challenges(first.headers.getlist("WWW-Authenticate"))["digest"]
        header = authorization(challenge, "GET", "/formList", "ctv.an", "sai")
        assert client.get("/formList", headers={"Authorization": header}).status_code == 401
    header = authorization(challenge, "GET", "/formList", "ctv.an", PASSWORD)
    locked = client.get("/formList", headers={"Authorization": header})
    assert locked.status_code == 429 and locked.headers["X-OpenRosa-Version"] == "1.0"
    assert int(locked.headers["Retry-After"]) > 0
    # Others are not paused: the count is per account.
    assert client.get("/formList", auth=("phuong1", PASSWORD)).status_code == 200


def test_digest__a_header_opens_one_request_only__on_every_openrosa_route(world: World) -> None:
    """A captured Digest ``Authorization`` header replayed (to the same route, or another)
    is refused: each (nonce, nonce count) is accepted once, for the URI it signed."""
    wrong = []
    for key, call in OPENROSA_CALLS.items():
        method = key.split()[0]
        client = world.app.test_client()
        again = call.body(world)
        first = client.open(call.url, method=method, headers=again.pop("headers", {}), **again)
        challenge = parse_challenges(first.headers.getlist("WWW-Authenticate"))["digest"]
        header = authorization(challenge, method, call.url, "ctv.an", PASSWORD)
        for attempt in ("first", "replay"):
            kwargs = call.body(world)
            headers = {**kwargs.pop("headers", {}), "Authorization": header}
            response = client.open(call.url, method=method, headers=headers, **kwargs)
            expected = EXPECTED[key]["collector"] if attempt == "first" else 401
            if response.status_code != expected:
                wrong.append(f"{key} {attempt}: {response.status_code}, expected {expected}")
        other = "/formList" if call.url != "/formList" else "/submission"
        response = client.get(other, headers={"Authorization": header})
        if response.status_code != 401:
            wrong.append(f"{key} header on GET {other}: {response.status_code}, expected 401")
    assert not wrong, "\n".join(["", *wrong])


@pytest.mark.parametrize("role", SIGN_IN_ROLES)
def test_logout__a_copied_cookie_is_anonymous_on_every_route(world: World, role: str) -> None:
    """Signing out ends the session on the server: a copy of the cookie taken before gets,
    on every dashboard and API route, what an anonymous browser gets."""
    browser = world.fresh_browser(role)
    cookie = browser.get_cookie("session")
    assert cookie is not None
    thief = world.app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/").status_code == 200
    token = csrf_token(browser.get("/").text)
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    world.browsers[role] = thief  # ``send`` now browses with the copied cookie
    wrong = []
    for key, call in CALLS.items():
        if call.family not in {"dashboard", "api"} or key == "POST /logout":
            continue
        response = send(world, key, role, "session")
        expected = EXPECTED[key]["anonymous"]
        location = response.headers.get("Location", "")
        if response.status_code != expected or (expected == 302 and "/login" not in location):
            wrong.append(f"{key}: {response.status_code} {location}, expected {expected}")
    assert not wrong, "\n".join(["", *wrong])


# --- what each role may write (DESIGN §10) --------------------------------------------------

OPENROSA = {"r": "http://openrosa.org/http/response"}


def person_xml(unit: str, code: str, instance_id: str, deprecated_id: str | None = None) -> bytes:
    """A vssid_install instance for ``unit`` about the person ``code`` (an edit when
    ``deprecated_id`` is given)."""
    edit = f"<orx:deprecatedID>{deprecated_id}</orx:deprecatedID>" if deprecated_id else ""
    return (
        '<?xml version=\'1.0\' ?><vssid_install id="vssid_install" version="2021031001" '
        'xmlns:orx="http://openrosa.org/xforms"><start>2021-03-24T08:02:11.120+07:00</start>'
        f"<end>2021-03-24T08:05:47.902+07:00</end><consent>yes</consent><unit>{unit}</unit>"
        f"<full_name>Người Thử</full_name><bhxh_code>{code}</bhxh_code>"
        "<category>cong_chuc</category><phone>0987654321</phone><status>account_active</status>"
        "<install_date>2021-03-24</install_date><proof_photo/><note/>"
        f"<orx:meta><orx:instanceID>{instance_id}</orx:instanceID>{edit}</orx:meta>"
        "</vssid_install>"
    ).encode()


def post_xml(world: World, username: str, xml: bytes) -> tuple[int, str]:
    """POST an instance over OpenRosa (Basic) as ``username``: the status and the message."""
    response = world.app.test_client().post(
        "/submission",
        data={"xml_submission_file": (io.BytesIO(xml), "instance.xml", "text/xml")},
        auth=(username, PASSWORD),
        headers={"X-OpenRosa-Version": "1.0"},
    )
    text = etree.fromstring(response.data).findtext("r:message", namespaces=OPENROSA) or ""
    return response.status_code, text


def submission_of(world: World, instance_id: str, auth: tuple[str, str]) -> dict[str, Any]:
    """The API's view of the usable submission ``instance_id`` for the account ``auth``."""
    world.session.rollback()
    found = world.session.scalar(
        select(Submission.id).where(
            Submission.instance_id == instance_id, Submission.error_code.is_(None)
        )
    )
    response = world.app.test_client().get(f"/api/v1/submissions/{found}", auth=auth)
    assert response.status_code == 200, response.data[:200]
    return document(response)


def done_in(world: World, unit: str) -> int:
    """The coverage API's ``done`` for ``unit``, as the administrator reads it."""
    body = world.app.test_client().get(
        f"/api/v1/coverage?as_of={AS_OF}", auth=("quan.tri", PASSWORD)
    )
    (found,) = [r for r in document(body)["rows"] if r["unit_code"] == unit]
    return int(found["done"])


@pytest.mark.parametrize("username", ["phuong1", "ctv.an"])  # unit and collector of 27184
def test_unit_bound_account__another_unit__flagged_and_the_answer_names_no_unit(
    world: World, username: str
) -> None:
    """Phường 1's accounts post a record for Phường 2 (27190) about Giang, who is recorded
    there: it is kept, flagged; the phone is told so without any unit's code, and Phường 2's
    own record of Giang is not touched (the two-units rule ignores the flagged record)."""
    before = done_in(world, "27190")
    status, text = post_xml(world, username, person_xml("27190", "0792000001", "uuid:ngoai"))
    assert status == 201
    assert "27190" not in text and "27184" not in text and "Phường" not in text
    mine = submission_of(world, "uuid:ngoai", ("quan.tri", PASSWORD))
    assert mine["status"] == "flagged"
    assert [i["code"] for i in mine["issues"]] == ["domain.unit_not_allowed"]
    giang = submission_of(world, "uuid:giang", ("quan.tri", PASSWORD))
    assert (giang["status"], giang["issues"]) == ("accepted", [])
    assert done_in(world, "27190") == before


@pytest.mark.parametrize("username", ["quan.tri", "ctv.tu.do"])  # admin, unbound collector
def test_accounts_bound_to_no_unit__any_unit__accepted(world: World, username: str) -> None:
    make_user(world.session, "ctv.tu.do", "collector")
    status, _text = post_xml(world, username, person_xml("27190", "0792000002", "uuid:ha"))
    assert status == 201
    assert submission_of(world, "uuid:ha", ("quan.tri", PASSWORD))["status"] == "accepted"


def test_unit_account__own_unit__accepted(world: World) -> None:
    status, text = post_xml(world, "phuong1", person_xml("27184", "0791000077", "uuid:moi"))
    assert status == 201 and "kiểm tra lại" not in text
    assert submission_of(world, "uuid:moi", ("phuong1", PASSWORD))["status"] == "accepted"


def test_two_units__a_unit_account_is_not_told_which_other_unit(world: World) -> None:
    """A record of its own unit about someone recorded in another: the rule flags it, and
    Phường 1 reads that the person is recorded elsewhere, not where."""
    status, text = post_xml(world, "phuong1", person_xml("27184", "0792000001", "uuid:hai"))
    assert status == 201 and "27190" not in text
    seen = submission_of(world, "uuid:hai", ("phuong1", PASSWORD))
    assert [i["code"] for i in seen["issues"]] == ["domain.person_two_units"]
    assert "27190" not in json.dumps(seen, ensure_ascii=False)
    queue = world.browser("unit").get("/review")
    assert "Người Thử" in queue.text and "27190" not in queue.text
    admin = submission_of(world, "uuid:hai", ("quan.tri", PASSWORD))
    assert "27190" in admin["issues"][0]["message_en"]


def test_edit__only_by_its_sender_or_an_administrator(world: World) -> None:
    """Knowing a record's instance ID is not enough to replace it: an edit from another
    account is refused as if the record did not exist, and kept in the log."""
    assert post_xml(world, "ctv.an", person_xml("27184", "0791000078", "uuid:goc"))[0] == 201
    unknown = post_xml(world, "ctv.du", person_xml("27184", "0791000078", "uuid:x", "uuid:khac"))
    for username, target in (("ctv.du", "uuid:goc"), ("phuong1", "uuid:goc"),
                             ("ctv.an", "uuid:giang")):  # fmt: skip
        status, text = post_xml(
            world, username, person_xml("27184", "0791000078", f"uuid:{uuid.uuid4()}", target)
        )
        assert (status, text) == (unknown[0], unknown[1].replace("uuid:khac", target)), username
    world.session.rollback()
    refused = world.session.scalars(
        select(Submission.error_code).where(
            Submission.deprecated_id.in_(["uuid:goc", "uuid:giang"])
        )
    ).all()
    assert refused == ["submission.edit_not_allowed"] * 3
    assert submission_of(world, "uuid:goc", ("quan.tri", PASSWORD))["status"] == "accepted"
    assert submission_of(world, "uuid:giang", ("quan.tri", PASSWORD))["status"] == "accepted"
    # Its sender may, and so may an administrator.
    for username, new, old in (("ctv.an", "uuid:sua1", "uuid:goc"),
                               ("quan.tri", "uuid:sua2", "uuid:sua1")):  # fmt: skip
        assert post_xml(world, username, person_xml("27184", "0791000078", new, old))[0] == 201
    assert submission_of(world, "uuid:sua2", ("quan.tri", PASSWORD))["status"] == "accepted"
