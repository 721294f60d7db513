"""Reading OpenRosa instance XML and KoboToolbox JSON into an Instance
(docs/protocols.md §3, §5.3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from lxml import etree

from ingest.errors import InvalidInput
from ingest.submissions import parse
from tests.wire import DATA, xml_part

FIRST_ID = "uuid:2b0f3e6a-8c1d-4f7e-9a55-3c4d2e1f0a9b"
EDIT_ID = "uuid:9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

ORX_META = """<r xmlns:orx="http://openrosa.org/xforms" id="f" version="3">
<end>2021-03-16T08:05:47.902+07:00</end>
<orx:meta>
<orx:instanceID>uuid:new</orx:instanceID>
<orx:deprecatedID>uuid:old</orx:deprecatedID>
<orx:rootUuid>uuid:root</orx:rootUuid>
<orx:instanceName>Trần Thị Bình</orx:instanceName>
</orx:meta></r>"""
PLAIN_META = """<r id="f" version="3">
<end>2021-03-16T08:05:47.902+07:00</end>
<meta>
<instanceID>uuid:new</instanceID>
<deprecatedID>uuid:old</deprecatedID>
<rootUuid>uuid:root</rootUuid>
<instanceName>Trần Thị Bình</instanceName>
</meta></r>"""


def from_xml(text: str, repeats: frozenset[str] = frozenset()) -> parse.Instance:
    return parse.instance_from_xml(parse.read_xml(text.encode("utf-8")), repeats)


def flat(text: str, repeats: frozenset[str] = frozenset()) -> dict[str, Any]:
    return parse.flatten(parse.read_xml(text.encode("utf-8")), repeats)


def identity(instance: parse.Instance) -> tuple[Any, ...]:
    return (
        instance.form_id,
        instance.version,
        instance.instance_id,
        instance.deprecated_id,
        instance.root_id,
        instance.instance_name,
        instance.collected_at,
    )


def kobo(name: str) -> dict[str, Any]:
    return parse.read_kobo_json((DATA / name).read_bytes())


# --- OpenRosa XML -------------------------------------------------------------------------


def test_collect_payload__identity_and_answers():
    instance = parse.instance_from_xml(parse.read_xml(xml_part("collect_install_with_photo")))
    assert instance.form_id == "vssid_install"
    assert instance.version == "2021031001"
    assert instance.instance_id == FIRST_ID
    assert instance.deprecated_id is None
    assert instance.instance_name == "Trần Thị Bình – 0791234567"
    assert instance.collected_at == datetime(2021, 3, 16, 1, 5, 47, 902000, tzinfo=UTC)
    assert instance.encrypted is False
    assert instance.values["proof_photo"] == "1615775412345.jpg"
    assert instance.values["full_name"] == "Trần Thị Bình"
    assert instance.values["note"] == ""  # an empty answer is an empty string, not missing
    assert instance.values["meta/instanceID"] == FIRST_ID  # orx:meta flattens by local name


def test_collect_edit_payload__deprecated_id_read():
    instance = parse.instance_from_xml(parse.read_xml(xml_part("collect_install_edit")))
    assert instance.instance_id == EDIT_ID
    assert instance.deprecated_id == FIRST_ID


def test_webforms_payload__plain_meta_read_like_orx_meta():
    instance = parse.instance_from_xml(parse.read_xml(xml_part("webforms_install_with_photo")))
    assert instance.instance_id == "uuid:017c487c-87ad-452f-9129-a201392d3f68"
    assert instance.instance_name == "Nguyễn Văn An – 0123456789"
    assert instance.collected_at == datetime(2026, 11, 24, 18, 32, 59, 811000, tzinfo=UTC)
    assert instance.values["meta/instanceID"] == instance.instance_id


def test_kobo_xml_payload__root_uuid_read():
    instance = parse.instance_from_xml(parse.read_xml((DATA / "kobo_install.xml").read_bytes()))
    assert instance.instance_id == "uuid:7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f"
    assert instance.root_id == "uuid:7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f"
    assert instance.form_id == "aXqK7d9ZpR2sT5uV8wY3bN"
    assert instance.values["formhub/uuid"] == "d9e0d163e34c4524b5fd35b394f7aa26"


def test_orx_meta_and_meta__same_identity():
    orx, plain = from_xml(ORX_META), from_xml(PLAIN_META)
    assert identity(orx) == identity(plain)
    assert orx.instance_id == "uuid:new"
    assert orx.deprecated_id == "uuid:old"
    assert orx.root_id == "uuid:root"
    assert orx.instance_name == "Trần Thị Bình"
    assert orx.version == "3"


def test_meta_values__stripped_and_blank_is_none():
    instance = from_xml(
        "<r id='f'><meta><instanceID>  uuid:x \n</instanceID><deprecatedID> </deprecatedID>"
        "<instanceName/></meta></r>"
    )
    assert instance.instance_id == "uuid:x"
    assert instance.deprecated_id is None
    assert instance.instance_name is None


def test_no_id_attribute__form_id_is_root_name():
    assert from_xml("<household_check><a>1</a></household_check>").form_id == "household_check"


def test_no_meta__instance_id_from_root_attribute_else_none():
    assert from_xml("<r id='f' instanceID='uuid:attr'/>").instance_id == "uuid:attr"
    assert from_xml("<r id='f'><a>1</a></r>").instance_id is None


def test_end_with_offset__becomes_utc():
    instance = from_xml("<r id='f'><end>2021-03-16T08:05:47.902+07:00</end></r>")
    assert instance.collected_at == datetime(2021, 3, 16, 1, 5, 47, 902000, tzinfo=UTC)
    assert instance.collected_at.utcoffset().total_seconds() == 0


def test_no_end__start_is_used():
    instance = from_xml("<r id='f'><start>2021-03-16T23:30:00-05:00</start><end/></r>")
    assert instance.collected_at == datetime(2021, 3, 17, 4, 30, tzinfo=UTC)


def test_version_element__never_the_version():
    # Kobo's XML carries its deployment id as <__version__>; only the root attribute counts.
    instance = from_xml("<r id='f' version='2021031001'><__version__>vXyz</__version__></r>")
    assert instance.version == "2021031001"
    assert from_xml("<r id='f'><__version__>vXyz</__version__></r>").version is None


def test_groups__flatten_to_slash_paths():
    values = flat(
        "<r><unit>27184</unit><team><leader>Võ Thị Hạnh</leader>"
        "<inner><deep>x</deep></inner></team><empty/></r>"
    )
    assert values == {
        "unit": "27184",
        "team/leader": "Võ Thị Hạnh",
        "team/inner/deep": "x",
        "empty": "",
    }


def test_repeats__siblings_become_list_of_dicts_with_full_paths():
    values = flat(
        "<r><children><child><name>Mike</name><age>5</age>"
        "<cartoons><title>Tom</title></cartoons><cartoons><title>Jerry</title></cartoons>"
        "</child><child><name>John</name><age>2</age></child></children></r>"
    )
    assert values == {
        "children/child": [
            {
                "children/child/name": "Mike",
                "children/child/age": "5",
                "children/child/cartoons": [
                    {"children/child/cartoons/title": "Tom"},
                    {"children/child/cartoons/title": "Jerry"},
                ],
            },
            {"children/child/name": "John", "children/child/age": "2"},
        ]
    }


def test_declared_repeat_with_one_instance__still_a_list():
    doc = "<r><grp><members><member_name>An</member_name></members></grp></r>"
    assert flat(doc, frozenset({"grp/members"})) == {
        "grp/members": [{"grp/members/member_name": "An"}]
    }
    # Undeclared, one instance is indistinguishable from a group.
    assert flat(doc) == {"grp/members/member_name": "An"}


def test_instance_from_xml__uses_declared_repeats():
    doc = "<r id='f'><members><n>An</n></members><meta><instanceID>uuid:1</instanceID></meta></r>"
    assert from_xml(doc, frozenset({"members"})).values["members"] == [{"members/n": "An"}]


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param("<r><x/><x><y>1</y></x></r>", id="empty-first"),  # crashes
        pytest.param("<r><x><y>1</y></x><x/></r>", id="empty-last"),  # loses the first
    ],
)
def test_repeat_with_an_empty_instance__kept_as_empty_dict(doc: str):
    # Every child of a repeat instance may be non-relevant, which leaves <x/>
    # (docs/protocols.md §3.3).
    values = flat(doc)
    assert sorted(values["x"], key=len) == [{}, {"x/y": "1"}]


def test_text_kept_verbatim_with_special_characters():
    values = flat("<r><a>  Tom &amp; Jerry &lt;3 &#13;\n</a><b><![CDATA[<i>]]></b></r>")
    assert values == {"a": "  Tom & Jerry <3 \r\n", "b": "<i>"}


@pytest.mark.parametrize(
    "doc",
    [
        "<r id='f' encrypted='yes'><base64EncryptedKey>abc</base64EncryptedKey></r>",
        "<r id='f' encrypted='YES'/>",
        "<r id='f'><base64EncryptedKey>abc</base64EncryptedKey></r>",
        "<data xmlns='http://opendatakit.org/submissions' id='f' encrypted='yes'>"
        "<base64EncryptedKey>k</base64EncryptedKey><encryptedXmlFile>s.xml.enc</encryptedXmlFile>"
        "</data>",
    ],
)
def test_encrypted_marker(doc: str):
    assert from_xml(doc).encrypted is True


def test_not_encrypted():
    assert from_xml("<r id='f' encrypted='no'><a>1</a></r>").encrypted is False


def test_read_xml__doctype__unsafe():
    with pytest.raises(InvalidInput) as caught:
        parse.read_xml(b"<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><r>&x;</r>")
    assert caught.value.code == "submission.unsafe_xml"


@pytest.mark.parametrize(
    "payload", [b"", b"<r>", b"<r></s>", b"not xml", b"<r>\xff\xfe</r>", b"<r/><s/>"]
)
def test_read_xml__not_well_formed__malformed(payload: bytes):
    with pytest.raises(InvalidInput) as caught:
        parse.read_xml(payload)
    assert caught.value.code == "submission.malformed"
    assert len(caught.value.params["reason"]) <= 200


def test_read_xml__10000_levels__malformed():
    payload = b"<a>" * 10_000 + b"</a>" * 10_000
    with pytest.raises(InvalidInput) as caught:
        parse.read_xml(payload)
    assert caught.value.code == "submission.malformed"


# --- Kobo JSON ----------------------------------------------------------------------------


def test_kobo_json__identity_and_answers():
    data = kobo("kobo_install.json")
    instance = parse.instance_from_kobo(data)
    assert instance.form_id == "aXqK7d9ZpR2sT5uV8wY3bN"
    assert instance.version is None
    assert instance.instance_id == "uuid:5a6f1e2d-3c4b-4a59-8e7f-0a1b2c3d4e5f"
    assert instance.root_id == "uuid:5a6f1e2d-3c4b-4a59-8e7f-0a1b2c3d4e5f"
    assert instance.deprecated_id is None
    assert instance.instance_name == "Lê Hoàng Phúc – 0798765432"
    assert instance.external_id == "184520377"
    assert instance.collected_at == datetime(2021, 3, 17, 7, 14, 40, tzinfo=UTC)  # `end`, UTC
    assert instance.values["reasons"] == "no_registered_phone other"
    assert not [k for k in instance.values if k.startswith("_")]
    assert "formhub/uuid" not in instance.values
    assert "meta/instanceID" not in instance.values


def test_kobo_json__version_key_never_the_version():
    data = kobo("kobo_install.json")
    assert data["__version__"] == "vqu4EaVFry5MirsJcBbhsQ"
    assert parse.instance_from_kobo(data).version is None
    assert parse.instance_from_kobo({"__version__": "2021031001"}).version is None


def test_kobo_json__repeats_kept_as_lists_of_full_paths():
    instance = parse.instance_from_kobo(kobo("kobo_household_repeat.json"))
    assert instance.values["team/leader"] == "Võ Thị Hạnh"
    members = instance.values["members"]
    assert [m["members/member_name"] for m in members] == ["Đặng Văn Long", "Bùi Thị Mai"]
    assert members[0]["members/photo"] == "IMG_2235.JPG"


def test_kobo_submission_time_without_offset__is_utc():
    instance = parse.instance_from_kobo({"_submission_time": "2021-03-17T07:14:52"})
    assert instance.collected_at == datetime(2021, 3, 17, 7, 14, 52, tzinfo=UTC)


def test_kobo_end_preferred_over_submission_time():
    instance = parse.instance_from_kobo(
        {"end": "2021-03-17T14:14:40.000+07:00", "_submission_time": "2021-03-18T00:00:00"}
    )
    assert instance.collected_at == datetime(2021, 3, 17, 7, 14, 40, tzinfo=UTC)


def test_kobo_instance_id__from_uuid_when_meta_missing():
    instance = parse.instance_from_kobo({"_uuid": "abc", "_id": 7})
    assert instance.instance_id == "uuid:abc"
    assert instance.external_id == "7"
    assert parse.instance_from_kobo({}).instance_id is None


def test_kobo_edit__deprecated_and_root_read():
    instance = parse.instance_from_kobo(
        {
            "meta/instanceID": "uuid:new",
            "meta/deprecatedID": "uuid:old",
            "meta/rootUuid": "uuid:root",
            "_uuid": "new",
        }
    )
    assert (instance.instance_id, instance.deprecated_id, instance.root_id) == (
        "uuid:new",
        "uuid:old",
        "uuid:root",
    )


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b"[]", id="list"),
        pytest.param(b'[{"_uuid": "x"}]', id="list-of-object"),
        pytest.param(b'"a string"', id="string"),
        pytest.param(b"42", id="number"),
        pytest.param(b"null", id="null"),
        pytest.param(b"true", id="bool"),
        pytest.param(b'{"a": "\xff\xfe"}', id="invalid-utf8"),
        pytest.param(b"", id="empty"),
        pytest.param(b"not json", id="not-json"),
        pytest.param(b'{"a": 1', id="truncated"),
        pytest.param(b"\xef\xbb\xbf{}", id="utf8-bom"),
        pytest.param(b"<r/>", id="xml"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100000-nested-lists"),
        pytest.param(b'{"a":' * 100_000 + b"1" + b"}" * 100_000, id="100000-nested-objects"),
        pytest.param(b"[" * 100_000, id="100000-unclosed-lists"),
        pytest.param(b'{"a": ' + b"1" * 5000 + b"}", id="5000-digit-integer"),
    ],
)
def test_read_kobo_json__unusable__malformed(payload: bytes):
    with pytest.raises(InvalidInput) as caught:
        parse.read_kobo_json(payload)
    assert caught.value.code == "submission.malformed"
    assert len(caught.value.params["reason"]) <= 200


def test_read_kobo_json__object_returned_as_is():
    assert parse.read_kobo_json('{"a": "Đã", "b": [1, 2.5, null]}'.encode()) == {
        "a": "Đã",
        "b": [1, 2.5, None],
    }


# --- date-times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-03-16T08:05:47.902+07:00", datetime(2021, 3, 16, 1, 5, 47, 902000, tzinfo=UTC)),
        ("2021-03-16T01:05:47Z", datetime(2021, 3, 16, 1, 5, 47, tzinfo=UTC)),
        ("2017-12-18T22:47:10", datetime(2017, 12, 18, 22, 47, 10, tzinfo=UTC)),
        (" 2021-03-16T08:00:00-05:00 \n", datetime(2021, 3, 16, 13, 0, tzinfo=UTC)),
        ("2021-03-16", datetime(2021, 3, 16, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("yesterday", None),
        ("2021-13-45T99:00:00", None),
    ],
)
def test_parse_datetime(text: str | None, expected: datetime | None):
    assert parse.parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+07:00"])
def test_parse_datetime__out_of_range_in_utc__none(text: str):
    # Valid ISO 8601 whose UTC value falls outside datetime's range: unusable, not a crash.
    assert parse.parse_datetime(text) is None


def test_instance_from_xml__out_of_range_end__no_crash():
    instance = from_xml("<r id='f'><end>9999-12-31T23:59:59-12:00</end></r>")
    assert instance.collected_at is None


def test_instance_from_kobo__out_of_range_end__no_crash():
    assert parse.instance_from_kobo({"end": "0001-01-01T00:00:00+07:00"}).collected_at is None


# --- fingerprint --------------------------------------------------------------------------


def test_fingerprint__ignores_system_keys_and_formhub_uuid():
    data = kobo("kobo_install.json")
    retried = json.loads(json.dumps(data))
    retried["_validation_status"] = {"uid": "validation_status_approved"}
    retried["_attachments"] = [{"download_url": "https://kf.kobotoolbox.org/x"}]
    retried["_submission_time"] = "2021-03-17T08:00:00"
    retried["_id"] = 1
    retried["__version__"] = "vOther"
    retried["formhub/uuid"] = "another"
    del retried["_tags"]
    assert parse.kobo_answers_fingerprint(retried) == parse.kobo_answers_fingerprint(data)


def test_fingerprint__key_order_irrelevant():
    data = kobo("kobo_install.json")
    reordered = dict(reversed(list(data.items())))
    assert parse.kobo_answers_fingerprint(reordered) == parse.kobo_answers_fingerprint(data)


@pytest.mark.parametrize(
    ("key", "value"),
    [("status", "account_active"), ("reason_other", "Khác"), ("new_field", "1"), ("unit", None)],
)
def test_fingerprint__answers_count(key: str, value: Any):
    data = kobo("kobo_install.json")
    changed = {**data, key: value}
    assert parse.kobo_answers_fingerprint(changed) != parse.kobo_answers_fingerprint(data)


def test_fingerprint__is_canonical_json_of_answers():
    fingerprint = parse.kobo_answers_fingerprint({"b": "Đã", "a": 1, "_id": 5, "formhub/uuid": "x"})
    assert fingerprint == '{"a":1,"b":"Đã"}'


def test_read_xml__returns_element():
    root = parse.read_xml(b"<r id='f'/>")
    assert isinstance(root, etree._Element)
