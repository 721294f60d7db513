"""A synthetic campaign for District 10, so that a newcomer sees a full dashboard.

Everything is made up and deterministic for a seed: rosters for the units (Vietnamese-looking
names, 10-digit BHXH codes of Ho Chi Minh City, ``79…``), declared headcounts for some units
and unit reports for others, and a few weeks of ``vssid_install`` submissions shaped as ODK
Collect sends them (instance XML with ``start``/``end`` in +07:00 and ``meta/instanceID``),
collected on working days from 2021-03-11, rising along an S-curve to about 90 % of the
district, with a few units lagging and a few at 100 %. The log gets what real campaigns get:
follow-up visits, edits (``meta/deprecatedID``), a mistyped 9-digit code, an install date
after the day of collection, one person recorded in two units, people missing from their
unit's roster.

Submissions enter through :func:`ingest.submissions.intake.receive` like any others (source
``openrosa``); nothing is written around the pipeline. :func:`plan` is pure, :func:`load`
stores a plan in batches and lets its caller commit between them.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaign, forms
from ingest.models import Form, Unit, User
from ingest.registry import accounts, roster, tabular, units
from ingest.registry.tabular import Row
from ingest.submissions import intake
from ingest.submissions.media import MediaStore

START = date(2021, 3, 11)
ROSTER_DATE = START - timedelta(days=1)
INSTALL_FORM, REPORT_FORM = "vssid_install", "vssid_unit_report"
#: Demo accounts, created only when missing. Their passwords are printed: never in production.
ACCOUNTS = (
    ("admin", "admin", None, "demo-admin-2021"),
    ("lanhdao", "manager", None, "demo-lanhdao-2021"),
    ("phuong1", "unit", "27184", "demo-phuong1-2021"),
    ("congtacvien", "collector", None, "demo-congtacvien-2021"),
)
UNIT_COLLECTORS = {"27184": "phuong1"}
COLLECTOR = "congtacvien"
USER_AGENT = (
    "Dalvik/2.1.0 (Linux; U; Android 10; SM-A315F Build/QP1A.190711.020) "
    "org.odk.collect.android/v1.29.3"
)

# Names: the commonest family names with their rough shares; the south says Huỳnh and Võ.
FAMILY = {
    "Nguyễn": 36, "Trần": 11, "Lê": 9, "Phạm": 6, "Huỳnh": 5, "Hoàng": 2, "Phan": 4,
    "Võ": 4, "Vũ": 2, "Đặng": 2, "Bùi": 2, "Đỗ": 2, "Hồ": 2, "Ngô": 2, "Dương": 1, "Lý": 1,
}  # fmt: skip
MIDDLE = {
    "f": ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Hồng", "Phương", "Bảo"),
    "m": ("Văn", "Văn", "Minh", "Hoàng", "Quốc", "Đức", "Thanh", "Hữu", "Công", "Tuấn", "Gia"),
}
GIVEN = {
    "f": ("Anh", "Châu", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa",
          "Huyền", "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhi", "Nhung",
          "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thư", "Thủy", "Trang", "Trâm", "Trinh",
          "Tuyết", "Uyên", "Vân", "Vy", "Yến", "Xuân", "Diệp", "Hậu"),
    "m": ("An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Định", "Hải", "Hiếu", "Hòa",
          "Hùng", "Huy", "Khang", "Khoa", "Kiên", "Long", "Lộc", "Minh", "Nam", "Nghĩa",
          "Nhân", "Phát", "Phong", "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thiện",
          "Thịnh", "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Khải"),
}  # fmt: skip
PHONE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "086", "088", "089",
                  "070", "076", "077", "078", "079", "032", "033", "034", "035", "036",
                  "037", "038", "039", "081", "083", "084", "085", "056", "058")  # fmt: skip

#: Staff per unit and category shares (công chức, viên chức, người lao động) by kind.
SIZES = {"ward": (20, 40), "department": (10, 30), "public_service": (20, 80),
         "party_mass_org": (8, 20)}  # fmt: skip
SCHOOL_GROUP_SIZE = (180, 260)  # "the public primary schools of District 10" is many schools
MIX = {"ward": (70, 4, 26), "department": (82, 4, 14), "public_service": (3, 80, 17),
       "party_mass_org": (74, 10, 16)}  # fmt: skip
INSTALLED_MIX = {"account_active": 80, "registered_pending": 12, "installed_no_account": 8}
NOT_INSTALLED_REASONS = {"phone_unsupported": 22, "no_registered_phone": 25,
                         "forgot_password": 15, "declined": 10, "other": 14}  # fmt: skip
REASONS_OTHER = ("Đang nghỉ phép", "Đi công tác dài ngày", "Nghỉ thai sản",
                 "Chờ đổi điện thoại mới", "Đang điều trị tại bệnh viện")  # fmt: skip
NOTES = ("Đã hướng dẫn cài đặt tại đơn vị.", "Hỗ trợ đăng ký tài khoản giao dịch điện tử.",
         "Cài đặt cùng tổ công tác BHXH Quận 10.", "Cập nhật lại số điện thoại.")  # fmt: skip
#: Busy hours of an office day (local time, minutes) and how busy they are; edits follow
#: before 17:00.
SLOTS = ((450, 690, 5), (690, 810, 1), (810, 990, 4))
CLOSING = time(17, 0)


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """What the demo needs to know of a unit."""

    code: str
    name_vi: str
    kind: str


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A roster line of the demo, with the phone the person gives to the collector."""

    bhxh_code: str
    full_name: str
    birth_date: date
    category: str
    unit_code: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """Everything the demo will load, in order; the same for the same arguments."""

    seed: int
    as_of: date
    roster: tuple[StaffMember, ...]
    declared: dict[str, dict[str, int]]
    submissions: tuple[intake.Incoming, ...]


