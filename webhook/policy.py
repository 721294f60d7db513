"""Access policy: what each role may do, which units an account may see, and what personal
data it sees. The JSON API, the OpenRosa and Kobo endpoints, the dashboard's pages and its
downloads all ask here; nothing else decides access by role.

The matrix (docs/architecture.md §5 and README.md, "Dashboard"), action × role:

====================  =====  =======  ====  =========  ===========
action                admin  manager  unit  collector  integration
====================  =====  =======  ====  =========  ===========
``collect``           yes    -        yes   yes        -
``push``              -      -        -     -          yes
``read``              yes    yes      yes   -          -
``review``            yes    -        -     -          -
``manage_collectors`` yes    -        -     -          -
``see_personal_data`` yes    -        yes   -          -
units seen            all    all      own   none       none
====================  =====  =======  ====  =========  ===========

- ``collect``: download forms and submit through OpenRosa (ODK Collect, Enketo);
- ``push``: deliver submissions from a KoboToolbox REST Service;
- ``read``: sign in to the dashboard; read coverage, units and the review queue (pages,
  charts, downloads, JSON API);
- ``review``: accept or reject a flagged submission (page and API);
- ``manage_collectors``: collector accounts, their QR codes and printed sheets;
- ``see_personal_data``: names, BHXH codes, phone numbers and the like as typed, and the
  lists of who has not installed (unit page, API, Excel download). The others see
  :data:`PERSONAL_FIELDS` masked (:func:`mask_values`, :func:`mask_issues`);
- units seen: ``own`` is the account's unit and every unit under it (:func:`unit_scope`).
  Collectors and integrations read nothing, so they see no unit.

The decisions are data (the role tuples below) and functions of an account; the HTTP answer
to a refusal (its status and wording) belongs to the caller.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from ingest.errors import ErrorCode, NotFound
from ingest.models import Unit, User
from ingest.registry.units import get_unit, subtree

Action = Literal["collect", "push", "read", "review", "manage_collectors", "see_personal_data"]

#: Who may download forms and submit through OpenRosa.
COLLECT_ROLES = ("admin", "unit", "collector")
#: Who may push submissions from a KoboToolbox REST Service.
INTEGRATION_ROLES = ("integration",)
#: Who may sign in to the dashboard and read reports, units and the review queue.
DASHBOARD_ROLES = ("admin", "manager", "unit")
#: Who may accept or reject a submission.
REVIEW_ROLES = ("admin",)
#: Who may create collector accounts and issue their QR codes.
COLLECTOR_ADMIN_ROLES = ("admin",)
#: Who sees personal data unmasked, and may download lists of people.
PERSONAL_DATA_ROLES = ("admin", "unit")
#: Who sees every unit (a ``unit`` account sees its own subtree).
ALL_UNITS_ROLES = ("admin", "manager")

#: The roles allowed each action: the matrix of the module docstring.
ALLOWED: dict[Action, tuple[str, ...]] = {
    "collect": COLLECT_ROLES,
    "push": INTEGRATION_ROLES,
    "read": DASHBOARD_ROLES,
    "review": REVIEW_ROLES,
    "manage_collectors": COLLECTOR_ADMIN_ROLES,
    "see_personal_data": PERSONAL_DATA_ROLES,
}

#: Answers that identify a person: masked for roles without personal data.
PERSONAL_FIELDS = frozenset(
    {
        "full_name", "bhxh_code", "phone", "reason_other", "note", "proof_photo",
        "username", "deviceid", "reporter_name", "reporter_phone", "meta/instanceName",
    }
)  # fmt: skip
#: Codes of which the last digits are shown (enough to tell two people apart).
_CODES = frozenset({"bhxh_code", "phone", "reporter_phone"})
HIDDEN = "***"


class OutOfScope(Forbidden):
    """403: the unit (or a record of it) lies outside what the account may see."""

    description = "Đơn vị này không thuộc quyền của tài khoản. (Not your unit.)"


def may(user: User, action: Action) -> bool:
    """Whether ``user``'s role allows ``action``."""
    return user.role in ALLOWED[action]


def sees_personal_data(user: User) -> bool:
    """Whether ``user`` sees personal values as typed (``may(user, "see_personal_data")``)."""
    return may(user, "see_personal_data")


def unit_scope(session: Session, user: User) -> set[str] | None:
    """The unit codes ``user`` may see (None: all of them)."""
    if user.role in ALL_UNITS_ROLES:
        return None
    if user.role == "unit" and user.unit_code is not None:
        return subtree(session, user.unit_code)
    return set()  # an account that reads nothing sees no unit


def sees_unit(session: Session, user: User, code: str | None) -> bool:
    """Whether ``user`` may see the unit ``code`` (a record of no unit: admins and managers
    only)."""
    scope = unit_scope(session, user)
    return scope is None or code in scope


def require_unit(session: Session, user: User, code: str) -> Unit:
    """The unit ``code``: :class:`ingest.errors.NotFound` when there is none,
    :class:`OutOfScope` when ``user`` may not see it."""
    unit = get_unit(session, code)
    if unit is None:
        raise NotFound(ErrorCode.UNIT_NOT_FOUND, code=code)
    if not sees_unit(session, user, code):
        raise OutOfScope()
    return unit


def _mask(name: str, value: Any) -> Any:
    """A personal value as a manager sees it: initials, or the last digits of a code."""
    if value is None or value == "":
        return value
    text = str(value)
    if name == "full_name":
        return " ".join(f"{part[0]}." for part in text.split())
    if name in _CODES and len(text) > 4:
        return "•" * (len(text) - 3) + text[-3:]
    return HIDDEN


def mask_values(user: User, values: dict[str, Any]) -> dict[str, Any]:
    """A submission's values as ``user`` may see them (personal fields masked)."""
    if sees_personal_data(user):
        return values
    return {k: _mask(k, v) if k in PERSONAL_FIELDS else v for k, v in values.items()}


def mask_issues(user: User, issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A submission's problems as ``user`` may see them: a message about a personal field
    quotes its value, so it is replaced by one that does not."""
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
