"""The personal data page (``/privacy``): a person looked up, their file downloaded, their
data erased on request, a campaign purged once due, and the reminder until then."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import AccessLog, Erasure, PrivacyRequest, Submission
from ingest.privacy import traces
from tests.dashboard import scenario
from tests.privacy.conftest import COUNTS, media_dir, snapshot

AN = ("0791000001", "Nguyễn Văn An")
REASON = "Đơn của ông An ngày 01/12/2026"


def browser(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert scenario.sign_in(client, username).status_code == 302
    return client


def token(client: FlaskClient) -> str:
    return scenario.csrf_token(client.get("/privacy").text)


@pytest.mark.parametrize("account", ["lanh.dao", "phuong1"])
def test_privacy_page__not_an_administrator__refused(app: Flask, district: Session, account: str):
    client = browser(app, account)
    assert client.get("/privacy").status_code == 403
    assert "Dữ liệu cá nhân" not in client.get("/").text  # not in their menu
    response = client.post("/privacy/erase", data={"person": AN[0], "reason": "x",
                                                   "kind": "erase", "confirm": AN[0]})  # fmt: skip
    assert response.status_code in (400, 403)
    assert district.scalars(select(Erasure)).all() == []


def test_lookup__what_is_held__recorded_in_the_audit_trail(app: Flask, district: Session):
    client = browser(app, "quan.tri")

    page = client.get(f"/privacy?person={AN[0]}")

    assert page.status_code == 200
    assert AN[1] in page.text and "Xoá vĩnh viễn" in page.text
    rows = [r for r in district.scalars(select(AccessLog)) if r.action == "person_request"]
    assert [(r.account, r.person_key) for r in rows] == [("quan.tri", AN[0])]
    nobody = client.get("/privacy?person=0000000000")
    assert "Không có dữ liệu nào về người có mã 0000000000." in nobody.text


def test_see__downloads_the_persons_file(app: Flask, district: Session):
    client = browser(app, "quan.tri")
    response = client.post("/privacy/see", data={"person": AN[0], "reason": REASON,
                                                 "csrf_token": token(client)})  # fmt: skip
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    book = load_workbook(BytesIO(response.data))
    assert AN[1] in [row[2] for row in book["Danh sách đơn vị"].values]
    district.rollback()
    request = district.scalars(select(PrivacyRequest)).one()
    assert (request.kind, request.person_ref, request.reason) == ("see", AN[0], REASON)


def test_erase__confirmed__gone_and_counts_kept(app: Flask, district: Session):
    client = browser(app, "quan.tri")
    counts = snapshot(district, COUNTS)
    wrong = client.post("/privacy/erase", data={"person": AN[0], "reason": REASON,
                        "kind": "withdraw", "confirm": "079100000", "csrf_token": token(client)},
                        follow_redirects=True)  # fmt: skip
    assert "Hãy gõ lại đúng mã định danh" in wrong.text
    assert district.scalars(select(Erasure)).all() == []

    done = client.post("/privacy/erase", data={"person": AN[0], "reason": REASON,
                       "kind": "withdraw", "confirm": AN[0], "csrf_token": token(client)},
                       follow_redirects=True)  # fmt: skip

    assert "mã định danh không còn ở đâu" in done.text
    assert "Họ tên của người này cũng không còn ở đâu." in done.text
    district.rollback()
    assert traces.find(district, AN, media_dir(app)) == []
    assert snapshot(district, COUNTS) == counts
    assert district.scalars(select(PrivacyRequest.kind)).all() == ["withdraw"]


def test_purge_due__reminder_then_purged_from_the_page(
    app: Flask, district: Session, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("webhook.dashboard.privacy.today", lambda: date(2027, 1, 2))
    admin, manager = browser(app, "quan.tri"), browser(app, "lanh.dao")
    banner = 'data-privacy-due="vssid"'
    assert banner in admin.get("/").text
    assert banner not in manager.get("/").text
    counts = snapshot(district, COUNTS)
    unconfirmed = admin.post("/privacy/purge", data={"campaign_id": "vssid",
                             "csrf_token": token(admin)}, follow_redirects=True)  # fmt: skip
    assert "Hãy đánh dấu ô xác nhận" in unconfirmed.text

    done = admin.post("/privacy/purge", data={"campaign_id": "vssid", "confirm": "yes",
                      "csrf_token": token(admin)}, follow_redirects=True)  # fmt: skip

    assert "số liệu giữ nguyên" in done.text
    assert banner not in admin.get("/").text
    district.rollback()
    assert snapshot(district, COUNTS) == counts
    assert district.scalars(select(Erasure.kind)).all() == ["retention"]


def test_purge__not_due__refused(app: Flask, district: Session, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("webhook.dashboard.privacy.today", lambda: date(2026, 12, 6))
    admin = browser(app, "quan.tri")
    page = admin.get("/privacy")
    assert "Còn 26 ngày" in page.text  # due 01/01/2027
    response = admin.post("/privacy/purge", data={"campaign_id": "vssid", "confirm": "yes",
                          "csrf_token": token(admin)}, follow_redirects=True)  # fmt: skip
    assert "Chưa đến hạn xoá dữ liệu của chiến dịch này." in response.text
    assert district.scalars(select(Erasure)).all() == []


def test_lookup__the_same_name_under_another_identifier__linked(
    app: Flask, runner: Any, district: Session
):
    flagged = district.scalars(select(Submission.id).where(Submission.source == "openrosa"))
    accepted = runner.invoke(args=["review", "accept", str(flagged.one()), "--by", "quan.tri",
                                   "--reason", "Đúng đơn vị"])  # fmt: skip
    assert accepted.exit_code == 0, accepted.output  # now a person: the Collect record's Bình
    client = browser(app, "quan.tri")
    page = client.get("/privacy?person=0791000002")  # Trần Thị Bình, roster and Kobo record
    assert 'data-testid="privacy-namesakes"' in page.text
    assert 'href="/privacy?person=0791234567"' in page.text  # the Collect record's Bình
    alone = client.get(f"/privacy?person={AN[0]}")
    assert 'data-testid="privacy-namesakes"' not in alone.text
