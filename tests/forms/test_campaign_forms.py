"""The two campaign XLSForms against the contract for their names (README.md, "Forms"),
read from their XForms."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from ingest import forms
from ingest.campaigns import Campaign, publish
from tests.conftest import FORMS_DIR

NS = {"h": "http://www.w3.org/1999/xhtml", "xf": "http://www.w3.org/2002/xforms"}
VI, EN = "Tiếng Việt (vi)", "English (en)"


def compiled(form_id: str) -> forms.CompiledForm:
    return forms.compile_xlsform(FORMS_DIR / f"{form_id}.xlsx")


def binds(form: forms.CompiledForm) -> dict[str, dict[str, str]]:
    root = etree.fromstring(form.xml.encode())
    prefix = f"/{form.form_id}/"
    return {
        b.get("nodeset", "").removeprefix(prefix): dict(b.attrib)
        for b in root.iterfind(".//xf:bind", NS)
    }


def translations(form: forms.CompiledForm) -> list[str]:
    root = etree.fromstring(form.xml.encode())
    return [t.get("lang", "") for t in root.iterfind(".//xf:itext/xf:translation", NS)]


@pytest.mark.parametrize("form_id", ["vssid_install", "vssid_unit_report"])
def test_form__compiles_without_warnings_vietnamese_default(form_id: str):
    form = compiled(form_id)
    assert form.form_id == form_id
    assert re.fullmatch(r"\d{10}", form.version)
    assert form.warnings == ()
    assert form.media == ("units.csv",)
    assert set(translations(form)) == {VI, EN}
    root = etree.fromstring(form.xml.encode())
    default = root.find(".//xf:itext/xf:translation[@default='true()']", NS)
    assert default is not None and default.get("lang") == VI
    assert "VssID" in form.title


def test_install_form__fields_and_types():
    b = binds(compiled("vssid_install"))
    expected_types = {
        "consent": "string",
        "unit": "string",
        "full_name": "string",
        "bhxh_code": "string",
        "category": "string",
        "phone": "string",
        "status": "string",
        "install_date": "date",
        "reasons": "string",
        "reason_other": "string",
        "proof_photo": "binary",
        "note": "string",
        "start": "dateTime",
        "end": "dateTime",
        "deviceid": "string",
        "username": "string",
        "meta/instanceID": "string",
    }
    for name, xml_type in expected_types.items():
        assert b[name]["type"] == xml_type, name
    assert "regex(., '^[0-9]{10}$')" in b["bhxh_code"]["constraint"]
    assert b["bhxh_code"]["required"] == "true()"
    assert "today()" in b["install_date"]["constraint"]
    assert "account_active" in b["install_date"]["relevant"]
    assert "regex(" in b["phone"]["constraint"]
    assert b.get("phone", {}).get("required") in (None, "false()")
    for name in ("unit", "full_name", "bhxh_code", "category", "status"):
        assert "consent" in b[name]["relevant"], f"{name} must end with consent = no"
    for name in ("bhxh_code", "install_date", "phone"):
        jr = "{http://openrosa.org/javarosa}constraintMsg"
        assert b[name][jr].startswith("jr:itext("), f"{name} needs translated messages"


def test_install_form__choices_match_the_contract():
    root = etree.fromstring(compiled("vssid_install").xml.encode())

    def values(field: str) -> set[str]:
        body = root.find(f".//*[@ref='/vssid_install/{field}']")
        assert body is not None, field
        items = body.findall("xf:item/xf:value", NS)
        if items:
            return {v.text or "" for v in items}
        itemset = body.find("xf:itemset", NS)
        assert itemset is not None
        instance_id = re.search(r"instance\('([^']+)'\)", itemset.get("nodeset", ""))
        assert instance_id
        inst = root.find(f".//xf:instance[@id='{instance_id.group(1)}']", NS)
        assert inst is not None
        return {v.text or "" for v in inst.iterfind(".//xf:name", NS)}

    assert values("consent") == {"yes", "no"}
    assert values("category") == {"cong_chuc", "vien_chuc", "nguoi_lao_dong"}
    assert values("status") == {
        "no_smartphone",
        "not_installed",
        "installed_no_account",
        "registered_pending",
        "account_active",
    }
    # The campaign's definition names the form's own answers: installed, and active.
    vssid = campaign_definition("vssid")
    assert vssid.done.values == {"installed_no_account", "registered_pending", "account_active"}
    assert vssid.done.values | {"no_smartphone", "not_installed"} == values("status")
    assert [(level.key, level.values) for level in vssid.levels] == [("active", {"account_active"})]
    assert values("reasons") == {
        "no_smartphone",
        "phone_unsupported",
        "no_registered_phone",
        "forgot_password",
        "pending_approval",
        "declined",
        "other",
    }
    unit = root.find(".//*[@ref='/vssid_install/unit']/xf:itemset", NS)
    assert unit is not None and "instance('units')" in unit.get("nodeset", "")
    src = root.find(".//xf:instance[@id='units']", NS)
    assert src is not None and src.get("src") == "jr://file-csv/units.csv"


def test_install_form__instance_name_shows_the_person():
    root = etree.fromstring(compiled("vssid_install").xml.encode())
    calc = root.find(".//xf:bind[@nodeset='/vssid_install/meta/instanceName']", NS)
    assert calc is not None
    assert "full_name" in calc.get("calculate", "") and "bhxh_code" in calc.get("calculate", "")


def test_unit_report__fields_and_constraints():
    b = binds(compiled("vssid_unit_report"))
    assert b["report_date"]["type"] == "date"
    assert "today()" in b["report_date"]["constraint"]
    for category in ("cong_chuc", "vien_chuc", "nguoi_lao_dong"):
        assert b[f"headcount_{category}"]["type"] == "int"
        assert b[f"installed_{category}"]["type"] == "int"
        assert b[f"active_{category}"]["type"] == "int"
        assert f"headcount_{category}" in b[f"installed_{category}"]["constraint"]
        assert f"installed_{category}" in b[f"active_{category}"]["constraint"]


@pytest.mark.parametrize("form_id", ["vssid_install", "vssid_unit_report"])
def test_labels__vietnamese_has_diacritics(form_id: str):
    root = etree.fromstring(compiled(form_id).xml.encode())
    vi = root.find(f".//xf:itext/xf:translation[@lang='{VI}']", NS)
    assert vi is not None
    text = " ".join(vi.itertext())
    for word in ("Đơn vị", "đơn vị"):
        if word in text:
            break
    else:
        pytest.fail("no 'đơn vị' in the Vietnamese labels")
    assert re.search(r"[ạảãàáâậầấẩẫăắằặẳẵđêếềệểễôốồộổỗơớờợởỡưứừựửữ]", text)


def campaign_definition(campaign_id: str) -> Campaign:
    """A shipped campaign resolved against its forms (as ``vssid forms publish`` does)."""
    definition = publish.read(FORMS_DIR / f"{campaign_id}.campaign.toml")
    compiled = {p: forms.compile_xlsform(p) for p in definition.form_files}
    return publish.resolve(definition, compiled)
