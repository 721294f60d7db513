"""What happens in the demo campaign: how things turn out, never what the form asks.

A :class:`Scenario` says who installs and who does not yet, why, how staff divide into
categories and how large units are. The answers it names are the form's own choice names,
and :meth:`Scenario.check` refuses any the published form does not offer, so that a changed
form makes the demo fail loudly instead of loading data the form rejects. Which questions an
app state makes relevant, what a calculation gives and in which order fields come are read
from the form itself (:mod:`webhook.demo.collect`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from webhook.demo.collect import CollectForm

#: Demo accounts, created only when missing. Their passwords are printed: never in production.
ACCOUNTS = (
    ("admin", "admin", None, "demo-admin-2021"),
    ("lanhdao", "manager", None, "demo-lanhdao-2021"),
    ("phuong1", "unit", "27184", "demo-phuong1-2021"),
    ("congtacvien", "collector", None, "demo-congtacvien-2021"),
)
#: Who collects for a unit (its own focal point), and for every other unit.
UNIT_COLLECTORS = {"27184": "phuong1"}
COLLECTOR = "congtacvien"


@dataclass(frozen=True, slots=True)
class Scenario:
    """The parameters of a made-up campaign; weights are relative, by answer."""

    #: The first day of collection; rosters are in force from the day before.
    start: date
    #: The answer to ``consent`` (in the demo everybody agrees).
    consent: str
    #: App states (``status``) of the people who install, and of those who have not yet.
    installed: Mapping[str, int]
    not_installed: Mapping[str, int]
    #: A first visit that found someone waiting, and the app state a second visit finds.
    follow_up: tuple[str, str]
    #: The ``reasons`` recorded with each app state (one or two are picked).
    reasons: Mapping[str, Mapping[str, int]]
    #: How often a reason is recorded where the form does not require one (default: always).
    reason_rate: Mapping[str, float]
    #: Free text for ``reason_other`` and ``note``.
    other_reasons: tuple[str, ...]
    notes: tuple[str, ...]
    #: Staff per unit by kind, and for a unit that groups many schools.
    sizes: Mapping[str, tuple[int, int]]
    school_group_size: tuple[int, int]
    #: ``category`` of staff by kind of unit.
    categories: Mapping[str, Mapping[str, int]]

    def check(self, form: CollectForm) -> None:
        """:class:`ValueError` naming every answer of the scenario that ``form`` does not
        offer (or :class:`LookupError` for a field it does not have)."""
        app_states = {*self.installed, *self.not_installed, *self.follow_up, *self.reasons}
        named = {
            "status": app_states,
            "reasons": {r for weights in self.reasons.values() for r in weights},
            "category": {c for weights in self.categories.values() for c in weights},
        }
        if form.has("consent"):
            named["consent"] = {self.consent}
        unknown = [
            f"{field}: {', '.join(sorted(values - set(form.choices(field))))}"
            for field, values in named.items()
            if values - set(form.choices(field))
        ]
        if unknown:
            raise ValueError(f"the form {form.form_id} does not offer {'; '.join(unknown)}")


#: The campaign of letter 952/UBND-VX in District 10, March 2021.
DISTRICT_10 = Scenario(
    start=date(2021, 3, 11),
    consent="yes",
    installed={"account_active": 80, "registered_pending": 12, "installed_no_account": 8},
    not_installed={"not_installed": 78, "no_smartphone": 22},
    follow_up=("registered_pending", "account_active"),
    reasons={
        "no_smartphone": {"no_smartphone": 1},
        "not_installed": {"phone_unsupported": 22, "no_registered_phone": 25,
                          "forgot_password": 15, "declined": 10, "other": 14},
        "registered_pending": {"pending_approval": 1},
        "installed_no_account": {"no_registered_phone": 1, "forgot_password": 1},
    },
    reason_rate={"installed_no_account": 0.6},
    other_reasons=("Đang nghỉ phép", "Đi công tác dài ngày", "Nghỉ thai sản",
                   "Chờ đổi điện thoại mới", "Đang điều trị tại bệnh viện"),
    notes=("Đã hướng dẫn cài đặt tại đơn vị.", "Hỗ trợ đăng ký tài khoản giao dịch điện tử.",
           "Cài đặt cùng tổ công tác BHXH Quận 10.", "Cập nhật lại số điện thoại."),
    sizes={"ward": (20, 40), "department": (10, 30), "public_service": (20, 80),
           "party_mass_org": (8, 20)},
    school_group_size=(180, 260),  # "the public primary schools of District 10" is many schools
    categories={
        "ward": {"cong_chuc": 70, "vien_chuc": 4, "nguoi_lao_dong": 26},
        "department": {"cong_chuc": 82, "vien_chuc": 4, "nguoi_lao_dong": 14},
        "public_service": {"cong_chuc": 3, "vien_chuc": 80, "nguoi_lao_dong": 17},
        "party_mass_org": {"cong_chuc": 74, "vien_chuc": 10, "nguoi_lao_dong": 16},
    },
)  # fmt: skip
