"""What happens in each demo campaign: how things turn out, never what the forms ask.

One :class:`Scenario` per campaign, as data (:data:`SCENARIOS`, by campaign id): when
collection starts, who reaches the campaign's outcome and who does not yet, why, how staff
divide into categories and how large units are, which units report their own figures, and
which stories the review queue gets. The answers it names are the forms' own choice names,
and :meth:`Scenario.check` refuses any that the published forms or the campaign's definition
do not know, so that a changed form makes the demo fail loudly instead of loading data the
form rejects. Which field holds what is the campaign's definition (``campaign.person``,
``campaign.unit_report``); which questions an answer makes relevant, what a calculation
gives and in which order fields come are read from the form itself
(:mod:`webhook.demo.collect`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ingest.campaigns import Campaign
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

#: The stories a person campaign's review queue can get (:attr:`Scenario.stories`): a digit
#: dropped from two identifiers (one corrected by an edit), an outcome date after the day of
#: collection, one person recorded in two units, two people missing from their unit's roster.
STORIES = frozenset({"typo", "late", "two_units", "strangers"})


@dataclass(frozen=True, slots=True)
class Staff:
    """The made-up staff of the district's units; weights are relative."""

    #: Staff per unit by kind, and for a unit that groups many schools.
    sizes: Mapping[str, tuple[int, int]]
    school_group_size: tuple[int, int]
    #: ``category`` of staff by kind of unit.
    categories: Mapping[str, Mapping[str, int]]
    #: Born on a day within this many years from this date.
    born: tuple[date, int]


@dataclass(frozen=True, slots=True)
class Outreach:
    """Dated reports that add up (``unit_report.mode = "sum"``): who reports, how often, how
    far they get. Every unit with a declared denominator in the campaign reports."""

    #: The level counting everybody reached, and the share of the denominator it reaches by
    #: the end; the share of those reached that reach the target (``done``).
    reached_level: str
    reached: tuple[float, float]
    done: tuple[float, float]
    #: Share of working days on which a unit reports (each reports at least twice).
    report_rate: tuple[float, float]
    #: A select of the report form and the answers it is given, by weight; the text for an
    #: ``other`` answer (in the select's field name with ``_other``).
    answers: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    others: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scenario:
    """The parameters of one made-up campaign; weights are relative, by answer."""

    #: The campaign it is the example data of.
    campaign: str
    #: The first day of collection; rosters are in force from the day before.
    start: date
    #: Named random stream, so that campaigns do not share one; "" draws from the seed alone
    #: (VssID's, as the demo drew it before there were campaigns: same seed, same data).
    stream: str = ""

    # --- Person records (a campaign with ``[person]``) -------------------------------------
    #: How identifiers are made up (``webhook.demo.people.IDENTIFIERS``).
    identifier: str = "bhxh"
    #: The district's staff; ``staff_from``: the campaign whose made-up staff this one finds
    #: again (same people, same units, its own identifiers).
    staff: Staff | None = None
    staff_from: str | None = None
    #: The answer to ``consent`` (in the demo everybody agrees).
    consent: str = "yes"
    #: Outcomes of the people who reach the target, and of those who have not yet.
    done: Mapping[str, int] = field(default_factory=dict)
    not_done: Mapping[str, int] = field(default_factory=dict)
    #: A first visit that found someone waiting, and the outcome a second visit finds.
    follow_up: tuple[str, str] | None = None
    #: The reasons recorded with each outcome (one or two are picked).
    reasons: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    #: How often a reason is recorded where the form does not require one (default: always).
    reason_rate: Mapping[str, float] = field(default_factory=dict)
    #: Free text for ``reason_other`` and ``note``.
    other_reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: Some reached the target before the campaign: on a day within so many days from this one.
    done_before: tuple[date, int] = (date(2020, 6, 1), 270)
    #: Share of the units with people that send a roster.
    roster_share: float = 1.0
    #: How many offices declare their headcount instead of sending a roster.
    declaring: int = 0
    stories: frozenset[str] = frozenset()

    # --- Unit reports ------------------------------------------------------------------------
    #: ``latest``: how many units of a kind report their own totals instead of a roster and
    #: records, when (share of the window) and how far (share of the final figures); the
    #: share of the headcount done by the end, and of the done at each further level.
    reporting: tuple[str, int] | None = None
    snapshots: tuple[tuple[float, float], ...] = ()
    report_done: tuple[float, float] = (0.8, 0.95)
    report_levels: Mapping[str, float] = field(default_factory=dict)
    #: ``sum``: dated outreach reports.
    outreach: Outreach | None = None

    def check(
        self, campaign: Campaign, person: CollectForm | None, report: CollectForm | None
    ) -> None:
        """:class:`ValueError` naming every answer of the scenario that the forms do not
        offer or the campaign's definition contradicts (:class:`LookupError` for a field a
        form does not have)."""
        problems: list[str] = []
        if campaign.person is not None:
            if person is None or self.staff is None:
                raise ValueError(f"{campaign.id}: the scenario needs a person form and staff")
            fields = campaign.person
            outcomes = {*self.done, *self.not_done, *(self.follow_up or ()), *self.reasons}
            named: dict[str, set[str]] = {fields.outcome: outcomes}
            if fields.reasons:
                named[fields.reasons] = {r for weights in self.reasons.values() for r in weights}
            if fields.category:
                named[fields.category] = {
                    c for weights in self.staff.categories.values() for c in weights
                }
            if person.has("consent"):
                named["consent"] = {self.consent}
            problems += _unknown(person, named)
            done = campaign.done.values
            if set(self.done) - done or set(self.not_done) & done:
                problems.append(f"{fields.outcome}: done {', '.join(sorted(self.done))} is not "
                                f"the campaign's {', '.join(sorted(done))}")  # fmt: skip
            unknown = sorted(self.stories - STORIES)
            if unknown:
                problems.append(f"stories: {', '.join(unknown)}")
        if self.outreach is not None:
            if report is None:
                raise ValueError(f"{campaign.id}: outreach reports need a unit-report form")
            problems += _unknown(report, {n: set(w) for n, w in self.outreach.answers.items()})
        if problems:
            form_ids = ", ".join(f.form_id for f in (person, report) if f is not None)
            raise ValueError(f"the form {form_ids} does not offer {'; '.join(problems)}")


