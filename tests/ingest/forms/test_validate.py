"""Validating submissions against their form, one rule at a time, then the campaign forms.

Rule codes under test (``ingest.forms.validate``):

- ``field.unknown``: a value for a path the form does not have;
- ``value.type``: a value that is not of its field's type;
- ``choice.unknown``: a select answer not among the choices (inline or from a media file);
- ``value.required``: a relevant required field left empty;
- ``value.constraint``: a non-empty relevant answer whose constraint is false;
- ``value.not_relevant``: an answer to a question that is not relevant (informational);
- ``expression.not_checked``: an expression the evaluator cannot handle (informational);
- ``choice.not_checked``: a select whose choice list is not available (informational).

The small forms are XLSForms written as Markdown tables and compiled by pyxform; answers
arrive as instance XML read by ``ingest.submissions.parse`` (ODK Collect) or as Kobo's flat JSON.
"""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from ingest import forms
from ingest.forms import formspec, validate, xpath
from ingest.forms.formspec import FormSpec
from ingest.forms.validate import Context, Issue
from ingest.submissions import parse
from tests.conftest import DEFAULT_UNITS, FORMS_DIR

DATA = Path(__file__).resolve().parents[2] / "data"
ANSWERS = Path(__file__).resolve().parents[2] / "forms" / "answers"
ICT = timezone(timedelta(hours=7))
UNITS = frozenset({"27184", "27190"})
CONTEXT = Context(
    today=date(2021, 3, 20),
    now=datetime(2021, 3, 20, 9, 0, tzinfo=ICT),
    external_choices={"units.csv": UNITS},
)
CODES = (
    "field.unknown",
    "value.type",
    "choice.unknown",
    "value.required",
    "value.constraint",
    "value.not_relevant",
    "expression.not_checked",
    "choice.not_checked",
)

SURVEY_MD = """\
| survey |
| | type | name | label::Tiếng Việt (vi) | label::English (en) | relevant | required | constraint | constraint_message::Tiếng Việt (vi) | constraint_message::English (en) | required_message::Tiếng Việt (vi) | required_message::English (en) | calculation |
| | start | start | | | | | | | | | | |
| | end | end | | | | | | | | | | |
| | text | full_name | Họ và tên | Full name | | yes | string-length(normalize-space(.)) >= 2 | Họ tên quá ngắn | The name is too short | Vui lòng nhập họ tên. | Please enter the name. | |
| | integer | age | Tuổi | Age | | yes | . >= 0 and . <= 120 | Tuổi phải từ 0 đến 120 | The age must be 0 to 120 | | | |
| | decimal | weight | Cân nặng (kg) | Weight (kg) | | | . > 0 | | | | | |
| | date | visit_date | Ngày gặp | Visit date | | | . <= today() | Ngày gặp không được sau hôm nay | The visit date cannot be in the future | | | |
| | dateTime | seen_at | Thời điểm | Seen at | | | | | | | | |
| | time | seen_time | Giờ | Time | | | | | | | | |
| | geopoint | location | Vị trí | Location | | | | | | | | |
| | select_one yes_no | has_phone | Có điện thoại? | Has a phone? | | yes | | | | | | |
| | text | phone | Số điện thoại | Phone number | ${has_phone} = 'yes' | yes | regex(., '^0[0-9]{9}$') | Số điện thoại gồm 10 chữ số | The phone number has 10 digits | | | |
| | select_multiple reasons | reasons | Lý do | Reasons | ${has_phone} = 'no' | ${age} >= 18 | not(selected(., 'none') and count-selected(.) > 1) | | | | | |
| | text | reason_other | Lý do khác | Other reason | selected(${reasons}, 'other') | yes | | | | | | |
| | select_one_from_file units.csv | unit | Đơn vị | Unit | | yes | | | | | | |
| | integer | children | Số con | Children | | | if(${age} < 18, . = 0, . >= 0) | | | | | |
| | note | info | Cảm ơn | Thank you | | | | | | | | |
| | calculate | age_next | | | | | | | | | | ${age} + 1 |
| choices |
| | list_name | name | label::Tiếng Việt (vi) | label::English (en) |
| | yes_no | yes | Có | Yes |
| | yes_no | no | Không | No |
| | reasons | cost | Giá cao | Too expensive |
| | reasons | none | Không cần | Not needed |
| | reasons | other | Khác | Other |
| settings |
| | form_id | version | default_language |
| | ho_so | 2021032001 | Tiếng Việt (vi) |
"""  # noqa: E501 (an XLSForm is a wide table)

