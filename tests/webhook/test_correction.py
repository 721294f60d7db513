"""A reviewer's correction (``vssid review correct``, ``ingest.submissions.correction``): a
new version of the record in the log, its XML edited, checked by its form, projected."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import Person, Submission, SubmissionStatus
from ingest.submissions import correction
from tests.conftest import PASSWORD, make_user
from tests.pipeline import settle
from tests.wire import post_collect

pytestmark = pytest.mark.usefixtures("published")
TYPO = "0791234567"
FIXED = "0791234576"


@pytest.fixture
def sent(client: FlaskClient, session: Session, collector: str) -> int:
    """ODK Collect's real body (a photo attached), recorded for Phường 2 (27190)."""
    response = post_collect(client, "collect_install_with_photo", (collector, PASSWORD))
    assert response.status_code == 201, response.text
    settle(session)
    found = session.scalar(select(Submission.id).where(Submission.source == "openrosa"))
    assert found is not None
    make_user(session, "quan.tri", "admin")
    make_user(session, "lanh.dao", "manager")
    make_user(session, "phuong1", "unit", unit_code="27184")
    return found


def correct(runner: FlaskCliRunner, submission_id: int, *args: str) -> object:
    return runner.invoke(args=["review", "correct", str(submission_id), *args])


def test_correct__typo_in_code__new_version_replaces_it(
    runner: FlaskCliRunner, session: Session, sent: int, app: Flask
):
    result = correct(runner, sent, "--field", "bhxh_code", "--value", FIXED,
                     "--reason", "Gõ nhầm hai chữ số cuối", "--by", "quan.tri")  # fmt: skip

    assert result.exit_code == 0, result.output
    session.rollback()
    original = session.get(Submission, sent)
    new = session.scalar(select(Submission).where(Submission.source == "correction"))
    assert original is not None and new is not None
    assert f"new submission {new.id} (accepted)" in result.output
    # Who and why, kept in the log with the new version; the original unchanged.
    assert new.submitter == "quan.tri"
    assert new.headers[correction.REASON] == "Gõ nhầm hai chữ số cuối"
    assert new.headers[correction.FIELD] == "bhxh_code"
    assert new.headers[correction.OF] == str(sent)
    assert TYPO.encode() in original.payload and FIXED.encode() not in original.payload
    # The XML is the record edited as ODK Collect would: one answer, a new ID, the old one
    # deprecated, the form version kept, the photo still attached.
    root = etree.fromstring(new.payload)
    ns = {"orx": "http://openrosa.org/xforms"}
    assert root.findtext("bhxh_code") == FIXED
    assert root.findtext("full_name") == "Trần Thị Bình"
    assert root.findtext("orx:meta/orx:deprecatedID", namespaces=ns) == original.instance_id
    assert root.findtext("orx:meta/orx:instanceID", namespaces=ns) == new.instance_id
    assert new.supersedes_id == sent and new.root_id == original.instance_id
    assert new.form_version == original.form_version == "2021031001"
    assert [(a.name, a.sha256) for a in new.attachments] == [
        (a.name, a.sha256) for a in original.attachments
    ]
    # The consumers project the new version: the person is known by the corrected code.
    states = {s.submission_id: s.review_state for s in session.scalars(select(SubmissionStatus))}
    assert states == {sent: "superseded", new.id: "accepted"}
    assert session.get(Person, ("vssid", FIXED)) is not None
    assert session.get(Person, ("vssid", TYPO)) is None


def test_correct__value_the_form_refuses__new_version_flagged(
    runner: FlaskCliRunner, session: Session, sent: int
):
    result = correct(runner, sent, "--field", "bhxh_code", "--value", "079123456",
                     "--reason", "thử", "--by", "quan.tri")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "(flagged)" in result.output
    session.rollback()
    new = session.scalar(select(Submission).where(Submission.source == "correction"))
    assert new is not None and [i["code"] for i in new.issues] == ["value.constraint"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--field", "bhxh_code", "--value", FIXED, "--reason", " "], "cần ghi lý do"),
        (["--field", "bhxh_code", "--value", TYPO, "--reason", "x"], "giá trị không thay đổi"),
        (["--field", "meta/instanceID", "--value", "uuid:x", "--reason", "x"], "không có câu hỏi"),
        (["--field", "khong_co", "--value", "1", "--reason", "x"], "không có câu hỏi"),
    ],
)
def test_correct__bad_request__refused_nothing_written(
    runner: FlaskCliRunner, session: Session, sent: int, args: list[str], message: str
):
    result = correct(runner, sent, *args, "--by", "quan.tri")

    assert result.exit_code == 1
    assert message in result.output
    session.rollback()
    assert session.scalar(select(Submission).where(Submission.source == "correction")) is None


@pytest.mark.parametrize("account", ["lanh.dao", "phuong1"])
def test_correct__account_without_review_rights__refused(
    runner: FlaskCliRunner, session: Session, sent: int, account: str
):
    result = correct(runner, sent, "--field", "bhxh_code", "--value", FIXED,
                     "--reason", "x", "--by", account)  # fmt: skip

    assert result.exit_code != 0
    assert "không được sửa phiếu" in result.output
    session.rollback()
    assert session.scalar(select(Submission).where(Submission.source == "correction")) is None


def test_correct__twice_from_the_same_version__second_refused(runner: FlaskCliRunner, sent: int):
    first = correct(runner, sent, "--field", "bhxh_code", "--value", FIXED,
                    "--reason", "x", "--by", "quan.tri")  # fmt: skip
    again = correct(runner, sent, "--field", "bhxh_code", "--value", "0791234577",
                    "--reason", "x", "--by", "quan.tri")  # fmt: skip

    assert first.exit_code == 0
    assert again.exit_code == 1 and "correction.superseded" in again.output


def test_correct__kobo_json_record__edited_as_json(
    client: FlaskClient, runner: FlaskCliRunner, session: Session, tmp_path: Path
):
    from tests.dashboard import scenario

    scenario.load(client, runner, session, tmp_path)
    dung = session.scalar(select(Submission.id).where(Submission.instance_id == "uuid:dung"))
    assert dung is not None

    result = correct(runner, dung, "--field", "install_date", "--value", "2021-03-19",
                     "--reason", "Đã gọi điện: cài ngày 19/03", "--by", "quan.tri")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "(accepted)" in result.output
    session.rollback()
    person = session.get(Person, ("vssid", "0791000004"))
    assert person is not None and person.done
