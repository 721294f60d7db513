"""The demo campaign for a seed: rosters, declared headcounts and submissions (pure).

Everything is made up and deterministic for a seed: rosters for the units (Vietnamese-looking
names, 10-digit BHXH codes of Ho Chi Minh City, ``79…``), declared headcounts for some units
and unit reports for others, and a few weeks of install records shaped as ODK Collect sends
them (instance XML with ``start``/``end`` in +07:00 and ``meta/instanceID``), collected on
working days from the scenario's start, rising along an S-curve to about 90 % of the
district, with a few units lagging and a few at 100 %. The log gets what real campaigns get:
follow-up visits, edits (``meta/deprecatedID``), a mistyped 9-digit code, an install date
after the day of collection, one person recorded in two units, people missing from their
unit's roster. :attr:`DemoPlan.flawed` names the submissions made to be flagged; every other
one passes the form's validation.

The forms are found by what they contain, as the projection finds them
(``campaign.PERSON_FIELDS``, ``campaign.UNIT_REPORT_FIELDS``). Answers are the scenario's,
drawn from the forms' own choices (:mod:`webhook.demo.records`); what the phone sends of them
(relevance, calculations, order) is the form's business (:mod:`webhook.demo.collect`).
"""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ingest.campaigns import LOCAL_TZ
from ingest.forms.formspec import FormSpec
from ingest.submissions import intake
from webhook.demo import people, records
from webhook.demo.collect import CollectForm
from webhook.demo.records import Record, StaffMember, State, UnitInfo
from webhook.demo.scenario import COLLECTOR, DISTRICT_10, UNIT_COLLECTORS, Scenario

USER_AGENT = (
    "Dalvik/2.1.0 (Linux; U; Android 10; SM-A315F Build/QP1A.190711.020) "
    "org.odk.collect.android/v1.29.3"
)
#: Why a submission was made to be flagged (:attr:`DemoPlan.flawed`).
TYPO, LATE, TWO_UNITS = "bhxh_code_typo", "install_after_collection", "two_units"


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """Everything the demo will load, in order; the same for the same arguments.

    ``flawed``: the instance IDs of the submissions made to be flagged, and why
    (:data:`TYPO`, :data:`LATE`, :data:`TWO_UNITS`).
    """

    seed: int
    as_of: date
    roster_as_of: date
    roster: tuple[StaffMember, ...]
    declared: dict[str, dict[str, int]]
    submissions: tuple[intake.Incoming, ...]
    flawed: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Unit:
    info: UnitInfo
    start: float
    mid: float
    spread: float
    target: float


def plan(
    seed: int,
    unit_list: Sequence[UnitInfo],
    specs: Iterable[FormSpec],
    days: int = 21,
    as_of: date | None = None,
    scenario: Scenario = DISTRICT_10,
) -> DemoPlan:
    """The demo campaign for ``unit_list`` over ``days`` days, cut at ``as_of``, for the
    published forms ``specs`` (:class:`ValueError` if the scenario does not fit them)."""
    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    ordered = sorted(unit_list, key=lambda u: u.code)
    # The rows of units.csv, as the registry generates that media for the phones.
    media = {"units.csv": [{"name": u.code, "label": u.name_vi, "kind": u.kind} for u in ordered]}
    specs = list(specs)
    install = CollectForm(_form_with(specs, campaign.PERSON_FIELDS), media)
    report = CollectForm(_form_with(specs, campaign.UNIT_REPORT_FIELDS), media)
    scenario.check(install)
    window = [scenario.start + timedelta(days=i) for i in range(max(days, 1))]
    workdays = [d for d in window if d.weekday() < 5] or window
    state = State(rng, scenario, install, report, workdays)
    as_of = as_of or window[-1]

    mass_orgs = [u for u in ordered if u.kind == "party_mass_org"]
    reporting = {u.code for u in rng.sample(mass_orgs, min(2, len(mass_orgs)))}
    offices = [u for u in ordered if u.kind in {"department", "public_service"}]
    offices = [u for u in offices if "trường" not in u.name_vi and u.code not in reporting]
    declaring = {u.code for u in rng.sample(offices, min(2, len(offices)))}
    with_roster = [u for u in ordered if u.code not in reporting | declaring]
    small = [u for u in with_roster if u.code not in UNIT_COLLECTORS and _size(state, u)[1] <= 80]
    lagging = {u.code for u in _spread_pick(rng, small, 3)}
    reached = {u.code for u in _spread_pick(rng, [u for u in small if u.code not in lagging], 4)}

    staff: list[StaffMember] = []
    for info in with_roster:
        unit = _unit_profile(rng, info, len(workdays), info.code in lagging, info.code in reached)
        members = [records.person(state, info) for _ in range(rng.randint(*_size(state, info)))]
        staff.extend(members)
        _unit_records(state, unit, members)
    declared = {u.code: _declared_unit(state, u) for u in ordered if u.code in declaring}
    for info in ordered:
        if info.code in reporting:
            _unit_reports(state, info)
    _anomalies(state, staff, with_roster, exclude=reached)
    _arrivals(state)

    cut = sorted(
        (r for r in state.records if r.day <= as_of),
        key=lambda r: (r.received or r.end, r.instance_id),
    )
    forms = {install.form_id: install, report.form_id: report}
    kept = {r.instance_id for r in cut}
    return DemoPlan(
        seed=seed,
        as_of=as_of,
        roster_as_of=scenario.start - timedelta(days=1),
        roster=tuple(staff),
        declared=declared,
        submissions=tuple(_incoming(rng, r, forms[r.form_id]) for r in cut),
        flawed={i: why for i, why in state.flawed.items() if i in kept},
    )


