"""The VNeID level-2 campaign run from its files only, as an administrator runs it.

Published with ``vssid forms publish`` from forms/ (vneid.campaign.toml and vneid_level2.xlsx),
a roster keyed by CCCD with Vietnamese headers, records from ODK Collect (OpenRosa multipart)
and from KoboToolbox (REST Service JSON), then the coverage report checked against numbers
worked out by hand, VssID's report unchanged by all of it, and no CCCD anywhere a manager
looks (API, pages, downloads).

By hand, as of 30/11/2026, roster in force from 10/11/2026 (the first roster: also before):

- Phường 1 (27184), roster of 4: A activated (Collect), B pending (Collect), C activated
  (Kobo), D not registered, no chip CCCD (Kobo). G activated, recorded in Phường 1 but not
  on its roster: a finding, not counted. → 2/4 = 50.0 %.
- Phòng Nội vụ (Q10-NV), roster of 2: E activated (Kobo), F no record. One record with an
  11-digit CCCD is flagged by the form's own constraint and not counted. → 1/2 = 50.0 %.
- Phòng Tư pháp (Q10-TP), no roster, declared 3 công chức in the units registry: J
  activated. → 1/3 = 33.3 %.
- Phường 2 (27190), no roster, nothing declared: H activated → counted in the row (1), its
  denominator unknown ("—"), left out of the total.
- I is recorded in Phường 4 and Phường 7: the same CCCD in two units flags both; neither counts.

Total over units with a known denominator: 4 / 9 = 44.4 %.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from ingest.registry import accounts
from tests.conftest import PASSWORD, REALM, make_user
from tests.dashboard.scenario import sign_in
from tests.pipeline import settle
from tests.wire import KOBO_SECRET

VERSION = "2026120602"
ROSTER = (
    "Số CCCD,Họ và tên,Ngày sinh,Đối tượng,Mã đơn vị\n"
    "001090000001,Nguyễn Văn An,12/05/1990,Công chức,27184\n"
    "001090000002,Trần Thị Bình,03/09/1988,Công chức,27184\n"
    "001190000003,Lê Văn Cường,,Viên chức,27184\n"
    "001290000004,Phạm Thị Dung,,Người lao động,27184\n"
    "001080000005,Hoàng Văn Em,,Công chức,Q10-NV\n"
    "001180000006,Đỗ Thị Phương,,Viên chức,Q10-NV\n"
)
UNITS = (
    "code,name_vi,kind,headcount_cong_chuc,headcount_vien_chuc,headcount_nguoi_lao_dong\n"
    "Q10-TP,Phòng Tư pháp Quận 10,department,3,0,0\n"
)
#: Every CCCD in the campaign: none may reach a manager.
CCCDS = ("001090000001", "001090000002", "001190000003", "001290000004", "001080000005",
         "001180000006", "001090000007", "001090000008", "001090000009", "001090000010",
         "00109000001")  # fmt: skip


def answers(
    cccd: str, name: str, unit: str, category: str, status: str, end: str, **extra: str
) -> dict[str, str]:
    values = {
        "consent": "yes", "unit": unit, "full_name": name, "cccd": cccd, "category": category,
        "vneid_status": status, "start": end, "end": end,
    }  # fmt: skip
    if status == "activated_level2":
        values["activation_date"] = end[:10]
    return {**values, **extra}


def collect_xml(instance_id: str, values: dict[str, str]) -> bytes:
    """The instance ODK Collect writes for vneid_level2 (document order of the form)."""
    order = ("start", "end", "consent", "unit", "full_name", "cccd", "category", "vneid_status",
             "activation_date", "reasons")  # fmt: skip
    fields = "".join(f"<{k}>{values[k]}</{k}>" for k in order if k in values)
    return (
        f'<?xml version="1.0" ?><vneid_level2 xmlns:orx="http://openrosa.org/xforms" '
        f'id="vneid_level2" version="{VERSION}">{fields}'
        f"<meta><instanceID>{instance_id}</instanceID></meta></vneid_level2>"
    ).encode()


def post_collect(client: FlaskClient, instance_id: str, values: dict[str, str]) -> Any:
    return client.post(
        "/submission",
        data={
            "xml_submission_file": (
                io.BytesIO(collect_xml(instance_id, values)),
                "submission.xml",
                "text/xml",
            )
        },
        auth=("thu.nguyen", PASSWORD),
        headers={"X-OpenRosa-Version": "1.0"},
    )


def post_kobo(client: FlaskClient, instance_id: str, values: dict[str, str]) -> Any:
    document = {**values, "meta/instanceID": instance_id}
    return client.post(
        "/kobo/submission?form_id=vneid_level2",
        data=json.dumps(document, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )


def cli_json(runner: FlaskCliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(args=["report", "coverage", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def basic(user: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def vneid(
    default_units: Any, runner: FlaskCliRunner, client: FlaskClient, session: Session,
    tmp_path: Path,
) -> dict[str, Any]:  # fmt: skip
    """The campaign run: published, roster loaded, records in; VssID's report before."""
    published = runner.invoke(args=["forms", "publish"])
    assert published.exit_code == 0, published.output
    assert "✓ vneid.campaign.toml: campaign vneid (vneid_level2) new" in published.output
    listed = runner.invoke(args=["campaigns", "list"])
    assert listed.exit_code == 0 and listed.output.splitlines()[0].startswith("vneid\t")
    declared = tmp_path / "units.csv"
    declared.write_text(UNITS, encoding="utf-8")
    assert runner.invoke(args=["units", "import", str(declared)]).exit_code == 0
    make_user(session, "thu.nguyen", "collector")
    make_user(session, "lanh.dao", "manager")
    accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
    session.commit()
    vssid_before = cli_json(runner, "--as-of", "2026-11-30")

    roster = tmp_path / "cccd.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    loaded = runner.invoke(
        args=["roster", "import", str(roster), "--campaign", "vneid", "--as-of", "2026-11-10"]
    )
    assert loaded.exit_code == 0, loaded.output
    assert "cccd.csv (vneid, as of 2026-11-10): 2 units: 6 added" in loaded.output

    day = "2026-11-12T09:00:00+07:00"
    for instance_id, values in (
        ("uuid:a", answers("001090000001", "Nguyễn Văn An", "27184", "cong_chuc",
                           "activated_level2", day)),
        ("uuid:b", answers("001090000002", "Trần Thị Bình", "27184", "cong_chuc",
                           "pending_level2", day)),
        ("uuid:g", answers("001090000007", "Vũ Văn Giang", "27184", "cong_chuc",
                           "activated_level2", day)),
    ):  # fmt: skip
        response = post_collect(client, instance_id, values)
        assert response.status_code == 201, response.data
    for instance_id, values in (
        ("uuid:c", answers("001190000003", "Lê Văn Cường", "27184", "vien_chuc",
                           "activated_level2", day)),
        ("uuid:d", answers("001290000004", "Phạm Thị Dung", "27184", "nguoi_lao_dong",
                           "not_registered", day, reasons="no_chip_cccd")),
        ("uuid:e", answers("001080000005", "Hoàng Văn Em", "Q10-NV", "cong_chuc",
                           "activated_level2", day)),
        ("uuid:bad", answers("00109000001", "Ngô Văn Khải", "Q10-NV", "cong_chuc",
                             "activated_level2", day)),
        ("uuid:h", answers("001090000008", "Bùi Văn Hải", "27190", "cong_chuc",
                           "activated_level2", day)),
        ("uuid:i1", answers("001090000009", "Đinh Văn Ích", "27193", "cong_chuc",
                            "activated_level2", day)),
        ("uuid:i2", answers("001090000009", "Đinh Văn Ích", "27196", "cong_chuc",
                            "activated_level2", "2026-11-13T09:00:00+07:00")),
        ("uuid:j", answers("001090000010", "Lý Văn Kiên", "Q10-TP", "cong_chuc",
                           "activated_level2", day)),
    ):  # fmt: skip
        response = post_kobo(client, instance_id, values)
        assert response.status_code == 201, response.json
    settle(session)
    return {"vssid_before": vssid_before}


