"""Reading a form's fields, kinds, types, choices and relevance from its XForm XML."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest import forms
from ingest.forms import formspec
from ingest.forms.formspec import FormSpec
from tests import personal_form
from tests.conftest import FORMS_DIR, PREVIOUS_FORMS_DIR

VI, EN = "Tiếng Việt (vi)", "English (en)"

LAYOUT_MD = """\
| survey |
| | type | name | label::Tiếng Việt (vi) | label::English (en) | relevant | required | choice_filter | calculation |
| | start | start | | | | | | |
| | end | end | | | | | | |
| | today | today | | | | | | |
| | deviceid | deviceid | | | | | | |
| | username | username | | | | | | |
| | select_one yes_no | consent | Đồng ý? | Consent? | | yes | | |
| | begin group | person | Người | Person | ${consent} = 'yes' | | | |
| | select_one_from_file units.csv | unit | Đơn vị | Unit | | yes | | |
| | begin group | contact | Liên lạc | Contact | ${unit} != '' | | | |
| | text | phone | Điện thoại | Phone | string-length(${unit}) > 2 | | | |
| | select_one_from_file wards.xml | ward | Phường | Ward | | | | |
| | end group | | | | | | | |
| | end group | | | | | | | |
| | begin repeat | members | Thành viên | Members | | | | |
| | text | member_name | Họ tên | Name | | yes | | |
| | select_one city | city | Thành phố | City | | | | |
| | select_multiple district | districts | Quận | Districts | | | city=${city} | |
| | image | photo | Ảnh | Photo | | | | |
| | geopoint | spot | Vị trí | Location | | | | |
| | end repeat | | | | | | | |
| | calculate | member_count | | | | | | count(${members}) |
| | note | thanks | Cảm ơn | Thank you | | | | |
| choices |
| | list_name | name | label::Tiếng Việt (vi) | label::English (en) | city |
| | yes_no | yes | Có | Yes | |
| | yes_no | no | Không | No | |
| | city | hcm | TP. HCM | HCMC | |
| | city | hn | Hà Nội | Hanoi | |
| | district | q10 | Quận 10 | District 10 | hcm |
| | district | hk | Hoàn Kiếm | Hoan Kiem | hn |
| settings |
| | form_id | version | default_language |
| | layout | 2021032001 | Tiếng Việt (vi) |
"""  # noqa: E501 (an XLSForm is a wide table)

#: A hand-written XForm with inline <item> choices, which pyxform no longer writes.
ITEMS_XML = """\
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa">
  <h:head>
    <h:title>Màu</h:title>
    <model>
      <instance>
        <items id="items_form" version="7"><color/><sizes/><meta><instanceID/></meta></items>
      </instance>
      <bind nodeset="/items/color" type="string" required="true()" jr:requiredMsg="Chọn màu"/>
      <bind nodeset="/items/sizes" type="string"/>
      <bind nodeset="/items/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    </model>
  </h:head>
  <h:body>
    <select1 ref="/items/color"><label>Màu</label>
      <item><label>Đỏ</label><value>red</value></item>
      <item><label>Xanh</label><value> blue </value></item>
    </select1>
    <select ref="/items/sizes"><label>Cỡ <output value=" /items/color "/></label>
      <item><label>S</label><value>s</value></item>
      <item><label>M</label><value>m</value></item>
    </select>
  </h:body>
