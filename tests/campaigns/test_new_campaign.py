"""A fourth campaign added by an administrator with files only: no line of code changes.

In a temporary folder she writes an XLSForm (``etax_install``: staff install the eTax Mobile
app) and its definition (``etax.campaign.toml``), publishes them with ``vssid forms publish
--dir``, lists the campaigns, posts records and asks for the report. The form reuses VssID's
field names (``bhxh_code``, ``status``) on purpose: campaigns never mix, so VssID's numbers
stay what they were. A definition with mistakes is refused with reasons in both languages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from openpyxl import Workbook
from sqlalchemy.orm import Session

from ingest.registry import accounts
from tests.conftest import REALM
from tests.pipeline import settle
from tests.wire import KOBO_SECRET

HEADER = ["type", "name", "label::Tiếng Việt (vi)", "label::English (en)", "required",
          "relevant", "constraint", "bind::vssid:personal"]  # fmt: skip
SURVEY = [
    ["start", "start", None, None, None, None, None, None],
    ["end", "end", None, None, None, None, None, None],
    ["select_one_from_file units.csv", "unit", "Đơn vị", "Unit", "yes", None, None, None],
    ["text", "full_name", "Họ và tên", "Full name", "yes", None, None, "true"],
    ["text", "bhxh_code", "Mã số thuế cá nhân", "Personal tax code", "yes", None,
     "regex(., '^[0-9]{10}$')", "true"],
    ["select_one nhom", "category", "Nhóm", "Group", "yes", None, None, None],
    ["select_one trang_thai", "status", "Tình trạng eTax Mobile", "eTax Mobile status", "yes",
     None, None, None],
    ["select_multiple ly_do", "reasons", "Lý do chưa cài", "Reasons not installed", None,
     "${status} = 'chua_cai'", None, None],
]  # fmt: skip
CHOICES = [
    ["nhom", "can_bo", "Cán bộ", "Officials"],
    ["nhom", "hop_dong", "Hợp đồng", "Contract staff"],
    ["trang_thai", "chua_cai", "Chưa cài đặt", "Not installed"],
    ["trang_thai", "da_cai", "Đã cài đặt", "Installed"],
    ["trang_thai", "da_dang_nhap", "Đã đăng nhập", "Signed in"],
    ["ly_do", "khong_biet", "Chưa biết ứng dụng", "Did not know the app"],
    ["ly_do", "khac", "Lý do khác", "Other reason"],
]  # fmt: skip
DEFINITION = """\
# eTax Mobile: every official installs the tax authority's app.
id = "etax"
title = { vi = "Cài đặt ứng dụng eTax Mobile", en = "eTax Mobile installation" }
forms = ["etax_install.xlsx"]
target_pct = 90
on_track_pct = 60

[person]
identifier = "bhxh_code"
outcome = "status"
category = "category"
reasons = "reasons"

[done]
key = "installed"
values = ["da_cai", "da_dang_nhap"]
label = { vi = "Đã cài đặt", en = "Installed" }

[[levels]]
key = "signed_in"
values = ["da_dang_nhap"]
label = { vi = "Đã đăng nhập", en = "Signed in" }