def _unknown(form: CollectForm, named: Mapping[str, set[str]]) -> list[str]:
    return [
        f"{name}: {', '.join(sorted(values - set(form.choices(name))))}"
        for name, values in named.items()
        if values - set(form.choices(name))
    ]


#: Staff of District 10's units (departments, public services, mass organisations, wards).
DISTRICT_10_STAFF = Staff(
    sizes={"ward": (20, 40), "department": (10, 30), "public_service": (20, 80),
           "party_mass_org": (8, 20)},
    school_group_size=(180, 260),  # "the public primary schools of District 10" is many schools
    categories={
        "ward": {"cong_chuc": 70, "vien_chuc": 4, "nguoi_lao_dong": 26},
        "department": {"cong_chuc": 82, "vien_chuc": 4, "nguoi_lao_dong": 14},
        "public_service": {"cong_chuc": 3, "vien_chuc": 80, "nguoi_lao_dong": 17},
        "party_mass_org": {"cong_chuc": 74, "vien_chuc": 10, "nguoi_lao_dong": 16},
    },
    born=(date(1962, 1, 1), 38),
)  # fmt: skip

#: The campaign of letter 952/UBND-VX in District 10, March 2021: staff install VssID.
DISTRICT_10 = Scenario(
    campaign="vssid",
    start=date(2021, 3, 11),
    identifier="bhxh",
    staff=DISTRICT_10_STAFF,
    consent="yes",
    done={"account_active": 80, "registered_pending": 12, "installed_no_account": 8},
    not_done={"not_installed": 78, "no_smartphone": 22},
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
    done_before=(date(2020, 6, 1), 270),
    declaring=2,
    stories=STORIES,
    reporting=("party_mass_org", 2),
    snapshots=((0.3, 0.45), (0.65, 0.75), (1.0, 1.0)),
    report_done=(0.8, 0.95),
    report_levels={"active": 0.85},
)  # fmt: skip

#: The same staff activate their level-2 VNeID e-identity (Decree 59/2022/NĐ-CP), from the
#: campaign's start in November 2026; some units send a roster of CCCDs, the others do not.
VNEID = Scenario(
    campaign="vneid",
    start=date(2026, 11, 2),
    stream="vneid",
    identifier="cccd",
    staff=DISTRICT_10_STAFF,
    staff_from="vssid",
    consent="yes",
    done={"activated_level2": 1},
    not_done={"not_registered": 40, "registered_level1": 35, "pending_level2": 25},
    follow_up=("pending_level2", "activated_level2"),
    reasons={
        "not_registered": {"no_smartphone": 14, "no_chip_cccd": 22, "no_registered_phone": 18,
                           "declined": 8, "other": 12},
        "registered_level1": {"no_chip_cccd": 3, "awaiting_police": 5, "no_registered_phone": 2},
        "pending_level2": {"awaiting_police": 1},
    },
    reason_rate={"registered_level1": 0.8},
    other_reasons=("Đang nghỉ phép", "Đi công tác dài ngày", "Nghỉ thai sản",
                   "Chờ cấp lại thẻ căn cước gắn chíp",
                   "Chưa sắp xếp được thời gian đến Công an phường"),
    notes=("Đã hướng dẫn đăng ký trên ứng dụng VNeID.",
           "Công an phường xác thực tại đơn vị.", "Cập nhật số điện thoại chính chủ.",
           "Hỗ trợ cài đặt VNeID trên điện thoại mới."),
    done_before=(date(2023, 1, 3), 1400),
    roster_share=0.7,
    stories=frozenset({"two_units", "strangers"}),
)  # fmt: skip

#: The letter's second order, March 2021: the 14 wards reach their residents and help them
#: install VssID, and report what they did since their previous report.
RESIDENTS = Scenario(
    campaign="vssid_residents",
    start=date(2021, 3, 11),
    stream="vssid_residents",
    outreach=Outreach(
        reached_level="reached",
        reached=(0.18, 0.45),
        done=(0.12, 0.3),
        report_rate=(0.3, 0.6),
        answers={"activity": {"loudspeaker": 22, "door_to_door": 26, "meeting": 18,
                              "booth": 20, "online": 10, "other": 4}},
        others=("Lồng ghép buổi sinh hoạt khu phố", "Phát tờ rơi tại chợ",
                "Hỗ trợ tại Bộ phận một cửa của phường"),
    ),
    notes=("Phối hợp Đoàn thanh niên phường.", "Hỗ trợ người cao tuổi cài đặt tại nhà.",
           "Nhiều người chưa có số điện thoại đăng ký với BHXH."),
)  # fmt: skip

#: Every campaign's example data, in the order ``vssid demo`` loads them.
SCENARIOS: Mapping[str, Scenario] = {s.campaign: s for s in (DISTRICT_10, VNEID, RESIDENTS)}
