"""One person's records: what they answer, on which visit, and the edits.

A record holds the answers a person gives, drawn from the form's own choices by the
scenario's weights; what the phone sends of them is decided later, by the form
(:class:`~webhook.demo.collect.CollectForm`). The functions here append to a :class:`State`
that :mod:`webhook.demo.generate` carries through a campaign.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ingest.campaigns import LOCAL_TZ
from webhook.demo import people
from webhook.demo.collect import CollectForm
from webhook.demo.scenario import COLLECTOR, UNIT_COLLECTORS, Scenario

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
    """A campaign being made: its randomness, scenario, forms, days and records so far."""

    rng: random.Random
    scenario: Scenario
    install: CollectForm
    report: CollectForm
    workdays: list[date]
    codes: set[str] = field(default_factory=set)
    records: list[Record] = field(default_factory=list)
    #: Instance IDs of the records made to be flagged, and why.
    flawed: dict[str, str] = field(default_factory=dict)


def pick(rng: random.Random, choices: Sequence[str], weights: Mapping[str, float]) -> str:
    """One of a form's ``choices`` by the scenario's ``weights`` (unweighted: never)."""
    pool = [c for c in choices if weights.get(c, 0) > 0]
    return rng.choices(pool, weights=[weights[c] for c in pool])[0]


def person(state: State, info: UnitInfo) -> StaffMember:
    """A new member of staff of ``info``, of a category the form offers."""
    rng = state.rng
    weights = state.scenario.categories[info.kind]
    category = pick(rng, state.install.choices("category"), weights)
    born = date(1962, 1, 1) + timedelta(days=rng.randrange(38 * 365))
    phone = people.phone(rng) if rng.random() < 0.75 else None
    code = people.bhxh_code(rng, state.codes)
    return StaffMember(code, people.name(rng), born, category, info.code, phone)


def installed_app_state(state: State) -> str:
    """The app state of someone who installed, by the scenario's weights."""
    return pick(state.rng, state.install.choices("status"), state.scenario.installed)


def installed(
    state: State, member: StaffMember, day_index: int, app_state: str, since: int | None = None
) -> Record:
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
    answers = _answers(state, member, app_state) | {"install_date": installed_on.isoformat()}
    _reasons(state, answers, day)
    if rng.random() < 0.15:
        answers["note"] = rng.choice(state.scenario.notes)
    return _record(state, member, day, answers)


def not_installed(state: State, member: StaffMember, day_index: int) -> Record:
    """A visit that finds someone without VssID, and why."""
    app_state = pick(state.rng, state.install.choices("status"), state.scenario.not_installed)
    answers = _answers(state, member, app_state)
    day = state.workdays[day_index]
    _reasons(state, answers, day)
    return _record(state, member, day, answers)


def edit(state: State, original: Record, **changes: str) -> Record:
    """An edit of ``original``: new instance ID, ``deprecatedID`` the old one, later ``end``."""
    rng = state.rng
    closing = datetime.combine(original.day, CLOSING, LOCAL_TZ)
    end = min(original.end + timedelta(minutes=rng.randint(5, 90)), closing)
    record = Record(original.form_id, original.unit, {**original.values, **changes}, end,
                    original.submitter, people.instance_id(rng), original.instance_id,
                    seconds=rng.randint(30, 120))  # fmt: skip
    state.records.append(record)
    return record


def _answers(state: State, member: StaffMember, app_state: str) -> dict[str, str]:
    """What a person says about themselves, and how far they got."""
    return {"consent": state.scenario.consent, "unit": member.unit_code,
            "full_name": member.full_name, "bhxh_code": member.bhxh_code,
            "category": member.category, "phone": member.phone or "",
            "status": app_state}  # fmt: skip


def _reasons(state: State, answers: dict[str, str], day: date) -> None:
    """Why not (yet): the scenario's reasons for the app state, always where the form requires
    one, else as often as the scenario says. A text goes with them, which Collect keeps only
    where the form asks for it (``other`` picked)."""
    rng, scenario = state.rng, state.scenario
    weights = scenario.reasons.get(answers["status"], {})
    rate = scenario.reason_rate.get(answers["status"], 1.0)
    noon = datetime.combine(day, time(12), LOCAL_TZ)
    if not weights or (
        rng.random() >= rate and not state.install.required("reasons", answers, noon)
    ):
        return
    pool = [r for r in state.install.choices("reasons") if weights.get(r, 0) > 0]
    picked = set(rng.choices(pool, weights=[weights[r] for r in pool], k=rng.randint(1, 2)))
    answers["reasons"] = " ".join(r for r in pool if r in picked)
    answers["reason_other"] = rng.choice(scenario.other_reasons)


def _record(state: State, member: StaffMember, day: date, answers: dict[str, str]) -> Record:
    rng = state.rng
    submitter = UNIT_COLLECTORS.get(member.unit_code, COLLECTOR)
    record = Record(state.install.form_id, member.unit_code, answers, _moment(state, day),
                    submitter, people.instance_id(rng), seconds=rng.randint(90, 420))  # fmt: skip
    state.records.append(record)
    return record


def _moment(state: State, day: date) -> datetime:
    """A time of the office day ``day`` (Vietnam time), with milliseconds as Collect writes."""
    start, end, _weight = state.rng.choices(SLOTS, weights=[s[2] for s in SLOTS])[0]
    minute = state.rng.uniform(start, end)
    local = datetime.combine(day, time(0), LOCAL_TZ) + timedelta(minutes=minute)
    return local.replace(microsecond=state.rng.randrange(1000) * 1000)
