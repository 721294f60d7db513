"""The access policy (``webhook.policy``) on real accounts and District 10's units.

The units used: Phòng Giáo dục và Đào tạo (``Q10-GDDT``) has three groups of schools under it
(``Q10-MN``, ``Q10-TH``, ``Q10-THCS``); Phường 1 (``27184``) has none. The HTTP answers built
on these decisions are checked route by route in ``test_authz_matrix.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pytest
from sqlalchemy.orm import Session

from ingest import forms
from ingest.errors import ErrorCode, NotFound
from ingest.forms import formspec
from ingest.forms.formspec import FormSpec
from ingest.models import ROLES, User
from ingest.registry import accounts
from ingest.registry.units import ImportReport
from tests import personal_form
from tests.conftest import FORMS_DIR, REALM, make_user
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
    "manage_hooks":      {"admin"},
    "manage_privacy":    {"admin"},
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


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> FormSpec:
    """``tests.personal_form``: personal fields in a group and in a repeat, declared by it."""
    return personal_form.spec(tmp_path_factory.mktemp("form"))


VALUES: dict[str, Any] = {
    "start": "2026-12-07T08:02:11.120+07:00",
    "unit": "27184",
    "thong_tin/full_name": "Nguyễn Văn An",
    "thong_tin/cccd": "079186012345",
    "thong_tin/job_title": "Kế toán",
    "con": [
        {"con/ten_con": "Nguyễn Minh Khôi", "con/tuoi": "7"},
        {"con/ten_con": "", "con/tuoi": "3"},
    ],
    "xung_ho": "Bà Nguyễn Văn An",
    "meta/instanceID": "uuid:8e2d",
}


def test_mask_values__manager__declared_fields_masked_at_any_depth(
    users: dict[str, User], spec: FormSpec
) -> None:
    shown = policy.mask_values(users["manager"], VALUES, spec)
    assert shown == {
        "start": "2026-12-07T08:02:11.120+07:00",
        "unit": "27184",
        "thong_tin/full_name": "N. V. A.",  # the style of a name: by its name, in any group
        "thong_tin/cccd": "***",
        "thong_tin/job_title": "Kế toán",  # not declared: shown
        "con": [
            {"con/ten_con": "***", "con/tuoi": "7"},
            {"con/ten_con": "", "con/tuoi": "3"},  # nothing typed, nothing to hide
        ],
        "xung_ho": "***",  # calculated from the name
        "meta/instanceID": "uuid:8e2d",
    }
    assert VALUES["thong_tin/full_name"] == "Nguyễn Văn An"  # the caller's values are left alone


def test_mask_values__manager__codes_show_their_last_digits(users: dict[str, User]) -> None:
    install = campaign_spec("vssid_install")
    values = {"full_name": "Trần Thị Bình", "bhxh_code": "0791000001", "phone": "0901234567",
              "note": "Gọi lại sau 17 giờ", "reason_other": "", "proof_photo": None,
              "status": "account_active", "category": "cong_chuc"}  # fmt: skip
    assert policy.mask_values(users["manager"], values, install) == {
        "full_name": "T. T. B.",
        "bhxh_code": "•••••••001",
        "phone": "•••••••567",
        "note": "***",
        "reason_other": "",
        "proof_photo": None,
        "status": "account_active",
        "category": "cong_chuc",
    }


def test_mask_values__manager__undeclared_form__shown(
    users: dict[str, User], tmp_path: Path
) -> None:
    """What is masked is what the form declares: the same form declaring nothing shows all."""
    undeclared = personal_form.spec(tmp_path, declared=False)
    assert policy.mask_values(users["manager"], VALUES, undeclared) == VALUES


@pytest.mark.parametrize("values", [
    VALUES,
    {"cccd": "079186012345"},  # a field the spec does not have
])  # fmt: skip
def test_mask_values__manager__nothing_known__everything_masked(
    users: dict[str, User], spec: FormSpec, values: dict[str, Any]
) -> None:
    """No spec (the form version is unknown), or an answer the form does not have: nobody
    can tell it is not personal, so it is masked (fail closed)."""
    shown = policy.mask_values(users["manager"], values, None if values is VALUES else spec)
    flat = json.dumps(shown, ensure_ascii=False)
    for value in ("Nguyễn", "079186012345", "Kế toán", "27184", "7"):
        assert value not in flat, value
    assert set(shown) == set(values)  # the answers' shape is kept
    if values is VALUES:
        assert [set(item) for item in shown["con"]] == [{"con/ten_con", "con/tuoi"}] * 2


@pytest.mark.parametrize("role", ["admin", "unit"])
def test_mask_values__personal_data_roles__as_typed(
    users: dict[str, User], spec: FormSpec, role: str
) -> None:
    assert policy.mask_values(users[role], VALUES, spec) == VALUES
    assert policy.mask_values(users[role], VALUES, None) == VALUES


ISSUES: list[dict[str, Any]] = [
    {"code": "value.constraint", "path": "thong_tin/cccd", "message_vi": "Số 0791 sai",
     "message_en": "Number 0791 is wrong"},
    {"code": "value.type", "path": "con[2]/ten_con", "message_vi": "Tên 'Khôi' sai",
     "message_en": "Name 'Khôi' is wrong"},
    {"code": "choice.unknown", "path": "unit", "message_vi": "Đơn vị 99999 không có",
     "message_en": "No unit 99999"},
    {"code": "internal.check_failed", "path": "", "message_vi": "Chưa kiểm tra",
     "message_en": "Not checked"},
]  # fmt: skip
HIDDEN_ISSUE = {
    "message_vi": "Giá trị không hợp lệ (dữ liệu cá nhân được ẩn).",
    "message_en": "Invalid value (personal data hidden).",
}


def test_mask_issues__manager__messages_about_personal_fields_replaced(
    users: dict[str, User], spec: FormSpec
) -> None:
    shown = policy.mask_issues(users["manager"], ISSUES, spec)
    assert shown[0] == {"code": "value.constraint", "path": "thong_tin/cccd", **HIDDEN_ISSUE}
    assert shown[1] == {"code": "value.type", "path": "con[2]/ten_con", **HIDDEN_ISSUE}
    assert shown[2:] == ISSUES[2:]
    assert ISSUES[0]["message_vi"] == "Số 0791 sai"  # the stored issue is left alone


def test_mask_issues__manager__no_spec__every_message_about_a_field_replaced(
    users: dict[str, User],
) -> None:
    shown = policy.mask_issues(users["manager"], ISSUES, None)
    assert [i["message_en"] for i in shown] == [HIDDEN_ISSUE["message_en"]] * 3 + ["Not checked"]


@pytest.mark.parametrize("role", ["admin", "unit"])
def test_mask_issues__personal_data_roles__as_found(
    users: dict[str, User], spec: FormSpec, role: str
) -> None:
    assert policy.mask_issues(users[role], ISSUES, spec) == ISSUES
    assert policy.mask_issues(users[role], ISSUES, None) == ISSUES


def test_masking_spec__earlier_versions_masked_as_the_form_now_declares(
    session: Session, published: Any
) -> None:
    """2021031001 was published before the form declared its personal fields."""
    first = policy.masking_spec(session, "vssid_install", "2021031001")
    current = policy.masking_spec(session, "vssid_install", "2026120602")
    assert first is not None and current is not None
    assert first.version == "2021031001"
    assert first.personal_paths == current.personal_paths
    assert {"full_name", "bhxh_code", "meta/instanceName"} <= first.personal_paths


@pytest.mark.parametrize(("form_id", "version"), [
    ("vssid_install", "1999"), ("vssid_install", None), (None, None), ("khong_co", "1"),
])  # fmt: skip
def test_masking_spec__unknown_version__none(
    session: Session, published: Any, form_id: str | None, version: str | None
) -> None:
    assert policy.masking_spec(session, form_id, version) is None


def campaign_spec(form_id: str) -> FormSpec:
    compiled = forms.compile_xlsform(FORMS_DIR / f"{form_id}.xlsx")
    return formspec.spec_for(compiled.md5, compiled.xml)


@pytest.mark.parametrize(("role", "units", "edit_others"), [
    ("admin", None, True), ("manager", None, False), ("unit", SCHOOLS, False),
    ("collector", {"27184"}, False), ("integration", None, True),
])  # fmt: skip
def test_write_rights__bound_accounts_their_units_edits_by_admins_and_integrations(
    session: Session, users: dict[str, User], role: str, units: set[str] | None,
    edit_others: bool,
) -> None:  # fmt: skip
    rights = policy.write_rights(session, users[role])
    assert rights.units == (None if units is None else frozenset(units))
    assert rights.edit_others is edit_others


def test_write_rights__collector_bound_to_no_unit__any_unit(
    session: Session, default_units: ImportReport
) -> None:
    make_user(session, "ctv.tu.do", "collector")
    assert policy.write_rights(session, accounts.find_user(session, "ctv.tu.do")).units is None


def test_mask_issues__two_units__the_other_unit_named_only_to_who_sees_it(
    users: dict[str, User],
) -> None:
    issue = {"code": "domain.person_two_units", "path": "bhxh_code", "other_unit": "27184",
             "message_vi": "Mã 0791 đã được ghi nhận ở đơn vị khác (27184)",
             "message_en": "Code 0791 is also recorded in another unit (27184)"}  # fmt: skip
    for role in ("admin", "manager"):
        assert policy.mask_issues(users[role], [issue], None)[0]["other_unit"] == "27184"
    assert policy.mask_issues(users["unit"], [issue], None, units={"27184"}) == [issue]
    for shown in (
        policy.mask_issues(users["unit"], [issue], None, units=SCHOOLS),
        policy.mask_issues(users["unit"], [issue], None),  # its units not said: none
    ):
        assert "27184" not in json.dumps(shown) and shown[0]["code"] == "domain.person_two_units"
    older = {k: v for k, v in issue.items() if k != "other_unit"}  # stored before the key
    assert "27184" not in json.dumps(policy.mask_issues(users["unit"], [older], None, SCHOOLS))
