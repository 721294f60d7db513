"""Units' own figures in the demo: unit reports, filled in from the campaign's definition.

A unit-report form's fields are named by the campaign (``campaign.unit_report``: the unit, the
date, and per category the headcount, the people done and those at each further level). Two
shapes, as the definition's ``mode`` says: :func:`snapshots` (``latest``: a unit reports where
it stands a few times, as VssID's mass organisations do instead of sending a roster) and
:func:`outreach` (``sum``: every unit with a declared denominator reports what it did since its
previous report, as the wards report reaching their residents). Both append to the campaign's
:class:`~webhook.demo.records.State`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time

from ingest.campaigns import LOCAL_TZ
from webhook.demo import people, records
from webhook.demo.records import Record, State, UnitInfo
from webhook.demo.scenario import COLLECTOR, UNIT_COLLECTORS

#: Questions of a unit-report form outside the campaign's definition, answered where it has them.
REPORTER_NAME, REPORTER_PHONE = "reporter_name", "reporter_phone"


def snapshots(state: State, info: UnitInfo) -> None:
    """A unit that reports its own totals a few times instead of one record per person:
    snapshots of where it stands (``unit_report.mode = "latest"``)."""
    rng, n, scenario = state.rng, len(state.workdays), state.scenario
    fields = state.campaign.unit_report
    assert fields is not None and fields.headcount is not None and scenario.staff is not None
    categories = state.campaign.category_keys
    headcount = dict.fromkeys(categories, 0)
    for _ in range(rng.randint(*records.size(state, info))):
        headcount[records.pick(rng, categories, scenario.staff.categories[info.kind])] += 1
    final = rng.uniform(*scenario.report_done)
    for share, fraction in scenario.snapshots:
        day = state.workdays[min(n - 1, max(0, round(share * n) - 1))]
        values = {fields.unit: info.code, fields.date: day.isoformat()}
        for category, heads in headcount.items():
            done = math.floor(heads * final * fraction)
            values[_named(fields.headcount, category)] = str(heads)
            values[_named(fields.done, category)] = str(done)
            for level, pattern in fields.levels.items():
                share_of_done = scenario.report_levels[level]
                values[_named(pattern, category)] = str(math.floor(done * share_of_done))
        _report(state, info, day, values)


def outreach(
    state: State, ordered: list[UnitInfo], denominators: Mapping[str, Mapping[str, int]]
) -> None:
    """Dated reports of what each unit with a declared denominator did since its previous
    one (``unit_report.mode = "sum"``): everybody reached, and those helped to the target."""
    rng, n = state.rng, len(state.workdays)
    fields, outreach = state.campaign.unit_report, state.scenario.outreach
    assert fields is not None and outreach is not None and state.report_form is not None
    form = state.report_form
    level = fields.levels[outreach.reached_level]
    for info in ordered:
        if info.code not in denominators:
            continue
        rate = rng.uniform(*outreach.report_rate)
        days = sorted(
            {i for i in range(n) if rng.random() < rate} | set(rng.sample(range(n), min(2, n)))
        )
        weights = [rng.uniform(0.5, 1.5) * (1 + i / n) for i in days]  # the drive picks up
        reached_share, done_share = rng.uniform(*outreach.reached), rng.uniform(*outreach.done)
        totals = {c: round(d * reached_share) for c, d in denominators[info.code].items()}
        so_far = dict.fromkeys(totals, 0)
        for position, index in enumerate(days):
            day = state.workdays[index]
            values = {fields.unit: info.code, fields.date: day.isoformat()}
            cumulative = sum(weights[: position + 1]) / sum(weights)
            for category, total in totals.items():
                reached = round(total * cumulative) - so_far[category]
                so_far[category] += reached
                helped = min(reached, round(reached * done_share * rng.uniform(0.6, 1.4)))
                values[_named(level, category)] = str(reached)
                values[_named(fields.done, category)] = str(helped)
            for name, answers in outreach.answers.items():
                values[name] = records.pick(rng, form.choices(name), answers)
                if values[name] == "other" and form.has(f"{name}_other"):
                    values[f"{name}_other"] = rng.choice(outreach.others)
            if rng.random() < 0.2 and form.has(records.NOTE):
                values[records.NOTE] = rng.choice(state.scenario.notes)
            _report(state, info, day, values)


def _named(pattern: str, category: str) -> str:
    """A unit report's field for a category (``{category}`` in the definition's pattern)."""
    return pattern.replace("{category}", category)


def _report(state: State, info: UnitInfo, day: date, values: dict[str, str]) -> None:
    """A unit's report of ``day``, sent by its focal point in the late afternoon."""
    rng, form = state.rng, state.report_form
    assert form is not None
    reporter = {REPORTER_NAME: people.name(rng), REPORTER_PHONE: people.phone(rng)}
    values |= {name: value for name, value in reporter.items() if form.has(name)}
    end = datetime.combine(day, time(16, rng.randint(0, 50)), LOCAL_TZ)
    submitter = UNIT_COLLECTORS.get(info.code, COLLECTOR)
    state.records.append(Record(form.form_id, info.code, values, end, submitter,
                                people.instance_id(rng), seconds=400))  # fmt: skip
