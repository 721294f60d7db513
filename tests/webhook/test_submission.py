"""OpenRosa POST /submission with real ODK Collect and ODK Web Forms bodies."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from ingest.models import Form, Submission, SubmissionAttachment
from tests.conftest import PASSWORD, make_user
from tests.wire import DATA, post_collect, xml_part

OR_NS = {"r": "http://openrosa.org/http/response"}
FIRST_ID = "uuid:2b0f3e6a-8c1d-4f7e-9a55-3c4d2e1f0a9b"
PHOTO = (DATA / "vssid_screenshot.png").read_bytes()

pytestmark = pytest.mark.usefixtures("published")


@pytest.fixture
def auth(collector: str) -> tuple[str, str]:
    return (collector, PASSWORD)


def message(response: TestResponse) -> str:
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert "text/xml" in response.headers["Content-Type"]
    text = etree.fromstring(response.data).findtext("r:message", namespaces=OR_NS)
    assert text
    return text


def usable(session: Session) -> list[Submission]:
    session.rollback()  # end the read transaction: see what the app committed since
    return list(
        session.scalars(
            select(Submission).where(Submission.error_code.is_(None)).order_by(Submission.id)
        )
    )


def all_rows(session: Session) -> list[Submission]:
    session.rollback()  # end the read transaction: see what the app committed since
    return list(session.scalars(select(Submission).order_by(Submission.id)))


def media_files(app: Flask) -> list[Path]:
    root = Path(app.config["MEDIA_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_head__204_empty_with_size_limit(client: FlaskClient, auth):
    response = client.head("/submission", auth=auth)
    assert response.status_code == 204
    assert response.data == b""
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert response.headers["X-OpenRosa-Accept-Content-Length"] == "100000000"
    assert client.get("/submission", auth=auth).status_code == 204


def test_head__no_credentials__401_challenge(client: FlaskClient):
    response = client.head("/submission")
    assert response.status_code == 401
    assert any(v.startswith("Digest ") for v in response.headers.getlist("WWW-Authenticate"))


def test_collect_submission_with_photo__201_stored_with_attachment(
    app: Flask, client: FlaskClient, session: Session, auth
):
    response = post_collect(client, "collect_install_with_photo", auth)
    assert response.status_code == 201
    text = message(response)
    assert "Đã nhận phiếu: Trần Thị Bình" in text
    (row,) = usable(session)
    assert row.source == "openrosa"
    assert row.submitter == auth[0]
    assert row.form_id == "vssid_install" and row.form_version == "2021031001"
    assert row.instance_id == FIRST_ID and row.root_id == FIRST_ID
    assert row.payload == xml_part("collect_install_with_photo")
    assert row.headers["X-OpenRosa-Version"] == "1.0"
    # meta/end is 08:05:47.902+07:00: collected at 01:05:47 UTC, whatever Date header said.
    assert row.collected_at is not None
    assert row.collected_at.isoformat() == "2021-03-16T01:05:47.902000+00:00"
    assert row.attachments_expected == 1
    (attachment,) = row.attachments
    assert attachment.name == "1615775412345.jpg"
    assert attachment.size == len(PHOTO)
    assert attachment.sha256 == hashlib.sha256(PHOTO).hexdigest()
    stored = media_files(app)
    assert [p.name for p in stored] == [attachment.sha256]
    assert stored[0].read_bytes() == PHOTO


def test_web_forms_engine_body__201(client: FlaskClient, session: Session, auth):
    from tests.wire import body, content_type

    response = client.post(
        "/submission",
        data=body("webforms_install_with_photo"),
        content_type=content_type("webforms_install_with_photo"),
        auth=auth,
    )
    assert response.status_code == 201, message(response)
    (row,) = usable(session)
    assert row.instance_name == "Nguyễn Văn An – 0123456789"
    assert [a.name for a in row.attachments] == ["1795545179811.png"]


def test_exact_retry__202_nothing_stored_twice(client: FlaskClient, session: Session, auth, app):
    assert post_collect(client, "collect_install_with_photo", auth).status_code == 201
    files = media_files(app)
    response = post_collect(client, "collect_install_with_photo", auth)
    assert response.status_code == 202
    assert "đã được nhận" in message(response)
    assert len(all_rows(session)) == 1
    assert session.scalar(select(func.count()).select_from(SubmissionAttachment)) == 1
    assert media_files(app) == files


def test_split_submission__second_post_adds_the_photo(client: FlaskClient, session: Session, auth):
    first = post_collect(client, "collect_install_split_1", auth)
    assert first.status_code == 201
    assert "Còn thiếu 1 tệp" in message(first)
    (row,) = usable(session)
    assert row.attachments == []
    second = post_collect(client, "collect_install_split_2", auth)
    assert second.status_code == 202
    (row,) = usable(session)
    assert [a.name for a in row.attachments] == ["1615775412345.jpg"]
    assert len(all_rows(session)) == 1


def test_split_submission__next_part_from_another_account__adds_nothing(
    client: FlaskClient, session: Session, auth
):
    """Only the account that sent a record completes it: the same XML from another account
    (a replay by someone who knows it) adds no file to the record."""
    assert post_collect(client, "collect_install_split_1", auth).status_code == 201
    make_user(session, "ctv.khac", "collector")
    second = post_collect(client, "collect_install_split_2", ("ctv.khac", PASSWORD))
    assert second.status_code == 202
    (row,) = usable(session)
    assert row.attachments == []
    assert post_collect(client, "collect_install_split_2", auth).status_code == 202
    (row,) = usable(session)
    assert [a.name for a in row.attachments] == ["1615775412345.jpg"]


def test_conflicting_retry__409_kept_but_not_usable(client: FlaskClient, session: Session, auth):
    assert post_collect(client, "collect_install_with_photo", auth).status_code == 201
    response = post_collect(client, "collect_install_conflict", auth)
    assert response.status_code == 409
    assert FIRST_ID in message(response)
    rows = all_rows(session)
    assert [r.error_code for r in rows] == [None, "submission.conflict"]
    assert rows[1].payload == xml_part("collect_install_conflict")
    assert usable(session)[0].payload == xml_part("collect_install_with_photo")


def test_edit__supersedes_the_original(client: FlaskClient, session: Session, auth):
    assert post_collect(client, "collect_install_with_photo", auth).status_code == 201
    assert post_collect(client, "collect_install_edit", auth).status_code == 201
    original, edit = usable(session)
    assert edit.deprecated_id == original.instance_id
    assert edit.supersedes_id == original.id
    assert edit.root_id == original.instance_id
    # The same edit again is a retry; an edit of the superseded original is a conflict.
    assert post_collect(client, "collect_install_edit", auth).status_code == 202


def test_edit__unknown_original__404(client: FlaskClient, session: Session, auth):
    response = post_collect(client, "collect_install_edit", auth)
    assert response.status_code == 404
    assert FIRST_ID in message(response)
    (row,) = all_rows(session)
    assert row.error_code == "submission.edit_unknown"


def test_edit__of_an_already_edited_version__409(client: FlaskClient, session: Session, auth):
    assert post_collect(client, "collect_install_with_photo", auth).status_code == 201
    assert post_collect(client, "collect_install_edit", auth).status_code == 201
    second_edit = xml_part("collect_install_edit").replace(
        b"uuid:9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d", b"uuid:11111111-2222-4333-8444-555555555555"
    )
    response = client.post(
        "/submission",
        data={"xml_submission_file": (io.BytesIO(second_edit), "x.xml", "text/xml")},
        auth=auth,
    )
    assert response.status_code == 409
    assert all_rows(session)[-1].error_code == "submission.edit_superseded"


def test_unknown_form__404_kept(client: FlaskClient, session: Session, auth):
    xml = xml_part("collect_install_with_photo").replace(b'id="vssid_install"', b'id="nope"')
    response = client.post(
        "/submission",
        data={"xml_submission_file": (io.BytesIO(xml), "x.xml", "text/xml")},
        auth=auth,
    )
    assert response.status_code == 404
    assert "nope" in message(response)
    (row,) = all_rows(session)
    assert row.error_code == "form.not_found" and row.payload == xml


def test_closed_form__409(client: FlaskClient, session: Session, auth):
    form = session.get(Form, "vssid_install")
    assert form is not None
    form.state = "closed"
    session.commit()
    response = post_collect(client, "collect_install_with_photo", auth)
    assert response.status_code == 409
    assert "đã đóng" in message(response)


def test_closing_form__still_accepts(client: FlaskClient, session: Session, auth):
    form = session.get(Form, "vssid_install")
    assert form is not None
    form.state = "closing"
    session.commit()
    assert post_collect(client, "collect_install_with_photo", auth).status_code == 201


@pytest.mark.parametrize(
    ("xml", "code"),
    [
        (b"<vssid_install id='vssid_install'><unit>1</unit>", "submission.malformed"),
        (
            b"<vssid_install id='vssid_install'><unit>1</unit></vssid_install>",
            "submission.no_instance_id",
        ),
        (
            b"<vssid_install id='vssid_install' encrypted='yes'>"
            b"<base64EncryptedKey>AAA=</base64EncryptedKey>"
            b"<meta><instanceID>uuid:e1</instanceID></meta></vssid_install>",
            "submission.encrypted",
        ),
    ],
)
def test_unusable_xml__400_kept_with_reason(
    client: FlaskClient, session: Session, auth, xml: bytes, code: str
):
    response = client.post(
        "/submission",
        data={"xml_submission_file": (io.BytesIO(xml), "x.xml", "text/xml")},
        auth=auth,
    )
    assert response.status_code == 400
    message(response)
    (row,) = all_rows(session)
    assert row.error_code == code
    assert row.payload == xml


def test_no_xml_part__400(client: FlaskClient, session: Session, auth):
    response = client.post("/submission", data={"other": "x"}, auth=auth)
    assert response.status_code == 400
    assert "xml_submission_file" in message(response)
    assert all_rows(session)[0].error_code == "submission.no_xml"


def test_unknown_version__accepted_for_review(client: FlaskClient, session: Session, auth):
    xml = xml_part("collect_install_with_photo").replace(b'version="2021031001"', b'version="1999"')
    response = client.post(
        "/submission",
        data={"xml_submission_file": (io.BytesIO(xml), "x.xml", "text/xml")},
        auth=auth,
    )
    assert response.status_code == 201
    (row,) = usable(session)
    assert row.form_version == "2026120602"  # validated against the current version


def test_wrong_password__401(client: FlaskClient, collector: str):
    response = post_collect(client, "collect_install_with_photo", (collector, "wrong-password"))
    assert response.status_code == 401


def test_manager__403(client: FlaskClient, session: Session):
    from tests.conftest import make_user

    make_user(session, "lanh.dao", "manager")
    response = post_collect(client, "collect_install_with_photo", ("lanh.dao", PASSWORD))
    assert response.status_code == 403
    assert all_rows(session) == []


def test_token_url__submission_accepted(client: FlaskClient, session: Session, collector: str):
    from ingest.registry import accounts
    from tests.wire import body, content_type

    token = accounts.issue_token(accounts.find_user(session, collector))
    session.commit()
    assert client.head(f"/key/{token}/submission").status_code == 204
    response = client.post(
        f"/key/{token}/submission",
        data=body("collect_install_with_photo"),
        content_type=content_type("collect_install_with_photo"),
    )
    assert response.status_code == 201
    assert usable(session)[0].submitter == collector


def test_too_large__413_openrosa_message(app: Flask, client: FlaskClient, session: Session, auth):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = post_collect(client, "collect_install_with_photo", auth)
    assert response.status_code == 413
    assert "quá lớn" in message(response)
    assert response.headers["X-OpenRosa-Accept-Content-Length"] == "1000"


def test_database_down__503_retry_after(app: Flask, client: FlaskClient, auth, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from ingest.submissions import intake

    def down(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(intake, "receive", down)
    response = post_collect(client, "collect_install_with_photo", auth)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "gửi lại sau" in message(response)
