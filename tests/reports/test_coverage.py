"""Coverage numbers of docs/architecture.md §4 on a scenario computed by hand, through the CLI
and the API.

Scenario (District 10's 48 units loaded; as of 2021-03-20 unless said otherwise):

- Phường 1 (27184), roster of 5: A công chức (active), B công chức (not installed, then an
  edit: installed, no account), C viên chức (not installed: no smartphone), D người lao động
  (active, but recorded on 22/03), E người lao động (no record). F (installed, record says
  Phường 1) is not on the roster: a finding, not counted. → 2/5 = 40.0 %, active 1/5 = 20.0 %;
  as of 25/03 D counts: 3/5 = 60.0 %, 2/5 = 40.0 %.
- Phòng Nội vụ (Q10-NV), declared 10 công chức + 2 người lao động: G công chức active,
  H flagged (bad BHXH code, not counted), I người lao động installed, no account.
  → 2/12 = 16.7 %, 1/12 = 8.3 %.
- Phòng Tư pháp (Q10-TP), only a unit report of 19/03: 8 CC (6 installed, 5 active) and
  2 NLĐ (1, 0). → 7/10 = 70.0 %, 5/10 = 50.0 %, source unit_report.
- Phòng Tài chính - Kế hoạch (Q10-TCKH), a unit report (4 CC, 4 installed) and one person
  record J (CC, installed, no account): records win over the report's figures. → 1/4 = 25.0 %.
- K is recorded in Phường 2 and in Phường 4: both flagged, nothing counted; those units and
  the 42 others have no denominator (unknown, named).

Rollups: departments 10/26 = 38.5 % (active 6/26 = 23.1 %); wards 2/5 = 40.0 %; total 12/31 =
38.7 % (active 7/31 = 22.6 %), 44 units unknown. Categories: CC 10/24 = 41.7 % (7/24 =
29.2 %), VC 0/1 = 0.0 %, NLĐ 2/6 = 33.3 % (0.0 %).
"""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from pypdf import PdfReader
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.registry import accounts
from reports import queries
from tests.conftest import PASSWORD, REALM, make_user
from tests.pipeline import settle
from tests.wire import KOBO_SECRET

pytestmark = pytest.mark.usefixtures("published")
ROSTER = """Mã số BHXH,Họ và tên,Ngày sinh,Đối tượng,Mã đơn vị
0791000001,Nguyễn Văn A,12/04/1985,Công chức,27184
0791000002,Trần Thị B,01/01/1990,Công chức,27184
0791000003,Lê Văn C,1979-07-30,Viên chức,27184
0791000004,Phạm Thị D,,Người lao động,27184
0791000005,Hoàng Văn E,,Người lao động,27184
"""
UNITS = """code,name_vi,kind,headcount_cong_chuc,headcount_vien_chuc,headcount_nguoi_lao_dong
Q10-NV,Phòng Nội vụ Quận 10,department,10,,2
"""


def person(code: str, name: str, unit: str, category: str, app_state: str, end: str, **extra: Any):
    answers = {
        "consent": "yes", "unit": unit, "full_name": name, "bhxh_code": code,
        "category": category, "status": app_state, "end": end,
    }  # fmt: skip
    if app_state in {"installed_no_account", "registered_pending", "account_active"}:
        answers["install_date"] = end[:10]
    else:
        answers["reasons"] = extra.pop("reasons", "declined")
    answers.update(extra)
    return answers


def report(unit: str, day: str, **counts: int) -> dict[str, Any]:
    answers: dict[str, Any] = {"unit": unit, "report_date": day, "end": f"{day}T16:00:00+07:00"}
    for measure in ("headcount", "installed", "active"):
        for category in ("cong_chuc", "vien_chuc", "nguoi_lao_dong"):
            answers[f"{measure}_{category}"] = str(counts.get(f"{measure}_{category}", 0))
    return answers


SUBMISSIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("vssid_install", "uuid:a", person("0791000001", "Nguyễn Văn A", "27184", "cong_chuc",
                                       "account_active", "2021-03-16T09:00:00+07:00")),
    ("vssid_install", "uuid:b1", person("0791000002", "Trần Thị B", "27184", "cong_chuc",
                                        "not_installed", "2021-03-16T09:10:00+07:00")),
    ("vssid_install", "uuid:b2", person("0791000002", "Trần Thị B", "27184", "cong_chuc",
                                        "installed_no_account", "2021-03-17T09:10:00+07:00",
                                        **{"meta/deprecatedID": "uuid:b1"})),
    ("vssid_install", "uuid:c", person("0791000003", "Lê Văn C", "27184", "vien_chuc",
                                       "no_smartphone", "2021-03-16T10:00:00+07:00",
                                       reasons="no_smartphone")),
    ("vssid_install", "uuid:d", person("0791000004", "Phạm Thị D", "27184", "nguoi_lao_dong",
                                       "account_active", "2021-03-22T08:00:00+07:00")),
    ("vssid_install", "uuid:f", person("0791000099", "Vũ Văn F", "27184", "cong_chuc",
                                       "account_active", "2021-03-18T08:00:00+07:00")),
    ("vssid_install", "uuid:g", person("0792000001", "Đinh Văn G", "Q10-NV", "cong_chuc",
                                       "account_active", "2021-03-17T08:00:00+07:00")),
    ("vssid_install", "uuid:h", person("12345", "Mai Thị H", "Q10-NV", "cong_chuc",
                                       "account_active", "2021-03-17T08:30:00+07:00")),
    ("vssid_install", "uuid:i", person("0792000003", "Cao Văn I", "Q10-NV", "nguoi_lao_dong",
                                       "installed_no_account", "2021-03-17T09:00:00+07:00")),
    ("vssid_unit_report", "uuid:r1", report("Q10-TP", "2021-03-19", headcount_cong_chuc=8,
                                            installed_cong_chuc=6, active_cong_chuc=5,
                                            headcount_nguoi_lao_dong=2,
                                            installed_nguoi_lao_dong=1)),
    ("vssid_unit_report", "uuid:r2", report("Q10-TCKH", "2021-03-18", headcount_cong_chuc=4,
                                            installed_cong_chuc=4, active_cong_chuc=4)),
    ("vssid_install", "uuid:j", person("0793000001", "Tạ Văn J", "Q10-TCKH", "cong_chuc",
                                       "installed_no_account", "2021-03-18T10:00:00+07:00")),
    ("vssid_install", "uuid:k1", person("0794000001", "Lâm Thị K", "27190", "cong_chuc",
                                        "account_active", "2021-03-16T08:00:00+07:00")),
    ("vssid_install", "uuid:k2", person("0794000001", "Lâm Thị K", "27193", "cong_chuc",
                                        "account_active", "2021-03-17T08:00:00+07:00")),
]  # fmt: skip


@pytest.fixture
def scenario(
    published: Any, client: FlaskClient, runner: FlaskCliRunner, session: Session, tmp_path: Path
):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    result = runner.invoke(args=["roster", "import", str(roster), "--as-of", "2021-03-01"])
    assert result.exit_code == 0, result.output
    assert "1 units: 5 added" in result.output
    declared = tmp_path / "units.csv"
    declared.write_text(UNITS, encoding="utf-8")
    assert runner.invoke(args=["units", "import", str(declared)]).exit_code == 0
    accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
    session.commit()
    for form_id, instance_id, answers in SUBMISSIONS:
        document = {**answers, "meta/instanceID": instance_id}
        response = client.post(
            f"/kobo/submission?form_id={form_id}",
            data=json.dumps(document, ensure_ascii=False),
            content_type="application/json",
            headers={"Authorization": f"Token {KOBO_SECRET}"},
        )
        assert response.status_code == 201, response.json
    make_user(session, "lanh.dao", "manager")
    settle(session)


