"""Personal data is masked for a manager by what the form declares, wherever the field sits.

A next campaign's form (``tests.personal_form``: a name and a citizen ID inside a group,
children's names in a repeat, declared personal in the XLSForm) is published, a collector
posts a record of it as ODK Collect does, and each role reads it back through the review
queue's API and page. Nothing in the code names these fields.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import forms
from ingest.models import Submission
from tests import personal_form
from tests.conftest import PASSWORD, make_user
from tests.dashboard.scenario import sign_in
from tests.pipeline import settle
from tests.wire import post_collect, xml_part

pytestmark = pytest.mark.usefixtures("published")

MANAGER, ADMIN = "lanh.dao", "quan.tri"
#: What the posted record holds that a manager must not read, and how it may show instead.
SECRETS = (personal_form.FULL_NAME, personal_form.CCCD, personal_form.CHILD)


@pytest.fixture(autouse=True)
def readers(session: Session) -> None:
    make_user(session, MANAGER, "manager")
    make_user(session, ADMIN, "admin")


@pytest.fixture
def record(session: Session, client: FlaskClient, collector: str, tmp_path: Path) -> int:
    """The id of a flagged ``ho_so`` record (its CCCD breaks the form's constraint)."""
    compiled = forms.compile_xlsform(personal_form.write(tmp_path))
    forms.publish(session, compiled, tmp_path)
    session.commit()
    response = client.post(
        "/submission",
        data=personal_form.instance_xml("uuid:ho-so-1"),
        content_type="text/xml",
        auth=(collector, PASSWORD),
        headers={"X-OpenRosa-Version": "1.0"},
    )
    assert response.status_code == 201, response.text
    settle(session)
    found = session.scalar(select(Submission.id).where(Submission.instance_id == "uuid:ho-so-1"))
    assert found is not None
    return found


def api(client: FlaskClient, path: str, username: str) -> Any:
    response = client.get(path, auth=(username, PASSWORD))
    assert response.status_code == 200, response.text
    return response.json


def text(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False)


@pytest.fixture
def browsers(app: Flask) -> dict[str, FlaskClient]:
    signed: dict[str, FlaskClient] = {}
    for username in (MANAGER, ADMIN):
        browser = app.test_client()
        assert sign_in(browser, username).status_code == 302
        signed[username] = browser
    return signed


def test_queue_api__manager__issue_about_a_personal_field_in_a_group_hides_its_value(
    client: FlaskClient, record: int
) -> None:
    queue = api(client, "/api/v1/submissions?status=flagged", MANAGER)
    (item,) = [i for i in queue["items"] if i["id"] == record]
    (issue,) = [i for i in item["issues"] if i["path"] == "thong_tin/cccd"]
    assert issue["message_en"] == "Invalid value (personal data hidden)."
    assert [s for s in SECRETS if s in text(queue)] == []


def test_queue_api__admin__issue_quotes_the_value(client: FlaskClient, record: int) -> None:
    queue = api(client, "/api/v1/submissions?status=flagged", ADMIN)
    (item,) = [i for i in queue["items"] if i["id"] == record]
    (issue,) = [i for i in item["issues"] if i["path"] == "thong_tin/cccd"]
    assert personal_form.CCCD in issue["message_vi"]


def test_submission_api__manager__declared_fields_masked_others_shown(
    client: FlaskClient, record: int
) -> None:
    detail = api(client, f"/api/v1/submissions/{record}", MANAGER)
    values = detail["values"]
    assert values["thong_tin/full_name"] == "N. T. M."
    assert values["thong_tin/cccd"] == "***"
    assert values["con"] == [{"con/ten_con": "***", "con/tuoi": "7"}]
    assert values["xung_ho"] == "***"  # calculated from the name
    assert values["thong_tin/job_title"] == personal_form.JOB_TITLE  # not declared personal
    assert values["unit"] == "27184"
    assert [s for s in SECRETS if s in text(detail)] == []


def test_submission_api__admin__everything_as_typed(client: FlaskClient, record: int) -> None:
    values = api(client, f"/api/v1/submissions/{record}", ADMIN)["values"]
    assert values["thong_tin/full_name"] == personal_form.FULL_NAME
    assert values["thong_tin/cccd"] == personal_form.CCCD
    assert values["con"] == [{"con/ten_con": personal_form.CHILD, "con/tuoi": "7"}]
    assert values["thong_tin/job_title"] == personal_form.JOB_TITLE


def test_review_page__manager__initials_not_the_name(
    browsers: dict[str, FlaskClient], record: int
) -> None:
    page = browsers[MANAGER].get("/review")
    assert page.status_code == 200
    assert f'id="submission-{record}"' in page.text
    assert [s for s in SECRETS if s in page.text] == []
    assert "N. T. M." in page.text
    assert personal_form.JOB_TITLE in page.text  # not declared personal: shown


def test_review_page__admin__the_name_and_the_problem(
    browsers: dict[str, FlaskClient], record: int
) -> None:
    page = browsers[ADMIN].get("/review")
    assert page.status_code == 200
    assert personal_form.FULL_NAME in page.text and personal_form.CCCD in page.text
    assert "N. T. M." not in page.text


#: What the first version's record (tests/data) holds that identifies Trần Thị Bình.
FIRST_VERSION_SECRETS = ("Trần Thị Bình", "0791234567", "0987654321", "collect:Xy7kQ2mZ9aB3cD4e")


def test_first_version_record__manager__masked_as_the_form_now_declares(
    client: FlaskClient, session: Session, collector: str, browsers: dict[str, FlaskClient]
) -> None:
    """A phone that still holds 2021031001 (published before the form declared anything)
    sends a record: its personal fields are masked all the same."""
    assert b'version="2021031001"' in xml_part("collect_install_with_photo")
    response = post_collect(client, "collect_install_with_photo", (collector, PASSWORD))
    assert response.status_code == 201, response.text
    settle(session)
    submission = session.scalars(select(Submission).where(Submission.error_code.is_(None))).one()
    assert submission.form_version == "2021031001"
    status = "flagged" if submission.verdict == "flagged" else "accepted"

    detail = api(client, f"/api/v1/submissions/{submission.id}", MANAGER)
    assert detail["values"]["full_name"] == "T. T. B."
    assert detail["values"]["bhxh_code"] == "•••••••567"
    assert detail["values"]["category"] == "vien_chuc"
    assert [s for s in FIRST_VERSION_SECRETS if s in text(detail)] == []
    page = browsers[MANAGER].get(f"/review?status={status}")
    assert f'id="submission-{submission.id}"' in page.text
    assert [s for s in FIRST_VERSION_SECRETS if s in page.text] == []

    values = api(client, f"/api/v1/submissions/{submission.id}", ADMIN)["values"]
    assert values["full_name"] == "Trần Thị Bình" and values["bhxh_code"] == "0791234567"
