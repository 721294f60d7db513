"""The access policy (``webhook.policy``) on real accounts and District 10's units.

The units used: Phòng Giáo dục và Đào tạo (``Q10-GDDT``) has three groups of schools under it
(``Q10-MN``, ``Q10-TH``, ``Q10-THCS``); Phường 1 (``27184``) has none. The HTTP answers built
on these decisions are checked route by route in ``test_authz_matrix.py``.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest
from sqlalchemy.orm import Session

from ingest.errors import ErrorCode, NotFound
from ingest.models import ROLES, User
from ingest.registry import accounts
from ingest.registry.units import ImportReport
from tests.conftest import REALM, make_user
from tests.wire import KOBO_SECRET
from webhook import policy

SCHOOLS = {"Q10-GDDT", "Q10-MN", "Q10-TH", "Q10-THCS"}

# fmt: off
#: action → the roles allowed it: docs/architecture.md §5 written out, independently of the module.
EXPECTED: dict[str, set[str]] = {
    "collect":           {"admin", "unit", "collector"},
    "push":              {"integration"},
    "read":              {"admin", "manager", "unit"},
    "review":            {"admin"},
    "manage_collectors": {"admin"},
    "see_personal_data": {"admin", "unit"},
}
# fmt: on


@pytest.fixture
def users(session: Session, default_units: ImportReport) -> dict[str, User]:
    """One account per role; the unit account is the education office's (with its schools)."""
    make_user(session, "quan.tri", "admin")
    make_user(session, "lanh.dao", "manager")
    make_user(session, "phong.gd", "unit", unit_code="Q10-GDDT")
    make_user(session, "ctv.an", "collector", unit_code="27184")
    accounts.create_user(session, "kobo", "integration", KOBO_SECRET, REALM)
    session.commit()
    names = {"admin": "quan.tri", "manager": "lanh.dao", "unit": "phong.gd",
             "collector": "ctv.an", "integration": "kobo"}  # fmt: skip
    return {role: accounts.find_user(session, name) for role, name in names.items()}


def test_matrix__names_every_action_and_only_known_roles() -> None:
    assert set(policy.ALLOWED) == set(get_args(policy.Action)) == set(EXPECTED)
    for roles in policy.ALLOWED.values():
        assert set(roles) <= set(ROLES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_may__each_role_and_action__as_designed(
    users: dict[str, User], role: str, action: policy.Action
) -> None:
    assert policy.may(users[role], action) is (role in EXPECTED[action])


@pytest.mark.parametrize("role", ROLES)
def test_sees_personal_data__admin_and_unit_only(users: dict[str, User], role: str) -> None:
    assert policy.sees_personal_data(users[role]) is (role in {"admin", "unit"})


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", None), ("manager", None), ("unit", SCHOOLS), ("collector", set()),
    ("integration", set()),
])  # fmt: skip
def test_unit_scope__all_own_subtree_or_none(
    session: Session, users: dict[str, User], role: str, expected: set[str] | None
) -> None:
    assert policy.unit_scope(session, users[role]) == expected


def test_unit_scope__unit_without_children__itself(
    session: Session, default_units: ImportReport
) -> None:
    make_user(session, "phuong1", "unit", unit_code="27184")
    assert policy.unit_scope(session, accounts.find_user(session, "phuong1")) == {"27184"}


@pytest.mark.parametrize(("role", "code", "expected"), [
    ("unit", "Q10-GDDT", True), ("unit", "Q10-TH", True), ("unit", "27184", False),
    ("unit", None, False), ("manager", "27184", True), ("manager", None, True),
    ("admin", None, True), ("collector", "27184", False),
])  # fmt: skip
def test_sees_unit(
    session: Session, users: dict[str, User], role: str, code: str | None, expected: bool
) -> None:
    assert policy.sees_unit(session, users[role], code) is expected


def test_require_unit__own_child__the_unit(session: Session, users: dict[str, User]) -> None:
    unit = policy.require_unit(session, users["unit"], "Q10-MN")
    assert unit.code == "Q10-MN"
    assert unit.parent_code == "Q10-GDDT"


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_require_unit__all_units_roles__any_unit(
    session: Session, users: dict[str, User], role: str
) -> None:
    assert policy.require_unit(session, users[role], "27184").code == "27184"


