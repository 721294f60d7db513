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


def parse(data: bytes) -> etree._Element:
    """Parse ``data`` into its root element.

    Raises :class:`UnsafeXML` for a DTD or entity declaration and ``etree.XMLSyntaxError``
    for anything that is not well-formed XML.
    """
    if _DOCTYPE.search(data):
        raise UnsafeXML("XML with a DOCTYPE or ENTITY declaration is not accepted")
    return etree.fromstring(data, parser=_parser())


def local_name(element: etree._Element) -> str:
    """The tag without its namespace: ``{http://openrosa.org/xforms}meta`` -> ``meta``."""
    return etree.QName(element).localname