HOUSEHOLD_MD = """\
| survey |
| | type | name | label | relevant | required | constraint | constraint_message | parameters |
| | start | start | | | | | | |
| | end | end | | | | | | |
| | select_one_from_file units.csv | unit | Đơn vị | | yes | | | |
| | begin group | team | Tổ công tác | ${unit} != '' | | | | |
| | text | leader | Tổ trưởng | | yes | | | |
| | date | visit_date | Ngày đến | | | . <= today() | Không được sau hôm nay | |
| | end group | | | | | | | |
| | begin repeat | members | Thành viên | | | | | |
| | text | member_name | Họ tên | | yes | | | |
| | text | member_code | Mã số BHXH | | | regex(., '^[0-9]{10}$') | Mã số gồm 10 chữ số | |
| | image | photo | Ảnh | | | | | max-pixels=1024 |
| | end repeat | | | | | | | |
| settings |
| | form_id | version |
| | household_check | 2021031901 |
"""

UNCHECKED_MD = """\
| survey |
| | type | name | label | relevant | required | constraint |
| | text | nickname | Biệt danh | | | pulldata('nicknames', 'name', 'key', .) = '' |
| | text | spouse | Vợ/chồng | jr:choice-name('yes', '/data/nickname') != '' | yes | |
| | text | letters | Chữ | | | regex(., '^\\p{L}+$') |
| | begin repeat | kids | Con | | | |
| | text | kid_name | Tên con | | | instance('names')/root/item[name = current()]/label != '' |
| | end repeat | | | | | |
| settings |
| | form_id | version |
| | unchecked | 1 |
"""

VALID = {
    "start": "2021-03-20T08:00:00.000+07:00",
    "end": "2021-03-20T08:05:47.902+07:00",
    "full_name": "Nguyễn Thị Thu Hà",
    "age": "34",
    "weight": "52.5",
    "visit_date": "2021-03-16",
    "seen_at": "2021-03-16T08:05:47.902+07:00",
    "seen_time": "08:05:47.902+07:00",
    "location": "10.7626 106.6601 12.5 4.8",
    "has_phone": "yes",
    "phone": "0912345678",
    "unit": "27184",
    "children": "0",
    "info": "",
    "age_next": "35",
}


def compile_md(folder: Path, name: str, text: str) -> FormSpec:
    path = folder / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    compiled = forms.compile_xlsform(path)
    return formspec.spec_for(compiled.md5, compiled.xml)


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> FormSpec:
    return compile_md(tmp_path_factory.mktemp("forms"), "survey", SURVEY_MD)


@pytest.fixture(scope="module")
def household(tmp_path_factory: pytest.TempPathFactory) -> FormSpec:
    return compile_md(tmp_path_factory.mktemp("forms"), "household_check", HOUSEHOLD_MD)


@pytest.fixture(scope="module")
def unchecked(tmp_path_factory: pytest.TempPathFactory) -> FormSpec:
    return compile_md(tmp_path_factory.mktemp("forms"), "unchecked", UNCHECKED_MD)


def instance_xml(spec: FormSpec, answers: Mapping[str, str]) -> str:
    """An instance document as ODK Collect writes it (answers in the order given)."""
    body = "".join(f"<{k}>{escape(v)}</{k}>" if v else f"<{k}/>" for k, v in answers.items())
    return (
        f'<?xml version="1.0" ?><{spec.root_name} id="{spec.form_id}" '
        f'version="{spec.version}" xmlns:orx="http://openrosa.org/xforms">{body}'
        "<orx:meta><orx:instanceID>uuid:5b4c1a2e-0d3f-4e6a-9b8c-7d6e5f4a3b2c</orx:instanceID>"
        f"</orx:meta></{spec.root_name}>"
    )