@dataclass(slots=True)
class _Record:
    """One submission to make: answers, when it was collected, who collected it."""

    form_id: str
    unit: str
    values: dict[str, str]
    end: datetime
    submitter: str
    instance_id: str
    deprecated_id: str | None = None
    received: datetime | None = None
    seconds: int = 180


@dataclass(slots=True)
class _Unit:
    info: UnitInfo
    start: float
    mid: float
    spread: float
    target: float


@dataclass(slots=True)
class _State:
    rng: random.Random
    workdays: list[date]
    codes: set[str] = field(default_factory=set)
    records: list[_Record] = field(default_factory=list)


def unit_infos(session: Session) -> list[UnitInfo]:
    """The registry's units, by code."""
    rows = session.execute(select(Unit.code, Unit.name_vi, Unit.kind).order_by(Unit.code))
    return [UnitInfo(code, name, kind) for code, name, kind in rows]


def form_versions(session: Session) -> dict[str, str]:
    """The current version of each published form."""
    return {f.form_id: f.current_version for f in session.scalars(select(Form))}


def ensure_units(session: Session, units_file: Path) -> list[str]:
    """Import the units of ``units_file`` that the registry lacks; the caller commits."""
    known = set(session.scalars(select(Unit.code)))
    rows = tabular.read_rows(units_file, units.ALIASES, required=("code", "name_vi", "kind"))
    report = units.import_units(session, [r for r in rows if r.cells.get("code") not in known])
    return report.added


def ensure_forms(session: Session, forms_dir: Path) -> list[str]:
    """Publish the campaign forms found in ``forms_dir`` that are not published yet."""
    missing = {INSTALL_FORM, REPORT_FORM} - set(session.scalars(select(Form.form_id)))
    published: list[str] = []
    for path in forms.xlsform_files(forms_dir) if missing else []:
        compiled = forms.compile_xlsform(path)
        if compiled.form_id in missing:
            forms.publish(session, compiled, forms.media_dir_for(forms_dir, path))
            published.append(compiled.form_id)
    return published


