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
``manage_hooks``      yes    -        -     -          -
``manage_privacy``    yes    -        -     -          -
``see_personal_data`` yes    -        yes   -          -
units seen            all    all      own   none       none
====================  =====  =======  ====  =========  ===========

- ``collect``: download forms and submit through OpenRosa (ODK Collect, Enketo);
- ``push``: deliver submissions from a KoboToolbox REST Service;
- ``read``: sign in to the dashboard; read coverage, units and the review queue (pages,
  charts, downloads, JSON API);
- ``review``: accept or reject a flagged submission, or correct one of its answers (a new
  version of the record: :func:`correction_rights`) (page, API and CLI);
- ``manage_collectors``: collector accounts, their QR codes and printed sheets;
- ``manage_hooks``: outgoing webhooks: their subscriptions, attempt log and redelivery
  (events carry no personal value unless the subscription was made ``--personal``);
- ``manage_privacy``: personal data under Law 91/2025: a person's requests (see, erase,
  withdraw consent), retention purges, and the audit trail of who viewed personal data;
- ``see_personal_data``: names, BHXH codes, phone numbers and the like as typed, and the
  lists of who has not installed (unit page, API, Excel download). The others see every
  field the form declares personal masked (:func:`mask_values`, :func:`mask_issues`): the
  form says which fields are personal (``vssid:personal`` on a bind, read into
  :attr:`ingest.forms.formspec.FormSpec.personal_paths`), never a list here, and a
  submission whose form version is unknown, or an answer the form does not have, is masked
  whole (:func:`masking_spec` gives the spec to mask by);
- units seen: ``own`` is the account's unit and every unit under it (:func:`unit_scope`).
  Collectors and integrations read nothing, so they see no unit. A rule's message about a
  person recorded in another unit names that unit only to those who see it
  (:func:`mask_issues`).

What an account may write (:func:`write_rights`, handed to intake): a ``unit`` account, and a
``collector`` bound to a unit, submit records for that unit and the units under it (a record
for another is kept, flagged for review); other collectors, administrators and integrations
for any unit. An edit replaces a record only when the same account sent it, or when an
administrator or an integration (KoboToolbox sends every edit of its project) sends it.

The decisions are data (the role tuples below) and functions of an account; the HTTP answer
to a refusal (its status and wording) belongs to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, Literal

from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from ingest.catalogue import TWO_UNITS_ELSEWHERE, CheckCode
from ingest.consumers.projection import personal_spec
from ingest.errors import ErrorCode, NotFound
from ingest.forms.formspec import FormSpec
from ingest.models import Unit, User
from ingest.registry.units import get_unit, subtree
from ingest.submissions.intake import Rights

Action = Literal[
    "collect",
    "push",
    "read",
    "review",
    "manage_collectors",
    "manage_hooks",
    "manage_privacy",
    "see_personal_data",
]

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
#: Who may see webhook subscriptions and their attempts, and redeliver.
HOOK_ADMIN_ROLES = ("admin",)
#: Who answers a person's requests about their data, purges and reads the audit trail.
PRIVACY_ADMIN_ROLES = ("admin",)
#: Who sees personal data unmasked, and may download lists of people.
PERSONAL_DATA_ROLES = ("admin", "unit")
#: Who sees every unit (a ``unit`` account sees its own subtree).
ALL_UNITS_ROLES = ("admin", "manager")
#: Who submits only for their own unit and the units under it, when bound to one.
UNIT_BOUND_ROLES = ("unit", "collector")
#: Who may edit (replace) records another account sent.
EDIT_OTHERS_ROLES = ("admin", "integration")

#: The roles allowed each action: the matrix of the module docstring.
ALLOWED: dict[Action, tuple[str, ...]] = {
    "collect": COLLECT_ROLES,
    "push": INTEGRATION_ROLES,
    "read": DASHBOARD_ROLES,
    "review": REVIEW_ROLES,
    "manage_collectors": COLLECTOR_ADMIN_ROLES,
    "manage_hooks": HOOK_ADMIN_ROLES,
    "manage_privacy": PRIVACY_ADMIN_ROLES,
    "see_personal_data": PERSONAL_DATA_ROLES,
}

#: How a masked value looks, by the field's name (whichever group it is in): initials of a
#: name, the last digits of a code (enough to tell two people apart); anything else is
#: :data:`HIDDEN`. Which fields are masked is the form's declaration, not this.
_NAMES = frozenset({"full_name"})
_CODES = frozenset({"bhxh_code", "phone", "reporter_phone"})
HIDDEN = "***"
#: A repeat's position in an issue's path (``members[2]/name``).
_POSITION = re.compile(r"\[\d+\]")


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


def write_rights(session: Session, user: User) -> Rights:
    """What ``user`` may write through intake: the units it may submit records for (None:
    any) and whether it may edit records other accounts sent."""
    units: frozenset[str] | None = None
    if user.role == "unit" or (user.role in UNIT_BOUND_ROLES and user.unit_code is not None):
        units = frozenset(subtree(session, user.unit_code) if user.unit_code else ())
    return Rights(units=units, edit_others=user.role in EDIT_OTHERS_ROLES)


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


