"""Taking personal values out of stored payloads and JSON, keeping everything else.

An erasure (``ingest.privacy.erasure``) rewrites a stored submission so that what it still
says counts the same: the identifier becomes a pseudonym, every field the form declares
personal (``vssid:personal``), the person's name and birth date, and the instance name become
empty, and attachments' file names go with the files. Whatever else the record says (its
unit, category, outcome, dates) stays, so projecting it again gives the same counts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ingest.forms import safexml
from ingest.forms.formspec import FormSpec

#: Elements and keys always emptied: what a form writes about the record's person there.
ALWAYS = frozenset({"instanceName"})


@dataclass(frozen=True, slots=True)
class Fields:
    """Which fields of a form version an erasure rewrites, by their last path segment."""

    identifier: str | None
    emptied: frozenset[str]

    @classmethod
    def of(cls, spec: FormSpec | None, identifier: str | None, extra: Collection[str]) -> Fields:
        """The fields of ``spec``: its personal ones, ``extra`` (the campaign's name and
        birth-date fields), less the identifier, which is replaced, not emptied."""
        personal = {p.rsplit("/", 1)[-1] for p in spec.personal_paths} if spec else set()
        emptied = (personal | set(extra) | ALWAYS) - {identifier}
        return cls(identifier, frozenset(emptied))


def payload(data: bytes, content_type: str, fields: Fields, pseudonym: str) -> bytes:
    """A stored payload with the person's values taken out (XML or a Kobo JSON record);
    empty when it cannot be read (then nothing of it can be kept safely)."""
    try:
        if "json" in content_type.lower():
            return _json_payload(data, fields, pseudonym)
        return _xml_payload(data, fields, pseudonym)
    except (ValueError, etree.LxmlError):  # safexml.UnsafeXML is a ValueError
        return b""


def _xml_payload(data: bytes, fields: Fields, pseudonym: str) -> bytes:
    root = safexml.parse(data)
    for element in root.iter(etree.Element):  # elements only: no comments
        name = safexml.local_name(element)
        if name == fields.identifier and len(element) == 0:
            element.text = pseudonym
        elif name in fields.emptied and len(element) == 0:
            element.text = None
    declaration = data.lstrip().startswith(b"<?xml")
    return etree.tostring(root, encoding="utf-8", xml_declaration=declaration)


def _json_payload(data: bytes, fields: Fields, pseudonym: str) -> bytes:
    record = json.loads(data)
    if not isinstance(record, dict):
        raise ValueError("not a record")
    return json.dumps(_json_record(record, fields, pseudonym), ensure_ascii=False).encode()


def _json_record(record: dict[str, Any], fields: Fields, pseudonym: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in record.items():
        name = key.rsplit("/", 1)[-1]
        if key == "_attachments":
            out[key] = []
        elif isinstance(item, list):  # a repeat: a list of records
            out[key] = [
                _json_record(i, fields, pseudonym) if isinstance(i, dict) else i for i in item
            ]
        elif name == fields.identifier:
            out[key] = pseudonym
        elif name in fields.emptied:
            out[key] = ""
        else:
            out[key] = item
    return out


def replace_text(value: Any, needles: Mapping[str, str]) -> Any:
    """``value`` (text, or JSON of lists and dicts) with each needle replaced by its
    replacement, longest needle first."""
    if isinstance(value, str):
        for needle in sorted(needles, key=len, reverse=True):
            if needle:
                value = value.replace(needle, needles[needle])
        return value
    if isinstance(value, list):
        return [replace_text(item, needles) for item in value]
    if isinstance(value, dict):
        return {k: replace_text(v, needles) for k, v in value.items()}
    return value


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