def _form_with(specs: Sequence[FormSpec], names: Collection[str]) -> FormSpec:
    """The first form (by id) with every field of ``names``."""
    found = sorted((s for s in specs if s.fields.keys() >= set(names)), key=lambda s: s.form_id)
    if not found:
        raise ValueError(f"no published form has the fields {', '.join(sorted(names))}")
    return found[0]


def _size(state: State, info: UnitInfo) -> tuple[int, int]:
    if info.kind == "public_service" and "trường" in info.name_vi:
        return state.scenario.school_group_size
    return state.scenario.sizes[info.kind]


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


def _day_of(state: State, unit: _Unit) -> int:
    """A working day (index) drawn from the unit's S-curve: logistic around its midpoint."""
    u = min(max(state.rng.random(), 0.005), 0.995)
    t = unit.mid + unit.spread * math.log(u / (1 - u))
    return int(min(max(t, unit.start, 0), len(state.workdays) - 1e-6))


def _unit_records(state: State, unit: _Unit, members: list[StaffMember]) -> None:
    """Records of a roster unit: who installs, when, and the visits before that."""
    rng = state.rng
    count = len(members) if unit.target >= 1 else round(unit.target * len(members))
    chosen = set(rng.sample(range(len(members)), count))
    for index, member in enumerate(members):
        day = _day_of(state, unit)
        if index not in chosen:
            if rng.random() < 0.7:
                records.not_installed(state, member, day)
            continue
        app_state = records.installed_app_state(state)
        earlier = None
        if rng.random() < 0.14 and day > 0:  # a first visit found them not ready yet
            earlier = rng.randrange(int(unit.start), day) if int(unit.start) < day else day - 1
            if rng.random() < 0.5:
                records.not_installed(state, member, earlier)
            else:  # waiting then, further by the second visit
                waiting, app_state = state.scenario.follow_up
                records.installed(state, member, earlier, waiting, since=earlier)
        record = records.installed(state, member, day, app_state, since=earlier)
        if rng.random() < 0.01:
            records.edit(state, record, phone=people.phone(rng))  # a new phone number


def _declared_unit(state: State, info: UnitInfo) -> dict[str, int]:
    """A unit that declared its headcount instead of sending a roster, and its records."""
    rng = state.rng
    total = rng.randint(*_size(state, info))
    members = [records.person(state, info) for _ in range(total)]
    unit = _unit_profile(rng, info, len(state.workdays), lagging=False, reached=False)
    for member in members[: round(unit.target * total)]:
        app_state = records.installed_app_state(state)
        records.installed(state, member, _day_of(state, unit), app_state)
    counts = Counter(p.category for p in members)
    return {c: counts.get(c, 0) for c in state.install.choices("category")}


