"""QR codes on the Collectors page: never silently for an address phones cannot reach, and
"the old code stops working" only for an account that had one."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import User
from tests.conftest import PASSWORD
from tests.dashboard.scenario import csrf_token

SignedIn = Callable[[str], FlaskClient]
OLD_CODE_ENDS = "Mã QR cũ của tài khoản này không còn dùng được"
LAN = "http://192.168.1.20:8000"


def collector(session: Session) -> User:
    session.rollback()
    return session.scalars(select(User).where(User.username == "ctv.an")).one()


def test_qr__no_public_url_on_localhost__warned_and_refused(
    signed_in: SignedIn, session: Session, app: Flask
):
    app.config["PUBLIC_URL"] = None
    admin = signed_in("quan.tri")
    page = admin.get("/collectors").text
    assert 'data-testid="public-url-warning"' in page
    assert "VSSID_PUBLIC_URL" in page and "chưa thể tạo mã QR" in page
    assert "Tạo mã QR</button>" not in page  # nothing to press that cannot work

    done = admin.post(f"/collectors/{collector(session).id}/qr",
                      data={"csrf_token": csrf_token(page)}, follow_redirects=True)  # fmt: skip
    sheet = admin.post("/collectors/sheet/27184", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True)  # fmt: skip

    assert "Chưa tạo mã QR" in done.text and "VSSID_PUBLIC_URL" in done.text
    assert "Chưa tạo mã QR" in sheet.text and "data:image/png" not in sheet.text
    assert collector(session).token_hash is None  # no code issued, none ended


def test_qr__no_public_url_on_a_lan_address__made_with_a_warning(
    signed_in: SignedIn, session: Session, app: Flask
):
    app.config["PUBLIC_URL"] = None
    signed_in("quan.tri")  # the scenario's accounts
    admin = app.test_client()  # a browser on the office network, at the server's LAN address
    login = admin.get("/login", base_url=LAN).text
    form = {"username": "quan.tri", "password": PASSWORD, "csrf_token": csrf_token(login)}
    assert admin.post("/login", data=form, base_url=LAN).status_code == 302
    page = admin.get("/collectors", base_url=LAN).text
    assert "192.168.1.20:8000" in page and "VSSID_PUBLIC_URL" in page

    qr = admin.post(f"/collectors/{collector(session).id}/qr",
                    data={"csrf_token": csrf_token(page)}, base_url=LAN)  # fmt: skip

    assert qr.status_code == 200 and "data:image/png" in qr.text
    assert "Chưa đặt VSSID_PUBLIC_URL" in qr.text and "http://192.168.1.20:8000/key/" in qr.text


def test_qr__first_code__does_not_say_an_old_one_ends(
    signed_in: SignedIn, session: Session, app: Flask
):
    app.config["PUBLIC_URL"] = "https://vssid.example.vn"
    admin = signed_in("quan.tri")
    page = admin.get("/collectors").text
    assert 'data-testid="public-url-warning"' not in page
    url = f"/collectors/{collector(session).id}/qr"

    first = admin.post(url, data={"csrf_token": csrf_token(page)}).text
    second = admin.post(url, data={"csrf_token": csrf_token(page)}).text

    assert "data:image/png" in first and OLD_CODE_ENDS not in first
    assert "Chưa đặt VSSID_PUBLIC_URL" not in first
    assert OLD_CODE_ENDS in second