def cli_json(runner: FlaskCliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(args=["report", "coverage", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def api_json(client: FlaskClient, query: str) -> dict[str, Any]:
    auth = base64.b64encode(f"lanh.dao:{PASSWORD}".encode()).decode()
    response = client.get(f"/api/v1/coverage?{query}", headers={"Authorization": f"Basic {auth}"})
    assert response.status_code == 200, response.json
    return response.json


def rows_by(document: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in document["rows"]}


EXPECTED_UNITS = {
    "27184": ("roster", 5, 2, 1, 40.0, 20.0),
    "Q10-NV": ("declared", 12, 2, 1, 16.7, 8.3),
    "Q10-TP": ("unit_report", 10, 7, 5, 70.0, 50.0),
    "Q10-TCKH": ("unit_report", 4, 1, 0, 25.0, 0.0),
    "27190": (None, None, 0, 0, None, None),
    "27193": (None, None, 0, 0, None, None),
}


@pytest.mark.usefixtures("scenario")
def test_by_unit__cli_and_api_agree_with_hand_computed(runner: FlaskCliRunner, client: FlaskClient):
    cli = cli_json(runner, "--as-of", "2021-03-20")
    api = api_json(client, "by=unit&as_of=2021-03-20")
    assert cli == api
    assert cli["as_of"] == "2021-03-20" and cli["target_pct"] == 100.0
    rows = rows_by(cli, "unit_code")
    assert len(rows) == 48
    for code, (source, denominator, installed, active, pct, active_pct) in EXPECTED_UNITS.items():
        row = rows[code]
        got = (row["source"], row["denominator"], row["installed"], row["active"],
               row["installed_pct"], row["active_pct"])  # fmt: skip
        assert got == (source, denominator, installed, active, pct, active_pct), code
    assert rows["27184"]["status"] == "lagging" and rows["27190"]["status"] is None
    assert rows["27184"]["categories"]["cong_chuc"] == {
        "denominator": 2, "installed": 2, "active": 1, "installed_pct": 100.0,
        "active_pct": 50.0, "not_installed": 0,
        # DESIGN §5's campaign-neutral keys: the target outcome and every level.
        "done": 2, "done_pct": 100.0, "not_done": 0, "levels": {"installed": 2, "active": 1},
    }  # fmt: skip
    assert cli["campaign"] == "vssid"
    total = cli["total"]
    assert (total["denominator"], total["installed"], total["active"]) == (31, 12, 7)
    assert (total["installed_pct"], total["active_pct"]) == (38.7, 22.6)
    assert len(total["units_unknown"]) == 44 and "27190" in total["units_unknown"]
    assert cli["findings"] == {"not_on_roster": 1}


@pytest.mark.usefixtures("scenario")
def test_as_of_later__record_after_the_first_date_counts(runner: FlaskCliRunner):
    rows = rows_by(cli_json(runner, "--as-of", "2021-03-25"), "unit_code")
    row = rows["27184"]
    assert (row["installed"], row["active"], row["installed_pct"], row["active_pct"]) == (
        3, 2, 60.0, 40.0,
    )  # fmt: skip


@pytest.mark.usefixtures("scenario")
def test_as_of_before_everything__nothing_installed_denominators_kept(runner: FlaskCliRunner):
    rows = rows_by(cli_json(runner, "--as-of", "2021-03-10"), "unit_code")
    assert (rows["27184"]["denominator"], rows["27184"]["installed"]) == (5, 0)
    assert rows["27184"]["installed_pct"] == 0.0
    assert rows["Q10-TP"]["source"] is None  # the unit report is dated 19/03


@pytest.mark.usefixtures("scenario")
def test_by_kind_and_category(runner: FlaskCliRunner, client: FlaskClient):
    kinds = rows_by(cli_json(runner, "--as-of", "2021-03-20", "--by", "kind"), "kind")
    assert kinds == rows_by(api_json(client, "by=kind&as_of=2021-03-20"), "kind")
    department = kinds["department"]
    assert (department["denominator"], department["installed"], department["active"]) == (26, 10, 6)
    assert (department["installed_pct"], department["active_pct"]) == (38.5, 23.1)
    assert department["name"] == "Phòng, ban"
    assert (kinds["ward"]["denominator"], kinds["ward"]["installed_pct"]) == (5, 40.0)
    assert len(kinds["ward"]["units_unknown"]) == 13
    categories = rows_by(cli_json(runner, "--as-of", "2021-03-20", "--by", "category"), "category")
    cc, vc, nld = categories["cong_chuc"], categories["vien_chuc"], categories["nguoi_lao_dong"]
    assert (cc["denominator"], cc["installed"], cc["active"], cc["installed_pct"]) == (
        24,
        10,
        7,
        41.7,
    )
    assert cc["active_pct"] == 29.2
    assert (vc["denominator"], vc["installed"], vc["installed_pct"]) == (1, 0, 0.0)
    assert (nld["denominator"], nld["installed"], nld["installed_pct"], nld["active_pct"]) == (
        6, 2, 33.3, 0.0,
    )  # fmt: skip


@pytest.mark.usefixtures("scenario")
def test_flagged_then_accepted__coverage_changes(
    runner: FlaskCliRunner, client: FlaskClient, session: Session
):
    from sqlalchemy import select

    from ingest.models import Submission

    flagged = session.scalar(select(Submission.id).where(Submission.instance_id == "uuid:h"))
    result = runner.invoke(args=["review", "accept", str(flagged), "--reason", "ok", "--by", "a"])
    assert result.exit_code == 0
    row = rows_by(cli_json(runner, "--as-of", "2021-03-20"), "unit_code")["Q10-NV"]
    assert (row["installed"], row["installed_pct"]) == (3, 25.0)


@pytest.mark.usefixtures("scenario")
def test_unit_detail__names_only_for_roles_with_personal_data(
    client: FlaskClient, session: Session
):
    make_user(session, "phuong1", "unit", unit_code="27184")
    make_user(session, "phuong2", "unit", unit_code="27190")

    def get(user: str, path: str):
        auth = base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
        return client.get(path, headers={"Authorization": f"Basic {auth}"})

    own = get("phuong1", "/api/v1/units/27184?as_of=2021-03-20").json
    assert own["unit"]["installed_pct"] == 40.0
    assert [p["full_name"] for p in own["not_installed"]] == [  # by given name, as lists are
        "Lê Văn C",
        "Phạm Thị D",
        "Hoàng Văn E",
    ]
    assert own["reasons"] == {"no_smartphone": 1}
    assert [p["bhxh_code"] for p in own["not_on_roster"]] == ["0791000099"]
    last = own["trend"][-1]
    assert {k: last[k] for k in ("date", "installed", "active", "installed_pct", "active_pct",
                                 "denominator", "done", "levels")} == {
        "date": "2021-03-20", "installed": 2, "active": 1, "installed_pct": 40.0,
        "active_pct": 20.0, "denominator": 5, "done": 2, "levels": {"installed": 2, "active": 1},
    }  # fmt: skip
    assert get("phuong2", "/api/v1/units/27184").status_code == 403
    manager = get("lanh.dao", "/api/v1/units/27184?as_of=2021-03-20").json
    assert "not_installed" not in manager and "not_on_roster" not in manager
    assert "Hoàng" not in json.dumps(manager, ensure_ascii=False)


@pytest.mark.usefixtures("scenario")
def test_unit_account__coverage_limited_to_own_units(client: FlaskClient, session: Session):
    make_user(session, "phuong1", "unit", unit_code="27184")
    auth = base64.b64encode(f"phuong1:{PASSWORD}".encode()).decode()
    document = client.get(
        "/api/v1/coverage?as_of=2021-03-20", headers={"Authorization": f"Basic {auth}"}
    ).json
    assert [row["unit_code"] for row in document["rows"]] == ["27184"]
    assert document["total"]["installed_pct"] == 40.0


@pytest.mark.usefixtures("scenario")
def test_csv__utf8_bom_and_vietnamese(runner: FlaskCliRunner, tmp_path: Path):
    out = tmp_path / "coverage.csv"
    result = runner.invoke(
        args=["report", "coverage", "--format", "csv", "--as-of", "2021-03-20", "--out", str(out)]
    )
    assert result.exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["Mã", "Tên", "Loại", "Nguồn số liệu", "Tổng số", "Đã cài đặt"]
    assert ["27184", "Phường 1", "Phường", "Danh sách", "5", "2", "40.0"] in [r[:7] for r in rows]
    assert '"Phường 1",' in text and ",5,2,40.0," in text  # text quoted, numbers bare
    assert "TỔNG CỘNG" in text


@pytest.mark.parametrize("query", ["by=nope", "as_of=20-03-2021", "as_of=2021-02-30"])
def test_api__bad_parameters_400(client: FlaskClient, session: Session, query: str):
    make_user(session, "lanh.dao", "manager")
    auth = base64.b64encode(f"lanh.dao:{PASSWORD}".encode()).decode()
    response = client.get(f"/api/v1/coverage?{query}", headers={"Authorization": f"Basic {auth}"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "http.400"


def test_no_known_denominator__rollups_unknown_not_zero(runner: FlaskCliRunner, published: Any):
    document = cli_json(runner, "--by", "kind", "--as-of", "2021-03-20")
    for row in document["rows"]:
        assert (row["denominator"], row["installed_pct"], row["not_installed"]) == (
            None,
            None,
            None,
        )
    assert document["total"]["denominator"] is None
    assert len(document["total"]["units_unknown"]) == 48


@pytest.mark.usefixtures("scenario")
def test_excel__agrees_with_json(runner: FlaskCliRunner, tmp_path: Path):
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        args=["report", "coverage", "--format", "xlsx", "--as-of", "2021-03-20", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["Tổng hợp"]
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True) if isinstance(row[1], str)}
    titles = [row[0] for row in sheet.iter_rows(max_row=8, values_only=True)]
    assert "Tính đến ngày 20/03/2021" in titles
    ward = rows["Phường 1"]
    assert ward[3:9] == (5, 2, 0.4, 1, 0.2, 3)
    nv = rows["Phòng Nội vụ Quận 10"]
    assert nv[3:6] == (12, 2, 0.167)  # the JSON's 16.7, as a fraction Excel shows as 16.7%
    total = rows["TỔNG CỘNG"]
    assert total[3:6] == (31, 12, 0.387)
    unknown = rows["Phường 2"]
    assert unknown[3] == "—" and unknown[5] == "—"
    names = " ".join(
        str(c)
        for sheet in load_workbook(out).worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
    )
    assert "Nguyễn Văn A" not in names and "0791000001" not in names  # no personal data


@pytest.mark.usefixtures("scenario")
def test_cli_table__fits_100_columns_with_names_and_vietnamese_headers(runner: FlaskCliRunner):
    result = runner.invoke(args=["report", "coverage", "--as-of", "2021-03-20"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(map(len, lines)) <= 100
    assert lines[1].split() == [
        "Đơn", "vị", "Tổng", "số", "Đã", "cài", "đặt", "Tỷ", "lệ", "Đang", "sử", "dụng",
        "Tỷ", "lệ", "Chưa", "cài", "đặt", "Đánh", "giá",
    ]  # fmt: skip
    assert "PHÒNG, BAN" in lines and "PHƯỜNG" in lines
    nv = next(line for line in lines if line.startswith("Phòng Nội vụ Quận 10"))
    assert nv.split()[-7:] == ["12", "2", "16,7%", "1", "8,3%", "10", "Chậm"]
    assert lines[-1].split()[:5] == ["TỔNG", "CỘNG", "31", "12", "38,7%"]
    for code in ("Q10-NV", "27184", "department", "roster", "lagging"):
        assert code not in result.output
    wrapped = [line for line in lines if line.startswith("  ")]  # long names go on, not cut
    assert wrapped and "…" not in result.output


@pytest.mark.usefixtures("scenario")
def test_cli_pdf__needs_out_then_writes_the_appendix(runner: FlaskCliRunner, tmp_path: Path):
    args = ["report", "coverage", "--as-of", "2021-03-20", "--format", "pdf"]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 2 and "--format pdf needs --out FILE" in refused.output
    out = tmp_path / "bao-cao.pdf"
    assert runner.invoke(args=[*args, "--out", str(out)]).exit_code == 0
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Phòng Nội vụ Quận 10" in text and "16,7%" in text and "TỔNG CỘNG" in text


def test_last_day__rosters_alone_are_no_data_then_the_last_record(
    runner: FlaskCliRunner, session: Session, tmp_path: Path, client: FlaskClient
):
    vssid = campaigns.load(session, "vssid")
    assert queries.last_day(session, vssid) is None  # nothing yet
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert runner.invoke(args=["roster", "import", str(roster)]).exit_code == 0
    session.rollback()
    assert queries.last_day(session, vssid) is None  # a first roster stands for earlier days
    accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
    session.commit()
    for _form_id, instance_id, answers in SUBMISSIONS[:2]:
        document = {**answers, "meta/instanceID": instance_id}
        response = client.post(
            "/kobo/submission?form_id=vssid_install",
            data=json.dumps(document, ensure_ascii=False),
            content_type="application/json",
            headers={"Authorization": f"Token {KOBO_SECRET}"},
        )
        assert response.status_code == 201, response.json
    settle(session)
    ends = max(date.fromisoformat(a["end"][:10]) for _f, _i, a in SUBMISSIONS[:2])
    assert queries.last_day(session, vssid) == ends
