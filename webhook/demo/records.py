"""One person's records: what they answer, on which visit, and the edits.

A record holds the answers a person gives, drawn from the form's own choices by the
scenario's weights; what the phone sends of them is decided later, by the form
(:class:`~webhook.demo.collect.CollectForm`). The functions here append to a :class:`State`
that :mod:`webhook.demo.generate` carries through a campaign.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ingest.campaigns import LOCAL_TZ, Campaign, PersonFields
from webhook.demo import people
from webhook.demo.collect import CollectForm
from webhook.demo.scenario import COLLECTOR, UNIT_COLLECTORS, Scenario

#: Busy hours of an office day (local time, minutes) and how busy they are; edits follow
#: before 17:00.
SLOTS = ((450, 690, 5), (690, 810, 1), (810, 990, 4))
CLOSING = time(17, 0)
#: Questions of a person form outside the campaign's definition, answered where the form has
#: them.
CONSENT, PHONE, NOTE, REASON_OTHER = "consent", "phone", "note", "reason_other"


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """What the demo needs to know of a unit."""

    code: str
    name_vi: str
    kind: str


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A roster line of the demo (``person_key``: the campaign's identifier), with the phone
    the person gives to the collector."""

    person_key: str
    full_name: str
    birth_date: date
    category: str
    unit_code: str
    phone: str | None


@dataclass(slots=True)
class Record:
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

    @property
    def day(self) -> date:
        """The local day it was collected on."""
        return self.end.astimezone(LOCAL_TZ).date()


@dataclass(slots=True)
class State:
    """A campaign being made: its randomness, scenario, definition, forms (the person form
    and the unit-report form it has), days, and the people and records so far."""

    rng: random.Random
    scenario: Scenario
    campaign: Campaign
    person_form: CollectForm | None
    report_form: CollectForm | None
    workdays: list[date]
    codes: set[str] = field(default_factory=set)
    #: Everybody made up, in the order they were (the staff a later campaign finds again).
    staff: list[StaffMember] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    #: Instance IDs of the records made to be flagged, and why.
    flawed: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> PersonFields:
        """Which of the person form's fields say who, where, what and when."""
        assert self.campaign.person is not None
        return self.campaign.person

    @property
    def form(self) -> CollectForm:
        """The person form."""
        assert self.person_form is not None
        return self.person_form


def pick(rng: random.Random, choices: Sequence[str], weights: Mapping[str, float]) -> str:
    """One of a form's ``choices`` by the scenario's ``weights`` (unweighted: never)."""
    pool = [c for c in choices if weights.get(c, 0) > 0]
    return rng.choices(pool, weights=[weights[c] for c in pool])[0]


def person(state: State, info: UnitInfo) -> StaffMember:
    """A new member of staff of ``info``, of a category the form offers."""
    rng, staff = state.rng, state.scenario.staff
    assert staff is not None
    category = pick(rng, categories(state), staff.categories[info.kind])
    first, years = staff.born
    born = first + timedelta(days=rng.randrange(years * 365))
    phone = people.phone(rng) if rng.random() < 0.75 else None
    code = people.IDENTIFIERS[state.scenario.identifier](rng, state.codes, born, None)
    member = StaffMember(code, people.name(rng), born, category, info.code, phone)
    state.staff.append(member)
    return member


def size(state: State, info: UnitInfo) -> tuple[int, int]:
    """How many staff a unit of this kind has (the bounds)."""
    staff = state.scenario.staff
    assert staff is not None
    if info.kind == "public_service" and "trường" in info.name_vi:
        return staff.school_group_size
    return staff.sizes[info.kind]


def found_again(state: State, member: StaffMember) -> StaffMember:
    """Someone another campaign made up, identified as this campaign identifies people."""
    make = people.IDENTIFIERS[state.scenario.identifier]
    code = make(state.rng, state.codes, member.birth_date, member.full_name)
    again = dataclasses.replace(member, person_key=code)
    state.staff.append(again)
    return again


def done_outcome(state: State) -> str:
    """The outcome of someone who reached the target, by the scenario's weights."""
    return pick(state.rng, state.form.choices(state.fields.outcome), state.scenario.done)