def ensure_accounts(session: Session, realm: str) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist; (username, role, password) of each new one."""
    existing = set(session.scalars(select(User.username)))
    unit_codes = set(session.scalars(select(Unit.code)))
    created = []
    for username, role, unit, password in ACCOUNTS:
        if username in existing or (unit is not None and unit not in unit_codes):
            continue
        accounts.create_user(session, username, role, password, realm, unit)
        created.append((username, role, password))
    return created


def load(
    session: Session,
    plan: DemoPlan,
    store: MediaStore,
    outcomes: Counter[str],
    batch: int = 500,
) -> Iterator[int]:
    """Store ``plan``: declared headcounts and rosters, then the submissions through intake.

    Yields after each batch the number of submissions it received, so that the caller can
    commit there; counts each outcome (``accepted``, ``flagged``, ``duplicate``…) in
    ``outcomes``.
    """
    if plan.declared:
        known = {u.code: u for u in session.scalars(select(Unit))}
        rows = [
            Row(n, {"code": c, "name_vi": known[c].name_vi, "kind": known[c].kind,
                    **{f"headcount_{k}": str(v) for k, v in counts.items()}})
            for n, (c, counts) in enumerate(sorted(plan.declared.items()), start=2)
        ]  # fmt: skip
        units.import_units(session, rows)
    lines = [
        Row(n, {"bhxh_code": p.bhxh_code, "full_name": p.full_name,
                "birth_date": p.birth_date.isoformat(), "category": p.category,
                "unit_code": p.unit_code})
        for n, p in enumerate(plan.roster, start=2)
    ]  # fmt: skip
    roster.import_roster(session, lines, ROSTER_DATE, "demo: danh sách cán bộ Quận 10", "demo")
    yield 0
    for first in range(0, len(plan.submissions), batch):
        chunk = plan.submissions[first : first + batch]
        for incoming in chunk:
            receipt = intake.receive(session, incoming, store)
            outcome = receipt.verdict if receipt.outcome == "created" else receipt.outcome
            outcomes[outcome or receipt.outcome] += 1
        yield len(chunk)


def plan(
    seed: int,
    unit_list: Sequence[UnitInfo],
    versions: Mapping[str, str],
    days: int = 21,
    as_of: date | None = None,
) -> DemoPlan:
    """The demo campaign for ``unit_list`` over ``days`` days from 2021-03-11, cut at ``as_of``."""
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    window = [START + timedelta(days=i) for i in range(max(days, 1))]
    workdays = [d for d in window if d.weekday() < 5] or window
    state = _State(rng, workdays)
    as_of = as_of or window[-1]

    ordered = sorted(unit_list, key=lambda u: u.code)
    mass_orgs = [u for u in ordered if u.kind == "party_mass_org"]
    reporting = {u.code for u in rng.sample(mass_orgs, min(2, len(mass_orgs)))}
    offices = [u for u in ordered if u.kind in {"department", "public_service"}]
    offices = [u for u in offices if "trường" not in u.name_vi and u.code not in reporting]
    declaring = {u.code for u in rng.sample(offices, min(2, len(offices)))}
    with_roster = [u for u in ordered if u.code not in reporting | declaring]
    small = [u for u in with_roster if u.code not in UNIT_COLLECTORS and _size_range(u)[1] <= 80]
    lagging = {u.code for u in _spread_pick(rng, small, 3)}
    reached = {u.code for u in _spread_pick(rng, [u for u in small if u.code not in lagging], 4)}

    staff: list[StaffMember] = []
    for info in with_roster:
        unit = _unit_profile(rng, info, len(workdays), info.code in lagging, info.code in reached)
        people = [_person(state, info) for _ in range(rng.randint(*_size_range(info)))]
        staff.extend(people)
        _unit_records(state, unit, people)
    declared = {u.code: _declared_unit(state, u) for u in ordered if u.code in declaring}
    for info in ordered:
        if info.code in reporting:
            _unit_reports(state, info)
    _anomalies(state, staff, with_roster, exclude=reached)
    _arrivals(state)

    cut = [r for r in state.records if r.end.astimezone(campaign.LOCAL_TZ).date() <= as_of]
    cut.sort(key=lambda r: (r.received or r.end, r.instance_id))
    names = {u.code: u.name_vi for u in unit_list}
    return DemoPlan(
        seed=seed,
        as_of=as_of,
        roster=tuple(staff),
        declared=declared,
        submissions=tuple(_incoming(rng, r, versions, names) for r in cut),
    )


def _size_range(info: UnitInfo) -> tuple[int, int]:
    if info.kind == "public_service" and "trường" in info.name_vi:
        return SCHOOL_GROUP_SIZE
    return SIZES[info.kind]


def _spread_pick(rng: random.Random, pool: list[UnitInfo], count: int) -> list[UnitInfo]:
    """``count`` units of ``pool``, one kind after another so that no kind gets them all."""
    by_kind: dict[str, list[UnitInfo]] = {}
    for info in rng.sample(pool, len(pool)):
        by_kind.setdefault(info.kind, []).append(info)
    picked: list[UnitInfo] = []
    while len(picked) < count and any(by_kind.values()):
        for kind in sorted(by_kind):
            if by_kind[kind] and len(picked) < count:
                picked.append(by_kind[kind].pop())
    return picked


def _unit_profile(
    rng: random.Random, info: UnitInfo, n: int, lagging: bool, reached: bool
) -> _Unit:
    """When a unit starts, how fast it goes (an S-curve in working days) and where it ends."""
    start = rng.uniform(0.2, 0.4) * n if lagging else rng.uniform(0, 0.15) * n
    mid = start + rng.uniform(0.25, 0.45) * n
    target = 1.0 if reached else rng.uniform(0.42, 0.58) if lagging else rng.uniform(0.86, 0.98)
    return _Unit(info, start, mid, max(rng.uniform(0.06, 0.12) * n, 0.3), target)


def _day_of(state: _State, unit: _Unit) -> int:
    """A working day (index) drawn from the unit's S-curve: logistic around its midpoint."""
    u = min(max(state.rng.random(), 0.005), 0.995)
    t = unit.mid + unit.spread * math.log(u / (1 - u))
    return int(min(max(t, unit.start, 0), len(state.workdays) - 1e-6))