def read(spec: FormSpec, xml: str) -> dict[str, Any]:
    """The answers of an instance document, as intake reads them."""
    return parse.instance_from_xml(parse.read_xml(xml.encode("utf-8")), spec.repeat_paths).values


def submit(spec: FormSpec, changes: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """The valid answers with ``changes`` (None leaves the element out), read from XML."""
    answers = {**VALID, **(changes or {})}
    return read(spec, instance_xml(spec, {k: v for k, v in answers.items() if v is not None}))


def found(issues: list[Issue]) -> list[tuple[str, str | None, bool]]:
    return [(i.code, i.path, i.blocking) for i in issues]


def check(spec: FormSpec, values: Mapping[str, Any], context: Context = CONTEXT) -> list[Any]:
    return found(validate.validate(spec, values, context))


def test_docstring__lists_every_code():
    assert validate.__doc__ is not None
    for code in CODES:
        assert f"``{code}``" in validate.__doc__, code


def test_valid_submission__no_issues(survey: FormSpec):
    assert check(survey, submit(survey)) == []


def test_validate__pure_and_repeatable(survey: FormSpec):
    values = submit(survey, {"has_phone": "no", "phone": "0912345678"})
    before = copy.deepcopy(values)
    first = validate.validate(survey, values, CONTEXT)
    assert validate.validate(survey, values, CONTEXT) == first
    assert values == before


# --- field.unknown --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("extra", "1", [("field.unknown", "extra", True)]),
        ("team/leader", "Lan", [("field.unknown", "team/leader", True)]),
        ("meta/deprecatedID", "uuid:1", []),
        ("meta/instanceName", "Hà", []),
        ("formhub/uuid", "d9e0d163e34c4524", []),
        ("__version__", "vqu4EaVFry5MirsJcBbhsQ", []),
        ("_id", 184520512, []),
        ("_attachments", [], []),
        ("info", "", []),
        ("age_next", "35", []),
    ],
)
def test_field_unknown(survey: FormSpec, key: str, value: Any, expected: list[Any]):
    assert check(survey, {**submit(survey), key: value}) == expected


def test_field_unknown__empty_group_element_and_notes__known(household: FormSpec):
    xml = (
        '<data id="household_check" version="2021031901"><start/><end/><unit/><team/>'
        "<meta><instanceID>uuid:1</instanceID></meta></data>"
    )
    values = read(household, xml)
    assert values["team"] == ""
    assert [c for c, _, _ in check(household, values)] == ["value.required"]


def test_field_unknown__in_repeat_item(household: FormSpec):
    values = {
        "unit": "27184",
        "team/leader": "Võ Thị Hạnh",
        "members": [
            {"members/member_name": "Đặng Văn Long", "members/hobby": "cờ"},
            {"members/member_name": "Bùi Thị Mai", "unit": "27184"},
        ],
    }
    assert check(household, values) == [
        ("field.unknown", "members[1]/hobby", True),
        ("field.unknown", "members[2]/unit", True),
    ]


# --- value.type -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("age", "007", True),
        ("age", "+12", True),
        ("age", "abc", False),
        ("age", "1.5", False),
        ("age", "1e3", False),
        ("weight", "52", True),
        ("weight", ".5", True),
        ("weight", "52,5", False),
        ("weight", "NaN", False),
        ("visit_date", "2021-03-16", True),
        ("visit_date", "2021-02-30", False),
        ("visit_date", "16/03/2021", False),
        ("visit_date", "2021-03-16T08:00:00+07:00", False),
        ("seen_at", "2021-03-16T08:05:47.902+07:00", True),
        ("seen_at", "2021-03-16T01:05:47Z", True),
        ("seen_at", "2021-03-16T08:05:47", False),
        ("seen_at", "hôm qua", False),
        ("seen_time", "08:05:47.902+07:00", True),
        ("seen_time", "08:05", True),
        ("seen_time", "25:00:00", False),
        ("location", "10.7626 106.6601", True),
        ("location", "10.7626 106.6601 12.5 4.8", True),
        ("location", "91 106.6601", False),
        ("location", "10.7626 181", False),
        ("location", "10.7626", False),
        ("location", "10.7626 106.6601 1 -4", False),
        ("location", "vĩ độ kinh độ", False),
    ],
)
def test_value_type__xml(survey: FormSpec, field: str, value: str, ok: bool):
    expected = [] if ok else [("value.type", field, True)]
    assert check(survey, submit(survey, {field: value})) == expected


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("age", 34, True),
        ("age", 34.0, True),
        ("age", 34.5, False),
        ("age", True, False),
        ("weight", 52.5, True),
        ("weight", float("inf"), False),
        ("full_name", 12345, True),
        ("full_name", ["Hà"], False),
    ],
)
def test_value_type__kobo_json(survey: FormSpec, field: str, value: Any, ok: bool):
    values = {**submit(survey), field: value}
    issues = check(survey, values)
    assert issues == ([] if ok else [("value.type", field, True)])