</h:html>
"""


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> FormSpec:
    path = tmp_path_factory.mktemp("forms") / "layout.md"
    path.write_text(LAYOUT_MD, encoding="utf-8")
    compiled = forms.compile_xlsform(path)
    return formspec.spec_for(compiled.md5, compiled.xml)


def campaign(form_id: str) -> FormSpec:
    compiled = forms.compile_xlsform(FORMS_DIR / f"{form_id}.xlsx")
    return formspec.spec_for(compiled.md5, compiled.xml)


def test_identity(layout: FormSpec):
    assert (layout.root_name, layout.form_id, layout.version) == ("data", "layout", "2021032001")
    assert layout.languages == (VI, EN) and layout.default_language == VI


def test_fields__document_order_kinds_and_types(layout: FormSpec):
    assert [(f.path, f.kind, f.xml_type) for f in layout.fields.values()] == [
        ("start", "meta", "dateTime"),
        ("end", "meta", "dateTime"),
        ("today", "meta", "date"),
        ("deviceid", "meta", "string"),
        ("username", "meta", "string"),
        ("consent", "select_one", "string"),
        ("person", "group", "string"),
        ("person/unit", "select_one", "string"),
        ("person/contact", "group", "string"),
        ("person/contact/phone", "input", "string"),
        ("person/contact/ward", "select_one", "string"),
        ("members", "repeat", "string"),
        ("members/member_name", "input", "string"),
        ("members/city", "select_one", "string"),
        ("members/districts", "select_multiple", "string"),
        ("members/photo", "upload", "binary"),
        ("members/spot", "input", "geopoint"),
        ("member_count", "calculate", "string"),
        ("thanks", "note", "string"),
        ("meta", "group", "string"),
        ("meta/instanceID", "meta", "string"),
    ]


def test_groups_repeats_and_files(layout: FormSpec):
    assert layout.group_paths == {"person", "person/contact", "meta"}
    assert layout.repeat_paths == {"members"}
    assert layout.binary_paths == {"members/photo"}
    assert layout.fields["person/contact/phone"].ancestors == ("person", "person/contact")
    assert layout.fields["members/city"].repeat == "members"
    assert layout.fields["members"].repeat == "members"
    assert layout.fields["consent"].repeat is None


def test_binds(layout: FormSpec):
    consent = layout.fields["consent"]
    assert (consent.required, consent.relevant, consent.constraint) == ("true()", None, None)
    assert layout.fields["member_count"].calculate == "count( /data/members )"
    assert layout.fields["thanks"].readonly == "true()"
    assert layout.fields["members/photo"].required is None


@pytest.mark.parametrize(
    ("path", "choices", "choices_file"),
    [
        ("consent", {"yes", "no"}, None),  # an internal secondary instance
        ("members/city", {"hcm", "hn"}, None),
        ("members/districts", {"q10", "hk"}, None),  # the whole list: the filter is per answer
        ("person/unit", None, "units.csv"),  # jr://file-csv/units.csv
        ("person/contact/ward", None, "wards.xml"),  # jr://file/wards.xml
        ("person/contact/phone", None, None),
    ],
)
def test_choices(layout: FormSpec, path: str, choices: set[str] | None, choices_file: str | None):
    field = layout.fields[path]
    assert field.choices == (None if choices is None else frozenset(choices))
    assert field.choices_file == choices_file


def test_choices__inline_items_and_plain_texts():
    spec = formspec.spec_for("items-md5", ITEMS_XML)
    assert (spec.root_name, spec.form_id, spec.version) == ("items", "items_form", "7")
    color, sizes = spec.fields["color"], spec.fields["sizes"]
    assert (color.kind, color.choices) == ("select_one", frozenset({"red", "blue"}))
    assert (sizes.kind, sizes.choices) == ("select_multiple", frozenset({"s", "m"}))
    assert color.labels == {"": "Màu"} and color.required_messages == {"": "Chọn màu"}
    assert sizes.labels == {"": "Cỡ ${color}"}
    assert spec.languages == () and spec.default_language is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("consent", ()),
        ("person", (" /data/consent  = 'yes'",)),
        ("person/unit", (" /data/consent  = 'yes'",)),
        (
            "person/contact/phone",
            (
                " /data/consent  = 'yes'",
                " /data/person/unit  != ''",
                "string-length( /data/person/unit ) > 2",
            ),
        ),
        ("members/city", ()),
    ],
)
def test_relevance__includes_enclosing_groups(layout: FormSpec, path: str, expected: tuple[str]):
    assert layout.relevance(path) == expected


def test_labels_per_language(layout: FormSpec):
    assert layout.fields["person/contact/phone"].labels == {VI: "Điện thoại", EN: "Phone"}
    assert layout.fields["start"].labels == {}


def test_spec_for__cached_by_md5():
    xml = ITEMS_XML
    md5 = hashlib.md5(xml.encode()).hexdigest()
    assert formspec.spec_for(md5, xml) is formspec.spec_for(md5, xml)


def test_attachment_names__in_repeats_too(layout: FormSpec):
    values: dict[str, object] = {
        "consent": "yes",
        "members": [
            {"members/member_name": "Lan", "members/photo": "a.jpg"},
            {"members/member_name": "Huệ", "members/photo": " "},
            {"members/member_name": "Cúc", "members/photo": "b.jpg"},
        ],
    }
    assert formspec.attachment_names(layout, values) == {"a.jpg", "b.jpg"}


def test_install_form__design_contract():
    spec = campaign("vssid_install")
    fields = spec.fields
    assert (spec.form_id, spec.root_name) == ("vssid_install", "vssid_install")
    assert fields["consent"].choices == {"yes", "no"}
    assert fields["unit"].choices_file == "units.csv" and fields["unit"].kind == "select_one"
    assert fields["category"].choices == {"cong_chuc", "vien_chuc", "nguoi_lao_dong"}
    assert fields["status"].choices == {
        "no_smartphone",
        "not_installed",
        "installed_no_account",
        "registered_pending",
        "account_active",
    }
    assert fields["reasons"].kind == "select_multiple"
    assert "other" in (fields["reasons"].choices or ())
    assert (fields["install_date"].xml_type, fields["install_date"].constraint) == (
        "date",
        ". <= today()",
    )
    assert (fields["proof_photo"].kind, fields["proof_photo"].xml_type) == ("upload", "binary")
    assert fields["consent_notice"].kind == "note"
    for name in ("start", "end", "deviceid", "username", "meta/instanceID"):
        assert fields[name].kind == "meta", name
    assert fields["bhxh_code"].constraint_messages[VI].startswith("Mã số BHXH")
    assert fields["bhxh_code"].labels[EN].startswith("Social insurance number")
    assert spec.binary_paths == {"proof_photo"} and spec.repeat_paths == frozenset()


def test_unit_report_form__counts_are_ints():
    spec = campaign("vssid_unit_report")
    for category in ("cong_chuc", "vien_chuc", "nguoi_lao_dong"):
        for measure in ("headcount", "installed", "active"):
            field = spec.fields[f"{measure}_{category}"]
            assert (field.kind, field.xml_type, field.required) == ("input", "int", "true()")
    assert spec.fields["unit_name"].kind == "calculate"
    assert spec.fields["summary"].kind == "note"


# --- personal fields: declared by the form ------------------------------------------------

#: A hand-written XForm: a declaration in a group, one on a repeat, one that is not "true",
#: and calculated values (absolute, relative inside the repeat, a copy of a copy).
PERSONAL_XML = """\
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:vssid="urn:vssid:xforms">
  <h:head>
    <h:title>Cá nhân</h:title>
    <model>
      <instance>
        <data id="personal" version="1">
          <info><name/><town/></info>
          <kids><kid/><age/><greeting/></kids>
          <secret><a/><b/></secret>
          <label_copy/><copy_of_copy/><count_kids/><other/>
          <meta><instanceID/><instanceName/></meta>
        </data>
      </instance>
      <bind nodeset="/data/info/name" type="string" vssid:personal="true"/>
      <bind nodeset="/data/info/town" type="string" vssid:personal="false"/>
      <bind nodeset="/data/kids/kid" type="string" vssid:personal="true()"/>
      <bind nodeset="/data/kids/greeting" type="string" calculate="concat('Chào ',  ../kid )"/>
      <bind nodeset="/data/secret" vssid:personal=" TRUE "/>
      <bind nodeset="/data/label_copy" type="string" calculate="concat( /data/info/name , '!')"/>
      <bind nodeset="/data/copy_of_copy" type="string" calculate=" /data/label_copy "/>
      <bind nodeset="/data/count_kids" type="string" calculate="count( /data/kids )"/>
      <bind nodeset="/data/other" type="string" personal="true"/>
      <bind nodeset="/data/meta/instanceName" type="string"
            calculate="concat( /data/info/town , instance('x')/data/info/name)"/>
    </model>
  </h:head>
  <h:body>
    <group ref="/data/info"><input ref="/data/info/name"/><input ref="/data/info/town"/></group>
    <repeat nodeset="/data/kids"><input ref="/data/kids/kid"/><input ref="/data/kids/age"/></repeat>
    <group ref="/data/secret"><input ref="/data/secret/a"/><input ref="/data/secret/b"/></group>
    <input ref="/data/other"/>
  </h:body>
