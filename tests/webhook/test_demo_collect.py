"""A form filled in as ODK Collect fills it (``webhook.demo.collect``), on a small XLSForm:
relevance settled in document order, groups, calculations (a media lookup, ``format-date``),
what is required, and the instance document the phone sends."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from ingest import forms
from ingest.forms import formspec, validate
from ingest.forms.formspec import FormSpec
from ingest.submissions import parse
from webhook.demo.collect import CollectForm, format_date

ICT = timezone(timedelta(hours=7))
MOMENT = datetime(2021, 3, 16, 9, 30, tzinfo=ICT)

VISIT_MD = """\
| survey |
| | type | name | label | relevant | required | constraint | calculation |
| | start | start | | | | | |
| | select_one yes_no | consent | Đồng ý? | | yes | | |
| | note | declined | Cảm ơn | ${consent} = 'no' | | | |
| | begin group | meeting | Lần gặp | ${consent} = 'yes' | | | |
| | select_one_from_file units.csv | unit | Đơn vị | | yes | | |
| | calculate | unit_name | | | | | instance('units')/root/item[name = ${unit}]/label |
| | select_one status | status | Tình trạng | | yes | | |
| | date | day | Ngày cài | ${status} = 'done' | yes | . <= today() | |
| | select_multiple why | reasons | Lý do | ${status} != 'done' | ${status} = 'refused' | | |
| | text | other | Lý do khác | selected(${reasons}, 'other') | yes | | |
| | text | note | Ghi chú | | | | |
| | end group | | | | | | |
| | calculate | title | | | | | concat(coalesce(${unit_name}, ${unit}), ' ', format-date(${day}, '%e/%n/%Y')) |
| choices |
| | list_name | name | label |
| | yes_no | yes | Có |
| | yes_no | no | Không |
| | status | done | Đã cài |
| | status | later | Để sau |
| | status | refused | Từ chối |
| | why | busy | Bận |
| | why | other | Khác |
| settings |
| | form_id | version |
| | visit | 2021031601 |
"""  # noqa: E501 (an XLSForm is a wide table)

UNITS = {"units.csv": [{"name": "27184", "label": "Phường 1"}, {"name": "27190", "label": "P2"}]}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> FormSpec:
    path = tmp_path_factory.mktemp("forms") / "visit.md"
    path.write_text(VISIT_MD, encoding="utf-8")
    compiled = forms.compile_xlsform(path)
    return formspec.spec_for(compiled.md5, compiled.xml)


@pytest.fixture
def form(spec: FormSpec) -> CollectForm:
    return CollectForm(spec, UNITS)


def test_choices__sorted__the_forms_own_or_its_media_files(form: CollectForm):
    assert form.choices("meeting/status") == ("done", "later", "refused")
    assert form.choices("meeting/unit") == ("27184", "27190")
    with pytest.raises(LookupError, match="no fixed choices for 'meeting/note'"):
        form.choices("meeting/note")
    with pytest.raises(LookupError, match="no field 'nickname'"):
        form.field("nickname")


def test_fill__done__install_date_kept_reasons_left_out_calculations_made(form: CollectForm):
    answers = {"consent": "yes", "meeting/unit": "27184", "meeting/status": "done",
               "meeting/day": "2021-03-05", "meeting/reasons": "busy other",
               "meeting/other": "Đi công tác"}  # fmt: skip

    sent = form.fill(answers, MOMENT)

    assert list(sent) == list(form.spec.fields)  # document order
    assert sent["declined"] is None
    assert sent["meeting/day"] == "2021-03-05"
    # Not relevant: dropped, and blanked before "other" reads it.
    assert sent["meeting/reasons"] is None and sent["meeting/other"] is None
    assert sent["meeting/note"] == ""  # relevant, unanswered
    assert sent["meeting/unit_name"] == "Phường 1"
    assert sent["title"] == "Phường 1 5/3/2021"


def test_fill__declined__the_whole_group_left_out(form: CollectForm):
    answers = {"consent": "no", "meeting/unit": "27184", "meeting/status": "done"}
    sent = form.fill(answers, MOMENT)

    assert sent["declined"] == ""
    assert all(sent[p] is None for p in ("meeting", "meeting/unit", "meeting/status"))
    assert sent["title"] == " "  # nothing to name it by: Collect computes the same


def test_required__by_the_forms_expression_and_never_when_not_relevant(form: CollectForm):
    refused = {"consent": "yes", "meeting/status": "refused"}
    later, done = ({**refused, "meeting/status": s} for s in ("later", "done"))
    assert form.required("meeting/reasons", refused, MOMENT)
    assert not form.required("meeting/reasons", later, MOMENT)
    assert not form.required("meeting/reasons", done, MOMENT)  # not relevant
    assert not form.required("meeting/note", refused, MOMENT)


def test_fill__answer_to_a_question_the_form_lacks__refused(form: CollectForm):
    with pytest.raises(LookupError, match="no field nickname"):
        form.fill({"consent": "yes", "nickname": "Bé"}, MOMENT)


def test_instance_xml__as_collect_writes_it__and_the_form_accepts_it(form: CollectForm):
    answers = {"consent": "yes", "meeting/unit": "27190", "meeting/status": "later",
               "meeting/reasons": "busy", "meeting/other": "ignored", "meeting/note": "<b> & co",
               "start": "2021-03-16T09:25:00.000+07:00",
               "meta/instanceID": "uuid:00000000-0000-4000-8000-000000000001"}  # fmt: skip

    payload = form.instance_xml(answers, MOMENT, deprecated_id="uuid:old")

    root = etree.fromstring(payload)
    assert root.tag == form.spec.root_name
    assert (root.get("id"), root.get("version")) == ("visit", "2021031601")
    assert [c.tag for c in root] == ["start", "consent", "meeting", "title", "meta"]
    assert [c.tag for c in root.find("meeting")] == [  # type: ignore[union-attr]
        "unit", "unit_name", "status", "reasons", "note"
    ]  # fmt: skip
    assert root.findtext("meeting/note") == "<b> & co"
    assert root.findtext("title") == "P2 "
    assert [c.tag for c in root.find("meta")] == ["instanceID", "deprecatedID"]  # type: ignore[union-attr]
    assert b"<declined" not in payload and b"<other" not in payload
    instance = parse.instance_from_xml(parse.read_xml(payload))
    context = validate.Context(
        MOMENT.date(), MOMENT, external_choices={"units.csv": frozenset({"27184", "27190"})}
    )
    assert instance.deprecated_id == "uuid:old"
    assert validate.validate(form.spec, instance.values, context) == []


def test_repeats__not_filled(tmp_path: Path):
    path = tmp_path / "kids.md"
    path.write_text(
        "| survey |\n| | type | name | label |\n| | begin repeat | kids | Con |\n"
        "| | text | kid | Tên |\n| | end repeat | | |\n| settings |\n| | version |\n| | 1 |\n",
        encoding="utf-8",
    )
    compiled = forms.compile_xlsform(path)
    with pytest.raises(ValueError, match="repeats"):
        CollectForm(formspec.spec_for(compiled.md5, compiled.xml))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("%d/%m/%Y", "05/03/2021"), ("%e/%n/%y", "5/3/21"), ("%b %Y", "Mar 2021"), ("%Q", "%Q")],
)
def test_format_date__odk_codes(pattern: str, expected: str):
    assert format_date(date(2021, 3, 5), pattern) == expected