def test_value_type__message_names_the_type(survey: FormSpec):
    (issue,) = validate.validate(survey, submit(survey, {"age": "ba mươi"}), CONTEXT)
    assert issue.message_vi == "“Tuổi”: giá trị 'ba mươi' không phải là một số nguyên."
    assert issue.message_en == "“Age”: the value 'ba mươi' is not a whole number."


# --- choice.unknown and choice.not_checked ----------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"has_phone": "maybe", "phone": None}, [("choice.unknown", "has_phone", True)]),
        ({"has_phone": "no", "phone": None, "reasons": "cost"}, []),
        (
            {"has_phone": "no", "phone": None, "reasons": "cost zz other", "reason_other": "Xa"},
            [("choice.unknown", "reasons", True)],
        ),
        ({"unit": "27190"}, []),
        ({"unit": "99999"}, [("choice.unknown", "unit", True)]),
    ],
)
def test_choice_unknown(survey: FormSpec, changes: dict[str, str | None], expected: list[Any]):
    assert check(survey, submit(survey, changes)) == expected


def test_choice_unknown__message_names_list(survey: FormSpec):
    (issue,) = validate.validate(survey, submit(survey, {"unit": "99999"}), CONTEXT)
    assert issue.message_vi == "“Đơn vị”: lựa chọn '99999' không có trong danh sách units.csv."
    assert issue.message_en == "“Unit”: the choice '99999' is not in the list units.csv."


def test_choice_from_file__list_not_given__not_checked(survey: FormSpec):
    context = Context(CONTEXT.today, CONTEXT.now, external_choices={})
    (issue,) = validate.validate(survey, submit(survey, {"unit": "99999"}), context)
    assert (issue.code, issue.path, issue.blocking) == ("choice.not_checked", "unit", False)
    assert "units.csv" in issue.message_vi and "units.csv" in issue.message_en


# --- value.required ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"full_name": None}, [("value.required", "full_name", True)]),
        ({"full_name": "   "}, [("value.required", "full_name", True)]),
        ({"age": "", "age_next": ""}, [("value.required", "age", True)]),
        ({"phone": ""}, [("value.required", "phone", True)]),
        ({"has_phone": "no", "phone": None}, [("value.required", "reasons", True)]),
        ({"has_phone": "no", "phone": None, "age": "12", "children": "0"}, []),
        (
            {"has_phone": "no", "phone": None, "reasons": "cost other"},
            [("value.required", "reason_other", True)],
        ),
        ({"weight": "", "visit_date": None, "location": ""}, []),
    ],
)
def test_value_required(survey: FormSpec, changes: dict[str, str | None], expected: list[Any]):
    assert check(survey, submit(survey, changes)) == expected


def test_value_required__form_message(survey: FormSpec):
    (issue,) = validate.validate(survey, submit(survey, {"full_name": None}), CONTEXT)
    assert issue.message_vi == "“Họ và tên”: Vui lòng nhập họ tên."
    assert issue.message_en == "“Full name”: Please enter the name."