[report]
agency = "CHI CỤC THUẾ QUẬN 10"
title = { vi = "BÁO CÁO CÀI ĐẶT eTax Mobile" }
"""
ROSTER = (
    "Mã số thuế cá nhân,Họ và tên,Nhóm,Mã đơn vị\n"
    "8001000001,Nguyễn Văn An,Cán bộ,27184\n"
    "8001000002,Trần Thị Bình,Cán bộ,27184\n"
    "8001000003,Lê Văn Cường,Hợp đồng,27184\n"
)


def write_campaign(folder: Path, definition: str = DEFINITION) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(HEADER)
    for row in SURVEY:
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)"])
    for row in CHOICES:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language", "namespaces"])
    settings.append(["Cài đặt eTax Mobile", "etax_install", "2026120601", "Tiếng Việt (vi)",
                     'vssid="urn:vssid:xforms"'])  # fmt: skip
    book.save(folder / "etax_install.xlsx")
    (folder / "etax.campaign.toml").write_text(definition, encoding="utf-8")
    return folder


def post(client: FlaskClient, instance_id: str, code: str, name: str, status: str,
         **extra: str) -> Any:  # fmt: skip
    document = {
        "unit": "27184", "full_name": name, "bhxh_code": code, "category": "can_bo",
        "status": status, "end": "2026-11-20T09:00:00+07:00", "meta/instanceID": instance_id,
        **extra,
    }  # fmt: skip
    return client.post(
        "/kobo/submission?form_id=etax_install",
        data=json.dumps(document, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )


def report(runner: FlaskCliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(
        args=["report", "coverage", "--format", "json", "--as-of", "2026-11-30", *args]
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_fourth_campaign__files_only__published_listed_and_reported(
    published: Any, runner: FlaskCliRunner, client: FlaskClient, session: Session,
    tmp_path: Path,
):  # fmt: skip
    accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
    session.commit()
    # VssID has a person with the code the new campaign will use for someone else.
    vssid_person = {
        "consent": "yes", "unit": "27190", "full_name": "Phạm Văn Dũng", "bhxh_code": "8001000001",
        "category": "cong_chuc", "status": "account_active", "install_date": "2026-11-10",
        "end": "2026-11-10T09:00:00+07:00", "meta/instanceID": "uuid:vssid-1",
    }  # fmt: skip
    assert client.post(
        "/kobo/submission?form_id=vssid_install", data=json.dumps(vssid_person),
        content_type="application/json", headers={"Authorization": f"Token {KOBO_SECRET}"},
    ).status_code == 201  # fmt: skip
    settle(session)
    vssid_before = report(runner)

    folder = write_campaign(tmp_path / "etax")
    published_now = runner.invoke(args=["forms", "publish", "--dir", str(folder)])
    assert published_now.exit_code == 0, published_now.output
    assert "✓ etax.campaign.toml: campaign etax (etax_install) new" in published_now.output
    listed = runner.invoke(args=["campaigns", "list"]).output.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["etax", "vneid", "vssid",
                                                       "vssid_residents"]  # fmt: skip
    assert listed[0].split("\t")[1:] == ["Cài đặt ứng dụng eTax Mobile", "etax_install"]

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    loaded = runner.invoke(
        args=["roster", "import", str(roster), "--campaign", "etax", "--as-of", "2026-11-15"]
    )
    assert loaded.exit_code == 0 and "3 added" in loaded.output, loaded.output
    assert post(client, "uuid:e1", "8001000001", "Nguyễn Văn An", "da_dang_nhap").status_code == 201
    assert post(client, "uuid:e2", "8001000002", "Trần Thị Bình", "da_cai").status_code == 201
    assert post(client, "uuid:e3", "8001000003", "Lê Văn Cường", "chua_cai",
                reasons="khong_biet").status_code == 201  # fmt: skip
    settle(session)

    document = report(runner, "--campaign", "etax")
    (ward,) = [r for r in document["rows"] if r["unit_code"] == "27184"]
    assert (ward["source"], ward["denominator"], ward["done"], ward["done_pct"]) == (
        "roster", 3, 2, 66.7,
    )  # fmt: skip
    assert ward["levels"] == {"installed": 2, "signed_in": 1} and ward["signed_in_pct"] == 33.3
    assert ward["status"] == "on_track"  # the campaign's own thresholds: 90 and 60
    assert document["target_pct"] == 90.0
    categories = {r["category"]: r["name"] for r in report(
        runner, "--campaign", "etax", "--by", "category")["rows"]}  # fmt: skip
    assert categories == {"can_bo": "Cán bộ", "hop_dong": "Hợp đồng"}
    # The same number in VssID is someone else's: VssID's report is what it was.
    assert report(runner) == vssid_before


@pytest.mark.parametrize(
    ("change", "vi", "en"),
    [
        (('values = ["da_cai", "da_dang_nhap"]', 'values = ["da_cai", "installed"]'),
         "phải là các lựa chọn của câu hỏi 'status'", "not valid: installed"),
        (('identifier = "bhxh_code"', 'identifier = "ma_so_thue"'),
         "không biểu mẫu nào của chiến dịch có cả trường 'ma_so_thue'",
         "has both fields 'ma_so_thue'"),
        (('target_pct = 90', 'target_pct = 190'), "target_pct phải là một số từ 0 đến 100",
         "target_pct must be a number from 0 to 100"),
        (('id = "etax"', 'id = "eTax"'), "phải trùng tên tệp", "must match the file name"),
        (("[report]", "[bao_cao]"), "khóa không được hỗ trợ: bao_cao",
         "unsupported keys: bao_cao"),
    ],
)  # fmt: skip
def test_fourth_campaign__mistakes__refused_in_vietnamese_and_english(
    published: Any, runner: FlaskCliRunner, tmp_path: Path, change: tuple[str, str], vi: str,
    en: str,
):  # fmt: skip
    assert change[0] in DEFINITION
    folder = write_campaign(tmp_path / "etax", DEFINITION.replace(*change))
    result = runner.invoke(args=["forms", "publish", "--dir", str(folder)])
    assert result.exit_code == 1
    assert "✗ etax.campaign.toml: [campaign.invalid]" in result.stderr
    assert vi in result.stderr and en in result.stderr
    listed = runner.invoke(args=["campaigns", "list"]).output
    assert "etax" not in listed  # nothing of a refused campaign is stored
