"""Onboarding phones by QR code (``vssid collect-qr``) and the ``vssid demo`` command.

The QR code is read back with a real decoder (``zbarimg``, Debian's zbar-tools) and the
server URL it holds is used as ODK Collect would use it: ``<server_url>/formList``.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.errors import ErrorCode, InvalidInput
from ingest.models import RosterEntry, Submission, User
from ingest.submissions import intake
from tests.conftest import make_user
from webhook import onboarding

SERVER = "https://bhxh-q10.example.vn"
#: The shipped campaigns' titles (forms/*.campaign.toml).
VSSID = "Cài đặt ứng dụng VssID – BHXH số"
VNEID = "Kích hoạt định danh điện tử mức độ 2 (VNeID)"
XFORMS_LIST = {"x": "http://openrosa.org/xforms/xformsList"}

requires_zbar = pytest.mark.skipif(
    shutil.which("zbarimg") is None, reason="zbarimg not installed (apt-get install zbar-tools)"
)


def scan(png: Path) -> str:
    """What a QR scanner reads from ``png``."""
    done = subprocess.run(
        ["zbarimg", "--raw", "--quiet", str(png)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def make_qr(runner: FlaskCliRunner, png: Path, *args: str, user: str = "thu.nguyen") -> str:
    result = runner.invoke(args=["collect-qr", user, "--out", str(png), *args])
    assert result.exit_code == 0, result.output
    return result.output


def token_path(settings: dict[str, object]) -> str:
    general = settings["general"]
    assert isinstance(general, dict)
    return urlsplit(general["server_url"]).path


def test_collect_settings__the_sections_and_keys_collect_reads():
    settings = onboarding.collect_settings(f"{SERVER}/key/abc", "thu.nguyen", "VssID – Phường 1")

    assert settings["general"] == {
        "protocol": "odk_default",
        "server_url": f"{SERVER}/key/abc",
        "metadata_username": "thu.nguyen",
        "form_update_mode": "match_exactly",
        "autosend": "wifi_and_cellular",
        "delete_send": True,
    }
    assert "password" not in settings["general"]
    assert settings["admin"] == {"change_server": False}
    assert settings["project"] == {"name": "VssID – Phường 1", "icon": "V", "color": "#1565c0"}


def test_encode_settings__zlib_then_base64__decodes_back():
    settings = onboarding.collect_settings(f"{SERVER}/key/abc", "thu", "VssID – BHXH Quận 10")
    payload = onboarding.encode_settings(settings)

    assert payload.isascii()
    assert onboarding.decode_settings(payload) == settings


@pytest.mark.parametrize("payload", ["not base64!", "aGVsbG8=", "eJxLTEoGAAJNASc="])
def test_decode_settings__not_a_settings_code__value_error(payload: str):
    with pytest.raises(ValueError, match="not an ODK Collect settings code"):
        onboarding.decode_settings(payload)


def test_token_url_and_masked():
    url = onboarding.token_url(SERVER + "/", "A1b2C3d4E5f6")
    assert url == f"{SERVER}/key/A1b2C3d4E5f6"
    assert onboarding.masked(url) == f"{SERVER}/key/********E5f6"


def test_project_name__the_campaigns_title_with_the_unit_when_there_is_one():
    assert onboarding.project_name(campaign_title=VNEID) == VNEID
    assert onboarding.project_name("Phường 1", VNEID) == f"{VNEID} – Phường 1"
    assert onboarding.project_name("Phường 1") == "VssID – BHXH Quận 10 – Phường 1"


@requires_zbar
@pytest.mark.usefixtures("published")
def test_collect_qr__scanned_url_lists_the_forms_through_its_token(
    runner: FlaskCliRunner, client: FlaskClient, collector: str, tmp_path: Path
):
    png = tmp_path / "qr.png"
    output = make_qr(runner, png, "--server-url", SERVER, user=collector)

    settings = onboarding.decode_settings(scan(png))
    server_url = settings["general"]["server_url"]
    assert server_url.startswith(f"{SERVER}/key/")
    token = server_url.rsplit("/", 1)[-1]
    assert len(token) >= 40
    assert settings["general"]["metadata_username"] == collector
    assert settings["project"]["name"] == VSSID  # the default campaign's title
    assert token not in output and token[-4:] in output
    assert "không còn dùng được" in output

    response = client.get(f"{token_path(settings)}/formList")
    assert response.status_code == 200
    ids = etree.fromstring(response.data).xpath("//x:formID/text()", namespaces=XFORMS_LIST)
    assert {"vssid_install", "vssid_unit_report", "vneid_level2"} <= set(ids)
    assert client.head(f"{token_path(settings)}/submission").status_code == 204


@requires_zbar
@pytest.mark.usefixtures("published")
def test_collect_qr__a_new_code_ends_the_old_one(
    runner: FlaskCliRunner, client: FlaskClient, collector: str, tmp_path: Path
):
    make_qr(runner, tmp_path / "old.png", "--server-url", SERVER, user=collector)
    make_qr(runner, tmp_path / "new.png", "--server-url", SERVER, user=collector)
    old = token_path(onboarding.decode_settings(scan(tmp_path / "old.png")))
    new = token_path(onboarding.decode_settings(scan(tmp_path / "new.png")))

    assert old != new
    assert client.get(f"{old}/formList").status_code == 403
    assert client.get(f"{new}/formList").status_code == 200


@pytest.mark.usefixtures("published")
def test_collect_qr__url_defaults_to_public_url(
    app: Flask, runner: FlaskCliRunner, collector: str, tmp_path: Path
):
    app.config["PUBLIC_URL"] = SERVER + "/"
    output = make_qr(runner, tmp_path / "qr.png", user=collector)

    assert f"{SERVER}/key/********" in output
    assert f"(project): {VSSID}" in output
    assert (tmp_path / "qr.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.usefixtures("published")
def test_collect_qr__campaign__its_title_names_the_project(
    app: Flask, runner: FlaskCliRunner, session: Session, tmp_path: Path
):
    make_user(session, "phuong1", "unit", unit_code="27184")
    app.config["DEFAULT_CAMPAIGN"] = "vssid_residents"
    output = make_qr(runner, tmp_path / "default.png", "--server-url", SERVER, user="phuong1")
    assert "(project): Tuyên truyền, hỗ trợ người dân cài đặt VssID – Phường 1" in output

    output = make_qr(runner, tmp_path / "qr.png", "--server-url", SERVER, "--campaign", "vneid",
                     user="phuong1")  # fmt: skip
    assert f"(project): {VNEID} – Phường 1" in output
    if shutil.which("zbarimg") is not None:
        settings = onboarding.decode_settings(scan(tmp_path / "qr.png"))
        assert settings["project"]["name"] == f"{VNEID} – Phường 1"


@pytest.mark.usefixtures("published")
def test_collect_qr__unknown_campaign__error_no_file_and_no_token_issued(
    runner: FlaskCliRunner, session: Session, collector: str, tmp_path: Path
):
    png = tmp_path / "qr.png"
    args = ["collect-qr", collector, "--out", str(png), "--server-url", SERVER]
    result = runner.invoke(args=[*args, "--campaign", "vneid2"])

    assert result.exit_code == 1
    assert "vneid2" in result.output and "vneid, vssid, vssid_residents" in result.output
    assert not png.exists()
    session.expire_all()
    assert session.scalar(select(User.token_hash).where(User.username == collector)) is None


@requires_zbar
@pytest.mark.usefixtures("published")
def test_collect_qr__unit_account__its_unit_in_the_name_and_downloads_keep_the_token(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, session: Session, tmp_path: Path
):
    make_user(session, "phuong1", "unit", unit_code="27184")
    app.config["PUBLIC_URL"] = SERVER
    make_qr(runner, tmp_path / "qr.png", user="phuong1")

    settings = onboarding.decode_settings(scan(tmp_path / "qr.png"))
    assert settings["project"]["name"] == f"{VSSID} – Phường 1"
    path = token_path(settings)
    listed = etree.fromstring(client.get(f"{path}/formList").data)
    urls = listed.xpath("//x:downloadUrl/text()", namespaces=XFORMS_LIST)
    assert len(urls) >= 2
    assert all(u.startswith(f"{SERVER}{path}/forms/") for u in urls)


def test_collect_qr__unknown_user__error_and_no_file(runner: FlaskCliRunner, tmp_path: Path):
    png = tmp_path / "qr.png"
    result = runner.invoke(args=["collect-qr", "ai.do", "--out", str(png), "--server-url", SERVER])

    assert result.exit_code == 1
    assert "ai.do" in result.output
    assert not png.exists()


def test_collect_qr__manager__refused_and_no_token_issued(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
):
    make_user(session, "lanhdao", "manager")
    png = tmp_path / "qr.png"
    result = runner.invoke(
        args=["collect-qr", "lanhdao", "--out", str(png), "--server-url", SERVER]
    )

    assert result.exit_code == 1
    assert "manager" in result.output
    assert not png.exists()
    session.expire_all()
    assert session.scalar(select(User.token_hash).where(User.username == "lanhdao")) is None


def test_collect_qr__no_server_url__usage_error(
    runner: FlaskCliRunner, collector: str, tmp_path: Path
):
    png = tmp_path / "qr.png"
    result = runner.invoke(args=["collect-qr", collector, "--out", str(png)])

    assert result.exit_code == 2
    assert "VSSID_PUBLIC_URL" in result.output
    assert not png.exists()


def test_collect_qr__url_without_scheme__usage_error(
    runner: FlaskCliRunner, collector: str, tmp_path: Path
):
    args = ["collect-qr", collector, "--out", str(tmp_path / "qr.png"), "--server-url", "bhxh.vn"]
    assert runner.invoke(args=args).exit_code == 2


def test_demo__refuses_a_database_with_submissions(runner: FlaskCliRunner, session: Session):
    incoming = intake.Incoming("openrosa", b"<x/>", "text/xml", "thu", datetime.now(UTC))
    intake.refuse(session, incoming, InvalidInput(ErrorCode.SUBMISSION_NO_XML))
    session.commit()

    result = runner.invoke(args=["demo"])

    assert result.exit_code == 1
    assert "--force" in result.output
    assert session.scalar(select(func.count()).select_from(RosterEntry)) == 0


def test_demo__first_day_only__units_forms_accounts_rosters_and_a_summary(
    runner: FlaskCliRunner, session: Session
):
    result = runner.invoke(args=["demo", "--seed", "7", "--as-of", "2021-03-11"])

    assert result.exit_code == 0, result.output
    assert "NOT FOR PRODUCTION" in result.output
    assert "demo-admin-2021" in result.output
    assert "Demo (seed 7)" in result.output
    assert "vssid (as of 2021-03-11)" in result.output
    assert "vssid_residents (as of 2021-03-11)" in result.output
    assert "vneid (as of 2021-03-11): 0 on rosters, 0 submissions (none)" in result.output
    users = {name: role for name, role in session.execute(select(User.username, User.role))}
    assert users == {
        "admin": "admin",
        "lanhdao": "manager",
        "phuong1": "unit",
        "congtacvien": "collector",
    }
    assert session.scalar(select(func.count()).select_from(RosterEntry)) > 1000
    days = {
        s.collected_at.date().isoformat()
        for s in session.scalars(select(Submission))
        if s.collected_at is not None
    }
    assert days == {"2021-03-11"}
    forms = set(session.scalars(select(Submission.form_id)))
    assert forms == {"vssid_install", "vssid_residents_outreach"}
    campaigns = set(session.scalars(select(RosterEntry.campaign)))
    assert campaigns == {"vssid"}  # VNeID's rosters are in force from November 2026

    again = runner.invoke(args=["demo", "--seed", "7", "--as-of", "2021-03-11", "--force"])
    assert again.exit_code == 0, again.output
    assert "NOT FOR PRODUCTION" not in again.output  # accounts exist: no passwords again
    assert "duplicate" in again.output


def test_demo__one_campaign__only_its_data(runner: FlaskCliRunner, session: Session):
    result = runner.invoke(args=["demo", "--campaign", "vneid", "--days", "7"])

    assert result.exit_code == 0, result.output
    assert "vneid (as of 2026-11-08)" in result.output
    assert "vssid (as of" not in result.output
    assert set(session.scalars(select(Submission.form_id))) == {"vneid_level2"}
    assert set(session.scalars(select(RosterEntry.campaign))) == {"vneid"}


def test_demo__unknown_campaign__usage_error_naming_those_there_are(
    runner: FlaskCliRunner, session: Session
):
    result = runner.invoke(args=["demo", "--campaign", "vssid", "--campaign", "vneid2"])

    assert result.exit_code == 2
    assert "vneid2" in result.output and "vssid, vneid, vssid_residents" in result.output
    assert session.scalar(select(func.count()).select_from(RosterEntry)) == 0
