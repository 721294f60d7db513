"""Property-based tests of the submission parsers: hostile input only ever fails as InvalidInput,
and well-formed instances flatten to exactly the texts they carry."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import InvalidInput
from ingest.submissions import parse

PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VIETNAMESE = "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐƯƠ"
#: Characters XML 1.0 allows in text (no other C0 controls, no surrogates, no U+FFFE/U+FFFF).
XML_CHARS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="".join(chr(c) for c in range(32) if c not in (9, 10, 13))
    + "\ufffe\uffff",
)
TEXT = st.text(
    alphabet=st.one_of(XML_CHARS, st.sampled_from(VIETNAMESE + "<>&'\"\r\n\t ]]>")),
    max_size=30,
)
NAMES = st.builds(
    str.__add__,
    st.sampled_from("abcdefghijklmnopqrstuvwyz_"),  # no "x": names may not start with "xml"
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", max_size=7),
)


def escape(text: str) -> str:
    """Text content escaped so that a parser gives back exactly ``text``: ``\\r`` included,
    which a parser would otherwise normalise to ``\\n``."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


# A node is either a leaf (its text), a group (distinct child names) or a repeat (a list of
# at least two groups under one name), nested a few levels deep.
LEAF = TEXT


def groups(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    children = LEAF if depth == 0 else st.one_of(LEAF, LEAF, groups(depth - 1), repeats(depth - 1))
    return st.dictionaries(NAMES, children, min_size=1, max_size=4)


def repeats(depth: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(groups(depth), min_size=2, max_size=3)


GROUP = groups(2)


def to_xml(name: str, node: Any) -> str:
    if isinstance(node, str):
        return f"<{name}>{escape(node)}</{name}>"
    if isinstance(node, list):
        return "".join(to_xml(name, item) for item in node)
    return f"<{name}>{''.join(to_xml(k, v) for k, v in node.items())}</{name}>"


def expected(node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Kobo's shape: slash-joined paths; repeats as lists of dicts keyed by full paths."""
    flat: dict[str, Any] = {}
    for name, value in node.items():
        path = f"{prefix}{name}"
        if isinstance(value, str):
            flat[path] = value
        elif isinstance(value, list):
            flat[path] = [expected(item, f"{path}/") for item in value]
        else:
            flat.update(expected(value, f"{path}/"))
    return flat


#: Bytes that look like the start of something, so that the parsers get past their first byte.
XML_PIECES = [
    b"<?xml version='1.0' encoding='UTF-8'?>",
    b"<?xml version='1.0' encoding='UTF-16'?>",
    b"<?xml version='1.0' encoding='latin-1'?>",
    b"<!DOCTYPE r [",
    b"<!ENTITY x 'y'>",
    b"]>",
    b"<r id='vssid_install'>",
    b"</r>",
    b"<meta><instanceID>uuid:1</instanceID></meta>",
    b"<a>",
    b"</a>",
    b"<a/>",
    b"&x;",
    b"&#0;",
    b"<![CDATA[",
    b"]]>",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    "Đã".encode(),
]
JSON_PIECES = [b"{", b"}", b"[", b"]", b'"', b":", b",", b"null", b"1e999", b"-0", b"\\u0000"]
ARBITRARY = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(XML_PIECES) | st.binary(max_size=4), max_size=12).map(b"".join),
    st.lists(st.sampled_from(JSON_PIECES) | st.binary(max_size=4), max_size=20).map(b"".join),
)

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
KOBO_KEYS = st.sampled_from(
    [
        "_id",
        "_uuid",
        "_submission_time",
        "_xform_id_string",
        "end",
        "start",
        "meta/instanceID",
        "meta/deprecatedID",
        "meta/rootUuid",
        "meta/instanceName",
        "formhub/uuid",
        "__version__",
    ]
)
JSON_OBJECTS = st.dictionaries(st.one_of(KOBO_KEYS, st.text(max_size=12)), JSON_VALUES, max_size=8)


def refusal(read: Callable[[bytes], object], payload: bytes) -> str | None:
    """The error code ``read`` refuses ``payload`` with, or None if it reads it; any other
    exception escapes and fails the test."""
    try:
        read(payload)
    except InvalidInput as error:
        return error.code
    return None


@PROPERTIES
@given(ARBITRARY)
def test_read_xml__arbitrary_bytes__only_invalid_input(payload: bytes):
    assert refusal(parse.read_xml, payload) in {
        None,
        "submission.malformed",
        "submission.unsafe_xml",
    }


@PROPERTIES
@given(ARBITRARY)
def test_read_kobo_json__arbitrary_bytes__only_invalid_input(payload: bytes):
    assert refusal(parse.read_kobo_json, payload) in {None, "submission.malformed"}


def read_kobo(payload: bytes) -> None:
    data = parse.read_kobo_json(payload)
    parse.instance_from_kobo(data)
    parse.kobo_answers_fingerprint(data)


@PROPERTIES
@given(JSON_VALUES)
def test_kobo_json__arbitrary_json__only_invalid_input(value: Any):
    payload = json.dumps(value, ensure_ascii=False).encode("utf-8")
    expected = None if isinstance(value, dict) else "submission.malformed"
    assert refusal(read_kobo, payload) == expected


@PROPERTIES
@given(JSON_OBJECTS)
def test_kobo_json__arbitrary_objects__parsed(value: dict[str, Any]):
    data = parse.read_kobo_json(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    instance = parse.instance_from_kobo(data)
    assert not any(key.startswith("_") for key in instance.values)
    assert instance.version is None
    assert isinstance(parse.kobo_answers_fingerprint(data), str)


@PROPERTIES
@given(NAMES, GROUP)
def test_well_formed_instance__flattens_to_its_texts(root_name: str, tree: dict[str, Any]):
    document = f"<?xml version='1.0' encoding='UTF-8'?>{to_xml(root_name, tree)}"
    root = parse.read_xml(document.encode("utf-8"))
    assert parse.flatten(root) == expected(tree)


@PROPERTIES
@given(GROUP)
def test_well_formed_instance__instance_from_xml_values_equal_flatten(tree: dict[str, Any]):
    document = to_xml("data", tree).replace("<data>", "<data id='f' version='1'>", 1)
    instance = parse.instance_from_xml(parse.read_xml(document.encode("utf-8")))
    assert instance.form_id == "f"
    assert instance.version == "1"
    assert instance.values == expected(tree)
