"""The `vneid` and `vssid_residents` campaigns' XLSForms (DESIGN.md §7) against their contract.

Names and choice values are read from the compiled XForms; answers are judged by our own
validation (``ingest.forms.validate``) and, when the harness is installed, by ODK's engine.
The forms are written by ``forms/tools/build_campaign_forms.py``.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaigns, forms
from ingest.forms import formspec, validate
from ingest.forms.formspec import FormSpec
from ingest.models import Submission, SubmissionStatus
from ingest.registry import units
from tests.conftest import DEFAULT_UNITS, FORMS_DIR, PASSWORD
from tests.pipeline import settle
from tests.webforms import fill, live_server, requires_harness

NS = {"h": "http://www.w3.org/1999/xhtml", "xf": "http://www.w3.org/2002/xforms"}
VI, EN = "Tiếng Việt (vi)", "English (en)"
PERSONAL = "{urn:vssid:xforms}personal"
ANSWERS = Path(__file__).parent / "answers"
FORM_IDS = ["vneid_level2", "vssid_residents_outreach"]
#: Each form's version: vneid_level2 was raised when its privacy notice was written in.
VERSIONS = {"vneid_level2": "2026120602", "vssid_residents_outreach": "2026120601"}
META = {"start", "end", "deviceid", "username", "meta/instanceID"}


def compiled(form_id: str) -> forms.CompiledForm:
    return forms.compile_xlsform(FORMS_DIR / f"{form_id}.xlsx")


def spec(form_id: str) -> FormSpec:
    form = compiled(form_id)
    return formspec.spec_for(form.md5, form.xml)


def binds(form: forms.CompiledForm) -> dict[str, dict[str, str]]:
    root = etree.fromstring(form.xml.encode())
    prefix = f"/{form.form_id}/"
    return {
        b.get("nodeset", "").removeprefix(prefix): dict(b.attrib)
        for b in root.iterfind(".//xf:bind", NS)
    }


def unit_codes(kind: str | None = None) -> frozenset[str]:
    with DEFAULT_UNITS.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return frozenset(r["code"] for r in rows if kind is None or r["kind"] == kind)


CONTEXT = validate.Context(
    today=date(2026, 12, 6),
    now=datetime(2026, 12, 6, 9, 0, tzinfo=campaigns.LOCAL_TZ),
    external_choices={"units.csv": unit_codes()},
)


def answers(form_id: str, kind: str = "valid", **changes: Any) -> dict[str, Any]:
    values = json.loads((ANSWERS / f"{form_id}-{kind}.json").read_text(encoding="utf-8"))
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def blocking(form_id: str, values: dict[str, Any]) -> list[tuple[str, str | None]]:
    issues = validate.validate(spec(form_id), values, CONTEXT)
    return [(i.code, i.path) for i in issues if i.blocking]


# --- both forms ------------------------------------------------------------------------------


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_form__compiles_without_warnings_vietnamese_default(form_id: str):
    form = compiled(form_id)
    assert form.form_id == form_id
    assert form.version == VERSIONS[form_id]
    assert form.warnings == ()
    assert form.media == ("units.csv",)
    root = etree.fromstring(form.xml.encode())
    langs = [t.get("lang") for t in root.iterfind(".//xf:itext/xf:translation", NS)]
    assert langs == [VI, EN]
    default = root.find(".//xf:itext/xf:translation[@default='true()']", NS)
    assert default is not None and default.get("lang") == VI
    vi = " ".join(default.itertext())
    assert re.search(r"[ạảãàáâậầấẩẫăắằặẳẵđêếềệểễôốồộổỗơớờợởỡưứừựửữ]", vi)


@pytest.mark.parametrize(
    ("form_id", "personal"),
    [
        ("vneid_level2", {"full_name", "cccd", "birth_date", "phone"}),
        ("vssid_residents_outreach", {"reporter_name", "reporter_phone"}),
    ],
)
def test_form__declares_its_personal_fields_on_the_bind(form_id: str, personal: set[str]):
    form = compiled(form_id)
    root = etree.fromstring(form.xml.encode())
    assert root.nsmap.get("vssid") == "urn:vssid:xforms"
    declared = {path for path, attrs in binds(form).items() if attrs.get(PERSONAL) == "true"}
    assert declared == personal
    assert 'vssid:personal="true"' in form.xml


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_form__valid_answers__no_blocking_issue(form_id: str):
    assert blocking(form_id, answers(form_id)) == []


@pytest.mark.parametrize(
    ("form_id", "expected"),
    [
        (
            "vneid_level2",
            [("value.constraint", "cccd"), ("value.constraint", "activation_date")],
        ),
        ("vssid_residents_outreach", [("value.constraint", "residents_helped")]),
    ],
)
def test_form__invalid_answers__flagged(form_id: str, expected: list[tuple[str, str]]):
    assert blocking(form_id, answers(form_id, "invalid")) == expected


# --- vneid_level2 ----------------------------------------------------------------------------


def test_vneid__fields_and_types():
    fields = spec("vneid_level2").fields
    expected = {
        "consent": ("select_one", "string"),
        "unit": ("select_one", "string"),
        "full_name": ("input", "string"),
        "cccd": ("input", "string"),
        "birth_date": ("input", "date"),
        "category": ("select_one", "string"),
        "phone": ("input", "string"),
        "vneid_status": ("select_one", "string"),
        "activation_date": ("input", "date"),
        "reasons": ("select_multiple", "string"),
        "reason_other": ("input", "string"),
        "note": ("input", "string"),
    }
    for name, (kind, xml_type) in expected.items():
        assert (fields[name].kind, fields[name].xml_type) == (kind, xml_type), name
    assert set(fields) >= META
    assert fields["unit"].choices_file == "units.csv"
    assert fields["consent"].choices == {"yes", "no"}
    assert fields["category"].choices == {"cong_chuc", "vien_chuc", "nguoi_lao_dong"}
    assert fields["vneid_status"].choices == {
        "not_registered",
        "registered_level1",
        "pending_level2",
        "activated_level2",
    }
    assert fields["reasons"].choices == {
        "no_smartphone",
        "no_chip_cccd",
        "awaiting_police",
        "no_registered_phone",
        "declined",
        "other",
    }


def test_vneid__binds_follow_the_contract():
    form = compiled("vneid_level2")
    b = binds(form)
    assert b["cccd"]["constraint"] == "regex(., '^[0-9]{12}$')"
    assert b["cccd"]["required"] == "true()"
    assert b.get("phone", {}).get("required") in (None, "false()")
    assert b.get("birth_date", {}).get("required") in (None, "false()")
    for name in ("birth_date", "activation_date"):
        assert "today()" in b[name]["constraint"], name
    assert "activated_level2" in b["activation_date"]["relevant"]
    assert b["activation_date"]["required"] == "true()"
    assert "not_registered" in b["reasons"]["required"]
    for name in ("unit", "full_name", "cccd", "birth_date", "category", "phone", "vneid_status"):
        assert "consent" in b[name]["relevant"], f"{name} must end with consent = no"
    jr = "{http://openrosa.org/javarosa}constraintMsg"
    for name in ("full_name", "cccd", "birth_date", "phone", "activation_date"):
        assert b[name][jr].startswith("jr:itext("), f"{name} needs translated messages"
    calc = b["meta/instanceName"]["calculate"]
    assert "full_name" in calc and "cccd" in calc
    assert "VNeID" in form.title


@pytest.mark.parametrize(
    ("cccd", "ok"),
    [
        ("001203004567", True),  # leading zeros kept: text, not a number
        ("079123456789", True),
        ("12345678901", False),  # 11 digits
        ("0012030045678", False),  # 13 digits
        ("00120300456A", False),
        ("001 203 004 567", False),
    ],
)
def test_vneid__cccd_is_twelve_digits(cccd: str, ok: bool):
    issues = blocking("vneid_level2", answers("vneid_level2", cccd=cccd))
    assert issues == ([] if ok else [("value.constraint", "cccd")])


def test_vneid__consent_no_ends_the_form():
    assert blocking("vneid_level2", {"consent": "no"}) == []


def test_vneid__not_registered_requires_a_reason():
    values = answers("vneid_level2", vneid_status="not_registered", activation_date=None)
    assert blocking("vneid_level2", values) == [("value.required", "reasons")]
    values["reasons"] = "no_chip_cccd other"
    assert blocking("vneid_level2", values) == [("value.required", "reason_other")]
    values["reason_other"] = "Chưa sắp xếp được thời gian"
    assert blocking("vneid_level2", values) == []


def test_vneid__activated_requires_the_activation_date():
    values = answers("vneid_level2", activation_date=None)
    assert blocking("vneid_level2", values) == [("value.required", "activation_date")]
    pending = answers("vneid_level2", vneid_status="pending_level2", activation_date=None)
    assert blocking("vneid_level2", pending) == []  # reasons optional unless not registered


# --- vssid_residents_outreach ----------------------------------------------------------------


def test_outreach__fields_and_constraints():
    form = compiled("vssid_residents_outreach")
    fields = spec("vssid_residents_outreach").fields
    for name in ("unit", "report_date", "activity", "residents_reached", "residents_helped"):
        assert fields[name].required == "true()", name
    for name in ("reporter_name", "reporter_phone", "note"):
        assert fields[name].required in (None, "false()"), name
    assert set(fields) >= META
    assert fields["report_date"].xml_type == "date"
    assert "today()" in (fields["report_date"].constraint or "")
    assert fields["residents_reached"].xml_type == "int"
    assert fields["residents_helped"].xml_type == "int"
    assert "residents_reached" in (fields["residents_helped"].constraint or "")
    assert fields["activity"].choices == {
        "meeting",
        "booth",
        "door_to_door",
        "loudspeaker",
        "online",
        "other",
    }
    root = etree.fromstring(form.xml.encode())
    itemset = root.find(".//*[@ref='/vssid_residents_outreach/unit']/xf:itemset", NS)
    assert itemset is not None
    assert itemset.get("nodeset") == "instance('units')/root/item[kind = 'ward']"
    today = root.find(".//xf:setvalue[@ref='/vssid_residents_outreach/report_date']", NS)
    assert today is not None and today.get("value") == "today()"


@pytest.mark.parametrize(
    ("reached", "helped", "ok"),
    [(120, 35, True), (40, 40, True), (0, 0, True), (40, 41, False), (10, -1, False)],
)
def test_outreach__helped_at_most_reached(reached: int, helped: int, ok: bool):
    values = answers(
        "vssid_residents_outreach", residents_reached=str(reached), residents_helped=str(helped)
    )
    issues = blocking("vssid_residents_outreach", values)
    assert issues == ([] if ok else [("value.constraint", "residents_helped")])


def test_outreach__report_date_not_in_the_future():
    values = answers("vssid_residents_outreach", report_date="2026-12-07")
    assert blocking("vssid_residents_outreach", values) == [("value.constraint", "report_date")]


def test_outreach__population_declared_for_each_ward():
    path = FORMS_DIR / "vssid_residents_population.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert reader.fieldnames == ["unit_code", "nguoi_dan"]
        population = {row["unit_code"]: int(row["nguoi_dan"]) for row in reader}
    assert set(population) == unit_codes("ward")
    assert len(population) == 14
    assert all(population.values())


# --- ODK's engine ----------------------------------------------------------------------------


@pytest.fixture
def engine_files(session: Session, default_units, tmp_path: Path) -> Path:
    """The two XForms, and ``units.csv`` as the server generates it."""
    for form_id in FORM_IDS:
        (tmp_path / f"{form_id}.xml").write_text(compiled(form_id).xml, encoding="utf-8")
    media = tmp_path / "media"
    media.mkdir()
    (media / "units.csv").write_bytes(units.units_csv(session))
    return tmp_path


def run_engine(files: Path, form_id: str, values: dict[str, Any], *extra: str):
    answers_file = files / f"{form_id}-answers.json"
    answers_file.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    return fill(
        "--form", str(files / f"{form_id}.xml"),
        "--media", str(files / "media"),
        "--answers", str(answers_file),
        "--lang", "vi",
        *extra,
    )  # fmt: skip


@pytest.mark.webforms
@requires_harness
@pytest.mark.parametrize("form_id", FORM_IDS)
def test_engine__valid_answers__ready(engine_files: Path, form_id: str):
    code, report = run_engine(engine_files, form_id, answers(form_id), "--strict")
    assert code == 0, report
    assert report["payloadStatus"] == "ready"
    assert f'id="{form_id}" version="{VERSIONS[form_id]}"' in report["instanceXML"]


@pytest.mark.webforms
@requires_harness
@pytest.mark.parametrize(
    ("form_id", "expected"),
    [
        ("vneid_level2", {"cccd", "activation_date"}),
        ("vssid_residents_outreach", {"residents_helped"}),
    ],
)
def test_engine__invalid_answers__constraints_enforced(
    engine_files: Path, form_id: str, expected: set[str]
):
    code, report = run_engine(engine_files, form_id, answers(form_id, "invalid"))
    assert code == 1
    assert {e["ref"].rsplit("/", 1)[-1] for e in report["errors"]} == expected


@pytest.mark.webforms
@requires_harness
def test_engine__outreach_lists_wards_only(engine_files: Path):
    department = sorted(unit_codes() - unit_codes("ward"))[0]
    values = answers("vssid_residents_outreach", unit=department)
    code, report = run_engine(engine_files, "vssid_residents_outreach", values)
    assert code == 1
    assert ("invalid_choice", "/vssid_residents_outreach/unit") in {
        (e["type"], e["ref"]) for e in report["errors"]
    }


@pytest.mark.webforms
@requires_harness
@pytest.mark.usefixtures("published")
@pytest.mark.parametrize("form_id", FORM_IDS)
def test_engine_as_phone__submission_accepted(
    app: Flask, session: Session, collector: str, form_id: str
):
    """Downloaded over OpenRosa, filled by ODK's engine, posted: stored and accepted by us."""
    with live_server(app) as url:
        code, report = fill(
            "--server", url,
            "--form-id", form_id,
            "--answers", str(ANSWERS / f"{form_id}-valid.json"),
            "--user", collector,
            "--password", PASSWORD,
            "--missing-media", "ERROR",
            "--post",
        )  # fmt: skip
    assert code == 0, report
    assert report["post"]["status"] == 201
    session.rollback()
    (row,) = session.scalars(select(Submission)).all()
    assert (row.form_id, row.error_code) == (form_id, None)
    assert row.verdict == "accepted", row.issues
    settle(session)
    state = session.get(SubmissionStatus, row.id)
    assert state is not None and state.review_state == "accepted", state
