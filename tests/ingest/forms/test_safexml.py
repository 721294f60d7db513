"""Parsing hostile XML: DTDs and entities are refused before parsing (ingest/safexml.py)."""

from __future__ import annotations

import pytest
from lxml import etree

from ingest.forms import safexml

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<lolz>&lol9;</lolz>"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<r id="vssid_install"><note>&xxe;</note></r>'
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
    '<r id="vssid_install"><note>x</note></r>'
)
PARAMETER_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd">'
    "%remote;]>\n<r/>"
)
ENTITY_WITHOUT_DOCTYPE = '<!ENTITY x "y"><r>&x;</r>'


def utf16(document: str) -> bytes:
    """The same document as UTF-16 (with a BOM), declared so."""
    declared = document.replace('version="1.0"', 'version="1.0" encoding="UTF-16"', 1)
    assert declared != document
    return declared.encode("utf-16")


HOSTILE = {
    "billion-laughs": BILLION_LAUGHS,
    "xxe-etc-passwd": XXE,
    "external-dtd": EXTERNAL_DTD,
    "parameter-entity": PARAMETER_ENTITY,
    "entity-without-doctype": ENTITY_WITHOUT_DOCTYPE,
    "lowercase-doctype": XXE.replace("DOCTYPE", "doctype"),
    "doctype-with-spaces": XXE.replace("<!DOCTYPE", "<! DOCTYPE"),
}


@pytest.mark.parametrize("document", HOSTILE.values(), ids=HOSTILE.keys())
def test_dtd_or_entity__refused_before_parsing(document: str):
    with pytest.raises(safexml.UnsafeXML):
        safexml.parse(document.encode("utf-8"))


@pytest.mark.parametrize(
    "document", [XXE, BILLION_LAUGHS], ids=["xxe-etc-passwd", "billion-laughs"]
)
def test_dtd_in_utf16__refused_before_parsing(document: str):
    # UTF-16 is well-formed XML that every parser must read: the declaration is still there.
    with pytest.raises(safexml.UnsafeXML):
        safexml.parse(utf16(document))


@pytest.mark.parametrize("document", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtd_in_utf16__never_expanded_by_the_parser(document: str):
    """The second line: whatever gets past the first, lxml resolves no entity."""
    try:
        root = safexml.parse(utf16(document))
    except (safexml.UnsafeXML, etree.XMLSyntaxError):
        return
    text = "".join(root.itertext())
    assert "root:" not in text
    assert "lol" not in text


def test_unsafe_xml__is_a_value_error():
    assert issubclass(safexml.UnsafeXML, ValueError)


@pytest.mark.parametrize(
    "payload",
    [b"", b"<r>", b"<r></s>", b"not xml", b"<r/><s/>", b"<r a='1' a='2'/>", b"<r>\x00</r>"],
)
def test_not_well_formed__syntax_error(payload: bytes):
    with pytest.raises(etree.XMLSyntaxError):
        safexml.parse(payload)


def test_too_deep__syntax_error():
    with pytest.raises(etree.XMLSyntaxError):
        safexml.parse(b"<a>" * 10_000 + b"</a>" * 10_000)


def test_well_formed__root_returned_with_namespaces_and_vietnamese():
    root = safexml.parse(
        "<?xml version='1.0' encoding='UTF-8'?><r xmlns:orx='http://openrosa.org/xforms'>"
        "<orx:meta><orx:instanceName>Nguyễn Văn An</orx:instanceName></orx:meta></r>".encode()
    )
    meta = root[0]
    assert safexml.local_name(meta) == "meta"
    assert safexml.local_name(meta[0]) == "instanceName"
    assert meta[0].text == "Nguyễn Văn An"


def test_comments_and_processing_instructions__allowed():
    root = safexml.parse(b"<?xml version='1.0'?><!-- hi --><r><?pi x?><a>1</a></r>")
    assert root.findtext("a") == "1"