def _moment(state: _State, day: date) -> datetime:
    """A time of the office day ``day`` (Vietnam time), with milliseconds as Collect writes."""
    start, end, _weight = state.rng.choices(SLOTS, weights=[s[2] for s in SLOTS])[0]
    minute = state.rng.uniform(start, end)
    local = datetime.combine(day, time(0), campaign.LOCAL_TZ) + timedelta(minutes=minute)
    return local.replace(microsecond=state.rng.randrange(1000) * 1000)


def _code(state: _State) -> str:
    while True:
        code = f"79{state.rng.randrange(10**8):08d}"
        if code not in state.codes:
            state.codes.add(code)
            return code


def _name(rng: random.Random) -> str:
    sex = rng.choice("fm")
    parts = [rng.choices(list(FAMILY), weights=list(FAMILY.values()))[0], rng.choice(MIDDLE[sex])]
    if rng.random() < 0.25:
        parts.append(rng.choice(MIDDLE[sex][3:]))
    parts.append(rng.choice(GIVEN[sex]))
    return " ".join(dict.fromkeys(parts))  # never "Thanh Thanh"


def _person(state: _State, info: UnitInfo) -> StaffMember:
    rng = state.rng
    category = rng.choices(campaign.CATEGORIES, weights=MIX[info.kind])[0]
    born = date(1962, 1, 1) + timedelta(days=rng.randrange(38 * 365))
    phone = _phone(rng) if rng.random() < 0.75 else None
    return StaffMember(_code(state), _name(rng), born, category, info.code, phone)


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**7):07d}"


def _uuid(rng: random.Random) -> str:
    return f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _record(state: _State, person: StaffMember, day: date, status: str, **extra: str) -> _Record:
    values = {"consent": "yes", "unit": person.unit_code, "full_name": person.full_name,
              "bhxh_code": person.bhxh_code, "category": person.category,
              "phone": person.phone or "", "status": status, **extra}  # fmt: skip
    submitter = UNIT_COLLECTORS.get(person.unit_code, COLLECTOR)
    rng = state.rng
    record = _Record(INSTALL_FORM, person.unit_code, values, _moment(state, day), submitter,
                     _uuid(rng), seconds=rng.randint(90, 420))  # fmt: skip
    state.records.append(record)
    return record


