"""Hostile requests against the submission and form endpoints.

Whatever arrives, the answer is a 4xx in the endpoint's own envelope (OpenRosaResponse XML with
the OpenRosa headers, or Kobo's JSON error), never a 500; nothing is read from or written to
the file system by a name a client chose; and a payload that reached intake is kept, with its
error code, and never becomes a usable submission.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from ingest.models import Submission
from ingest.registry import accounts
from tests.conftest import PASSWORD, REALM
from tests.wire import DATA

pytestmark = pytest.mark.usefixtures("published")

#: An integration password (they need at least 24 characters).
SECRET = "hostile-kobo-rest-secret-12345"
KOBO_AUTH = {"Authorization": f"Token {SECRET}"}
OR_NS = {"r": "http://openrosa.org/http/response"}
NEW_ID = "uuid:4d3c2b1a-0f9e-4d8c-9b7a-6f5e4d3c2b1a"
PHOTO = (DATA / "vssid_screenshot.png").read_bytes()
BOUNDARY = "hostileBoundary7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
KOBO_JSON = (DATA / "kobo_install.json").read_bytes()

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']><vssid_install id="vssid_install">&lol9;</vssid_install>'
).encode()
XXE_DOCTYPE = '<!DOCTYPE vssid_install [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
EXTERNAL_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE vssid_install SYSTEM "http://127.0.0.1:9/evil.dtd">'
    b'<vssid_install id="vssid_install"><note>x</note></vssid_install>'
)
PARAMETER_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE vssid_install [<!ENTITY % remote SYSTEM '
    b'"file:///etc/passwd">%remote;]><vssid_install id="vssid_install"/>'
)
SQL = "'; DROP TABLE submission; --"


def instance(
    instance_id: str = NEW_ID,
    note: str = "",
    photo: str = "",
    end: str = "2021-03-16T08:05:47.902+07:00",
    extra: str = "",
    prolog: str = "<?xml version='1.0' ?>",
) -> str:
    """A vssid_install instance as ODK Collect writes it; values are escaped here."""
    return (
        f'{prolog}<vssid_install id="vssid_install" version="2021031001" '
        'xmlns:orx="http://openrosa.org/xforms">'
        f"<start>2021-03-16T08:02:11.120+07:00</start><end>{escape(end)}</end>"
        "<consent>yes</consent><unit>27190</unit><full_name>Trần Thị Bình</full_name>"
        "<bhxh_code>0791234567</bhxh_code><category>vien_chuc</category>"
        "<phone>0987654321</phone><status>installed_no_account</status>"
        f"<install_date>2021-03-16</install_date><proof_photo>{escape(photo)}</proof_photo>"
        f"<note>{escape(note)}</note>{extra}<orx:meta><orx:instanceID>{escape(instance_id)}"
        "</orx:instanceID></orx:meta></vssid_install>"
    )


def multipart(*parts: tuple[str, bytes, str]) -> bytes:
    """A multipart body whose part names (and file names) are exactly ``name``."""
    body = b""
    for name, content, kind in parts:
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        body += (
            (
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
                f'name="{quoted}"; filename="{quoted}"\r\nContent-Type: {kind}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return body + f"--{BOUNDARY}--\r\n".encode()


def with_xml(xml: bytes, *attachments: tuple[str, bytes, str]) -> bytes:
    return multipart(("xml_submission_file", xml, "text/xml"), *attachments)


@dataclass(frozen=True)
class Hostile:
    """One hostile request and what must come of it."""

    id: str
    path: str
    body: bytes = b""
    content_type: str = MULTIPART
    status: int = 400
    #: The error code kept with the payload (and, for Kobo, in the JSON answer).
    code: str | None = None
    #: The payload kept in the log, when it is not the body (the XML part of a multipart).
    kept: bytes | None = None
    method: str = "POST"

    @property
    def kobo(self) -> bool:
        return self.path.startswith("/kobo/")


def openrosa_post(id: str, xml: bytes, code: str, status: int = 400) -> Hostile:
    return Hostile(id, "/submission", with_xml(xml), code=code, kept=xml, status=status)


def kobo_post(id: str, body: bytes, kind: str, code: str, status: int = 400) -> Hostile:
    return Hostile(
        id, "/kobo/submission?form_id=vssid_install", body, kind, status, code, kept=body
    )


OPENROSA_POSTS = [
    openrosa_post("billion-laughs", BOMB, "submission.unsafe_xml"),
    openrosa_post(
        "xxe-etc-passwd",
        instance(note="&xxe;", prolog=XXE_DOCTYPE).replace("&amp;xxe;", "&xxe;").encode(),
        "submission.unsafe_xml",
    ),
    openrosa_post("external-dtd", EXTERNAL_DTD, "submission.unsafe_xml"),
    openrosa_post("parameter-entity", PARAMETER_ENTITY, "submission.unsafe_xml"),
    Hostile(
        "raw-xml-body-billion-laughs",
        "/submission",
        BOMB,
        "text/xml",
        code="submission.unsafe_xml",
        kept=BOMB,
    ),
    openrosa_post(
        "invalid-utf8",
        instance(note="Trần").encode().replace("Trần".encode(), b"Tr\xff\xfen"),
        "submission.malformed",
    ),
    openrosa_post(
        "nested-10000-levels",
        instance(extra="<x>" * 10_000 + "</x>" * 10_000).encode(),
        "submission.malformed",
    ),
    openrosa_post("empty-xml-part", b"", "submission.malformed"),
    openrosa_post("not-xml", b"hello", "submission.malformed"),
    openrosa_post("unknown-form", b"<x><a>1</a></x>", "form.not_found", status=404),
    openrosa_post(
        "encrypted",
        instance().replace('version="2021031001"', 'encrypted="yes"').encode(),
        "submission.encrypted",
    ),
    Hostile(
        "multipart-without-xml-part",
        "/submission",
        multipart(("1615775412345.jpg", PHOTO, "image/jpeg")),
        code="submission.no_xml",
    ),
    Hostile("not-multipart", "/submission", b"hello", "text/plain", code="submission.no_xml"),
    Hostile(
        "form-urlencoded",
        "/submission",
        b"xml=%3Cx%2F%3E",
        "application/x-www-form-urlencoded",
        code="submission.no_xml",
    ),
    Hostile(
        "multipart-without-boundary",
        "/submission",
        with_xml(instance().encode()),
        "multipart/form-data",
        code="submission.no_xml",
    ),
    Hostile(
        "multipart-truncated",
        "/submission",
        with_xml(instance().encode())[:150],
        code="submission.no_xml",
    ),
]

KOBO_POSTS = [
    kobo_post("json-list", b'[{"_uuid": "x"}]', "application/json", "submission.malformed"),
    kobo_post("json-string", b'"text"', "application/json", "submission.malformed"),
    kobo_post("json-null", b"null", "application/json", "submission.malformed"),
    kobo_post("json-number", b"42", "application/json", "submission.malformed"),
    kobo_post("json-empty", b"", "application/json", "submission.malformed"),
    kobo_post(
        "json-invalid-utf8", b'{"a": "\xff\xfe"}', "application/json", "submission.malformed"
    ),
    kobo_post("not-json", b"{not json", "application/json", "submission.malformed"),
    kobo_post(
        "json-100000-nested-lists",
        b"[" * 100_000 + b"]" * 100_000,
        "application/json",
        "submission.malformed",
    ),
    kobo_post(
        "json-100000-nested-objects",
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "application/json",
        "submission.malformed",
    ),
    kobo_post("xml-billion-laughs", BOMB, "application/xml", "submission.unsafe_xml"),
    kobo_post(
        "xml-xxe-etc-passwd",
        instance(note="&xxe;", prolog=XXE_DOCTYPE).replace("&amp;xxe;", "&xxe;").encode(),
        "application/xml",
        "submission.unsafe_xml",
    ),
    kobo_post("xml-external-dtd", EXTERNAL_DTD, "text/xml", "submission.unsafe_xml"),
    kobo_post("xml-parameter-entity", PARAMETER_ENTITY, "text/xml", "submission.unsafe_xml"),
    kobo_post(
        "xml-nested-10000-levels",
        b"<a>" * 10_000 + b"</a>" * 10_000,
        "application/xml",
        "submission.malformed",
    ),
    kobo_post("text-plain", KOBO_JSON, "text/plain", "submission.unsupported_type", 415),
    kobo_post(
        "form-urlencoded",
        b"a=b",
        "application/x-www-form-urlencoded",
        "submission.unsupported_type",
        415,
    ),
    kobo_post("multipart", with_xml(b"<x/>"), MULTIPART, "submission.unsupported_type", 415),
]


@pytest.fixture
def integration(session: Session) -> str:
    accounts.create_user(session, "kobo", "integration", SECRET, REALM)
    session.commit()
    return "kobo"


@pytest.fixture
def auth(collector: str) -> tuple[str, str]:
    return (collector, PASSWORD)


def send(client: FlaskClient, case: Hostile, auth: tuple[str, str]) -> TestResponse:
    if case.kobo:
        return client.open(
            case.path,
            method=case.method,
            data=case.body,
            content_type=case.content_type,
            headers=KOBO_AUTH,
        )
    return client.open(
        case.path, method=case.method, data=case.body, content_type=case.content_type, auth=auth
    )


def all_rows(session: Session) -> list[Submission]:
    session.rollback()  # end the read transaction: see what the app committed since
    return list(session.scalars(select(Submission).order_by(Submission.id)))


def usable(session: Session) -> list[Submission]:
    return [row for row in all_rows(session) if row.error_code is None]


def openrosa_message(response: TestResponse) -> str:
    """The OpenRosa envelope every OpenRosa answer has, and its message."""
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert "text/xml" in response.headers["Content-Type"]
    assert response.headers["Date"]
    root = etree.fromstring(response.data)
    assert etree.QName(root).localname == "OpenRosaResponse"
    text = root.findtext("r:message", namespaces=OR_NS)
    assert text
    return text


def assert_envelope(response: TestResponse, kobo: bool, code: str | None = None) -> None:
    assert response.status_code < 500, response.data[:300]
    assert b"root:" not in response.data
    assert "X-Injected" not in response.headers
    if kobo:
        assert response.is_json, response.data[:300]
        assert response.json["error"]["code"] == (code or response.json["error"]["code"])
    else:
        openrosa_message(response)


@pytest.mark.parametrize("case", OPENROSA_POSTS + KOBO_POSTS, ids=lambda c: c.id)
def test_hostile_post__4xx_in_protocol_kept_with_error(
    client: FlaskClient, session: Session, auth, integration: str, case: Hostile
):
    response = send(client, case, auth)
    assert response.status_code == case.status, response.data[:300]
    assert_envelope(response, case.kobo, case.code)
    (row,) = all_rows(session)
    assert row.error_code == case.code
    assert row.source == ("kobo" if case.kobo else "openrosa")
    if case.kept is not None:
        assert row.payload == case.kept
    assert usable(session) == []


def test_hostile_post__unauthenticated__401_before_parsing(client: FlaskClient, session: Session):
    response = client.post("/submission", data=with_xml(BOMB), content_type=MULTIPART)
    assert response.status_code == 401
    openrosa_message(response)
    response = client.post(
        "/kobo/submission?form_id=vssid_install", data=BOMB, content_type="application/xml"
    )
    assert response.status_code == 401
    assert response.json["error"]["code"] == "http.401"
    assert all_rows(session) == []


# --- crafted values that parse -----------------------------------------------------------


def utf16_xxe() -> bytes:
    xml = instance(note="&xxe;", prolog=XXE_DOCTYPE).replace("&amp;xxe;", "&xxe;")
    return ("<?xml version='1.0' encoding='UTF-16'?>" + xml).encode("utf-16")


def test_xxe_in_utf16__refused_as_unsafe(client: FlaskClient, session: Session, auth):
    response = send(client, openrosa_post("utf16-xxe", utf16_xxe(), ""), auth)
    assert b"root:" not in response.data
    (row,) = all_rows(session)
    assert b"root:" not in row.payload
    assert response.status_code == 400
    openrosa_message(response)
    assert row.error_code == "submission.unsafe_xml"


def kobo_body(**changes: object) -> bytes:
    return json.dumps({**json.loads(KOBO_JSON), **changes}).encode()


#: Instances that parse, with values crafted to break what comes after parsing.
CRAFTED_XML = {
    "end-after-year-9999-in-utc": instance(end="9999-12-31T23:59:59-12:00"),
    "end-before-year-1-in-utc": instance(end="0001-01-01T00:00:00+07:00"),
    "empty-repeat-instance-first": instance(extra="<x/><x><y>1</y></x>"),
    "empty-repeat-instance-last": instance(extra="<x><y>1</y></x><x/>"),
    "instance-id-300-characters": instance(instance_id="uuid:" + "a" * 295),
}
CRAFTED_KOBO = {
    "end-after-year-9999-in-utc": kobo_body(end="9999-12-31T23:59:59-12:00"),
    "submission-time-before-year-1": kobo_body(
        end=None, _submission_time="0001-01-01T00:00:00+05:00"
    ),
    "5000-digit-number": KOBO_JSON.replace(b'"_id": 184520377', b'"_id": ' + b"1" * 5000),
    "instance-id-300-characters": kobo_body(**{"meta/instanceID": "uuid:" + "a" * 295}),
    "kobo-id-300-digits": kobo_body(_id=int("9" * 300)),
    "nul-in-instance-id": kobo_body(**{"meta/instanceID": "uuid:a\u0000b"}),
    "nul-in-xform-id-string": kobo_body(_xform_id_string="a\u0000b"),
}


@pytest.mark.parametrize("xml", CRAFTED_XML.values(), ids=CRAFTED_XML.keys())
def test_crafted_instance__never_500_and_kept(
    client: FlaskClient, session: Session, auth, xml: str
):
    response = send(client, openrosa_post("crafted", xml.encode(), ""), auth)
    assert response.status_code in {201, 400}, response.data[:300]
    assert_envelope(response, kobo=False)
    (row,) = all_rows(session)
    assert row.payload == xml.encode()
    assert (row.error_code is None) == (response.status_code == 201)


@pytest.mark.parametrize("body", CRAFTED_KOBO.values(), ids=CRAFTED_KOBO.keys())
def test_crafted_kobo_json__never_500_and_kept(
    client: FlaskClient, session: Session, integration: str, body: bytes
):
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        data=body,
        content_type="application/json",
        headers=KOBO_AUTH,
    )
    assert response.status_code in {201, 400}, response.data[:300]
    assert response.is_json
    (row,) = all_rows(session)
    assert row.payload == body
    assert (row.error_code is None) == (response.status_code == 201)


@pytest.mark.parametrize("query", ["?form_id=a%00b", "?form_id=" + "x" * 300])
def test_crafted_kobo_form_hint__4xx_json(
    client: FlaskClient, session: Session, integration: str, query: str
):
    body = json.dumps({**json.loads(KOBO_JSON), "_xform_id_string": "unknown"}).encode()
    response = client.post(
        f"/kobo/submission{query}", data=body, content_type="application/json", headers=KOBO_AUTH
    )
    assert response.status_code == 404, response.data[:300]
    assert response.json["error"]["code"] == "kobo.form_unknown"
    assert all_rows(session)[0].error_code == "kobo.form_unknown"


@pytest.mark.parametrize(
    "username", ["a\u0000b", "x" * 1000, "' OR '1'='1"], ids=["nul", "1000-chars", "sql"]
)
def test_hostile_username__401(client: FlaskClient, collector: str, username: str):
    response = client.get("/formList", auth=(username, PASSWORD))
    assert response.status_code == 401
    openrosa_message(response)
    response = client.post(
        "/kobo/submission", data=b"{}", content_type="application/json", auth=(username, "x" * 30)
    )
    assert response.status_code == 401
    assert response.json["error"]["code"] == "http.401"


def test_sql_looking_values__stored_verbatim(client: FlaskClient, session: Session, auth):
    xml = instance(instance_id=f"uuid:{SQL}", note=f"Robert{SQL}").encode()
    response = send(client, openrosa_post("sql", xml, ""), auth)
    assert response.status_code == 201, openrosa_message(response)
    (row,) = usable(session)
    assert row.instance_id == f"uuid:{SQL}"
    assert row.payload == xml
    assert session.scalar(select(func.count()).select_from(Submission)) == 1
    # The same instance again is a retry of that row, found by the same verbatim ID.
    assert send(client, openrosa_post("sql", xml, ""), auth).status_code == 202


def test_sql_looking_values__kobo_json_stored_verbatim(
    client: FlaskClient, session: Session, integration: str
):
    data = {**json.loads(KOBO_JSON), "meta/instanceID": f"uuid:{SQL}", "reason_other": SQL}
    body = json.dumps(data, ensure_ascii=False).encode()
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        data=body,
        content_type="application/json",
        headers=KOBO_AUTH,
    )
    assert response.status_code == 201, response.json
    (row,) = usable(session)
    assert row.instance_id == f"uuid:{SQL}"
    assert row.payload == body


def test_huge_field_value__accepted_verbatim(client: FlaskClient, session: Session, auth):
    note = "Đã hướng dẫn <đăng nhập> & " * 40_000  # about 1.3 MB in one element
    xml = instance(note=note).encode()
    assert len(xml) > 1_000_000
    response = send(client, openrosa_post("huge", xml, ""), auth)
    assert response.status_code == 201, openrosa_message(response)
    (row,) = usable(session)
    assert row.payload == xml


def test_huge_field_value__kobo_json_accepted_verbatim(
    client: FlaskClient, session: Session, integration: str
):
    data = {**json.loads(KOBO_JSON), "reason_other": "Điện thoại đang sửa. " * 50_000}
    body = json.dumps(data, ensure_ascii=False).encode()
    assert len(body) > 1_000_000
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        data=body,
        content_type="application/json",
        headers=KOBO_AUTH,
    )
    assert response.status_code == 201, response.json
    assert usable(session)[0].payload == body


# --- size limit --------------------------------------------------------------------------


@pytest.fixture
def small(app: Flask) -> FlaskClient:
    """A client of an app that accepts at most 2000 bytes per request."""
    app.config["MAX_CONTENT_LENGTH"] = 2000
    return app.test_client()


def padded_multipart(size: int) -> bytes:
    body = with_xml(instance(note="x").encode(), ("1615775412345.jpg", b"", "image/jpeg"))
    return with_xml(
        instance(note="x").encode(), ("1615775412345.jpg", b"\0" * (size - len(body)), "image/jpeg")
    )


def test_over_size_limit__413_openrosa(small: FlaskClient, session: Session, auth):
    body = padded_multipart(5000)
    assert len(body) == 5000
    response = small.post("/submission", data=body, content_type=MULTIPART, auth=auth)
    assert response.status_code == 413
    assert "quá lớn" in openrosa_message(response)
    assert response.headers["X-OpenRosa-Accept-Content-Length"] == "2000"
    assert usable(session) == []


# Werkzeug leaves the temporary file of the part it was reading unclosed when it stops at the
# limit; the garbage collector closes it (a ResourceWarning, not a leak of ours).
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <function SpooledTemporaryFile.__del__"
    ":pytest.PytestUnraisableExceptionWarning"
)
def test_over_size_limit__chunked__413_openrosa(small: FlaskClient, session: Session, auth):
    response = small.post(
        "/submission",
        input_stream=io.BytesIO(padded_multipart(5000)),
        content_type=MULTIPART,
        headers={"Transfer-Encoding": "chunked"},
        # What gunicorn sets: it has decoded the chunks and ends the stream itself.
        environ_overrides={"wsgi.input_terminated": True},
        auth=auth,
    )
    assert response.status_code == 413
    openrosa_message(response)
    assert response.headers["X-OpenRosa-Accept-Content-Length"] == "2000"
    assert usable(session) == []


def test_over_size_limit__kobo__413_json(small: FlaskClient, session: Session, integration: str):
    body = json.dumps({**json.loads(KOBO_JSON), "note": "x" * 5000}).encode()[:5000]
    response = small.post(
        "/kobo/submission?form_id=vssid_install",
        data=body,
        content_type="application/json",
        headers=KOBO_AUTH,
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "http.413"
    assert usable(session) == []


def test_just_under_size_limit__accepted(small: FlaskClient, session: Session, auth):
    body = padded_multipart(2000)
    response = small.post("/submission", data=body, content_type=MULTIPART, auth=auth)
    assert response.status_code == 201, openrosa_message(response)


# --- names a client chose ----------------------------------------------------------------


def tree(root: Path, skip: Path) -> set[Path]:
    """Every path under ``root`` except under ``skip`` (and SQLite's own files)."""
    return {p for p in root.rglob("*") if not p.is_relative_to(skip) and "sqlite3" not in p.name}


@pytest.fixture
def no_writes_outside_media(app: Flask, tmp_path: Path) -> Iterator[Path]:
    media = Path(app.config["MEDIA_DIR"])
    watched = tmp_path.parent
    passwd = Path("/etc/passwd").read_bytes()
    before = tree(watched, media)
    yield media
    assert tree(watched, media) == before
    assert Path("/etc/passwd").read_bytes() == passwd
    for folder in (Path.cwd(), Path.cwd().parent, media.parent, media.parent.parent):
        assert not (folder / "evil.jpg").exists()
    # Under MEDIA_DIR: content-addressed files and an empty tmp/, nothing else.
    for path in media.rglob("*"):
        relative = path.relative_to(media).as_posix()
        if path.is_dir():
            assert relative == "tmp" or re.fullmatch(r"[0-9a-f]{2}", relative), relative
        else:
            assert re.fullmatch(r"([0-9a-f]{2})/\1[0-9a-f]{62}", relative), relative
    if (media / "tmp").exists():
        assert list((media / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    ("part_name", "basename"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\evil.jpg", "evil.jpg"),
        ("../../../../../../../../tmp/evil.jpg", "evil.jpg"),
        ("/tmp/evil.jpg", "evil.jpg"),
        ("C:\\Windows\\evil.jpg", "evil.jpg"),
        ("tmp/../../evil.jpg", "evil.jpg"),
    ],
)
def test_attachment_named_with_a_path__stored_by_content_only(
    client: FlaskClient,
    session: Session,
    auth,
    no_writes_outside_media: Path,
    part_name: str,
    basename: str,
):
    evil = b"#!/bin/sh\necho owned\n" + PHOTO
    xml = instance(photo=basename).encode()
    response = client.post(
        "/submission",
        data=with_xml(xml, (part_name, evil, "image/jpeg")),
        content_type=MULTIPART,
        auth=auth,
    )
    assert response.status_code == 201, openrosa_message(response)
    (row,) = usable(session)
    (attachment,) = row.attachments
    assert attachment.name == basename
    assert attachment.sha256 == hashlib.sha256(evil).hexdigest()
    media = no_writes_outside_media
    assert (media / attachment.sha256[:2] / attachment.sha256).read_bytes() == evil


def test_attachment_path_names_the_instance_does_not_mention__ignored(
    client: FlaskClient, session: Session, auth, no_writes_outside_media: Path
):
    xml = instance(photo="1615775412345.jpg").encode()
    response = client.post(
        "/submission",
        data=with_xml(
            xml,
            ("../../etc/passwd", b"root:x:0:0", "text/plain"),
            ("..\\..\\evil.jpg", PHOTO, "image/jpeg"),
        ),
        content_type=MULTIPART,
        auth=auth,
    )
    assert response.status_code == 201
    assert "thiếu 1 tệp" in openrosa_message(response)
    (row,) = usable(session)
    assert row.attachments == []
    assert not any(no_writes_outside_media.rglob("*/*"))


# --- URLs a client chose -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "status"),
    [
        ("/formList?formID=a%0d%0aX-Injected:%20yes", 200),
        ("/formList?formID=a%0aX-Injected:%20yes&deviceID=%0d%0aX-Injected:%20yes", 200),
        ("/forms/a%0d%0aX-Injected:%20yes/form.xml", 404),
        ("/forms/a%0d%0aX-Injected:%20yes/manifest", 404),
        ("/forms/vssid_install/media/a%0d%0aX-Injected:%20yes", 404),
        ("/forms/vssid_install/media/%2e%2e", 404),
        ("/forms/vssid_install/media/..%5c..%5cetc%5cpasswd", 404),
        ("/forms/%00/form.xml", 404),
        ("/forms/vssid_install/media/units.csv%00.xml", 404),
        ("/forms/" + "x" * 300 + "/manifest", 404),
    ],
)
def test_hostile_openrosa_url__answered_in_protocol(
    client: FlaskClient, auth, uri: str, status: int
):
    response = client.get(uri, auth=auth)
    assert response.status_code == status, response.data[:300]
    if status == 200:  # the form list, with no form: the CRLF is only ever data
        assert response.headers["X-OpenRosa-Version"] == "1.0"
        assert "X-Injected" not in response.headers
        assert len(etree.fromstring(response.data)) == 0
    else:
        assert_envelope(response, kobo=False)


@pytest.mark.parametrize(
    "uri",
    [
        "/forms/vssid_install/media/..%2f..%2fetc%2fpasswd",
        "/forms/vssid_install/media/%2e%2e/x",
        "/forms/vssid_install/media/../../../etc/passwd",
        "/forms/..%2f..%2fetc%2fpasswd/form.xml",
        "/forms/vssid_install/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    ],
)
def test_media_path_traversal__404_nothing_read(client: FlaskClient, auth, uri: str):
    response = client.get(uri, auth=auth)
    assert response.status_code == 404
    assert b"root:" not in response.data
    assert "X-Injected" not in response.headers


def test_crlf_in_kobo_query__no_injected_header(
    client: FlaskClient, session: Session, integration: str
):
    response = client.post(
        "/kobo/submission?form_id=a%0d%0aX-Injected:%20yes",
        data=KOBO_JSON,
        content_type="application/json",
        headers=KOBO_AUTH,
    )
    assert response.status_code == 404
    assert_envelope(response, kobo=True, code="kobo.form_unknown")
    assert all_rows(session)[0].error_code == "kobo.form_unknown"
