"""Parsing XML that strangers send, safely.

Submissions and uploaded forms come from phones and the internet. No legitimate XForm or
instance needs a DTD, so any document type declaration is refused before parsing: that closes
entity-expansion bombs and external entities (XXE) in one rule. The lxml parser is also told
never to load a DTD, resolve entities or touch the network, as a second line.
"""

from __future__ import annotations

import re

from lxml import etree

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsafeXML(ValueError):
    """The document declares a DTD or entities, which we never accept."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def _wide(data: bytes) -> bool:
    """UTF-16/32 text (a BOM, or NUL bytes early on), which the byte scan cannot read."""
    return (
        data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")
        or data[:2]
        in (
            b"\xff\xfe",
            b"\xfe\xff",
        )
        or b"\x00" in data[:64]
    )


def parse(data: bytes) -> etree._Element:
    """Parse ``data`` into its root element.

    Raises :class:`UnsafeXML` for a DTD or entity declaration and ``etree.XMLSyntaxError``
    for anything that is not well-formed XML.
    """
    if _DOCTYPE.search(data):
        raise UnsafeXML("XML with a DOCTYPE or ENTITY declaration is not accepted")
    if _wide(data):
        # The byte scan reads ASCII-compatible encodings only: scan UTF-16/32 decoded.
        for encoding in ("utf-32", "utf-16"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UnsafeXML("XML in an encoding that cannot be checked is not accepted")
        if _DOCTYPE.search(text.encode("utf-8")):
            raise UnsafeXML("XML with a DOCTYPE or ENTITY declaration is not accepted")
    root = etree.fromstring(data, parser=_parser())
    if getattr(root.getroottree().docinfo, "doctype", ""):  # an encoding the scan missed
        raise UnsafeXML("XML with a DOCTYPE or ENTITY declaration is not accepted")
    return root


def local_name(element: etree._Element) -> str:
    """The tag without its namespace: ``{http://openrosa.org/xforms}meta`` -> ``meta``."""
    return etree.QName(element).localname