def done(
    state: State, member: StaffMember, day_index: int, outcome: str, since: int | None = None
) -> Record:
    """A record of someone who reached the target; not before the visit on day ``since``."""
    rng, day, scenario = state.rng, state.workdays[day_index], state.scenario
    roll = rng.random()
    if roll < 0.1 and since is None:  # had reached it before the campaign
        first, span = scenario.done_before
        reached_on = first + timedelta(days=rng.randrange(span))
    elif roll < 0.35 and day_index > (since or 0):
        first_index = max(since or 0, day_index - 4)
        reached_on = state.workdays[rng.randrange(first_index, day_index)]
    else:
        reached_on = day
    answers = _answers(state, member, outcome)
    if state.fields.outcome_date:
        answers[state.fields.outcome_date] = reached_on.isoformat()
    _reasons(state, answers, day)
    if rng.random() < 0.15:
        _optional(state, answers, NOTE, rng.choice(scenario.notes))
    return _record(state, member, day, answers)


def not_done(
    state: State, member: StaffMember, day_index: int, outcome: str | None = None
) -> Record:
    """A visit that finds someone not there yet (at ``outcome``, else one by the scenario's
    weights), and why."""
    fields, scenario = state.fields, state.scenario
    if outcome is None:
        outcome = pick(state.rng, state.form.choices(fields.outcome), scenario.not_done)
    answers = _answers(state, member, outcome)
    day = state.workdays[day_index]
    _reasons(state, answers, day)
    return _record(state, member, day, answers)


def edit(state: State, original: Record, changes: Mapping[str, str]) -> Record:
    """An edit of ``original``: new instance ID, ``deprecatedID`` the old one, later ``end``."""
    rng = state.rng
    closing = datetime.combine(original.day, CLOSING, LOCAL_TZ)
    end = min(original.end + timedelta(minutes=rng.randint(5, 90)), closing)
    record = Record(original.form_id, original.unit, {**original.values, **changes}, end,
                    original.submitter, people.instance_id(rng), original.instance_id,
                    seconds=rng.randint(30, 120))  # fmt: skip
    state.records.append(record)
    return record


def categories(state: State) -> tuple[str, ...]:
    """The categories the person form offers (sorted), else the campaign's."""
    name = state.fields.category
    return state.form.choices(name) if name else state.campaign.category_keys


def _answers(state: State, member: StaffMember, outcome: str) -> dict[str, str]:
    """What a person says about themselves, and how far they got."""
    fields = state.fields
    answers = {fields.unit: member.unit_code, fields.name: member.full_name,
               fields.identifier: member.person_key, fields.outcome: outcome}  # fmt: skip
    if fields.category:
        answers[fields.category] = member.category
    if fields.birth_date and state.form.has(fields.birth_date):
        answers[fields.birth_date] = member.birth_date.isoformat()
    _optional(state, answers, CONSENT, state.scenario.consent)
    _optional(state, answers, PHONE, member.phone or "")
    return answers


def _optional(state: State, answers: dict[str, str], name: str, value: str) -> None:
    """Answer ``name`` if the form asks it (consent, phone, a note…)."""
    if state.form.has(name):
        answers[name] = value


def _reasons(state: State, answers: dict[str, str], day: date) -> None:
    """Why not (yet): the scenario's reasons for the outcome, always where the form requires
    one, else as often as the scenario says. A text goes with them, which Collect keeps only
    where the form asks for it (``other`` picked)."""
    rng, scenario, name = state.rng, state.scenario, state.fields.reasons
    outcome = answers[state.fields.outcome]
    weights = scenario.reasons.get(outcome, {})
    rate = scenario.reason_rate.get(outcome, 1.0)
    noon = datetime.combine(day, time(12), LOCAL_TZ)
    if (
        name is None
        or not weights
        or (rng.random() >= rate and not state.form.required(name, answers, noon))
    ):
        return
    pool = [r for r in state.form.choices(name) if weights.get(r, 0) > 0]
    picked = set(rng.choices(pool, weights=[weights[r] for r in pool], k=rng.randint(1, 2)))
    answers[name] = " ".join(r for r in pool if r in picked)
    _optional(state, answers, REASON_OTHER, rng.choice(scenario.other_reasons))


def _record(state: State, member: StaffMember, day: date, answers: dict[str, str]) -> Record:
    rng = state.rng
    submitter = UNIT_COLLECTORS.get(member.unit_code, COLLECTOR)
    record = Record(state.form.form_id, member.unit_code, answers, _moment(state, day),
                    submitter, people.instance_id(rng), seconds=rng.randint(90, 420))  # fmt: skip
    state.records.append(record)
    return record


def _moment(state: State, day: date) -> datetime:
    """A time of the office day ``day`` (Vietnam time), with milliseconds as Collect writes."""
    start, end, _weight = state.rng.choices(SLOTS, weights=[s[2] for s in SLOTS])[0]
    minute = state.rng.uniform(start, end)
    local = datetime.combine(day, time(0), LOCAL_TZ) + timedelta(minutes=minute)
    return local.replace(microsecond=state.rng.randrange(1000) * 1000)
