"""Reading submissions: OpenRosa instance XML and KoboToolbox REST Service JSON.

Both become an :class:`Instance`: the identity fields every consumer needs (form, version,
instance ID, the ID it edits, when it was collected) and the answers as a flat mapping of
slash-joined paths relative to the instance root, repeats as lists of such mappings. That is
KoboToolbox's own JSON shape, so XML from ODK Collect and JSON from Kobo look alike from here
on. Element names are matched by local name, so ``orx:meta`` and ``meta`` are the same.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from ingest.errors import ErrorCode, InvalidInput
from ingest.forms import safexml

#: Kobo keys that describe the record rather than answer a question.
KOBO_SYSTEM_KEYS = frozenset(
    {"formhub/uuid", "__version__", "meta/instanceID", "meta/rootUuid", "meta/deprecatedID"}
)


@dataclass(frozen=True, slots=True)
class Instance:
    """One submitted record, whatever its wire format."""

    form_id: str | None
    version: str | None
    instance_id: str | None
    deprecated_id: str | None = None
    root_id: str | None = None
    instance_name: str | None = None
    collected_at: datetime | None = None
    encrypted: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None


def parse_datetime(text: str | None) -> datetime | None:
    """An ISO 8601 date-time as aware UTC; naive values (Kobo's ``_submission_time``) are UTC."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):  # not a date-time, or outside years 1-9999 in UTC
        return None


def read_xml(payload: bytes) -> etree._Element:
    """The root element of an instance document; :class:`InvalidInput` if unusable."""
    try:
        return safexml.parse(payload)
    except safexml.UnsafeXML:
        raise InvalidInput(ErrorCode.SUBMISSION_UNSAFE) from None
    except etree.XMLSyntaxError as exc:
        reason = str(exc.msg or exc).split(" (line")[0][:200]
        raise InvalidInput(ErrorCode.SUBMISSION_MALFORMED, reason=reason) from None


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if isinstance(child.tag, str) and safexml.local_name(child) == name:
            return child
    return None


def _text(element: etree._Element | None, name: str) -> str | None:
    found = _child(element, name) if element is not None else None
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def flatten(
    element: etree._Element, repeats: frozenset[str] = frozenset(), prefix: str = ""
) -> dict[str, Any]:
    """Answers under ``element`` as ``{"group/question": "text"}``; repeats become lists.

    A path in ``repeats`` (relative to the root) is a repeat even with one instance; siblings
    sharing a name are treated as a repeat in any case.
    """
    children = [c for c in element if isinstance(c.tag, str)]
    counts = Counter(safexml.local_name(c) for c in children)
    values: dict[str, Any] = {}
    for child in children:
        name = safexml.local_name(child)
        path = f"{prefix}{name}"
        nested = any(isinstance(c.tag, str) for c in child)
        if counts[name] > 1 or path in repeats:
            # A repeat instance may be empty (all its questions non-relevant): still an item.
            item = flatten(child, repeats, f"{path}/") if nested or not child.text else {}
            if not nested and child.text:
                item = {path: child.text}
            values.setdefault(path, []).append(item)
        elif nested:
            values.update(flatten(child, repeats, f"{path}/"))
        else:
            values[path] = child.text or ""
    return values


def instance_from_xml(root: etree._Element, repeats: frozenset[str] = frozenset()) -> Instance:
    """An :class:`Instance` from an OpenRosa instance root element."""
    meta = _child(root, "meta")
    encrypted = (
        root.get("encrypted", "").lower() == "yes" or _child(root, "base64EncryptedKey") is not None
    )
    values = flatten(root, repeats)
    return Instance(
        form_id=root.get("id") or safexml.local_name(root),
        version=root.get("version"),
        instance_id=_text(meta, "instanceID") or root.get("instanceID"),
        deprecated_id=_text(meta, "deprecatedID"),
        root_id=_text(meta, "rootUuid"),
        instance_name=_text(meta, "instanceName"),
        collected_at=parse_datetime(_text(root, "end") or _text(root, "start")),
        encrypted=encrypted,
        values=values,
    )


def read_kobo_json(payload: bytes) -> dict[str, Any]:
    """The submission object of a Kobo REST Service JSON body."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(ErrorCode.SUBMISSION_MALFORMED, reason="not UTF-8") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, and too-long integers
        raise InvalidInput(
            ErrorCode.SUBMISSION_MALFORMED, reason=f"not JSON ({exc})"[:200]
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            ErrorCode.SUBMISSION_MALFORMED,
            reason=f"a JSON object was expected, not {type(data).__name__}",
        )
    return data


def instance_from_kobo(data: dict[str, Any]) -> Instance:
    """An :class:`Instance` from a Kobo submission object (flat slash-joined keys)."""
    uuid = data.get("_uuid")
    instance_id = data.get("meta/instanceID") or (f"uuid:{uuid}" if uuid else None)
    values = {
        key: value
        for key, value in data.items()
        if not key.startswith("_") and key not in KOBO_SYSTEM_KEYS
    }
    collected = parse_datetime(_str(data.get("end"))) or parse_datetime(
        _str(data.get("_submission_time"))
    )
    kobo_id = data.get("_id")
    return Instance(
        form_id=_str(data.get("_xform_id_string")),
        version=None,  # __version__ is Kobo's deployment id, not our form version
        instance_id=_str(instance_id),
        deprecated_id=_str(data.get("meta/deprecatedID")),
        root_id=_str(data.get("meta/rootUuid")),
        instance_name=_str(data.get("meta/instanceName")),
        collected_at=collected,
        values=values,
        external_id=str(kobo_id) if kobo_id is not None else None,
    )


def kobo_answers_fingerprint(data: dict[str, Any]) -> str:
    """The answers of a Kobo payload, canonical: a retry re-read from Kobo's database may
    differ in system keys (validation status, attachment URLs) but not in answers."""
    answers = {k: v for k, v in data.items() if not k.startswith("_") and k != "formhub/uuid"}
    return json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