# --- value.constraint -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("age", "0", True),
        ("age", "120", True),
        ("age", "150", False),
        ("age", "-1", False),
        ("visit_date", "2021-03-16", True),
        ("visit_date", "2021-03-20", True),
        ("visit_date", "2021-03-21", False),
        ("visit_date", "2099-12-31", False),
        ("full_name", "A", False),
        ("full_name", "  B  ", False),
        ("full_name", "Lê", True),
        ("phone", "0912345678", True),
        ("phone", "123", False),
        ("phone", "091234567x", False),
        ("weight", "0", False),
        ("weight", "0.1", True),
        ("weight", "", True),
        ("children", "1", True),
    ],
)
def test_value_constraint(survey: FormSpec, field: str, value: str, ok: bool):
    expected = [] if ok else [("value.constraint", field, True)]
    assert check(survey, submit(survey, {field: value})) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"age": "12", "children": "0"}, []),
        ({"age": "12", "children": "1"}, [("value.constraint", "children", True)]),
        (
            {"has_phone": "no", "phone": None, "reasons": "none cost"},
            [("value.constraint", "reasons", True)],
        ),
        ({"has_phone": "no", "phone": None, "reasons": "none"}, []),
    ],
)
def test_value_constraint__other_fields_and_functions(
    survey: FormSpec, changes: dict[str, str | None], expected: list[Any]
):
    assert check(survey, submit(survey, changes)) == expected


def test_value_constraint__form_message_in_both_languages(survey: FormSpec):
    (issue,) = validate.validate(survey, submit(survey, {"age": "150"}), CONTEXT)
    assert issue.message_vi == "“Tuổi”: giá trị '150' không hợp lệ: Tuổi phải từ 0 đến 120"
    assert issue.message_en == "“Age”: the value '150' is not valid: The age must be 0 to 120"


def test_value_constraint__no_form_message__names_the_condition(survey: FormSpec):
    (issue,) = validate.validate(survey, submit(survey, {"weight": "0"}), CONTEXT)
    assert "không thỏa điều kiện của biểu mẫu (. > 0)" in issue.message_vi
    assert "does not meet the form's condition (. > 0)" in issue.message_en


# --- value.not_relevant -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"has_phone": "no", "phone": "0912345678", "reasons": "cost"},
            [("value.not_relevant", "phone", False)],
        ),
        # Not relevant, so neither its constraint nor its type matter.
        (
            {"has_phone": "no", "phone": "12", "reasons": "cost"},
            [("value.not_relevant", "phone", False)],
        ),
        # A non-relevant answer is dropped: reason_other, relevant on it, is not required.
        ({"reasons": "other"}, [("value.not_relevant", "reasons", False)]),
    ],
)
def test_value_not_relevant(survey: FormSpec, changes: dict[str, str | None], expected: list[Any]):
    assert check(survey, submit(survey, changes)) == expected


def test_value_not_relevant__through_group(household: FormSpec):
    values = {"unit": "", "team/leader": "", "team/visit_date": "2099-12-31", "members": []}
    assert check(household, values) == [
        ("value.required", "unit", True),
        ("value.not_relevant", "team/visit_date", False),
    ]


# --- expression.not_checked -------------------------------------------------------------------


# spouse's relevance uses jr:choice-name(): it is never known, so spouse is never required.
SPOUSE_NOT_CHECKED = ("expression.not_checked", "spouse", False)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, [SPOUSE_NOT_CHECKED]),
        ({"nickname": ""}, [SPOUSE_NOT_CHECKED]),  # constraints only run on answers
        # pulldata(): a lookup in the form's media
        ({"nickname": "Bống"}, [("expression.not_checked", "nickname", False), SPOUSE_NOT_CHECKED]),
        # \p{L} is Java's regex syntax, not Python's: found when evaluated, not parsed
        ({"letters": "Hà"}, [SPOUSE_NOT_CHECKED, ("expression.not_checked", "letters", False)]),
        # instance(): reported once for the field, not once per repeat item
        (
            {"kids": [{"kids/kid_name": "Na"}, {"kids/kid_name": "Bi"}]},
            [SPOUSE_NOT_CHECKED, ("expression.not_checked", "kids[1]/kid_name", False)],
        ),
    ],
)
def test_expression_not_checked__never_blocks(
    unchecked: FormSpec, values: dict[str, Any], expected: list[Any]
):
    assert check(unchecked, values) == expected


def test_expression_not_checked__message_shows_expression(unchecked: FormSpec):
    issue, _ = validate.validate(unchecked, {"nickname": "Bống"}, CONTEXT)
    assert "pulldata('nicknames', 'name', 'key', .) = ''" in issue.message_vi
    assert issue.message_vi.startswith("“Biệt danh”: không kiểm tra được ràng buộc (constraint)")


