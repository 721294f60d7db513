"""Real wire payloads from tests/data, and helpers to post them as the clients do."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

DATA = Path(__file__).parent / "data"
COLLECT_TYPE = (DATA / "collect.content-type").read_text().strip()
KOBO_SECRET = "kobo-rest-service-secret-2021-03-q10"


def body(name: str) -> bytes:
    return (DATA / f"{name}.multipart").read_bytes()


def content_type(name: str) -> str:
    sidecar = DATA / f"{name}.content-type"
    return sidecar.read_text().strip() if sidecar.exists() else COLLECT_TYPE


def xml_part(name: str) -> bytes:
    """The ``xml_submission_file`` part of a stored multipart body."""
    raw = f"Content-Type: {content_type(name)}\r\n\r\n".encode() + body(name)
    message = BytesParser(policy=HTTP).parsebytes(raw)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "xml_submission_file":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload
    raise AssertionError(f"{name} has no xml_submission_file part")


def post_collect(client: FlaskClient, name: str, auth: tuple[str, str]) -> TestResponse:
    """POST a stored ODK Collect body byte for byte."""
    return client.post(
        "/submission",
        data=body(name),
        content_type=content_type(name),
        auth=auth,
        headers={"X-OpenRosa-Version": "1.0"},
    )


def post_kobo(
    client: FlaskClient, name: str, query: str = "?form_id=vssid_install", **headers: str
) -> TestResponse:
    path = DATA / name
    kind = "application/json" if path.suffix == ".json" else "application/xml"
    headers.setdefault("Authorization", f"Token {KOBO_SECRET}")
    return client.post(
        f"/kobo/submission{query}", data=path.read_bytes(), content_type=kind, headers=headers
    )