</h:html>
"""


def test_personal__declared_on_the_bind_in_the_vssid_namespace():
    spec = formspec.spec_for("personal-md5", PERSONAL_XML)
    declared = {path for path, field in spec.fields.items() if field.personal}
    assert declared == {"info/name", "kids/kid", "secret"}
    assert formspec.VSSID_NS == "urn:vssid:xforms"
    assert not spec.fields["other"].personal  # an attribute in no namespace is not ours


def test_personal_paths__groups_contents_and_what_is_calculated_from_them():
    spec = formspec.spec_for("personal-md5", PERSONAL_XML)
    assert spec.personal_paths == {
        "info/name",
        "kids/kid",
        "kids/greeting",  # ../kid, inside the repeat
        "secret",
        "secret/a",  # in a group declared personal
        "secret/b",
        "label_copy",  # reads info/name
        "copy_of_copy",  # reads label_copy
    }
    # town is declared "false"; count(kids) reads no personal answer; the instance name reads
    # town and another instance's node that happens to share a path.
    assert {"info/town", "count_kids", "meta/instanceName"}.isdisjoint(spec.personal_paths)


def test_personal_paths__xlsform_column_and_namespaces_setting(tmp_path: Path):
    spec = personal_form.spec(tmp_path)
    assert spec.fields["thong_tin/full_name"].personal
    assert spec.personal_paths == {
        "thong_tin/full_name",
        "thong_tin/cccd",
        "con/ten_con",
        "xung_ho",  # calculated from the name
    }
    assert personal_form.spec(tmp_path, declared=False).personal_paths == frozenset()


def test_install_form__personal_fields_exactly_those_declared():
    spec = campaign("vssid_install")
    declared = {path for path, field in spec.fields.items() if field.personal}
    assert declared == {
        "deviceid", "username", "full_name", "bhxh_code", "phone", "reason_other",
        "proof_photo", "note",
    }  # fmt: skip
    # The instance name is the name and the BHXH code: as personal as they are.
    assert spec.personal_paths == declared | {"meta/instanceName"}
    assert {"unit", "category", "status", "install_date", "reasons"}.isdisjoint(declared)


def test_unit_report_form__personal_fields_exactly_those_declared():
    spec = campaign("vssid_unit_report")
    assert spec.personal_paths == {"deviceid", "username", "reporter_name", "reporter_phone",
                                   "note"}  # fmt: skip


def test_first_published_versions__declare_nothing():
    """2021031001 predates the declarations: ``webhook.policy.masking_spec`` lends it those
    of the form's later versions."""
    for form_id in ("vssid_install", "vssid_unit_report"):
        compiled = forms.compile_xlsform(PREVIOUS_FORMS_DIR / f"{form_id}.xlsx")
        assert compiled.version == "2021031001"
        assert formspec.spec_for(compiled.md5, compiled.xml).personal_paths == frozenset()