def test_require_unit__another_unit__out_of_scope(session: Session, users: dict[str, User]) -> None:
    with pytest.raises(policy.OutOfScope) as raised:
        policy.require_unit(session, users["unit"], "27184")
    assert raised.value.code == 403


def test_require_unit__parent__out_of_scope(session: Session, default_units: ImportReport) -> None:
    make_user(session, "tieu.hoc", "unit", unit_code="Q10-TH")
    with pytest.raises(policy.OutOfScope):
        policy.require_unit(session, accounts.find_user(session, "tieu.hoc"), "Q10-GDDT")


@pytest.mark.parametrize("code", ["99999", "271\x0084"])
@pytest.mark.parametrize("role", ["unit", "admin"])
def test_require_unit__unknown__not_found_before_scope(
    session: Session, users: dict[str, User], role: str, code: str
) -> None:
    with pytest.raises(NotFound) as raised:
        policy.require_unit(session, users[role], code)
    assert raised.value.code == ErrorCode.UNIT_NOT_FOUND.code


VALUES: dict[str, Any] = {
    "full_name": "Nguyễn Văn An",
    "bhxh_code": "0791000001",
    "phone": "0901234567",
    "reporter_phone": "123",
    "note": "Gọi lại sau 17 giờ",
    "reason_other": "",
    "proof_photo": None,
    "unit": "27184",
    "category": "cong_chuc",
    "status": "account_active",
}


def test_mask_values__manager__personal_fields_masked(users: dict[str, User]) -> None:
    shown = policy.mask_values(users["manager"], VALUES)
    assert shown == {
        "full_name": "N. V. A.",
        "bhxh_code": "•••••••001",
        "phone": "•••••••567",
        "reporter_phone": "***",  # too short to show its last digits
        "note": "***",
        "reason_other": "",
        "proof_photo": None,
        "unit": "27184",
        "category": "cong_chuc",
        "status": "account_active",
    }
    assert VALUES["full_name"] == "Nguyễn Văn An"  # the caller's values are left alone


@pytest.mark.parametrize("name", sorted(policy.PERSONAL_FIELDS))
def test_mask_values__manager__every_personal_field_hidden(
    users: dict[str, User], name: str
) -> None:
    value = "Trần Thị Bình 0791000002"
    assert value not in policy.mask_values(users["manager"], {name: value}).values()


@pytest.mark.parametrize("role", ["admin", "unit"])
def test_mask_values__personal_data_roles__as_typed(users: dict[str, User], role: str) -> None:
    assert policy.mask_values(users[role], VALUES) == VALUES


ISSUES: list[dict[str, Any]] = [
    {"code": "value.pattern", "path": "bhxh_code", "message_vi": "Mã 07910 sai",
     "message_en": "Code 07910 is wrong"},
    {"code": "value.choice", "path": "unit", "message_vi": "Đơn vị 99999 không có",
     "message_en": "No unit 99999"},
    {"code": "form.unknown", "message_vi": "Biểu mẫu lạ", "message_en": "Unknown form"},
]  # fmt: skip


def test_mask_issues__manager__messages_about_personal_fields_replaced(
    users: dict[str, User],
) -> None:
    shown = policy.mask_issues(users["manager"], ISSUES)
    assert shown[0] == {
        "code": "value.pattern",
        "path": "bhxh_code",
        "message_vi": "Giá trị không hợp lệ (dữ liệu cá nhân được ẩn).",
        "message_en": "Invalid value (personal data hidden).",
    }
    assert shown[1:] == ISSUES[1:]
    assert ISSUES[0]["message_vi"] == "Mã 07910 sai"  # the stored issue is left alone


@pytest.mark.parametrize("role", ["admin", "unit"])
def test_mask_issues__personal_data_roles__as_found(users: dict[str, User], role: str) -> None:
    assert policy.mask_issues(users[role], ISSUES) == ISSUES