def _installed(
    state: _State, person: StaffMember, day_index: int, status: str, since: int | None = None
) -> _Record:
    """A record of an installed person; not installed before the visit on day ``since``."""
    rng, day = state.rng, state.workdays[day_index]
    roll = rng.random()
    if roll < 0.1 and since is None:  # had VssID before the campaign
        installed_on = date(2020, 6, 1) + timedelta(days=rng.randrange(270))
    elif roll < 0.35 and day_index > (since or 0):
        first = max(since or 0, day_index - 4)
        installed_on = state.workdays[rng.randrange(first, day_index)]
    else:
        installed_on = day
    extra = {"install_date": installed_on.isoformat()}
    if status == "registered_pending":
        extra["reasons"] = "pending_approval"
    elif status == "installed_no_account" and rng.random() < 0.6:
        extra["reasons"] = rng.choice(("no_registered_phone", "forgot_password"))
    if rng.random() < 0.15:
        extra["note"] = rng.choice(NOTES)
    return _record(state, person, day, status, **extra)


def _not_installed(state: _State, person: StaffMember, day_index: int) -> _Record:
    rng = state.rng
    if rng.random() < 0.22:
        return _record(state, person, state.workdays[day_index], "no_smartphone",
                       reasons="no_smartphone")  # fmt: skip
    pool, weights = list(NOT_INSTALLED_REASONS), list(NOT_INSTALLED_REASONS.values())
    picked = set(rng.choices(pool, weights=weights, k=rng.randint(1, 2)))
    extra = {"reasons": " ".join(r for r in pool if r in picked)}
    if "other" in picked:
        extra["reason_other"] = rng.choice(REASONS_OTHER)
    return _record(state, person, state.workdays[day_index], "not_installed", **extra)


def _unit_records(state: _State, unit: _Unit, people: list[StaffMember]) -> None:
    """Records of a roster unit: who installs, when, and the visits before that."""
    rng = state.rng
    count = len(people) if unit.target >= 1 else round(unit.target * len(people))
    chosen = set(rng.sample(range(len(people)), count))
    for index, person in enumerate(people):
        day = _day_of(state, unit)
        if index not in chosen:
            if rng.random() < 0.7:
                _not_installed(state, person, day)
            continue
        status = rng.choices(list(INSTALLED_MIX), weights=list(INSTALLED_MIX.values()))[0]
        earlier = None
        if rng.random() < 0.14 and day > 0:  # a first visit found them not ready yet
            earlier = rng.randrange(int(unit.start), day) if int(unit.start) < day else day - 1
            if rng.random() < 0.5:
                _not_installed(state, person, earlier)
            else:
                _record(state, person, state.workdays[earlier], "registered_pending",
                        install_date=state.workdays[earlier].isoformat(),
                        reasons="pending_approval")  # fmt: skip
                status = "account_active"
        record = _installed(state, person, day, status, since=earlier)
        if rng.random() < 0.01:
            _edit(state, record, phone=_phone(rng))  # a new phone number


def _edit(state: _State, original: _Record, **changes: str) -> _Record:
    """An edit of ``original``: new instance ID, ``deprecatedID`` the old one, later ``end``."""
    rng = state.rng
    closing = datetime.combine(_local_day(original), CLOSING, campaign.LOCAL_TZ)
    end = min(original.end + timedelta(minutes=rng.randint(5, 90)), closing)
    record = _Record(original.form_id, original.unit, {**original.values, **changes}, end,
                     original.submitter, _uuid(rng), original.instance_id,
                     seconds=rng.randint(30, 120))  # fmt: skip
    state.records.append(record)
    return record


def _declared_unit(state: _State, info: UnitInfo) -> dict[str, int]:
    """A unit that declared its headcount instead of sending a roster, and its records."""
    rng = state.rng
    total = rng.randint(*_size_range(info))
    people = [_person(state, info) for _ in range(total)]
    unit = _unit_profile(rng, info, len(state.workdays), lagging=False, reached=False)
    for person in people[: round(unit.target * total)]:
        status = rng.choices(list(INSTALLED_MIX), weights=list(INSTALLED_MIX.values()))[0]
        _installed(state, person, _day_of(state, unit), status)
    counts = Counter(p.category for p in people)
    return {c: counts.get(c, 0) for c in campaign.CATEGORIES}