def correction_rights(session: Session, user: User, unit_code: str | None) -> Rights:
    """What ``user`` may write when correcting a record of ``unit_code`` (None: of no unit):
    :class:`Forbidden` unless it may review, :class:`OutOfScope` unless it sees the unit."""
    if not may(user, "review"):
        raise Forbidden("Tài khoản không được sửa phiếu. (This account may not correct records.)")
    if not sees_unit(session, user, unit_code):
        raise OutOfScope()
    return write_rights(session, user)


def masking_spec(session: Session, form_id: str | None, version: str | None) -> FormSpec | None:
    """The spec a submission of ``form_id`` ``version`` is masked by (None: the version is
    unknown, so everything is masked).

    It is that version's spec, with the personal fields of every published version of the
    form: a version published before a field was declared personal does not say so, and
    its answers are no less personal.
    """
    return personal_spec(session, form_id, version)


def _hidden(path: str, spec: FormSpec | None) -> bool:
    """Whether the answer at ``path`` is masked: the form declares it personal, or nobody
    can say it is not (no spec, a path the form does not have)."""
    path = _POSITION.sub("", path)
    return spec is None or path in spec.personal_paths or path not in spec.fields


def _mask(name: str, value: Any) -> Any:
    """A personal value as a manager sees it: initials, or the last digits of a code."""
    if value is None or value == "":
        return value
    text = str(value)
    if name in _NAMES:
        return " ".join(f"{part[0]}." for part in text.split())
    if name in _CODES and len(text) > 4:
        return "•" * (len(text) - 3) + text[-3:]
    return HIDDEN


def _mask_all(path: str, value: Any) -> Any:
    """``value`` masked whole, keeping its shape (a repeat's items, a group's answers)."""
    if isinstance(value, Mapping):
        return {k: _mask_all(_child(path, k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_all(path, item) for item in value]
    return _mask(path.rsplit("/", 1)[-1], value)


def _child(prefix: str, key: str) -> str:
    """The path of ``key`` under ``prefix``: answers in a repeat's items are keyed by their
    whole path (``members/name``), as ``ingest.submissions.parse`` and Kobo write them."""
    return key if not prefix or key.startswith(f"{prefix}/") else f"{prefix}/{key}"


def _masked(values: Mapping[str, Any], spec: FormSpec | None, prefix: str = "") -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in values.items():
        path = _child(prefix, key)
        if _hidden(path, spec):
            shown[key] = _mask_all(path, value)
        elif isinstance(value, Mapping):
            shown[key] = _masked(value, spec, path)
        elif isinstance(value, list):
            shown[key] = [
                _masked(item, spec, path) if isinstance(item, Mapping) else item for item in value
            ]
        else:
            shown[key] = value
    return shown


def mask_values(user: User, values: dict[str, Any], spec: FormSpec | None) -> dict[str, Any]:
    """A submission's values as ``user`` may see them: for roles without personal data,
    every answer ``spec`` declares personal is masked, at any depth (groups, repeats' items),
    and so is every answer ``spec`` does not have, or all of them when ``spec`` is None
    (fail closed)."""
    if sees_personal_data(user):
        return values
    return _masked(values, spec)


def _names_unit_outside(issue: dict[str, Any], seen: set[str]) -> bool:
    """Whether ``issue`` names a unit outside ``seen`` (an issue stored before it kept the
    unit's code is taken to)."""
    two_units = issue.get("code") == CheckCode.TWO_UNITS.code
    return two_units and issue.get("other_unit") not in seen


def _elsewhere(issue: dict[str, Any]) -> dict[str, Any]:
    """``issue`` saying "another unit" instead of which."""
    kept = {k: v for k, v in issue.items() if k != "other_unit"}
    return {**kept, "message_vi": TWO_UNITS_ELSEWHERE.vi, "message_en": TWO_UNITS_ELSEWHERE.en}


def mask_issues(
    user: User,
    issues: list[dict[str, Any]],
    spec: FormSpec | None,
    units: Collection[str] | None = frozenset(),
) -> list[dict[str, Any]]:
    """A submission's problems as ``user`` may see them: a message about a personal field
    (by the issue's ``path``, as :func:`mask_values` decides) may quote its value, so it is
    replaced by one that does not; a message naming another unit than ``units`` (the units
    ``user`` sees, :func:`unit_scope`; by default none) says "another unit" instead, unless
    ``user`` sees every unit. Problems about no field are kept."""
    shown = issues
    if user.role not in ALL_UNITS_ROLES:
        seen = set(units or ())
        shown = [_elsewhere(i) if _names_unit_outside(i, seen) else i for i in shown]
    if sees_personal_data(user):
        return shown
    masked = []
    for issue in shown:
        path = issue.get("path")
        if path and _hidden(str(path), spec):
            issue = {
                **issue,
                "message_vi": "Giá trị không hợp lệ (dữ liệu cá nhân được ẩn).",
                "message_en": "Invalid value (personal data hidden).",
            }
        masked.append(issue)
    return masked