def _unit_reports(state: State, info: UnitInfo) -> None:
    """A unit that reports its own totals a few times instead of one record per person."""
    rng, n, report = state.rng, len(state.workdays), state.report
    # The categories the report asks about: its ``headcount_<category>`` questions.
    categories = [p.removeprefix("headcount_") for p, f in report.spec.fields.items()
                  if p.startswith("headcount_") and f.kind == "input"]  # fmt: skip
    headcount = dict.fromkeys(categories, 0)
    for _ in range(rng.randint(*_size(state, info))):
        headcount[records.pick(rng, categories, state.scenario.categories[info.kind])] += 1
    final = rng.uniform(0.8, 0.95)
    for share, fraction in ((0.3, 0.45), (0.65, 0.75), (1.0, 1.0)):
        day = state.workdays[min(n - 1, max(0, round(share * n) - 1))]
        values = {"unit": info.code, "report_date": day.isoformat()}
        for category, heads in headcount.items():
            installed = math.floor(heads * final * fraction)
            values |= {f"headcount_{category}": str(heads),
                       f"installed_{category}": str(installed),
                       f"active_{category}": str(math.floor(installed * 0.85))}  # fmt: skip
        values["reporter_name"] = people.name(rng)
        values["reporter_phone"] = people.phone(rng)
        end = datetime.combine(day, time(16, rng.randint(0, 50)), LOCAL_TZ)
        state.records.append(Record(report.form_id, info.code, values, end, COLLECTOR,
                                    people.instance_id(rng), seconds=400))  # fmt: skip


def _anomalies(
    state: State, staff: list[StaffMember], units: list[UnitInfo], exclude: set[str]
) -> None:
    """What review and data quality are for: typos, a date slip, a double, strangers."""
    rng = state.rng
    by_code: dict[str, list[Record]] = {}
    for record in state.records:
        by_code.setdefault(record.values.get("bhxh_code", ""), []).append(record)
    once = [  # installed people with a single record, in units that do not reach 100 %
        found[0]
        for p in staff
        if p.unit_code not in exclude
        and len(found := by_code.get(p.bhxh_code, [])) == 1
        and found[0].values["status"] in state.scenario.installed
    ]
    others = [u for u in units if u.code not in exclude]
    if len(once) < 4 or len(others) < 3:
        return  # too small a registry for these stories
    typo, fixed, late, double = rng.sample(once, 4)
    for record in (typo, fixed):  # a digit dropped while typing: flagged
        code, cut = record.values["bhxh_code"], rng.randrange(2, 10)
        record.values["bhxh_code"] = code[:cut] + code[cut + 1 :]
        state.flawed[record.instance_id] = TYPO
        if record is fixed:  # …and corrected by an edit of the record
            records.edit(state, record, bhxh_code=code)
    late.values["install_date"] = (late.day + timedelta(days=1)).isoformat()
    state.flawed[late.instance_id] = LATE
    member = next(p for p in staff if p.bhxh_code == double.values["bhxh_code"])
    elsewhere = rng.choice([u for u in others if u.code != member.unit_code])
    later = min(len(state.workdays) - 1, state.workdays.index(double.day) + 2)
    moved = StaffMember(member.bhxh_code, member.full_name, member.birth_date,
                        member.category, elsewhere.code, member.phone)  # fmt: skip
    again = records.installed(state, moved, later, records.installed_app_state(state))
    state.flawed |= {double.instance_id: TWO_UNITS, again.instance_id: TWO_UNITS}
    for info in rng.sample(others, 2):
        stranger = records.person(state, info)  # joined after the roster was sent
        day = rng.randrange(len(state.workdays))
        records.installed(state, stranger, day, records.installed_app_state(state))


def _arrivals(state: State) -> None:
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


def _collect_time(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}+07:00"


def _incoming(rng: random.Random, record: Record, form: CollectForm) -> intake.Incoming:
    """The record as Collect posts it: the metadata the form asks for, the instance XML."""
    device = f"collect:{random.Random(record.submitter).getrandbits(64):016x}"  # noqa: S311
    metadata = {"start": _collect_time(record.end - timedelta(seconds=record.seconds)),
                "end": _collect_time(record.end), "deviceid": device,
                "username": record.submitter, "meta/instanceID": record.instance_id}  # fmt: skip
    answers = record.values | {k: v for k, v in metadata.items() if form.has(k)}
    content_type = f"multipart/form-data; boundary={uuid.UUID(int=rng.getrandbits(128))}"
    assert record.received is not None
    return intake.Incoming(
        source="openrosa",
        payload=form.instance_xml(answers, record.end, record.deprecated_id),
        content_type=content_type,
        submitter=record.submitter,
        received_at=record.received.astimezone(UTC),
        headers={
            "User-Agent": USER_AGENT,
            "Content-Type": content_type,
            "X-OpenRosa-Version": "1.0",
        },
    )