# --- groups and repeats, from Kobo JSON and from XML ------------------------------------------


def test_kobo_repeat__real_payload__no_issues(household: FormSpec):
    data = json.loads((DATA / "kobo_household_repeat.json").read_text(encoding="utf-8"))
    context = Context(
        date(2021, 3, 19), datetime(2021, 3, 19, 10, 6, tzinfo=ICT), CONTEXT.external_choices
    )
    assert check(household, parse.instance_from_kobo(data).values, context) == []
    assert check(household, data, context) == []  # Kobo's own keys are ignored


HOUSEHOLD_XML = """\
<?xml version="1.0" ?>
<data id="household_check" version="2021031901">
  <start>2021-03-19T10:00:00.000+07:00</start><end>2021-03-19T10:06:00.000+07:00</end>
  <unit>27184</unit>
  <team><leader>Võ Thị Hạnh</leader><visit_date>2021-03-25</visit_date></team>
  <members><member_name/><member_code>0791112223</member_code><photo/></members>
  <members><member_name>Bùi Thị Mai</member_name><member_code>79333</member_code><photo/></members>
  <meta><instanceID>uuid:0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b</instanceID></meta>
</data>
"""
HOUSEHOLD_KOBO = {
    "start": "2021-03-19T10:00:00.000+07:00",
    "end": "2021-03-19T10:06:00.000+07:00",
    "unit": "27184",
    "team/leader": "Võ Thị Hạnh",
    "team/visit_date": "2021-03-25",
    "members": [
        {"members/member_code": "0791112223"},
        {"members/member_name": "Bùi Thị Mai", "members/member_code": "79333"},
    ],
    "meta/instanceID": "uuid:0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b",
}


@pytest.mark.parametrize("wire", ["xml", "kobo"])
def test_group_and_repeat__issues_per_item(household: FormSpec, wire: str):
    values = read(household, HOUSEHOLD_XML) if wire == "xml" else HOUSEHOLD_KOBO
    assert check(household, values) == [
        ("value.constraint", "team/visit_date", True),
        ("value.required", "members[1]/member_name", True),
        ("value.constraint", "members[2]/member_code", True),
    ]


def test_repeat__single_item_in_xml(household: FormSpec):
    xml = HOUSEHOLD_XML.replace(
        "<members><member_name/><member_code>0791112223</member_code><photo/></members>", ""
    )
    assert check(household, read(household, xml)) == [
        ("value.constraint", "team/visit_date", True),
        ("value.constraint", "members[1]/member_code", True),
    ]


# --- the campaign forms -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def campaign_context() -> Context:
    with DEFAULT_UNITS.open(encoding="utf-8") as stream:
        units = frozenset(row["code"] for row in csv.DictReader(stream))
    return Context(
        date(2021, 3, 31), datetime(2021, 3, 31, 17, 0, tzinfo=ICT), {"units.csv": units}
    )


def answers_xml(spec: FormSpec, answers: Mapping[str, Any]) -> str:
    """The answers file as Collect would send it: every field, in form order."""
    ordered = {
        path: str(answers.get(path, ""))
        for path, field in spec.fields.items()
        if "/" not in path and field.kind not in ("group", "repeat")
    }
    return instance_xml(spec, ordered)


@pytest.mark.parametrize(
    ("form_id", "kind", "expected"),
    [
        ("vssid_install", "valid", []),
        (
            "vssid_install",
            "invalid",
            [("value.constraint", "bhxh_code"), ("value.constraint", "install_date")],
        ),
        ("vssid_unit_report", "valid", []),
        (
            "vssid_unit_report",
            "invalid",
            [("value.constraint", "installed_cong_chuc"), ("value.constraint", "active_vien_chuc")],
        ),
    ],
)
def test_campaign_form__answers(
    campaign_context: Context, form_id: str, kind: str, expected: list[tuple[str, str]]
):
    compiled = forms.compile_xlsform(FORMS_DIR / f"{form_id}.xlsx")
    spec = formspec.spec_for(compiled.md5, compiled.xml)
    answers = json.loads((ANSWERS / f"{form_id}-{kind}.json").read_text(encoding="utf-8"))
    from_kobo = validate.validate(spec, answers, campaign_context)
    from_xml = validate.validate(spec, read(spec, answers_xml(spec, answers)), campaign_context)
    assert [(i.code, i.path) for i in from_kobo if i.blocking] == expected
    assert from_xml == from_kobo


