"""The link's unit in a self-report's XML: the server's word, never the page's.

The self-report form's ``unit`` is a hidden field. Whatever the page sent in it, the stored
payload says the link's unit: the element (a direct child of the instance root) is set, or
added when missing. The rest of the document is kept byte for byte as lxml writes it back.
"""

from __future__ import annotations

from lxml import etree

from ingest.forms.safexml import local_name
from ingest.submissions import parse


def form_id(payload: bytes) -> str | None:
    """The form id the instance names (its root's ``id``); InvalidInput if unreadable."""
    return parse.read_xml(payload).get("id")


def pin_unit(payload: bytes, field: str, unit: str) -> bytes:
    """``payload`` with its ``field`` answer set to ``unit``; InvalidInput if unreadable."""
    root = parse.read_xml(payload)
    element = next((child for child in root if _named(child, field)), None)
    if element is None:
        element = etree.Element(field)
        meta = next((child for child in root if _named(child, "meta")), None)
        if meta is not None:
            meta.addprevious(element)
        else:
            root.append(element)
    for child in list(element):
        element.remove(child)
    element.text = unit
    return etree.tostring(root, encoding="utf-8")


def _named(element: etree._Element, name: str) -> bool:
    return isinstance(element.tag, str) and local_name(element) == name


XFORMS_NS = "http://www.w3.org/2002/xforms"


def served_form(xml: str, lang: str, prefill: dict[str, str] | None = None) -> bytes:
    """The XForm as the browser gets it: the translation whose name ends ``(lang)`` made the
    default (Web Forms opens in it) and ``prefill`` written into the primary instance's
    direct children. What is submitted is checked against the published version, unchanged.
    """
    root = parse.read_xml(xml.encode("utf-8"))
    translations = root.iter(f"{{{XFORMS_NS}}}translation")
    found = [t for t in translations if (t.get("lang") or "").endswith(f"({lang})")]
    if found:
        for translation in root.iter(f"{{{XFORMS_NS}}}translation"):
            if "default" in translation.attrib:
                del translation.attrib["default"]
        found[0].set("default", "true()")
    instance = next(root.iter(f"{{{XFORMS_NS}}}instance"), None)
    data = next((child for child in instance if isinstance(child.tag, str)), None) if (
        instance is not None
    ) else None  # fmt: skip
    for name, text in (prefill or {}).items():
        element = next((c for c in data if _named(c, name)), None) if data is not None else None
        if element is not None:
            element.text = text
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