def _unit_reports(state: _State, info: UnitInfo) -> None:
    """A unit that reports its own totals a few times instead of one record per person."""
    rng, n = state.rng, len(state.workdays)
    headcount = {c: 0 for c in campaign.CATEGORIES}
    for _ in range(rng.randint(*_size_range(info))):
        headcount[rng.choices(campaign.CATEGORIES, weights=MIX[info.kind])[0]] += 1
    final = rng.uniform(0.8, 0.95)
    for share, fraction in ((0.3, 0.45), (0.65, 0.75), (1.0, 1.0)):
        day = state.workdays[min(n - 1, max(0, round(share * n) - 1))]
        values = {"unit": info.code, "report_date": day.isoformat()}
        for category, heads in headcount.items():
            installed = math.floor(heads * final * fraction)
            values |= {f"headcount_{category}": str(heads),
                       f"installed_{category}": str(installed),
                       f"active_{category}": str(math.floor(installed * 0.85))}  # fmt: skip
        values["reporter_name"] = _name(rng)
        values["reporter_phone"] = _phone(rng)
        end = datetime.combine(day, time(16, rng.randint(0, 50)), campaign.LOCAL_TZ)
        state.records.append(
            _Record(REPORT_FORM, info.code, values, end, COLLECTOR, _uuid(rng), seconds=400)
        )


def _anomalies(
    state: _State, staff: list[StaffMember], units_: list[UnitInfo], exclude: set[str]
) -> None:
    """What review and data quality are for: typos, a date slip, a double, strangers."""
    rng = state.rng
    by_code: dict[str, list[_Record]] = {}
    for record in state.records:
        by_code.setdefault(record.values.get("bhxh_code", ""), []).append(record)
    once = [  # installed people with a single record, in units that do not reach 100 %
        records[0]
        for p in staff
        if p.unit_code not in exclude
        and len(records := by_code.get(p.bhxh_code, [])) == 1
        and records[0].values["status"] in campaign.INSTALLED_STATUSES
    ]
    others = [u for u in units_ if u.code not in exclude]
    if len(once) < 4 or len(others) < 3:
        return  # too small a registry for these stories
    typo, fixed, late, double = rng.sample(once, 4)
    for record in (typo, fixed):  # a digit dropped while typing: flagged
        code, cut = record.values["bhxh_code"], rng.randrange(2, 10)
        record.values["bhxh_code"] = code[:cut] + code[cut + 1 :]
        if record is fixed:  # …and corrected by an edit of the record
            _edit(state, record, bhxh_code=code)
    late.values["install_date"] = (_local_day(late) + timedelta(days=1)).isoformat()
    person = next(p for p in staff if p.bhxh_code == double.values["bhxh_code"])
    elsewhere = rng.choice([u for u in others if u.code != person.unit_code])
    later = min(len(state.workdays) - 1, state.workdays.index(_local_day(double)) + 2)
    moved = StaffMember(person.bhxh_code, person.full_name, person.birth_date,
                        person.category, elsewhere.code, person.phone)  # fmt: skip
    _installed(state, moved, later, "account_active")  # recorded again in another unit
    for info in rng.sample(others, 2):
        stranger = _person(state, info)  # joined after the roster was sent
        _installed(state, stranger, rng.randrange(len(state.workdays)), "account_active")


def _arrivals(state: _State) -> None:
    """When each record reaches the server: at once mostly, later when the phone was offline;
    an edit always after the version it replaces (records come before their edits)."""
    rng = state.rng
    arrived: dict[str, datetime] = {}
    for record in state.records:
        delay = timedelta(seconds=rng.randint(5, 240))
        if rng.random() < 0.07:
            delay = timedelta(hours=rng.uniform(2, 18))
        received = record.end + delay
        if record.deprecated_id is not None:
            received = max(received, arrived[record.deprecated_id] + timedelta(seconds=30))
        record.received = arrived[record.instance_id] = received


def _local_day(record: _Record) -> date:
    return record.end.astimezone(campaign.LOCAL_TZ).date()


