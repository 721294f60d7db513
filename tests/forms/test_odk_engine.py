"""The campaign forms in ODK's own XForm engine (ODK Web Forms), from files and from our server.

Server mode is what a phone does: form list, download, manifest and ``units.csv`` over
OpenRosa with Digest authentication, then the engine fills the form with the downloaded media.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from ingest import forms
from ingest.registry import units
from tests.conftest import FORMS_DIR, PASSWORD
from tests.pipeline import settle
from tests.webforms import fill, live_server, requires_harness

ANSWERS = Path(__file__).parent / "answers"
pytestmark = [pytest.mark.webforms, requires_harness]


@pytest.fixture
def form_files(session: Session, default_units, tmp_path: Path) -> Path:
    """Each form's XForm as published, and ``units.csv`` as the server generates it."""
    for path in forms.xlsform_files(FORMS_DIR):
        compiled = forms.compile_xlsform(path)
        (tmp_path / f"{compiled.form_id}.xml").write_text(compiled.xml, encoding="utf-8")
    media = tmp_path / "media"
    media.mkdir()
    (media / "units.csv").write_bytes(units.units_csv(session))
    return tmp_path


@pytest.mark.parametrize("form_id", ["vssid_install", "vssid_unit_report", "vssid_selfreport"])
def test_engine__valid_answers__load_fill_and_ready(form_files: Path, form_id: str):
    code, report = fill(
        "--form",
        str(form_files / f"{form_id}.xml"),
        "--media",
        str(form_files / "media"),
        "--answers",
        str(ANSWERS / f"{form_id}-valid.json"),
        "--strict",
    )
    assert code == 0, report
    assert report["ok"] is True
    assert report["payloadStatus"] == "ready"
    assert f'id="{form_id}"' in report["instanceXML"]


@pytest.mark.parametrize(
    ("form_id", "expected"),
    [
        ("vssid_install", {"bhxh_code", "install_date"}),
        ("vssid_unit_report", {"installed_cong_chuc", "active_vien_chuc"}),
        ("vssid_selfreport", {"bhxh_code", "birth_date", "install_date"}),
    ],
)
def test_engine__invalid_answers__constraints_enforced(
    form_files: Path, form_id: str, expected: set[str]
):
    code, report = fill(
        "--form",
        str(form_files / f"{form_id}.xml"),
        "--media",
        str(form_files / "media"),
        "--answers",
        str(ANSWERS / f"{form_id}-invalid.json"),
        "--lang",
        "vi",
    )
    assert code == 1
    flagged = {e["ref"].rsplit("/", 1)[-1] for e in report["errors"]}
    assert expected <= flagged, report["errors"]


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize("form_id", ["vssid_install", "vssid_unit_report"])
def test_engine_as_phone__downloads_over_openrosa_with_digest(
    app: Flask, collector: str, form_id: str
):
    with live_server(app) as url:
        code, report = fill(
            "--server",
            url,
            "--form-id",
            form_id,
            "--answers",
            str(ANSWERS / f"{form_id}-valid.json"),
            "--user",
            collector,
            "--password",
            PASSWORD,
            "--missing-media",
            "ERROR",
        )
    assert code == 0, report
    server = report["server"]
    assert set(server["formList"]["formIDs"]) == {
        "vssid_install",
        "vssid_unit_report",
        "vneid_level2",
        "vssid_residents_outreach",
        "vssid_selfreport",
    }
    assert server["form"]["hashOk"] is True
    assert [m["filename"] for m in report["media"]] == ["units.csv"]
    assert all(m["hashOk"] for m in report["media"])
    assert report["media"][0]["requestedByEngine"] is True
    auths = {r["auth"] for r in server["requests"] if r["status"] == 200}
    assert auths == {"digest"}
    assert report.get("downloadWarnings", []) == []


@pytest.mark.usefixtures("published")
def test_engine_as_phone__wrong_password__auth_failed(app: Flask, collector: str):
    with live_server(app) as url:
        code, report = fill(
            "--server",
            url,
            "--form-id",
            "vssid_install",
            "--answers",
            str(ANSWERS / "vssid_install-valid.json"),
            "--user",
            collector,
            "--password",
            "not-the-password",
        )
    assert code == 4
    assert report["stage"] == "download"


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize("form_id", ["vssid_install", "vssid_unit_report"])
def test_engine_as_phone__submission_accepted(
    app: Flask, session: Session, collector: str, form_id: str
):
    """What ODK's engine builds and posts (HEAD, then multipart POST) is stored by us."""
    from sqlalchemy import select

    from ingest.models import Submission, SubmissionStatus

    with live_server(app) as url:
        code, report = fill(
            "--server", url,
            "--form-id", form_id,
            "--answers", str(ANSWERS / f"{form_id}-valid.json"),
            "--user", collector,
            "--password", PASSWORD,
            "--post",
        )  # fmt: skip
    assert code == 0, report
    post = report["post"]
    assert post["head"]["status"] == 204
    assert post["status"] == 201
    assert "Đã nhận phiếu" in post["message"]
    session.rollback()
    (row,) = session.scalars(select(Submission)).all()
    assert row.error_code is None
    assert row.form_id == form_id
    assert row.instance_id == report["instanceID"]
    assert row.submitter == collector
    # What ODK's engine accepted, our validation accepts too: at intake, and once derived.
    assert row.verdict == "accepted", row.issues
    settle(session)
    state = session.get(SubmissionStatus, row.id)
    assert state is not None
    assert state.review_state == "accepted", state.issues
    assert [i for i in state.issues if i.get("blocking", True)] == []