# --- the evaluator: ODK's XPath ---------------------------------------------------------------

TREE = (
    "<data><n>5</n><empty/><d>2021-03-16</d><future>2099-12-31</future><s>cost none other</s>"
    "<code>007</code><g><a>3</a><b/></g><at>2021-03-20T08:00:00.000+07:00</at></data>"
)


@pytest.mark.parametrize(
    ("expression", "node", "expected"),
    [
        (". >= 0", "n", True),
        (". > /data/code", "n", False),  # numbers, not strings: 5 > 7 is false
        ("'5' > '10'", "n", False),
        ("/data/code = 7", "n", True),
        ("/data/code = '7'", "n", False),
        (". >= 0", "empty", False),
        (". = ''", "empty", True),
        (". + 1", "empty", float("nan")),
        (". <= today()", "d", True),
        (". <= today()", "future", False),
        ("today() - .", "d", 4.0),
        (". < now()", "at", True),
        ("date('2021-03-21') > today()", "n", True),
        ("today()", "n", "2021-03-20"),
        ("selected(/data/s, 'other')", "n", True),
        ("selected(/data/s, 'oth')", "n", False),
        ("count-selected(/data/s)", "n", 3.0),
        ("regex(/data/code, '^[0-9]{3}$')", "n", True),
        ("regex('ab1', '[0-9]')", "n", True),
        ("string-length(/data/code)", "n", 3),
        ("if(. > 3, 'lớn', 'nhỏ')", "n", "lớn"),
        ("coalesce(/data/empty, 0) + .", "n", 5.0),
        ("concat(/data/n, '-', /data/code)", "n", "5-007"),
        ("int(-7.9)", "n", -7.0),
        ("number('3.5') * 2", "n", 7.0),
        ("round(2.345, 2)", "n", 2.35),
        ("round(2.5)", "n", 3.0),
        ("normalize-space('  a   b ')", "n", "a b"),
        ("not(. = 5)", "n", False),
        ("true() and not(false())", "n", True),
        ("/data/empty or /data/n", "n", True),
        ("/data/empty and /data/n", "n", False),
        # JavaRosa reads one node by its value: an empty answer is false, unlike XPath 1.0
        ("boolean(/data/empty)", "n", False),
        ("not(/data/empty)", "n", True),
        ("if(/data/empty, 'có', 'không')", "n", "không"),
        ("boolean(/data/g/*)", "n", True),
        ("count(/data/g/*)", "n", 2),
        ("sum(/data/n | /data/code)", "n", 12.0),
        ("contains('VssID', 'ss')", "n", True),
        ("starts-with('VssID', 'Vs')", "n", True),
        ("substr('VssID', 1, 3)", "n", "ss"),
        ("boolean-from-string('true')", "n", True),
        ("../b = ''", "g/a", True),
        ("current()/../a + 1", "g/b", 4.0),
        ("10 mod 3", "n", 1.0),
        ("1 div 0", "n", float("inf")),
    ],
)
def test_xpath__odk_semantics(expression: str, node: str, expected: Any):
    root = etree.fromstring(TREE)
    document = xpath.Document(root, CONTEXT.today, CONTEXT.now)
    element = root.find(node)
    assert element is not None
    result = xpath.compile_expression(expression).evaluate(document, element)
    if isinstance(expected, float) and expected != expected:
        assert result != result
    else:
        assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    "expression",
    [
        "instance('units')/root/item[name = current()]/label",
        "pulldata('units', 'label', 'name', .)",
        "jr:choice-name(., '/data/n')",
        "format-date(today(), '%d/%m/%Y')",
        "position(..) > 1",
        "regex(., '[')",
        ". >",
    ],
)
def test_xpath__unsupported__expression_error(expression: str):
    root = etree.fromstring(TREE)
    document = xpath.Document(root, CONTEXT.today, CONTEXT.now)
    with pytest.raises(xpath.ExpressionError):
        xpath.compile_expression(expression).evaluate(document, root[0])


