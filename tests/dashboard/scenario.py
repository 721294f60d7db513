"""A small campaign for the dashboard's tests, with its numbers computed by hand.

District 10's 48 units; as of 31/03/2021:

- Phường 1 (27184), roster of 5: An (công chức, active), Bình (công chức, installed, no
  account), Cường (viên chức, no smartphone), Dung (người lao động: recorded active on
  19/03 with an install date of 20/03, so flagged until a reviewer accepts it), Em (người lao
  động, not installed: declined). Phúc is installed and recorded in Phường 1 but not on its
  roster (a finding). → 2/5 = 40,0 %; after accepting Dung 3/5 = 60,0 %.
- Phường 2 (27190), roster of 2: Giang (active), Hà (no record). → 1/2 = 50,0 %.
- Phòng Nội vụ (Q10-NV), declared 10 công chức + 2 người lao động: Khoa active. → 1/12 = 8,3 %.
- The 45 other units have no denominator. District: 4/19 = 21,1 %; after accepting 5/19 = 26,3 %.

Accounts (password ``PASSWORD``): ``quan.tri`` admin, ``lanh.dao`` manager, ``phuong1`` unit
of Phường 1, ``ctv.an`` collector (Phường 1), ``kobo`` integration.

The other shipped campaigns (:func:`load_others`), as of the same day:

- ``vneid``: Phường 1's roster of 3 (by CCCD): An activated level 2, Bình waiting for the
  police, Cường not registered (no chip-based card). → 1/3 = 33,3 %. A record with an
  11-digit CCCD is flagged.
- ``vssid_residents`` (counts only): Phường 1 helped 35 of its 17.850 residents and reached
  120 (0,2 %; reached 0,7 %).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from ingest.registry import accounts
from tests.conftest import PASSWORD, REALM, make_user
from tests.pipeline import settle
from tests.wire import KOBO_SECRET

AS_OF = "2021-03-31"
ROSTER = """Mã số BHXH,Họ và tên,Ngày sinh,Đối tượng,Mã đơn vị
0791000001,Nguyễn Văn An,12/04/1985,Công chức,27184
0791000002,Trần Thị Bình,01/01/1990,Công chức,27184
0791000003,Lê Văn Cường,1979-07-30,Viên chức,27184
0791000004,Phạm Thị Dung,,Người lao động,27184
0791000005,Hoàng Văn Em,,Người lao động,27184
0792000001,Đỗ Thị Giang,,Công chức,27190
0792000002,Vũ Thu Hà,,Công chức,27190
"""
DECLARED = """code,name_vi,kind,headcount_cong_chuc,headcount_vien_chuc,headcount_nguoi_lao_dong
Q10-NV,Phòng Nội vụ Quận 10,department,10,,2
"""
INSTALLED = ("installed_no_account", "registered_pending", "account_active")
USERS = {
    "quan.tri": ("admin", None),
    "lanh.dao": ("manager", None),
    "phuong1": ("unit", "27184"),
    "ctv.an": ("collector", "27184"),
}
FLAGGED_NAME = "Phạm Thị Dung"


def person(code: str, name: str, unit: str, category: str, app_state: str, end: str,
           **extra: Any) -> dict[str, Any]:  # fmt: skip
    answers: dict[str, Any] = {
        "consent": "yes", "unit": unit, "full_name": name, "bhxh_code": code,
        "category": category, "status": app_state, "end": end,
    }  # fmt: skip
    if app_state in INSTALLED:
        answers["install_date"] = extra.pop("install_date", end[:10])
    else:
        answers["reasons"] = extra.pop("reasons", "declined")
    return {**answers, **extra}


SUBMISSIONS: list[tuple[str, dict[str, Any]]] = [
    ("uuid:an", person("0791000001", "Nguyễn Văn An", "27184", "cong_chuc", "account_active",
                       "2021-03-16T09:00:00+07:00")),
    ("uuid:binh", person("0791000002", "Trần Thị Bình", "27184", "cong_chuc",
                         "installed_no_account", "2021-03-17T09:10:00+07:00")),
    ("uuid:cuong", person("0791000003", "Lê Văn Cường", "27184", "vien_chuc", "no_smartphone",
                          "2021-03-16T10:00:00+07:00", reasons="no_smartphone")),
    ("uuid:dung", person("0791000004", FLAGGED_NAME, "27184", "nguoi_lao_dong",
                         "account_active", "2021-03-19T16:50:00+07:00",
                         install_date="2021-03-20")),
    ("uuid:em", person("0791000005", "Hoàng Văn Em", "27184", "nguoi_lao_dong",
                       "not_installed", "2021-03-18T08:00:00+07:00",
                       reasons="declined other", reason_other="Chưa sắp xếp được thời gian")),
    ("uuid:phuc", person("0791000099", "Vũ Văn Phúc", "27184", "cong_chuc", "account_active",
                         "2021-03-18T08:30:00+07:00")),
    ("uuid:giang", person("0792000001", "Đỗ Thị Giang", "27190", "cong_chuc", "account_active",
                          "2021-03-22T08:00:00+07:00")),
    ("uuid:khoa", person("0793000001", "Cao Minh Khoa", "Q10-NV", "cong_chuc", "account_active",
                         "2021-03-23T09:00:00+07:00")),
]  # fmt: skip


def load(client: FlaskClient, runner: FlaskCliRunner, session: Session, folder: Path) -> None:
    """Rosters, declared headcounts, accounts and submissions (through the Kobo hook)."""
    roster = folder / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    result = runner.invoke(args=["roster", "import", str(roster), "--as-of", "2021-03-01"])
    assert result.exit_code == 0, result.output
    declared = folder / "units.csv"
    declared.write_text(DECLARED, encoding="utf-8")
    assert runner.invoke(args=["units", "import", str(declared)]).exit_code == 0
    accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
    session.commit()
    for username, (role, unit) in USERS.items():
        make_user(session, username, role, unit_code=unit)
    for instance_id, answers in SUBMISSIONS:
        response = client.post(
            "/kobo/submission?form_id=vssid_install",
            data=json.dumps({**answers, "meta/instanceID": instance_id}, ensure_ascii=False),
            content_type="application/json",
            headers={"Authorization": f"Token {KOBO_SECRET}"},
        )
        assert response.status_code == 201, response.json
    settle(session)


VNEID_ROSTER = """cccd,Họ và tên,Đối tượng,Mã đơn vị
001085000001,Nguyễn Văn An,Công chức,27184
001090000002,Trần Thị Bình,Công chức,27184
001079000003,Lê Văn Cường,Viên chức,27184
"""
VNEID_FLAGGED_CCCD = "00108500009"  # 11 digits


def vneid_person(cccd: str, name: str, category: str, status: str, end: str,
                 **extra: Any) -> dict[str, Any]:  # fmt: skip
    answers: dict[str, Any] = {
        "consent": "yes", "unit": "27184", "full_name": name, "cccd": cccd,
        "category": category, "vneid_status": status, "end": end,
    }  # fmt: skip
    if status == "activated_level2":
        answers["activation_date"] = end[:10]
    return {**answers, **extra}


OTHER_SUBMISSIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("vneid_level2", "uuid:vneid-an", vneid_person(
        "001085000001", "Nguyễn Văn An", "cong_chuc", "activated_level2",
        "2021-03-20T09:00:00+07:00")),
    ("vneid_level2", "uuid:vneid-binh", vneid_person(
        "001090000002", "Trần Thị Bình", "cong_chuc", "pending_level2",
        "2021-03-21T09:00:00+07:00", reasons="awaiting_police")),
    ("vneid_level2", "uuid:vneid-cuong", vneid_person(
        "001079000003", "Lê Văn Cường", "vien_chuc", "not_registered",
        "2021-03-22T09:00:00+07:00", reasons="no_chip_cccd")),
    ("vneid_level2", "uuid:vneid-flagged", vneid_person(
        VNEID_FLAGGED_CCCD, "Đinh Văn Sai", "cong_chuc", "activated_level2",
        "2021-03-23T09:00:00+07:00")),
    ("vssid_residents_outreach", "uuid:outreach-1", {
        "unit": "27184", "report_date": "2021-03-20", "activity": "meeting",
        "residents_reached": 120, "residents_helped": 35, "end": "2021-03-20T17:00:00+07:00",
    }),
]  # fmt: skip


def load_others(client: FlaskClient, runner: FlaskCliRunner, session: Session,
                folder: Path) -> None:  # fmt: skip
    """The VNeID roster and records and a residents' outreach report (after :func:`load`)."""
    roster = folder / "vneid_roster.csv"
    roster.write_text(VNEID_ROSTER, encoding="utf-8")
    result = runner.invoke(
        args=["roster", "import", str(roster), "--campaign", "vneid", "--as-of", "2021-03-01"]
    )
    assert result.exit_code == 0, result.output
    for form_id, instance_id, answers in OTHER_SUBMISSIONS:
        response = client.post(
            f"/kobo/submission?form_id={form_id}",
            data=json.dumps({**answers, "meta/instanceID": instance_id}, ensure_ascii=False),
            content_type="application/json",
            headers={"Authorization": f"Token {KOBO_SECRET}"},
        )
        assert response.status_code == 201, response.json
    settle(session)


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of a dashboard page."""
    match = TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the form, as a browser does (the CSRF token from the page)."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )
