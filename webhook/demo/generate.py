"""A demo campaign for a seed: rosters, declared headcounts and submissions (pure).

Everything is made up and deterministic for a seed, following the campaign's scenario
(:data:`webhook.demo.scenario.SCENARIOS`) and its published definition and forms (a
:class:`World`). A person campaign gets staff for the units (Vietnamese-looking names,
identifiers as the campaign has them: 10-digit BHXH codes of Ho Chi Minh City ``79…``,
12-digit CCCD numbers), or finds again the staff of the campaign its scenario names; rosters
for all or part of the units, declared headcounts for some and unit reports for others; and a
few weeks of records shaped as ODK Collect sends them (instance XML with ``start``/``end`` in
+07:00 and ``meta/instanceID``), collected on working days from the scenario's start, rising
along an S-curve to about 90 % of the district, with a few units lagging and a few at 100 %.
The log gets what real campaigns get: follow-up visits, edits (``meta/deprecatedID``), and the
scenario's stories: a mistyped identifier, an outcome date after the day of collection, one
person recorded in two units, people missing from their unit's roster. A campaign of dated
outreach reports gets them from every unit with a declared denominator (the wards' resident
population), adding up to a share of it. :attr:`DemoPlan.flawed` names the submissions made
to be flagged; every other one passes the form's validation.

The forms are found as the projection finds them (``projection.is_person_form``,
``is_report_form``) and their fields named by the campaign's definition (``campaign.person``,
``campaign.unit_report``). Answers are the scenario's, drawn from the forms' own choices
(:mod:`webhook.demo.records`); what the phone sends of them (relevance, calculations, order)
is the form's business (:mod:`webhook.demo.collect`).
"""

from __future__ import annotations

import dataclasses
import math
import random
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ingest.campaigns import LOCAL_TZ, Campaign
from ingest.consumers import projection
from ingest.forms.formspec import FormSpec
from ingest.submissions import intake
from webhook.demo import people, records, unit_reports
from webhook.demo.collect import CollectForm, Media
from webhook.demo.records import Record, StaffMember, State, UnitInfo
from webhook.demo.scenario import SCENARIOS, UNIT_COLLECTORS, Scenario

USER_AGENT = (
    "Dalvik/2.1.0 (Linux; U; Android 10; SM-A315F Build/QP1A.190711.020) "
    "org.odk.collect.android/v1.29.3"
)
#: Why a submission was made to be flagged (:attr:`DemoPlan.flawed`).
TYPO, LATE, TWO_UNITS = "identifier_typo", "outcome_after_collection", "two_units"


@dataclass(frozen=True, slots=True)
class World:
    """What the demo fits: the units registry, the published campaigns, the specs of their
    forms' current versions (by form id) and each campaign's own declared denominators
    (campaign -> unit -> category -> number)."""

    units: tuple[UnitInfo, ...]
    campaigns: Mapping[str, Campaign]
    specs: Mapping[str, FormSpec]
    denominators: Mapping[str, Mapping[str, Mapping[str, int]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """Everything the demo will load for one campaign, in order; the same for the same
    arguments.

    ``roster``: the campaign's rosters (units that send one); ``declared``: headcounts the
    units registry is given; ``staff``: everybody made up, on a roster or not.
    ``flawed``: the instance IDs of the submissions made to be flagged, and why
    (:data:`TYPO`, :data:`LATE`, :data:`TWO_UNITS`).
    """

    seed: int
    campaign: str
    as_of: date
    roster_as_of: date
    roster: tuple[StaffMember, ...]
    declared: dict[str, dict[str, int]]
    submissions: tuple[intake.Incoming, ...]
    flawed: dict[str, str] = field(default_factory=dict)
    staff: tuple[StaffMember, ...] = ()


@dataclass(slots=True)
class _Unit:
    info: UnitInfo
    start: float
    mid: float
    spread: float
    target: float


def plans(
    seed: int,
    campaign_ids: Sequence[str],
    world: World,
    days: int = 21,
    as_of: date | None = None,
) -> list[DemoPlan]:
    """The plans of ``campaign_ids`` (in that order), each from its own scenario."""
    made: dict[str, DemoPlan] = {}
    for campaign_id in campaign_ids:
        made[campaign_id] = plan(seed, campaign_id, world, days, as_of, others=made)
    return list(made.values())


def plan(
    seed: int,
    campaign_id: str,
    world: World,
    days: int = 21,
    as_of: date | None = None,
    scenario: Scenario | None = None,
    others: Mapping[str, DemoPlan] | None = None,
) -> DemoPlan:
    """The demo campaign ``campaign_id`` over ``days`` days from its scenario's start (default
    :data:`SCENARIOS`), cut at ``as_of``, for the world's units and published forms
    (:class:`ValueError` if the scenario does not fit them). ``others``: plans made already
    for the same seed and days, whose staff the scenario may find again (else made anew).

    Cut before the day its rosters are in force, a plan has no rosters nor headcounts."""
    if campaign_id not in world.campaigns:
        raise ValueError(f"the campaign '{campaign_id}' is not published")
    campaign = world.campaigns[campaign_id]
    scenario = scenario or SCENARIOS.get(campaign_id)
    if scenario is None:
        raise ValueError(f"no demo scenario for the campaign '{campaign_id}'")
    rng = random.Random(f"{scenario.stream}:{seed}" if scenario.stream else seed)  # noqa: S311 (made-up data, not secrets)
    ordered = sorted(world.units, key=lambda u: u.code)
    # The rows of units.csv, as the registry generates that media for the phones.
    media = {"units.csv": [{"name": u.code, "label": u.name_vi, "kind": u.kind} for u in ordered]}
    specs = [world.specs[form_id] for form_id in campaign.forms]
    person = _form(specs, campaign, projection.is_person_form, media)
    report = _form(specs, campaign, projection.is_report_form, media)
    scenario.check(campaign, person, report)
    window = [scenario.start + timedelta(days=i) for i in range(max(days, 1))]
    workdays = [d for d in window if d.weekday() < 5] or window
    state = State(rng, scenario, campaign, person, report, workdays)
    as_of = as_of or window[-1]

    roster: list[StaffMember] = []
    declared: dict[str, dict[str, int]] = {}
    if person is not None:
        staff = None
        if scenario.staff_from is not None:
            source = (others or {}).get(scenario.staff_from)
            staff = (source or plan(seed, scenario.staff_from, world, days)).staff
        roster, declared = _people(state, ordered, staff)
    if report is not None and scenario.outreach is not None:
        unit_reports.outreach(state, ordered, world.denominators.get(campaign_id, {}))
    _arrivals(state)

    cut = sorted(
        (r for r in state.records if r.day <= as_of),
        key=lambda r: (r.received or r.end, r.instance_id),
    )
    forms = {f.form_id: f for f in (person, report) if f is not None}
    kept = {r.instance_id for r in cut}
    roster_as_of = scenario.start - timedelta(days=1)
    in_force = as_of >= roster_as_of
    return DemoPlan(
        seed=seed,
        campaign=campaign_id,
        as_of=as_of,
        roster_as_of=roster_as_of,
        roster=tuple(roster) if in_force else (),
        declared=declared if in_force else {},
        submissions=tuple(_incoming(rng, r, forms[r.form_id]) for r in cut),
        flawed={i: why for i, why in state.flawed.items() if i in kept},
        staff=tuple(state.staff),
    )


def _form(
    specs: Sequence[FormSpec],
    campaign: Campaign,
    kind: Callable[[Campaign, FormSpec], bool],
    media: Media,
) -> CollectForm | None:
    """The campaign's first form (by id) of a kind, ready to be filled in."""
    found = sorted((s for s in specs if kind(campaign, s)), key=lambda s: s.form_id)
    return CollectForm(found[0], media) if found else None


def _people(
    state: State, ordered: list[UnitInfo], staff: Sequence[StaffMember] | None
) -> tuple[list[StaffMember], dict[str, dict[str, int]]]:
    """A person campaign: records of the units' staff (made up, or ``staff`` found again),
    unit reports of some units, headcounts declared by others; the rosters and declared
    headcounts."""
    rng, scenario = state.rng, state.scenario
    reporting: set[str] = set()
    if scenario.reporting is not None and state.report_form is not None:
        kind, count = scenario.reporting
        pool = [u for u in ordered if u.kind == kind]
        reporting = {u.code for u in rng.sample(pool, min(count, len(pool)))}
    declaring: set[str] = set()
    if scenario.declaring:
        offices = [u for u in ordered if u.kind in {"department", "public_service"}]
        offices = [u for u in offices if "trường" not in u.name_vi and u.code not in reporting]
        declaring = {u.code for u in rng.sample(offices, min(scenario.declaring, len(offices)))}
    by_unit: dict[str, list[StaffMember]] = {}
    for member in staff or ():
        by_unit.setdefault(member.unit_code, []).append(member)
    with_people = [
        u for u in ordered
        if u.code not in reporting | declaring and (staff is None or u.code in by_unit)
    ]  # fmt: skip
    if scenario.roster_share < 1:
        count = round(scenario.roster_share * len(with_people))
        rostered = {u.code for u in rng.sample(with_people, count)}
    else:
        rostered = {u.code for u in with_people}
    small = [
        u for u in with_people if u.code not in UNIT_COLLECTORS and records.size(state, u)[1] <= 80
    ]
    lagging = {u.code for u in _spread_pick(rng, small, 3)}
    reached = {u.code for u in _spread_pick(rng, [u for u in small if u.code not in lagging], 4)}

    roster: list[StaffMember] = []
    everybody: list[StaffMember] = []
    for info in with_people:
        unit = _unit_profile(rng, info, len(state.workdays), info.code in lagging,
                             info.code in reached)  # fmt: skip
        if staff is None:
            size = rng.randint(*records.size(state, info))
            members = [records.person(state, info) for _ in range(size)]
        else:
            members = [records.found_again(state, m) for m in by_unit[info.code]]
        everybody.extend(members)
        if info.code in rostered:
            roster.extend(members)
        _unit_records(state, unit, members)
    declared = {u.code: _declared_unit(state, u) for u in ordered if u.code in declaring}
    for info in ordered:
        if info.code in reporting:
            unit_reports.snapshots(state, info)
    _anomalies(state, everybody, roster, with_people, exclude=reached)
    return roster, declared


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
    """Records of a unit's staff: who reaches the target, when, and the visits before that."""
    rng = state.rng
    count = len(members) if unit.target >= 1 else round(unit.target * len(members))
    chosen = set(rng.sample(range(len(members)), count))
    for index, member in enumerate(members):
        day = _day_of(state, unit)
        if index not in chosen:
            if rng.random() < 0.7:
                records.not_done(state, member, day)
            continue
        outcome = records.done_outcome(state)
        earlier = None
        if state.scenario.follow_up and rng.random() < 0.14 and day > 0:
            # A first visit found them not there yet.
            earlier = rng.randrange(int(unit.start), day) if int(unit.start) < day else day - 1
            if rng.random() < 0.5:
                records.not_done(state, member, earlier)
            else:  # waiting then, further by the second visit
                waiting, outcome = state.scenario.follow_up
                if waiting in state.campaign.done.values:
                    records.done(state, member, earlier, waiting, since=earlier)
                else:
                    records.not_done(state, member, earlier, waiting)
        record = records.done(state, member, day, outcome, since=earlier)
        if rng.random() < 0.01:
            records.edit(state, record, {records.PHONE: people.phone(rng)})  # a new phone


def _declared_unit(state: State, info: UnitInfo) -> dict[str, int]:
    """A unit that declared its headcount instead of sending a roster, and its records."""
    rng = state.rng
    total = rng.randint(*records.size(state, info))
    members = [records.person(state, info) for _ in range(total)]
    unit = _unit_profile(rng, info, len(state.workdays), lagging=False, reached=False)
    for member in members[: round(unit.target * total)]:
        outcome = records.done_outcome(state)
        records.done(state, member, _day_of(state, unit), outcome)
    counts = Counter(p.category for p in members)
    return {c: counts.get(c, 0) for c in records.categories(state)}


def _anomalies(
    state: State,
    staff: list[StaffMember],
    roster: list[StaffMember],
    units: list[UnitInfo],
    exclude: set[str],
) -> None:
    """What review and data quality are for (the scenario's stories): typos, a date slip,
    a double, strangers."""
    rng, stories, fields = state.rng, state.scenario.stories, state.fields
    by_code: dict[str, list[Record]] = {}
    for record in state.records:
        by_code.setdefault(record.values.get(fields.identifier, ""), []).append(record)
    once = [  # people done with a single record, in units that do not reach 100 %
        found[0]
        for p in staff
        if p.unit_code not in exclude
        and len(found := by_code.get(p.person_key, [])) == 1
        and found[0].values[fields.outcome] in state.scenario.done
    ]
    others = [u for u in units if u.code not in exclude]
    wanted = 2 * ("typo" in stories) + ("late" in stories) + ("two_units" in stories)
    if len(once) < wanted or len(others) < 3:
        return  # too small a registry for these stories
    picked = rng.sample(once, wanted)
    if "typo" in stories:
        typo, fixed = picked.pop(0), picked.pop(0)
        for record in (typo, fixed):  # a digit dropped while typing: flagged
            code, cut = record.values[fields.identifier], rng.randrange(2, 10)
            record.values[fields.identifier] = code[:cut] + code[cut + 1 :]
            state.flawed[record.instance_id] = TYPO
            if record is fixed:  # …and corrected by an edit of the record
                records.edit(state, record, {fields.identifier: code})
    if "late" in stories and fields.outcome_date:
        late = picked.pop(0)
        late.values[fields.outcome_date] = (late.day + timedelta(days=1)).isoformat()
        state.flawed[late.instance_id] = LATE
    if "two_units" in stories:
        double = picked.pop(0)
        member = next(p for p in staff if p.person_key == double.values[fields.identifier])
        elsewhere = rng.choice([u for u in others if u.code != member.unit_code])
        later = min(len(state.workdays) - 1, state.workdays.index(double.day) + 2)
        moved = dataclasses.replace(member, unit_code=elsewhere.code)
        again = records.done(state, moved, later, records.done_outcome(state))
        state.flawed |= {double.instance_id: TWO_UNITS, again.instance_id: TWO_UNITS}
    if "strangers" in stories:
        rostered = {p.unit_code for p in roster}
        for info in rng.sample([u for u in others if u.code in rostered], 2):
            stranger = records.person(state, info)  # joined after the roster was sent
            day = rng.randrange(len(state.workdays))
            records.done(state, stranger, day, records.done_outcome(state))


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
