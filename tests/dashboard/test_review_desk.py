"""The review desk: each problem once with dd/mm/yyyy dates, labels without raw names,
records of one person linked (in the account's scope), and a correction from the page."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.catalogue import CheckCode
from ingest.models import Submission, SubmissionStatus
from tests.dashboard.scenario import AS_OF, FLAGGED_NAME, csrf_token, person
from tests.pipeline import settle
from tests.wire import KOBO_SECRET
from webhook.dashboard.reviews import shown_issues

SignedIn = Callable[[str], FlaskClient]


def dung_id(session: Session) -> int:
    session.rollback()
    found = session.scalar(select(Submission.id).where(Submission.instance_id == "uuid:dung"))
    assert found is not None
    return found


def test_review__date_problem__said_once_in_dd_mm_yyyy(signed_in: SignedIn):
    page = signed_in("quan.tri").get("/review").text

    assert "20/03/2021" in page
    assert "2021-03-20" not in page  # the answer and the problem read the date one way
    assert "Cần xem lại" in page and "gắn cờ" not in page
    # The form's labels, the field's name only as a tooltip.
    assert '<th scope="row" title="install_date">Ngày cài đặt ứng dụng</th>' in page
    assert 'class="code"' not in page


def test_shown_issues__same_field_same_meaning__one_line():
    date_rule = CheckCode.OUTCOME_DATE_AFTER_COLLECTION.message(
        field="Ngày cài đặt", field_en="Install date", value="20/03/2021", day=date(2021, 3, 19)
    )
    issues = [
        {"code": "value.constraint", "path": "install_date",
         "message_vi": "“Ngày cài đặt ứng dụng”: giá trị '2021-03-20' không hợp lệ",
         "message_en": "the value '2021-03-20' is not valid"},
        {"code": "domain.outcome_date_after_collection", "path": "install_date",
         "message_vi": date_rule.vi, "message_en": date_rule.en},
        {"code": "domain.person_two_units", "path": "bhxh_code", "message_vi": "a"},
        {"code": "value.constraint", "path": "bhxh_code", "message_vi": "b"},
    ]  # fmt: skip

    shown = shown_issues(issues)

    assert [(i["code"], i["path"]) for i in shown] == [
        ("value.constraint", "install_date"),
        ("domain.person_two_units", "bhxh_code"),
        ("value.constraint", "bhxh_code"),
    ]
    assert "'20/03/2021'" in shown[0]["message_vi"] and "'20/03/2021'" in shown[0]["message_en"]


def test_review__correct_from_the_page__new_version_counts(signed_in: SignedIn, session: Session):
    admin = signed_in("quan.tri")
    assert "40,0 %" in admin.get(f"/units/27184?as_of={AS_OF}").text
    page = admin.get("/review").text
    assert f'action="/review/{dung_id(session)}/correct"' in page
    reason = "Gọi điện xác nhận: cài ngày 19/03"
    form = {"field": "install_date", "value": "2021-03-19", "why": reason,
            "csrf_token": csrf_token(page)}  # fmt: skip

    done = admin.post(f"/review/{dung_id(session)}/correct", data=form, follow_redirects=True)

    assert done.status_code == 200
    session.rollback()
    new = session.scalar(select(Submission).where(Submission.source == "correction"))
    assert new is not None and new.submitter == "quan.tri"
    assert f"Đã sửa phiếu số {dung_id(session)}: phiên bản mới là phiếu số {new.id}." in done.text
    assert "Gọi điện xác nhận: cài ngày 19/03" in done.text  # who and why on the new version
    assert f"Phiên bản sửa của phiếu số {dung_id(session)}" in done.text
    assert "60,0 %" in admin.get(f"/units/27184?as_of={AS_OF}").text
    assert FLAGGED_NAME not in admin.get("/review").text
    original = admin.get(f"/review/submission/{dung_id(session)}").text
    assert "Đã có phiên bản mới" in original
    assert 'name="decision"' not in original  # history: no decision on a replaced version


def test_review__correct_without_reason__nothing_written(signed_in: SignedIn, session: Session):
    admin = signed_in("quan.tri")
    token = csrf_token(admin.get("/review").text)
    form = {"field": "install_date", "value": "2021-03-19", "why": " ", "csrf_token": token}

    done = admin.post(f"/review/{dung_id(session)}/correct", data=form, follow_redirects=True)

    assert "Không sửa được phiếu" in done.text and "cần ghi lý do" in done.text
    session.rollback()
    assert session.scalar(select(Submission).where(Submission.source == "correction")) is None


def test_review__correct_as_manager_or_without_csrf__refused(signed_in: SignedIn, session: Session):
    manager = signed_in("lanh.dao")
    page = manager.get("/review").text
    assert "Sửa một câu trả lời" not in page
    form = {"field": "install_date", "value": "2021-03-19", "why": "x",
            "csrf_token": csrf_token(page)}  # fmt: skip
    assert manager.post(f"/review/{dung_id(session)}/correct", data=form).status_code == 403
    admin = signed_in("quan.tri")
    del form["csrf_token"]
    assert admin.post(f"/review/{dung_id(session)}/correct", data=form).status_code == 400
    session.rollback()
    assert session.scalar(select(Submission).where(Submission.source == "correction")) is None


def test_review__same_identifier_twice__linked_within_scope(
    signed_in: SignedIn, client: FlaskClient, session: Session
):
    # Dung's code recorded again, in Phường 2: the same person in two units.
    answers = person("0791000004", FLAGGED_NAME, "27190", "nguoi_lao_dong", "account_active",
                     "2021-03-21T09:00:00+07:00")  # fmt: skip
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        data=json.dumps({**answers, "meta/instanceID": "uuid:dung-2"}, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    assert response.status_code == 201
    settle(session)
    other = session.scalar(select(Submission.id).where(Submission.instance_id == "uuid:dung-2"))
    assert session.get(SubmissionStatus, other) is not None

    admin = signed_in("quan.tri").get(f"/review/submission/{dung_id(session)}").text
    unit = signed_in("phuong1").get(f"/review/submission/{dung_id(session)}").text

    assert "Phiếu khác của cùng người này" in admin
    assert f'href="/review/submission/{other}"' in admin and "Phường 2" in admin
    assert f'href="/review/submission/{other}"' not in unit  # Phường 2: not the focal point's
    assert signed_in("phuong1").get(f"/review/submission/{other}").status_code == 404
