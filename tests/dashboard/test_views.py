"""The dashboard through Flask's test client: sign-in, roles, CSRF, pages and downloads.

Numbers are the hand-computed ones of ``tests/dashboard/scenario.py``.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import Submission, SubmissionStatus, User, WebSession
from ingest.registry import accounts
from tests.conftest import PASSWORD, REALM
from tests.dashboard.scenario import AS_OF, FLAGGED_NAME, csrf_token, sign_in
from tests.wire import KOBO_SECRET

SignedIn = Callable[[str], FlaskClient]
pytestmark = pytest.mark.usefixtures("campaign")


def flagged_id(session: Session) -> int:
    session.rollback()
    found = session.scalar(
        select(Submission.id)
        .join(SubmissionStatus, SubmissionStatus.submission_id == Submission.id)
        .where(Submission.instance_id == "uuid:dung", SubmissionStatus.review_state == "flagged")
    )
    assert found is not None
    return found


# --- sign-in ------------------------------------------------------------------------------


def test_login_page__vietnamese_form_with_csrf_token(client: FlaskClient):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Đăng nhập" in page.text and "Mật khẩu" in page.text
    assert csrf_token(page.text)


@pytest.mark.parametrize("path", ["/", "/units/27184", "/review", "/collectors",
                                  "/download/coverage.csv", "/charts/trend.svg"])  # fmt: skip
def test_pages__not_signed_in__sent_to_sign_in(client: FlaskClient, path: str):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login__right_password__coverage_page(client: FlaskClient):
    response = sign_in(client, "quan.tri")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get(f"/?as_of={AS_OF}")
    assert page.status_code == 200
    assert "21,1 %" in page.text  # district: 4 of 19
    assert "Số liệu tính đến hết ngày 31/03/2021" in page.text


def test_login__next__back_where_asked_but_never_off_site(client: FlaskClient):
    page = client.get("/login?next=/review")
    token = csrf_token(page.text)
    form = {"username": "lanh.dao", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login?next=/review", data=form).headers["Location"] == "/review"
    other = client.application.test_client()
    token = csrf_token(other.get("/login").text)
    form["csrf_token"] = token
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = other.post(f"/login?next={target}", data=form)
        assert response.headers["Location"] == "/", target
        other.post("/logout", data={"csrf_token": csrf_token(other.get("/").text)})
        form["csrf_token"] = csrf_token(other.get("/login").text)


#: ``next`` as it arrives in the query string: browsers treat any run of slashes and
#: backslashes after the scheme as the start of another host, and ignore tabs and newlines.
OFF_SITE = [
    "next=////evil.example/",
    "next=///evil.example/",
    "next=//evil.example",
    "next=/\\evil.example",
    "next=%2F%5Cevil.example",
    "next=\\/evil.example",
    "next=%2F%2Fevil.example",
    "next=%2F%09%2Fevil.example",
    "next=/%0A/evil.example",
    "next=http://evil.example/",
    "next=HTTPS:evil.example",
    "next=javascript:alert(document.cookie)",
    "next=%20//evil.example",
    "next=evil.example",
]


@pytest.mark.parametrize("query", OFF_SITE)
def test_login__next_off_site__coverage_page_instead(signed_in: SignedIn, query: str):
    browser = signed_in("lanh.dao")  # GET /login of a signed-in browser redirects too
    assert browser.get(f"/login?{query}").headers["Location"] == "/"
    other = browser.application.test_client()
    token = csrf_token(other.get("/login").text)
    form = {"username": "lanh.dao", "password": PASSWORD, "csrf_token": token}
    assert other.post(f"/login?{query}", data=form).headers["Location"] == "/"


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("next=/units/27184", "/units/27184"),
        ("next=/review%3Fstatus%3Dflagged", "/review?status=flagged"),
        ("next=%2F%252F%252Fevil.example", "/%2F%2Fevil.example"),  # a path here, not a host
    ],
)
def test_login__next_on_this_site__kept(
    client: FlaskClient, campaign: None, query: str, location: str
):
    token = csrf_token(client.get("/login").text)
    form = {"username": "lanh.dao", "password": PASSWORD, "csrf_token": token}
    assert client.post(f"/login?{query}", data=form).headers["Location"] == location


@pytest.mark.parametrize("username", ["quan.tri", "không-có-ai"])
def test_login__wrong_password_or_unknown_user__same_message(client: FlaskClient, username: str):
    response = sign_in(client, username, "sai-mật-khẩu")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert client.get("/").status_code == 302  # still not signed in


def test_login__five_failures__locked_out_even_with_right_password(app: Flask, client: FlaskClient):
    for _ in range(5):
        assert sign_in(client, "quan.tri", "sai-mật-khẩu").status_code == 401
    locked = sign_in(client, "quan.tri")
    assert locked.status_code == 429
    assert "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in locked.text
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    # Another account from the same address is not locked out.
    assert sign_in(app.test_client(), "lanh.dao").status_code == 302
    # Fifteen minutes later the account may try again.
    limiter = app.extensions["vssid.signin_throttle"]
    limiter.clock = lambda: time.time() + 15 * 60 + 1
    assert sign_in(client, "quan.tri").status_code == 302


@pytest.mark.parametrize(
    ("username", "words"),
    [("ctv.an", "chỉ dùng để gửi phiếu từ ODK Collect"), ("kobo", "Tài khoản tích hợp")],
)
def test_login__collector_or_integration__refused_with_a_clear_message(
    client: FlaskClient, username: str, words: str
):
    password = PASSWORD if username != "kobo" else KOBO_SECRET
    response = sign_in(client, username, password)
    assert response.status_code == 403
    assert words in response.text
    assert client.get("/").status_code == 302


def test_logout__ends_the_session(signed_in: SignedIn):
    browser = signed_in("lanh.dao")
    token = csrf_token(browser.get("/").text)
    response = browser.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert browser.get("/").status_code == 302
    assert "Đã đăng xuất." in browser.get("/login").text


def test_logout__a_copied_cookie_opens_nothing_any_more(app: Flask, signed_in: SignedIn):
    """Signing out ends the session on the server: a copy of the cookie taken before (a
    shared computer, a stolen cookie) no longer opens a page or the API."""
    browser = signed_in("phuong1")
    cookie = browser.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get(f"/units/27184?as_of={AS_OF}").status_code == 200  # the copy works …
    browser.post("/logout", data={"csrf_token": csrf_token(browser.get("/").text)})
    page = thief.get(f"/units/27184?as_of={AS_OF}")  # … until the owner signs out
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert thief.get("/api/v1/coverage").status_code == 401
    assert "Hoàng Văn Em" not in thief.get("/units/27184", follow_redirects=True).text


def test_logout__on_one_browser__others_stay_signed_in(signed_in: SignedIn):
    phone, desk = signed_in("lanh.dao"), signed_in("lanh.dao")
    phone.post("/logout", data={"csrf_token": csrf_token(phone.get("/").text)})
    assert phone.get("/").status_code == 302
    assert desk.get("/").status_code == 200


def test_session__older_than_sign_in_hours__signed_out(signed_in: SignedIn, session: Session):
    browser = signed_in("lanh.dao")
    for row in session.scalars(select(WebSession)):
        row.signed_in_at -= timedelta(hours=8, seconds=1)
    session.commit()
    assert browser.get("/").status_code == 302


def test_session__password_changed__signed_out(signed_in: SignedIn, session: Session):
    browser = signed_in("lanh.dao")
    user = session.scalars(select(User).where(User.username == "lanh.dao")).one()
    accounts.set_password(user, "mật-khẩu-mới-2021", REALM)
    session.commit()
    assert browser.get("/").status_code == 302


def test_session_cookie__httponly_samesite_lax(client: FlaskClient):
    response = sign_in(client, "lanh.dao")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_session_cookie__secure_when_public_url_is_https(engine, database_url, tmp_path):
    from webhook import create_app

    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
              "MEDIA_DIR": str(tmp_path), "PUBLIC_URL": "https://vssid.example.vn"}  # fmt: skip
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
    app.extensions["vssid.db"].engine.dispose()


# --- CSRF ---------------------------------------------------------------------------------


def test_csrf__forms_without_token__refused(client: FlaskClient, signed_in: SignedIn):
    login = client.post("/login", data={"username": "quan.tri", "password": PASSWORD})
    assert login.status_code == 400
    assert "Biểu mẫu đã hết hạn hoặc không hợp lệ" in login.text
    admin = signed_in("quan.tri")
    assert admin.post("/logout").status_code == 400
    decide = admin.post("/review/1", data={"decision": "accept", "reason": "ok"})
    assert decide.status_code == 400
    create = admin.post("/collectors", data={"username": "x.y", "password": "12345678"})
    assert create.status_code == 400


def test_csrf__api_with_session_needs_token_api_with_basic_does_not(
    signed_in: SignedIn, session: Session, client: FlaskClient
):
    submission = flagged_id(session)
    url = f"/api/v1/submissions/{submission}/review"
    body = {"decision": "reject", "reason": "thử"}
    admin = signed_in("quan.tri")
    assert admin.post(url, json=body).status_code == 400  # session, no token
    token = csrf_token(admin.get("/").text)
    assert admin.post(url, json=body, headers={"X-CSRFToken": token}).status_code == 200
    basic = client.post(url, json={"decision": "accept", "reason": "thử lại"},
                        auth=("quan.tri", PASSWORD))  # fmt: skip
    assert basic.status_code == 200


def test_api__signed_in_session_is_accepted_for_reading(signed_in: SignedIn, client: FlaskClient):
    assert client.get("/api/v1/coverage").status_code == 401
    document = signed_in("lanh.dao").get(f"/api/v1/coverage?as_of={AS_OF}").json
    assert document["total"]["installed_pct"] == 21.1


def test_openrosa__does_not_accept_the_session(signed_in: SignedIn):
    assert signed_in("quan.tri").get("/formList").status_code == 401


# --- roles --------------------------------------------------------------------------------


def test_manager__numbers_without_names(signed_in: SignedIn, session: Session):
    manager = signed_in("lanh.dao")
    unit = manager.get(f"/units/27184?as_of={AS_OF}")
    assert unit.status_code == 200
    assert "40,0 %" in unit.text
    assert "Hoàng Văn Em" not in unit.text and "0791000005" not in unit.text
    assert "Danh sách tên chỉ hiển thị cho quản trị viên" in unit.text
    review = manager.get("/review")
    assert review.status_code == 200
    assert FLAGGED_NAME not in review.text and "P. T. D." in review.text
    assert "Chỉ xem" in review.text and 'name="decision"' not in review.text
    token = csrf_token(review.text)
    form = {"decision": "accept", "reason": "x", "csrf_token": token}
    decide = manager.post(f"/review/{flagged_id(session)}", data=form)
    assert decide.status_code == 403
    assert manager.get("/collectors").status_code == 403


def test_manager__excel_without_personal_sheet(signed_in: SignedIn):
    response = signed_in("lanh.dao").get(f"/download/coverage.xlsx?as_of={AS_OF}")
    book = load_workbook(io.BytesIO(response.data))
    assert "Danh sách chưa cài đặt" not in book.sheetnames
    assert not any(
        "Hoàng Văn Em" in str(cell.value) for ws in book for row in ws.iter_rows() for cell in row
    )


def test_admin__unit_page_lists_who_has_not_installed(signed_in: SignedIn):
    page = signed_in("quan.tri").get(f"/units/27184?as_of={AS_OF}")
    text = page.text
    assert "Hoàng Văn Em" in text and "0791000005" in text
    assert "Không muốn cài đặt" in text and "Lý do khác" in text  # reasons, in Vietnamese
    assert "Không có điện thoại thông minh" in text
    assert "Đã cài đặt nhưng không có trong danh sách" in text and "Vũ Văn Phúc" in text
    assert "<h2>Danh sách chưa cài đặt</h2>" in text  # the campaign's not_label
    assert ">Mã số BHXH</button>" in text  # the identifier's label in the form
    assert "Có điện thoại thông minh nhưng chưa cài đặt VssID" in text  # Em's outcome
    listed = text.split('<section class="card" id="not-done">')[1]
    assert "Nguyễn Văn An" not in listed  # installed: not listed


def test_unit_user__own_units_only_everywhere(signed_in: SignedIn):
    unit = signed_in("phuong1")
    home = unit.get(f"/?as_of={AS_OF}")
    assert home.status_code == 200
    assert '<span data-testid="scope">Phường 1</span>' in home.text
    assert "Phường 2" not in home.text and "Phòng Nội vụ" not in home.text
    assert "40,0 %" in home.text
    own = unit.get(f"/units/27184?as_of={AS_OF}")
    assert own.status_code == 200 and "Hoàng Văn Em" in own.text
    for path in (
        "/units/27190",
        "/download/coverage.xlsx?unit=27190",
        "/download/coverage.csv?unit=27190",
        "/download/coverage.json?unit=27190",
        "/charts/trend.svg?unit=27190",
        "/api/v1/units/27190",
    ):
        assert unit.get(path).status_code == 403, path
    assert unit.get("/collectors").status_code == 403
    document = json.loads(unit.get(f"/download/coverage.json?as_of={AS_OF}").data)
    assert [row["unit_code"] for row in document["rows"]] == ["27184"]


def test_unit_user__review_queue_limited_to_own_units(signed_in: SignedIn):
    page = signed_in("phuong1").get("/review")
    assert FLAGGED_NAME in page.text  # personal data for the unit's focal point
    assert "Chỉ xem" in page.text


# --- pages --------------------------------------------------------------------------------


def test_coverage__big_numbers_groups_and_unknown_units(signed_in: SignedIn):
    text = signed_in("lanh.dao").get(f"/?as_of={AS_OF}").text
    expected = ("21,1 %", "15,8 %", ">19<", ">15<", "Phòng, ban", "Phường", "Đơn vị khai báo",
                "Danh sách", "Chậm", "Mục tiêu: <strong>100 %", "45 đơn vị chưa rõ")  # fmt: skip
    for words in expected:
        assert words in text, words
    assert text.index('data-unit="Q10-NV"') < text.index('data-unit="27184"')  # kinds in order


def test_coverage__category_and_kind_filters(signed_in: SignedIn):
    manager = signed_in("lanh.dao")
    workers = manager.get(f"/?as_of={AS_OF}&category=nguoi_lao_dong").text
    assert "0,0 %" in workers and "Người lao động" in workers  # Dung flagged, Em declined
    wards = manager.get(f"/?as_of={AS_OF}&kind=ward").text
    assert "42,9 %" in wards  # 3 of 7 on the wards' rosters
    assert "Phòng Nội vụ" not in wards


@pytest.mark.parametrize(
    "query", ["as_of=31.03.2021", "as_of=31/13/2021", "kind=school", "category=x"]
)
def test_coverage__bad_query__400_page(signed_in: SignedIn, query: str):
    response = signed_in("lanh.dao").get(f"/?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_unit__unknown__404_page(signed_in: SignedIn):
    response = signed_in("quan.tri").get("/units/KHONG-CO")
    assert response.status_code == 404 and "Không tìm thấy" in response.text


def test_review__accept__coverage_changes(signed_in: SignedIn, session: Session):
    admin = signed_in("quan.tri")
    assert "40,0 %" in admin.get(f"/units/27184?as_of={AS_OF}").text
    page = admin.get("/review")
    assert FLAGGED_NAME in page.text
    assert "Ngày cài đặt ứng dụng" in page.text  # the form's own label beside the value
    assert "20/03/2021" in page.text
    submission = flagged_id(session)
    form = {"decision": "accept", "reason": "Đã gọi xác nhận ngày cài đặt",
            "csrf_token": csrf_token(page.text)}  # fmt: skip
    done = admin.post(f"/review/{submission}", data=form, follow_redirects=True)
    assert f"Đã chấp nhận phiếu số {submission}." in done.text
    assert FLAGGED_NAME not in done.text  # out of the queue
    assert "60,0 %" in admin.get(f"/units/27184?as_of={AS_OF}").text
    assert "26,3 %" in admin.get(f"/?as_of={AS_OF}").text
    accepted = admin.get("/review?status=accepted").text
    assert "Đã gọi xác nhận ngày cài đặt" in accepted


def test_review__without_reason__nothing_recorded(signed_in: SignedIn, session: Session):
    admin = signed_in("quan.tri")
    token = csrf_token(admin.get("/review").text)
    submission = flagged_id(session)
    form = {"decision": "accept", "reason": "  ", "csrf_token": token}
    done = admin.post(f"/review/{submission}", data=form, follow_redirects=True)
    assert "Không ghi nhận được quyết định" in done.text
    assert flagged_id(session) == submission  # still flagged


# --- downloads and charts -----------------------------------------------------------------


def test_downloads__xlsx_csv_json_with_their_types(signed_in: SignedIn, client: FlaskClient):
    admin = signed_in("quan.tri")
    xlsx = admin.get(f"/download/coverage.xlsx?as_of={AS_OF}")
    assert xlsx.status_code == 200
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename=bao-cao-vssid-2021-03-31.xlsx" in xlsx.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.data))
    assert "Danh sách chưa cài đặt" in book.sheetnames  # admin: personal data allowed
    csv = admin.get(f"/download/coverage.csv?as_of={AS_OF}&by=kind")
    assert csv.mimetype == "text/csv" and csv.data.startswith("\ufeff".encode())
    assert "Phường" in csv.data.decode("utf-8-sig")
    document = admin.get(f"/download/coverage.json?as_of={AS_OF}")
    assert document.mimetype == "application/json"
    api = client.get(f"/api/v1/coverage?as_of={AS_OF}", auth=("quan.tri", PASSWORD)).json
    assert json.loads(document.data) == api


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ],
)
def test_downloads__no_store_and_one_charset(signed_in: SignedIn, fmt: str, content_type: str):
    """Names, identifiers, a unit's own figures: kept by no cache (issue 13, findings 10, 12)."""
    response = signed_in("quan.tri").get(f"/download/coverage.{fmt}?as_of={AS_OF}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == content_type


def test_download__unknown_format_or_by__refused(signed_in: SignedIn):
    admin = signed_in("quan.tri")
    assert admin.get("/download/coverage.docx").status_code == 404
    assert admin.get("/download/coverage.csv?by=person").status_code == 400


@pytest.mark.parametrize(("path", "mimetype"), [
    ("/charts/coverage.svg", "image/svg+xml"),
    ("/charts/coverage.png", "image/png"),
    ("/charts/trend.svg?unit=27184", "image/svg+xml"),
])  # fmt: skip
def test_charts__images(signed_in: SignedIn, path: str, mimetype: str):
    response = signed_in("lanh.dao").get(f"{path}{'&' if '?' in path else '?'}as_of={AS_OF}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert len(response.data) > 1000


# --- collectors ---------------------------------------------------------------------------


def test_collectors__create_account_then_qr_code(signed_in: SignedIn, session: Session, app: Flask):
    app.config["PUBLIC_URL"] = "https://vssid.example.vn"
    admin = signed_in("quan.tri")
    page = admin.get("/collectors")
    assert "ctv.an" in page.text
    form = {"username": "ctv.binh", "unit": "27190", "password": "mật-khẩu-ctv-1",
            "csrf_token": csrf_token(page.text)}  # fmt: skip
    created = admin.post("/collectors", data=form, follow_redirects=True)
    assert "Đã tạo tài khoản ctv.binh." in created.text
    user = session.scalars(select(User).where(User.username == "ctv.binh")).one()
    assert (user.role, user.unit_code, user.token_hash) == ("collector", "27190", None)
    token = csrf_token(created.text)
    qr = admin.post(f"/collectors/{user.id}/qr", data={"csrf_token": token})
    assert qr.status_code == 200
    assert 'src="data:image/png;base64,' in qr.text
    assert "Cài ODK Collect → Cấu hình bằng mã QR → quét mã" in qr.text
    # The server URL holds the token: shown masked (webhook.onboarding.masked), never in clear.
    # (a URL-safe token: its last four characters are letters, digits, "-" or "_")
    assert re.search(r"https://vssid.example.vn/key/\*{8,}[\w-]{4}<", qr.text)
    session.rollback()  # a new transaction sees what the app committed
    assert user.token_hash is not None


def test_collectors__duplicate_username__message(signed_in: SignedIn):
    admin = signed_in("quan.tri")
    form = {"username": "ctv.an", "password": "mật-khẩu-ctv-1",
            "csrf_token": csrf_token(admin.get("/collectors").text)}  # fmt: skip
    done = admin.post("/collectors", data=form, follow_redirects=True)
    assert "Không tạo được tài khoản" in done.text


def test_collectors__printable_sheet_per_unit(signed_in: SignedIn, session: Session, app: Flask):
    app.config["PUBLIC_URL"] = "https://vssid.example.vn"
    admin = signed_in("quan.tri")
    confirm = admin.get("/collectors/sheet/27184")
    assert confirm.status_code == 200 and "1 cộng tác viên" in confirm.text
    sheet = admin.post("/collectors/sheet/27184", data={"csrf_token": csrf_token(confirm.text)})
    assert sheet.status_code == 200
    assert sheet.text.count('src="data:image/png;base64,') == 1
    assert "Cài ODK Collect → Cấu hình bằng mã QR → quét mã" in sheet.text
    assert "Phường 1" in sheet.text
    user = session.scalars(select(User).where(User.username == "ctv.an")).one()
    assert user.token_hash is not None


# --- language and headers -----------------------------------------------------------------


def test_language__english_on_request_and_remembered(signed_in: SignedIn):
    manager = signed_in("lanh.dao")
    english = manager.get(f"/?as_of={AS_OF}&lang=en")
    assert '<html lang="en">' in english.text
    assert "VssID – Digital Social Insurance app installation" in english.text
    assert "21.1%" in english.text and ">Installed (%)</button>" in english.text
    assert "Figures as of the end of 31 Mar 2021" in english.text
    again = manager.get(f"/units/27184?as_of={AS_OF}")
    assert "By category" in again.text and "40.0%" in again.text
    back = manager.get("/?lang=vi")
    assert "Cài đặt ứng dụng VssID – BHXH số" in back.text


def test_pages__security_headers(signed_in: SignedIn):
    response = signed_in("lanh.dao").get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "https://" not in response.text.split("<main")[0]  # no CDN in the layout


def test_manager__pdf_to_sign_without_personal_data(signed_in: SignedIn):
    response = signed_in("lanh.dao").get(f"/download/coverage.pdf?as_of={AS_OF}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "coverage" not in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "PHỤ LỤC" in text and "Nơi nhận:" in text and "Phường 1" in text
    assert "Hoàng Văn Em" not in text and "0791000005" not in text
    home = signed_in("lanh.dao").get(f"/?as_of={AS_OF}")
    assert "/download/coverage.pdf" in home.text


def test_home__data_ended__opens_on_its_last_day_and_says_so(signed_in: SignedIn):
    """The scenario's data ends on 23/03/2021 (Khoa's record): without a date the dashboard
    opens on that day, not on today's flat line, and says why; a date asked for is kept."""
    manager = signed_in("lanh.dao")
    home = manager.get("/")
    assert home.status_code == 200
    assert 'name="as_of" value="23/03/2021"' in home.text
    assert 'data-testid="data-ends"' in home.text and "dừng ở ngày 23/03/2021" in home.text
    assert "/download/coverage.pdf?as_of=2021-03-23" in home.text  # downloads of that day too
    asked = manager.get(f"/?as_of={AS_OF}")
    assert 'name="as_of" value="31/03/2021"' in asked.text
    assert 'data-testid="data-ends"' not in asked.text
    unit = manager.get("/units/27184")
    assert 'value="2021-03-23"' in unit.text and 'data-testid="data-ends"' in unit.text