def rows(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["unit_code"]: row for row in document["rows"]}


def test_vneid__coverage_per_unit_as_worked_out_by_hand(
    vneid: dict[str, Any], runner: FlaskCliRunner, client: FlaskClient
):
    document = cli_json(runner, "--campaign", "vneid", "--as-of", "2026-11-30")
    assert (
        document
        == client.get(
            "/api/v1/coverage?campaign=vneid&as_of=2026-11-30", headers=basic("lanh.dao")
        ).json
    )
    assert (document["campaign"], document["target_pct"]) == ("vneid", 100.0)
    by_unit = rows(document)
    got = {
        code: (by_unit[code]["source"], by_unit[code]["denominator"], by_unit[code]["done"],
               by_unit[code]["done_pct"], by_unit[code]["levels"])
        for code in ("27184", "Q10-NV", "Q10-TP", "27190", "27193", "27196")
    }  # fmt: skip
    assert got == {
        "27184": ("roster", 4, 2, 50.0, {"activated": 2}),
        "Q10-NV": ("roster", 2, 1, 50.0, {"activated": 1}),
        "Q10-TP": ("declared", 3, 1, 33.3, {"activated": 1}),
        "27190": (None, None, 1, None, {"activated": 1}),
        "27193": (None, None, 0, None, {"activated": 0}),
        "27196": (None, None, 0, None, {"activated": 0}),
    }
    assert by_unit["27184"]["activated"] == 2 and by_unit["27184"]["activated_pct"] == 50.0
    assert "installed" not in by_unit["27184"] and "active" not in by_unit["27184"]
    total = document["total"]
    assert (total["denominator"], total["done"], total["done_pct"]) == (9, 4, 44.4)
    assert document["findings"] == {"not_on_roster": 1}
    by_category = {
        r["category"]: r
        for r in cli_json(
            runner, "--campaign", "vneid", "--as-of", "2026-11-30", "--by", "category"
        )["rows"]
    }
    assert (by_category["cong_chuc"]["denominator"], by_category["cong_chuc"]["done"]) == (6, 3)
    assert by_category["cong_chuc"]["name"] == "Công chức"


