"""The public self-report link over HTTP: the page, its form, where it posts, and the answers
to unknown, expired and revoked links, to too many posts and to mismatched identities."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.db import utcnow
from ingest.models import Person, SelfReportLink, Submission
from ingest.selfreport import links
from tests.pipeline import settle
from tests.selfreport.conftest import BORN, CODE, OTHER_UNIT, UNIT, instance

NS = {"or": "http://openrosa.org/http/response"}


def send(client: FlaskClient, token: str, xml: str, **files: bytes) -> object:
    data: dict[str, object] = {
        "xml_submission_file": (io.BytesIO(xml.encode()), "xml_submission_file", "text/xml")
    }
    for name, body in files.items():
        data[name] = (io.BytesIO(body), name, "image/png")
    return client.post(f"/s/{token}/submission", data=data, content_type="multipart/form-data")


def message(response: object) -> str:
    root = etree.fromstring(response.data)  # type: ignore[attr-defined]
    return root.findtext("or:message", namespaces=NS) or ""


def latest(session: Session) -> Submission:
    session.commit()  # a new snapshot: what the app committed since
    row = session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    assert row is not None
    return row


def test_page__hosts_web_forms__with_its_own_policy(client: FlaskClient, token: str):
    response = client.get(f"/s/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Phường" in html and 'lang="vi"' in html  # the unit, in Vietnamese
    assert f'data-submit-url="/s/{token}/submission"' in html
    assert "/webforms/assets/webform-" in html
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" in policy and "script-src 'self'" in policy
    assert "'unsafe-eval'" not in client.get("/login").headers["Content-Security-Policy"]
    english = client.get(f"/s/{token}?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Report your own" in english


def test_form_xml__in_the_page_language__with_the_link_unit(client: FlaskClient, token: str):
    root = etree.fromstring(client.get(f"/s/{token}/form.xml?lang=en").data)
    xf = {"x": "http://www.w3.org/2002/xforms"}
    default = root.xpath("//x:translation[@default]/@lang", namespaces=xf)
    assert default == ["English (en)"]
    assert root.xpath("//x:instance/x:vssid_selfreport/x:unit/text()", namespaces=xf) == [UNIT]
    vi = etree.fromstring(client.get(f"/s/{token}/form.xml").data)
    assert vi.xpath("//x:translation[@default]/@lang", namespaces=xf) == ["Tiếng Việt (vi)"]


def test_matched_identity__counts__unit_from_the_link(
    client: FlaskClient, session: Session, token: str
):
    # The page claims another unit: the link's unit is stored instead.
    xml = instance(unit=OTHER_UNIT, photo="shot-1.png")
    response = send(client, token, xml, **{"shot-1.png": b"\x89PNG-bytes"})
    assert response.status_code == 201, response.data
    row = latest(session)
    assert row.source == "selfreport" and row.verdict == "accepted", row.issues
    assert f"<unit>{UNIT}</unit>".encode() in row.payload
    assert row.submitter.startswith("selfreport:")
    assert [a.name for a in row.attachments] == ["shot-1.png"]
    settle(session)
    person = session.scalars(select(Person).where(Person.person_key == CODE)).one()
    assert person.unit_code == UNIT and person.done


def test_mismatched_identity__kept_flagged__same_answer(
    client: FlaskClient, session: Session, token: str
):
    matched = send(client, token, instance())
    wrong_birth = send(client, token, instance(code="0791234568", born="1979-01-03"))
    not_on_roster = send(client, token, instance(code="0799999999"))
    other_units = send(client, token, instance(code="0791234569", born="1990-06-30"))
    for response in (wrong_birth, not_on_roster, other_units):
        assert response.status_code == matched.status_code == 201
        assert message(response) == message(matched)  # no roster oracle
    session.expire_all()
    rows = session.scalars(select(Submission).order_by(Submission.id)).all()
    assert [r.verdict for r in rows] == ["accepted", "flagged", "flagged", "flagged"]
    for row in rows[1:]:
        assert [i["code"] for i in row.issues if i.get("blocking")] == ["identity.not_matched"]
    settle(session)
    assert session.scalars(select(Person.person_key)).all() == [CODE]


def test_later_self_report__supersedes_the_earlier(
    client: FlaskClient, session: Session, token: str
):
    now = utcnow()
    first = (now - timedelta(days=2)).isoformat(timespec="milliseconds")
    later = (now - timedelta(hours=1)).isoformat(timespec="milliseconds")
    assert send(client, token, instance(status="not_installed", end=first)).status_code == 201
    settle(session)
    assert not session.scalars(select(Person)).one().done
    assert send(client, token, instance(status="account_active", end=later)).status_code == 201
    settle(session)
    person = session.scalars(select(Person)).one()
    assert person.done and person.outcome == "account_active"


@pytest.mark.parametrize(
    ("state", "status", "words"),
    [
        ("unknown", 404, "không tồn tại"),
        ("expired", 410, "đã hết hạn"),
        ("revoked", 410, "đã bị thu hồi"),
    ],
)
def test_unusable_link__clear_vietnamese_page(
    client: FlaskClient, session: Session, token: str, state: str, status: int, words: str
):
    link = session.scalars(select(SelfReportLink)).one()
    if state == "expired":
        link.expires_at = utcnow() - timedelta(minutes=1)
    elif state == "revoked":
        links.revoke(session, link.id, utcnow())
    session.commit()
    used = "x" * 43 if state == "unknown" else token
    page = client.get(f"/s/{used}")
    assert page.status_code == status
    text = page.get_data(as_text=True)
    assert words in text and 'lang="en"' in text  # Vietnamese, then English
    posted = send(client, used, instance())
    assert posted.status_code == status and words in message(posted)
    assert client.get(f"/s/{used}/form.xml").status_code == status


def test_rate_limits__per_address_then_per_link__429_in_vietnamese(
    app: Flask, client: FlaskClient, session: Session, token: str
):
    app.config["SELFREPORT_POSTS_PER_ADDRESS"] = 2
    for _ in range(2):
        assert send(client, token, instance()).status_code == 201
    refused = send(client, token, instance())
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Thiết bị hoặc mạng này đã gửi nhiều phiếu" in message(refused)
    app.config["SELFREPORT_POSTS_PER_ADDRESS"] = 0
    app.config["SELFREPORT_POSTS_PER_LINK"] = 2
    refused = send(client, token, instance())
    assert refused.status_code == 429 and "qua đường dẫn này" in message(refused)
    session.expire_all()
    rows = session.scalars(select(Submission).order_by(Submission.id)).all()
    assert [r.error_code for r in rows] == [
        None,
        None,
        "selfreport.rate_address",
        "selfreport.rate_link",
    ]  # refused posts are kept without their body, as an account over its quota
    assert rows[2].payload == b"" and rows[2].submitter == rows[0].submitter


def test_other_form__refused_and_kept(client: FlaskClient, session: Session, token: str):
    response = send(client, token, instance(form_id="vssid_install"))
    assert response.status_code == 400 and "vssid_selfreport" in message(response)
    assert latest(session).error_code == "selfreport.wrong_form"


def test_no_xml_part__400(client: FlaskClient, token: str):
    response = client.post(f"/s/{token}/submission", data={"x": "1"})
    assert response.status_code == 400


def test_campaign_without_selfreport_form__no_link(session: Session, rostered: None):
    from ingest.errors import NotFound

    with pytest.raises(NotFound, match="self-report form"):
        links.create(session, campaigns.load(session, "vneid"), UNIT, "admin", utcnow())


def test_retry__same_instance__202_same_words(client: FlaskClient, token: str):
    xml = instance(instance_id="uuid:retry-1")
    first, again = send(client, token, xml), send(client, token, xml)
    assert (first.status_code, again.status_code) == (201, 202)
    assert message(first) == message(again)


def test_birth_date_answer__iso_date_compared(session: Session, rostered: None):
    from ingest.selfreport import identity

    defined = campaigns.load(session, "vssid")
    values = {"bhxh_code": CODE, "birth_date": BORN, "unit": UNIT}
    assert identity.issues(session, defined, values, utcnow()) == []
    values["unit"] = OTHER_UNIT
    assert identity.issues(session, defined, values, utcnow())[0]["code"] == "identity.not_matched"


def test_flagged_self_report__in_the_review_queue__counts_once_accepted(
    client: FlaskClient, session: Session, token: str
):
    from tests.conftest import make_user
    from tests.dashboard.scenario import sign_in

    assert send(client, token, instance(born="1985-04-13")).status_code == 201
    settle(session)
    assert session.scalars(select(Person)).all() == []
    make_user(session, "quan.tri", "admin")
    assert sign_in(client, "quan.tri").status_code == 302
    queue = client.get("/review")
    assert queue.status_code == 200
    assert "ngày sinh không khớp với danh sách của đơn vị" in queue.get_data(as_text=True)
    flagged = latest(session)
    decided = client.post(
        f"/api/v1/submissions/{flagged.id}/review",
        json={"decision": "accept", "reason": "Đã gọi điện xác nhận ngày sinh"},
        auth=("quan.tri", "mật-khẩu-thử-1"),
    )
    assert decided.status_code == 200, decided.data
    settle(session)
    assert session.scalars(select(Person.person_key)).all() == [CODE]


def test_self_report_form__through_collect__checked_against_the_roster_too(
    client: FlaskClient, session: Session, rostered: None
):
    from tests.conftest import make_user

    make_user(session, "ctv.an", "collector")
    auth = ("ctv.an", "mật-khẩu-thử-1")
    data = {"xml_submission_file": (io.BytesIO(instance().encode()), "xml_submission_file")}
    response = client.post("/submission", data=data, auth=auth)
    assert response.status_code == 201
    matched = latest(session)
    assert matched.source == "openrosa" and matched.verdict == "accepted", matched.issues
    no_unit = instance().replace(f"<unit>{UNIT}</unit>", "<unit/>")
    data = {"xml_submission_file": (io.BytesIO(no_unit.encode()), "xml_submission_file")}
    assert client.post("/submission", data=data, auth=auth).status_code == 201
    row = latest(session)
    assert [i["code"] for i in row.issues] == ["identity.not_matched"]
