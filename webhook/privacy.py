"""Who may see personal data, and what the others see instead.

``admin`` sees everything; ``unit`` sees its own unit and the units under it, with personal
data (the focal point must know whom to help); ``manager`` sees every unit's records with
names, BHXH codes and phone numbers masked, and messages about them replaced.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ingest.models import User
from ingest.registry.units import subtree

PERSONAL_FIELDS = frozenset(
    {
        "full_name", "bhxh_code", "phone", "reason_other", "note", "proof_photo",
        "username", "deviceid", "reporter_name", "reporter_phone", "meta/instanceName",
    }
)  # fmt: skip
HIDDEN = "***"


def sees_personal_data(user: User) -> bool:
    return user.role in {"admin", "unit"}


def unit_scope(session: Session, user: User) -> set[str] | None:
    """The unit codes ``user`` may see (None: all of them)."""
    if user.role == "unit" and user.unit_code is not None:
        return subtree(session, user.unit_code)
    return None


def mask(name: str, value: Any) -> Any:
    """A personal value as a manager sees it: initials, or the last digits of a code."""
    if value is None or value == "":
        return value
    text = str(value)
    if name == "full_name":
        return " ".join(f"{part[0]}." for part in text.split())
    if name in {"bhxh_code", "phone", "reporter_phone"} and len(text) > 4:
        return "•" * (len(text) - 3) + text[-3:]
    return HIDDEN


def values_for(user: User, values: dict[str, Any]) -> dict[str, Any]:
    if sees_personal_data(user):
        return values
    return {k: mask(k, v) if k in PERSONAL_FIELDS else v for k, v in values.items()}


def issues_for(user: User, issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if sees_personal_data(user):
        return issues
    shown = []
    for issue in issues:
        if issue.get("path") in PERSONAL_FIELDS:
            issue = {
                **issue,
                "message_vi": "Giá trị không hợp lệ (dữ liệu cá nhân được ẩn).",
                "message_en": "Invalid value (personal data hidden).",
            }
        shown.append(issue)
    return shown