def test_vneid__the_same_cccd_in_two_units_flags_both(
    vneid: dict[str, Any], client: FlaskClient, session: Session
):
    make_user(session, "quan.tri", "admin")
    flagged = client.get(
        "/api/v1/submissions?status=flagged&campaign=vneid", headers=basic("quan.tri")
    ).json
    issues = {item["instance_id"]: {i["code"] for i in item["issues"]} for item in flagged["items"]}
    assert issues["uuid:i1"] == issues["uuid:i2"] == {"domain.person_two_units"}
    assert issues["uuid:bad"] == {"value.constraint"}  # the form's own 12-digit rule
    (two,) = next(i for i in flagged["items"] if i["instance_id"] == "uuid:i1")["issues"]
    assert two["message_vi"].startswith("Số định danh cá nhân (số CCCD) 001090000009")
    vssid_queue = client.get(
        "/api/v1/submissions?status=flagged&campaign=vssid", headers=basic("quan.tri")
    ).json
    assert vssid_queue["count"] == 0


def test_vneid__vssids_numbers_unchanged(vneid: dict[str, Any], runner: FlaskCliRunner):
    assert cli_json(runner, "--as-of", "2026-11-30") == vneid["vssid_before"]
    assert cli_json(runner, "--campaign", "vssid", "--as-of", "2026-11-30") == vneid["vssid_before"]


def test_vneid__no_cccd_anywhere_a_manager_looks(
    vneid: dict[str, Any], client: FlaskClient, session: Session
):
    seen: list[tuple[str, str]] = []

    def look(path: str, signed_in: bool = False) -> None:
        response = client.get(path) if signed_in else client.get(path, headers=basic("lanh.dao"))
        assert response.status_code == 200, (path, response.status_code)
        body = response.data
        if response.mimetype.endswith("spreadsheetml.sheet"):
            with zipfile.ZipFile(io.BytesIO(body)) as book:
                body = b"".join(book.read(n) for n in book.namelist() if n.endswith(".xml"))
        text = body.decode("utf-8", errors="replace")
        seen.extend((path, cccd) for cccd in CCCDS if cccd in text)

    for path in (
        "/api/v1/coverage?campaign=vneid&as_of=2026-11-30",
        "/api/v1/units/27184?campaign=vneid&as_of=2026-11-30",
        "/api/v1/units/Q10-NV?campaign=vneid&as_of=2026-11-30",
        "/api/v1/submissions?status=flagged&campaign=vneid",
        "/api/v1/submissions?status=accepted&campaign=vneid",
    ):
        look(path)
    for item in client.get(
        "/api/v1/submissions?status=flagged&campaign=vneid", headers=basic("lanh.dao")
    ).json["items"]:
        look(f"/api/v1/submissions/{item['id']}")
    assert sign_in(client, "lanh.dao").status_code == 302
    for path in (
        "/?campaign=vneid&as_of=2026-11-30",
        "/units/27184?campaign=vneid&as_of=2026-11-30",
        "/review?campaign=vneid",
        "/review?campaign=vneid&status=accepted",
    ):
        look(path, signed_in=True)
    for fmt in ("xlsx", "csv", "json"):
        look(f"/download/coverage.{fmt}?campaign=vneid&as_of=2026-11-30", signed_in=True)
    assert seen == []


def test_campaigns_api__lists_each_with_its_words(vneid: dict[str, Any], client: FlaskClient):
    listed = client.get("/api/v1/campaigns", headers=basic("lanh.dao")).json["campaigns"]
    by_id = {c["id"]: c for c in listed}
    assert sorted(by_id) == ["vneid", "vssid", "vssid_residents"]
    assert by_id["vssid"]["default"] and not by_id["vneid"]["default"]
    assert (by_id["vneid"]["identifier"], by_id["vneid"]["done"]["key"]) == ("cccd", "activated")
    assert by_id["vneid"]["levels"] == [] and by_id["vssid"]["levels"][0]["key"] == "active"
    assert by_id["vssid_residents"]["counts_persons"] is False
    assert [c["key"] for c in by_id["vssid_residents"]["categories"]] == ["nguoi_dan"]
    assert client.get("/api/v1/campaigns").status_code == 401
