"""KoboToolbox REST Service pushes to POST /kobo/submission (docs/protocols.md §5)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyxform.xls2xform import convert
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import forms
from ingest.models import Submission
from ingest.registry import accounts
from tests.conftest import REALM
from tests.wire import DATA, KOBO_SECRET, post_kobo

pytestmark = pytest.mark.usefixtures("published")

HOUSEHOLD_MD = """
| survey   |               |               |                   |
|          | type          | name          | label             |
|          | text          | unit          | Unit              |
|          | begin group   | team          | Team              |
|          | text          | leader        | Leader            |
|          | date          | visit_date    | Visit date        |
|          | end group     |               |                   |
|          | begin repeat  | members       | Members           |
|          | text          | member_name   | Name              |
|          | text          | member_code   | Code              |
|          | image         | photo         | Photo             |
|          | end repeat    |               |                   |
| settings |               |               |                   |
|          | form_id       | version       |                   |
|          | household_check | 2021031901  |                   |
"""


@pytest.fixture(autouse=True)
def integration(session: Session) -> str:
    accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
    session.commit()
    return "kobo"


def rows(session: Session) -> list[Submission]:
    session.rollback()
    return list(session.scalars(select(Submission).order_by(Submission.id)))


def test_json__201_stored_with_our_form_and_kobo_identity(client: FlaskClient, session: Session):
    response = post_kobo(client, "kobo_install.json")
    assert response.status_code == 201
    assert response.json["outcome"] == "created"
    (row,) = rows(session)
    assert row.source == "kobo" and row.error_code is None
    assert row.form_id == "vssid_install"  # from ?form_id: Kobo names its own asset uid
    assert row.form_version == "2026120602"  # the current one: __version__ is Kobo's
    assert row.instance_id == "uuid:5a6f1e2d-3c4b-4a59-8e7f-0a1b2c3d4e5f"
    assert row.root_id == row.instance_id
    assert row.external_id == "184520377"
    assert row.submitter == "kobo"
    assert row.payload == (DATA / "kobo_install.json").read_bytes()
    assert row.collected_at is not None
    assert row.collected_at.isoformat() == "2021-03-17T07:14:40+00:00"


def test_json__redelivery_is_idempotent_even_if_system_keys_changed(
    client: FlaskClient, session: Session
):
    assert post_kobo(client, "kobo_install.json").status_code == 201
    again = post_kobo(client, "kobo_install.json")
    assert again.status_code == 200
    assert again.json["outcome"] == "duplicate"
    data = json.loads((DATA / "kobo_install.json").read_text())
    data["_validation_status"] = {"uid": "validation_status_approved", "label": "Approved"}
    data["_attachments"] = [{"download_url": "https://kf.kobotoolbox.org/x/"}]
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        json=data,
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    assert response.status_code == 200
    assert len(rows(session)) == 1


def test_json__same_uuid_other_answers__409_json(client: FlaskClient, session: Session):
    assert post_kobo(client, "kobo_install.json").status_code == 201
    data = json.loads((DATA / "kobo_install.json").read_text())
    data["status"] = "account_active"
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        json=data,
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "submission.conflict"
    assert [r.error_code for r in rows(session)] == [None, "submission.conflict"]


def test_json__retry_carrying_a_later_edit__supersedes(client: FlaskClient, session: Session):
    assert post_kobo(client, "kobo_install.json").status_code == 201
    data = json.loads((DATA / "kobo_install.json").read_text())
    data.update(
        {
            "_uuid": "aa0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
            "meta/instanceID": "uuid:aa0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
            "meta/deprecatedID": "uuid:ffffffff-0000-4000-8000-000000000000",
            "status": "account_active",
        }
    )
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        json=data,
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    assert response.status_code == 201
    original, edit = rows(session)
    assert edit.supersedes_id == original.id
    assert edit.root_id == original.instance_id


def test_xml_variant__201(client: FlaskClient, session: Session):
    response = post_kobo(client, "kobo_install.xml")
    assert response.status_code == 201
    (row,) = rows(session)
    assert row.form_id == "vssid_install"
    assert row.instance_id == "uuid:7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f"
    assert row.content_type.startswith("application/xml")


def test_basic_auth__accepted(client: FlaskClient):
    credentials = base64.b64encode(f"kobo:{KOBO_SECRET}".encode()).decode()
    response = post_kobo(client, "kobo_install.json", Authorization=f"Basic {credentials}")
    assert response.status_code == 201


@pytest.mark.parametrize("header", ["Token wrong-secret", "Basic a29ibzp3cm9uZw==", ""])
def test_bad_credentials__401_nothing_stored(client: FlaskClient, session: Session, header: str):
    response = post_kobo(client, "kobo_install.json", Authorization=header)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "http.401"
    assert rows(session) == []


def test_collector_account__403(client: FlaskClient, session: Session, collector: str):
    from tests.conftest import PASSWORD

    credentials = base64.b64encode(f"{collector}:{PASSWORD}".encode()).decode()
    response = post_kobo(client, "kobo_install.json", Authorization=f"Basic {credentials}")
    assert response.status_code == 403


def test_unknown_form__404_json_says_how_to_fix(client: FlaskClient, session: Session):
    response = post_kobo(client, "kobo_install.json", query="")
    assert response.status_code == 404
    error = response.json["error"]
    assert error["code"] == "kobo.form_unknown"
    assert "?form_id=" in error["message_en"] and "aXqK7d9ZpR2sT5uV8wY3bN" in error["message"]
    (row,) = rows(session)
    assert row.error_code == "kobo.form_unknown"


def test_group_and_repeat__form_found_by_xform_id_string(
    client: FlaskClient, session: Session, tmp_path: Path
):
    source = tmp_path / "household_check.md"
    source.write_text(HOUSEHOLD_MD)
    forms.publish(session, forms.compile_xlsform(source), tmp_path)
    session.commit()
    response = post_kobo(client, "kobo_household_repeat.json", query="")
    assert response.status_code == 201
    (row,) = rows(session)
    assert row.form_id == "household_check"
    # The photo is in a repeat: expected as an attachment (Kobo sends only its URL).
    assert row.attachments_expected == 1
    assert convert(xlsform=str(source)).xform  # the form is a real XLSForm


@pytest.mark.parametrize(
    ("body", "kind", "status", "code"),
    [
        (b"[1, 2]", "application/json", 400, "submission.malformed"),
        (b'"text"', "application/json", 400, "submission.malformed"),
        (b"{not json", "application/json", 400, "submission.malformed"),
        (b"\xff\xfe{}", "application/json", 400, "submission.malformed"),
        (b"a=b", "application/x-www-form-urlencoded", 415, "submission.unsupported_type"),
    ],
)
def test_bad_bodies__4xx_json_and_kept(
    client: FlaskClient, session: Session, body: bytes, kind: str, status: int, code: str
):
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        data=body,
        content_type=kind,
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    (row,) = rows(session)
    assert row.payload == body and row.error_code == code