def _relevant(form_id: str, name: str, values: dict[str, str]) -> bool:
    """Whether the field is relevant (the form's ``relevant`` binds, for the answers made)."""
    if form_id != INSTALL_FORM:
        return True
    installed = values["status"] in campaign.INSTALLED_STATUSES
    return {
        "consent_declined": False,
        "install_date": installed,
        "proof_photo": installed,
        "reasons": values["status"] != "account_active",
        "reason_other": "other" in values.get("reasons", "").split(),
    }.get(name, True)


def _xml(form_id: str, version: str, values: dict[str, str], meta: dict[str, str]) -> bytes:
    """The instance document as ODK Collect writes it: the form's elements in order, empty
    when unanswered, left out when not relevant."""
    order = INSTALL_FIELDS if form_id == INSTALL_FORM else REPORT_FIELDS
    body = "".join(
        f"<{n}>{escape(values[n])}</{n}>" if values.get(n) else f"<{n} />"  # kXML's empty tag
        for n in order
        if _relevant(form_id, n, values)
    )
    meta_xml = "".join(f"<{n}>{escape(v)}</{n}>" for n, v in meta.items())
    return (
        f'<?xml version=\'1.0\' ?><{form_id} id="{form_id}" version="{escape(version)}" '
        f'xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" xmlns:odk="http://www.opendatakit.org/xforms">'
        f"{body}<meta>{meta_xml}</meta></{form_id}>"
    ).encode()


INSTALL_FIELDS = (
    "start", "end", "deviceid", "username", "consent_notice", "consent", "consent_declined",
    "unit", "full_name", "bhxh_code", "category", "phone", "status", "install_date", "reasons",
    "reason_other", "proof_photo", "note",
)  # fmt: skip
REPORT_FIELDS = (
    "start", "end", "deviceid", "username", "unit", "unit_name", "report_date", "intro",
    *(f"{part}_{c}" for c in campaign.CATEGORIES
      for part in ("sec", "headcount", "installed", "active")),
    "headcount_total", "installed_total", "active_total", "installed_pct", "active_pct",
    "summary", "reporter_name", "reporter_phone", "note",
)  # fmt: skip


def _collect_time(moment: datetime) -> str:
    local = moment.astimezone(campaign.LOCAL_TZ)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}+07:00"


def _incoming(
    rng: random.Random, record: _Record, versions: Mapping[str, str], names: Mapping[str, str]
) -> intake.Incoming:
    values = dict(record.values)
    device = f"collect:{random.Random(record.submitter).getrandbits(64):016x}"  # noqa: S311
    values |= {"start": _collect_time(record.end - timedelta(seconds=record.seconds)),
               "end": _collect_time(record.end), "deviceid": device,
               "username": record.submitter}  # fmt: skip
    meta = {"instanceID": record.instance_id}
    if record.form_id == INSTALL_FORM:
        meta["instanceName"] = f"{values['full_name']} – {values['bhxh_code']}"
    else:
        _report_calculations(values, names.get(record.unit, record.unit))
        day = date.fromisoformat(values["report_date"])
        meta["instanceName"] = f"{values['unit_name']} – {day:%d/%m/%Y}"
    if record.deprecated_id:  # Collect appends it to meta when an edit is finalized
        meta["deprecatedID"] = record.deprecated_id
    content_type = f"multipart/form-data; boundary={uuid.UUID(int=rng.getrandbits(128))}"
    assert record.received is not None
    return intake.Incoming(
        source="openrosa",
        payload=_xml(record.form_id, versions[record.form_id], values, meta),
        content_type=content_type,
        submitter=record.submitter,
        received_at=record.received.astimezone(UTC),
        headers={
            "User-Agent": USER_AGENT,
            "Content-Type": content_type,
            "X-OpenRosa-Version": "1.0",
        },
    )


def _report_calculations(values: dict[str, str], unit_name: str) -> None:
    """The unit report's calculated fields, as Collect computes them before sending."""
    values["unit_name"] = unit_name
    for part in ("headcount", "installed", "active"):
        values[f"{part}_total"] = str(sum(int(values[f"{part}_{c}"]) for c in campaign.CATEGORIES))
    total = int(values["headcount_total"])
    for part in ("installed", "active"):
        share = round(100 * int(values[f"{part}_total"]) / total, 1) if total else None
        values[f"{part}_pct"] = "" if share is None else f"{share:g}"