def test_xpath__parsed_once_per_expression():
    source = ". >= 0 and . <= /data/n"
    assert xpath.compile_expression(source) is xpath.compile_expression(source)


@pytest.mark.parametrize(
    ("expression", "free"),
    [
        (" /data/n  = '5'", True),
        ("selected( /data/s , 'other') and /data/n > 1", True),
        ("count(/data/g/a) > today()", True),
        ("/data/g[a = 3]/b = ''", True),
        ("coalesce( /data/n , 0) + 1", True),
        (". <= today()", False),
        ("string-length(normalize-space(.)) >= 2", False),
        ("string-length() > 1", False),
        ("../n = 5", False),
        ("n = 5", False),
        ("position() = 1", False),
        ("/data/g[current()/a = 3]", False),
    ],
)
def test_xpath__context_free__only_when_no_context_node_is_read(expression: str, free: bool):
    assert xpath.compile_expression(expression).context_free is free


def test_xpath__context_free__once_per_document_until_the_tree_changes():
    root = etree.fromstring(TREE)
    document = xpath.Document(root, CONTEXT.today, CONTEXT.now)
    expression = xpath.compile_expression("/data/n = '5'")
    assert expression.is_true(document, root[0]) is True
    root[0].text = "6"  # unseen until the document is told
    assert expression.is_true(document, root[1]) is True
    document.changed()
    assert expression.is_true(document, root[1]) is False
    fresh = xpath.Document(root, CONTEXT.today, CONTEXT.now)
    assert expression.is_true(fresh, root[0]) is False


@pytest.mark.parametrize("form_id", ["vssid_install", "vssid_unit_report"])
@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_validate__memo_changes_no_verdict(
    campaign_context: Context, form_id: str, kind: str, monkeypatch: pytest.MonkeyPatch
):
    """Every field of the campaign forms answered and unanswered: the issues found with the
    per-document memo equal those found evaluating every expression afresh."""
    compiled = forms.compile_xlsform(FORMS_DIR / f"{form_id}.xlsx")
    spec = formspec.spec_for(compiled.md5, compiled.xml)
    answers = json.loads((ANSWERS / f"{form_id}-{kind}.json").read_text(encoding="utf-8"))
    variants = [answers] + [{k: v for k, v in answers.items() if k != drop} for drop in answers]
    variants += [{**answers, "consent": "no"}, {**answers, "status": "not_installed"}]
    with_memo = [validate.validate(spec, v, campaign_context) for v in variants]
    monkeypatch.setattr(xpath.Expression, "evaluate", _evaluate_afresh)
    assert [validate.validate(spec, v, campaign_context) for v in variants] == with_memo


def _evaluate_afresh(self: xpath.Expression, document: xpath.Document, element: Any) -> Any:
    document.memo.clear()
    return _MEMO_EVALUATE(self, document, element)


_MEMO_EVALUATE = xpath.Expression.evaluate


CASCADE_MD = """\
| survey |
| | type | name | label | relevant |
| | select_one yes_no | gate | Gate | |
| | text | early | Early | ${a} = 'x' |
| | text | a | A | ${gate} = 'yes' |
| | text | late | Late | ${a} = 'x' |
| choices |
| | list_name | name | label |
| | yes_no | yes | Yes |
| | yes_no | no | No |
| settings |
| | form_id | version |
| | cascade | 1 |
"""


def test_validate__dropped_answer__seen_empty_by_the_same_expression_later(tmp_path: Path):
    """``early`` and ``late`` share one context-free ``relevant``; ``a`` is dropped between
    them (not relevant), so ``late`` must not reuse the value computed for ``early``."""
    spec = compile_md(tmp_path, "cascade", CASCADE_MD)
    values = read(spec, instance_xml(spec, {"gate": "no", "early": "e", "a": "x", "late": "l"}))
    assert [(i.code, i.path) for i in validate.validate(spec, values, CONTEXT)] == [
        ("value.not_relevant", "a"),
        ("value.not_relevant", "late"),
    ]
