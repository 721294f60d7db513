"""The demo campaigns: deterministic, shaped like ODK Collect's submissions, accepted by their
forms, and plausible once loaded through intake and counted by the coverage report."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest import campaigns, forms
from ingest.campaigns import LOCAL_TZ, publish
from ingest.forms import formspec, validate
from ingest.forms.formspec import FormSpec
from ingest.models import RosterEntry, Submission, SubmissionStatus
from ingest.registry import tabular, units
from ingest.submissions import intake, parse, review
from ingest.submissions.media import MediaStore
from reports import coverage
from tests.conftest import DEFAULT_UNITS, FORMS_DIR, REALM
from tests.pipeline import settle
from webhook import demo
from webhook.demo import generate, people

COLLECT_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00$")
CAMPAIGNS = list(demo.SCENARIOS)
#: What the VssID demo made of seed 2021 before campaigns were data (df53249), and still makes.
VSSID_2021 = {
    "roster": 1887, "submissions": 2125, "accepted": 2122, "flagged": 3,
    "denominator": 1967, "installed": 1790, "active": 1454, "not_on_roster": 2,
}  # fmt: skip
#: The last day of each campaign's three weeks (``vssid demo``'s default).
LAST_DAY = {"vssid": date(2021, 3, 31), "vneid": date(2026, 11, 22),
            "vssid_residents": date(2021, 3, 31)}  # fmt: skip


@pytest.fixture(scope="module")
def world() -> demo.World:
    """The shipped campaigns as ``vssid forms publish`` resolves them, without a database."""
    compiled = {p.resolve(): forms.compile_xlsform(p) for p in forms.xlsform_files(FORMS_DIR)}
    specs = {c.form_id: formspec.spec_for(c.md5, c.xml) for c in compiled.values()}
    found, denominators = {}, {}
    for path in publish.definition_files(FORMS_DIR):
        definition = publish.read(path)
        campaign = publish.resolve(definition, compiled)
        found[campaign.id] = campaign
        if campaign.denominators == "file":
            with (path.parent / definition.data["denominators"]["file"]).open() as stream:
                denominators[campaign.id] = {
                    row["unit_code"]: {k: int(row[k]) for k in campaign.category_keys}
                    for row in csv.DictReader(stream)
                }
    rows = tabular.read_rows(DEFAULT_UNITS, units.ALIASES, ("code", "name_vi", "kind"))
    infos = tuple(demo.UnitInfo(r.cells["code"], r.cells["name_vi"], r.cells["kind"]) for r in rows)
    return demo.World(infos, found, specs, denominators)


@pytest.fixture(scope="module")
def plans(world: demo.World) -> dict[str, demo.DemoPlan]:
    return {p.campaign: p for p in demo.plans(2021, CAMPAIGNS, world)}


def _fingerprint(plan: demo.DemoPlan) -> list[tuple[object, ...]]:
    return [
        (i.payload, i.received_at, i.submitter, i.content_type, i.headers) for i in plan.submissions
    ]


def _read(incoming: intake.Incoming, specs: dict[str, FormSpec]) -> tuple[FormSpec, parse.Instance]:
    """The spec of its form and the instance, as intake reads them."""
    root = parse.read_xml(incoming.payload)
    spec = specs[root.get("id") or ""]
    return spec, parse.instance_from_xml(root, spec.repeat_paths)


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_plan__same_seed__same_rosters_and_payloads(
    plans: dict[str, demo.DemoPlan], world: demo.World, campaign_id: str
):
    shuffled = dataclasses.replace(
        world, units=tuple(reversed(world.units)), specs=dict(reversed(world.specs.items()))
    )
    again = demo.plan(2021, campaign_id, shuffled)
    other = demo.plan(2022, campaign_id, world)
    plan = plans[campaign_id]

    assert again.roster == plan.roster
    assert again.declared == plan.declared
    assert _fingerprint(again) == _fingerprint(plan)
    assert _fingerprint(other) != _fingerprint(plan)


def test_plan__vssid__the_data_it_made_before_campaigns(plans: dict[str, demo.DemoPlan]):
    plan = plans["vssid"]

    assert (len(plan.roster), len(plan.submissions)) == (
        VSSID_2021["roster"], VSSID_2021["submissions"],
    )  # fmt: skip
    assert plan.declared == {
        "Q10-NV": {"cong_chuc": 18, "nguoi_lao_dong": 3, "vien_chuc": 1},
        "Q10-QLDT": {"cong_chuc": 21, "nguoi_lao_dong": 6, "vien_chuc": 1},
    }
    assert sorted(plan.flawed.values()) == sorted(
        [generate.TYPO] * 2 + [generate.LATE] + [generate.TWO_UNITS] * 2
    )


def test_plan__rosters_look_like_district_10(plans: dict[str, demo.DemoPlan], world: demo.World):
    roster = plans["vssid"].roster
    codes = [p.person_key for p in roster]
    assert 1500 <= len(codes) <= 2500
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"79[0-9]{8}", c) for c in codes)
    families = Counter(p.full_name.split()[0] for p in roster)
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert set(families) <= set(people.FAMILY)
    assert all(2 <= len(p.full_name.split()) <= 4 for p in roster)
    assert sum(not p.full_name.isascii() for p in roster) > 0.9 * len(roster)

    kinds = {u.code: u.kind for u in world.units}
    mix: dict[str, Counter[str]] = {}
    for person in roster:
        mix.setdefault(kinds[person.unit_code], Counter())[person.category] += 1
    assert mix["ward"].most_common(1)[0][0] == "cong_chuc"
    assert mix["department"].most_common(1)[0][0] == "cong_chuc"
    assert mix["public_service"].most_common(1)[0][0] == "vien_chuc"
    assert all(counts["nguoi_lao_dong"] > 0 for counts in mix.values())


def test_plan__vneid__the_same_staff_with_cccd_numbers_and_rosters_for_part_of_the_units(
    plans: dict[str, demo.DemoPlan],
):
    vssid, vneid = plans["vssid"], plans["vneid"]
    staff = {(p.full_name, p.birth_date, p.unit_code) for p in vssid.staff}
    found = [p for p in vneid.staff if (p.full_name, p.birth_date, p.unit_code) in staff]
    assert len(found) == len(vssid.staff)  # everybody, and two who joined since

    codes = [p.person_key for p in vneid.staff]
    assert len(set(codes)) == len(codes)
    for person in vneid.staff:
        assert re.fullmatch(r"0[0-9]{2}[0-3][0-9]{8}", person.person_key)
        assert person.person_key[4:6] == f"{person.birth_date.year % 100:02d}"
    assert Counter(c[:3] for c in codes).most_common(1)[0][0] == "079"

    rostered = {p.unit_code for p in vneid.roster}
    with_people = {p.unit_code for p in vneid.staff}
    assert 0.6 * len(with_people) <= len(rostered) <= 0.8 * len(with_people)
    assert vneid.declared == {}
    assert sorted(vneid.flawed.values()) == [generate.TWO_UNITS] * 2


def test_plan__submissions_as_collect_sends_them(
    plans: dict[str, demo.DemoPlan], world: demo.World
):
    for campaign_id, plan in plans.items():
        deprecated = 0
        received = []
        for incoming in plan.submissions:
            assert incoming.source == "openrosa"
            assert incoming.content_type.startswith("multipart/form-data; boundary=")
            root = etree.fromstring(incoming.payload)
            form_id = root.get("id") or ""
            assert form_id in world.campaigns[campaign_id].forms
            assert root.tag == form_id and root.get("version") == world.specs[form_id].version
            assert re.fullmatch(r"uuid:[0-9a-f-]{36}", root.findtext("meta/instanceID") or "")
            deprecated += root.find("meta/deprecatedID") is not None
            start, end = (datetime.fromisoformat(root.findtext(n) or "") for n in ("start", "end"))
            assert COLLECT_TIME.match(root.findtext("end") or "")
            assert start < end < incoming.received_at
            local = end.astimezone(LOCAL_TZ)
            assert local.weekday() < 5
            assert time(7, 30) <= local.time() <= time(17, 0)
            first = demo.SCENARIOS[campaign_id].start
            assert first <= local.date() <= LAST_DAY[campaign_id]
            assert root.findtext("username") == incoming.submitter
            received.append(incoming.received_at)
        assert received == sorted(received)
        if campaign_id != "vssid_residents":
            assert 3 <= deprecated <= 60

    forms = Counter(etree.fromstring(i.payload).get("id") for i in plans["vssid"].submissions)
    assert forms["vssid_unit_report"] >= 2
    assert forms["vssid_install"] > 1500


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_plan__the_form_accepts_every_submission_but_the_flawed_ones(
    plans: dict[str, demo.DemoPlan], world: demo.World, campaign_id: str
):
    """The form's validation, in the context intake gives it: not a single issue (not even an
    informational one), except on the submissions made to be flagged."""
    plan = plans[campaign_id]
    units_csv = frozenset(u.code for u in world.units)
    found: dict[str, set[tuple[str, str | None]]] = {}
    for incoming in plan.submissions:
        spec, instance = _read(incoming, dict(world.specs))
        assert instance.collected_at is not None and instance.instance_id is not None
        context = validate.Context(
            today=instance.collected_at.astimezone(LOCAL_TZ).date(),
            now=instance.collected_at,
            external_choices={"units.csv": units_csv},
        )
        issues = validate.validate(spec, instance.values, context)
        if issues:
            found[instance.instance_id] = {(i.code, i.path) for i in issues}

    expected = {
        generate.TYPO: {("value.constraint", "bhxh_code")},
        generate.LATE: {("value.constraint", "install_date")},
    }
    assert found == {i: expected[why] for i, why in plan.flawed.items() if why in expected}


def test_plan__answers_as_the_form_asks_for_them(
    plans: dict[str, demo.DemoPlan], world: demo.World
):
    """Relevance and calculations are the form's: spot checks of what Collect keeps."""
    names = {u.code: u.name_vi for u in world.units}
    specs = dict(world.specs)
    vssid = world.campaigns["vssid"]
    app_states: Counter[str] = Counter()
    for incoming in plans["vssid"].submissions:
        spec, instance = _read(incoming, specs)
        values = instance.values
        if spec.form_id == "vssid_install":
            app_state = values["status"]
            app_states[app_state] += 1
            assert ("install_date" in values) == (app_state in vssid.done.values)
            assert ("reasons" in values) == (app_state != "account_active")
            other = "other" in (values.get("reasons") or "").split()
            assert ("reason_other" in values) == other
            assert bool(values.get("reason_other")) == other
            assert "consent_declined" not in values
            assert instance.instance_name == f"{values['full_name']} – {values['bhxh_code']}"
        else:
            parts = {p: sum(int(values[f"{p}_{c}"]) for c in vssid.category_keys)
                     for p in ("headcount", "installed", "active")}  # fmt: skip
            assert {p: int(values[f"{p}_total"]) for p in parts} == parts
            assert (
                values["installed_pct"]
                == f"{round(100 * parts['installed'] / parts['headcount'], 1):g}"
            )
            assert values["unit_name"] == names[values["unit"]]
            day = date.fromisoformat(values["report_date"])
            assert instance.instance_name == f"{values['unit_name']} – {day:%d/%m/%Y}"
    assert set(app_states) == set(specs["vssid_install"].fields["status"].choices or ())


def test_plan__vneid_answers__every_status_activation_dates_and_reasons(
    plans: dict[str, demo.DemoPlan], world: demo.World
):
    statuses: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for incoming in plans["vneid"].submissions:
        _spec, instance = _read(incoming, dict(world.specs))
        values = instance.values
        status = values["vneid_status"]
        statuses[status] += 1
        assert re.fullmatch(r"[0-9]{12}", values["cccd"])
        assert ("activation_date" in values) == (status == "activated_level2")
        assert ("reasons" in values) == (status != "activated_level2")
        if status == "not_registered":
            assert values["reasons"]
        reasons.update((values.get("reasons") or "").split())
        assert values["birth_date"] < values.get("activation_date", "9999")
        assert instance.instance_name == f"{values['full_name']} – {values['cccd']}"
    assert set(statuses) == {"activated_level2", "pending_level2", "registered_level1",
                             "not_registered"}  # fmt: skip
    assert statuses.most_common(1)[0][0] == "activated_level2"
    assert statuses["activated_level2"] > 0.75 * sum(statuses.values())
    assert {"no_chip_cccd", "awaiting_police", "other"} <= set(reasons)


def test_plan__residents__every_ward_reports_a_plausible_share_of_its_population(
    plans: dict[str, demo.DemoPlan], world: demo.World
):
    population = {u: n["nguoi_dan"] for u, n in world.denominators["vssid_residents"].items()}
    reached: Counter[str] = Counter()
    helped: Counter[str] = Counter()
    reports: Counter[str] = Counter()
    for incoming in plans["vssid_residents"].submissions:
        _spec, instance = _read(incoming, dict(world.specs))
        values = instance.values
        unit = values["unit"]
        reports[unit] += 1
        assert 0 <= int(values["residents_helped"]) <= int(values["residents_reached"])
        assert ("activity_other" in values) == (values["activity"] == "other")
        collected = instance.collected_at
        assert collected is not None
        assert values["report_date"] == collected.astimezone(LOCAL_TZ).date().isoformat()
        reached[unit] += int(values["residents_reached"])
        helped[unit] += int(values["residents_helped"])
    assert set(reports) == set(population) and len(population) == 14
    assert min(reports.values()) >= 2
    for unit, residents in population.items():
        assert 0.1 <= reached[unit] / residents <= 0.5
        assert 0.02 <= helped[unit] / residents <= 0.2


def test_plan__scenario_names_an_answer_the_form_lacks__refused(world: demo.World):
    scenario = dataclasses.replace(demo.DISTRICT_10, done={"account_active": 1, "uninstalled": 1})
    with pytest.raises(ValueError, match="status: uninstalled"):
        demo.plan(2021, "vssid", world, scenario=scenario)


def test_plan__scenario_counts_as_done_what_the_campaign_does_not__refused(world: demo.World):
    scenario = dataclasses.replace(demo.VNEID, done={"pending_level2": 1})
    with pytest.raises(ValueError, match="vneid_status: done pending_level2"):
        demo.plan(2021, "vneid", world, scenario=scenario)


def test_plan__a_campaign_without_a_scenario__refused(world: demo.World):
    other = dataclasses.replace(world.campaigns["vneid"], id="vneid_2027")
    with pytest.raises(ValueError, match="no demo scenario for the campaign 'vneid_2027'"):
        demo.plan(2021, "vneid_2027", dataclasses.replace(world, campaigns={"vneid_2027": other}))


def test_plan__as_of__only_what_was_collected_by_then(world: demo.World):
    early = demo.plan(2021, "vssid", world, as_of=date(2021, 3, 15))
    ends = {
        datetime.fromisoformat(etree.fromstring(i.payload).findtext("end") or "").date()
        for i in early.submissions
    }
    assert ends and max(ends) <= date(2021, 3, 15)
    assert set(early.flawed) <= {etree.fromstring(i.payload).findtext("meta/instanceID")
                                 for i in early.submissions}  # fmt: skip
    before = demo.plan(2021, "vssid", world, as_of=date(2021, 3, 10))
    assert before.submissions == () and before.roster  # the rosters are in force that day
    not_yet = demo.plan(2021, "vneid", world, as_of=date(2021, 3, 31))
    assert not_yet.submissions == () and not_yet.roster == ()


def test_load__a_plausible_campaign_through_intake(session: Session, tmp_path: Path):
    assert len(demo.ensure_units(session, DEFAULT_UNITS)) == 48
    published = demo.ensure_published(session, FORMS_DIR)
    assert [r for r in published if r.error is not None] == []
    assert {c.id for c in campaigns.all_campaigns(session)} == set(CAMPAIGNS)
    created = demo.ensure_accounts(session, REALM)
    session.commit()
    assert [name for name, _role, _password in created] == [a[0] for a in demo.ACCOUNTS]
    assert demo.ensure_units(session, DEFAULT_UNITS) == []
    again = demo.ensure_published(session, FORMS_DIR)
    assert {r.outcome for r in again if r.kind == "form"} == {"unchanged"}
    assert demo.ensure_accounts(session, REALM) == []

    plan = demo.plan(2021, "vssid", demo.world(session))
    outcomes: Counter[str] = Counter()
    for _done in demo.load(session, plan, MediaStore(tmp_path / "media"), outcomes):
        session.commit()

    assert outcomes == {"accepted": VSSID_2021["accepted"], "flagged": VSSID_2021["flagged"]}
    settle(session)
    vssid = campaigns.load(session, "vssid")
    result = coverage.compute(session, vssid, plan.as_of)
    total = result.total.counts
    assert (total.denominator, total.done, total.level("active")) == (
        VSSID_2021["denominator"], VSSID_2021["installed"], VSSID_2021["active"],
    )  # fmt: skip
    assert total.done_pct is not None and 80 <= total.done_pct <= 97
    assert result.total.units_unknown == ()
    pcts = {r.code: r.total.done_pct for r in result.units}
    assert any(p is not None and p < 60 for p in pcts.values())
    assert any(r.progress == "reached" for r in result.units)
    assert {r.source for r in result.units} == {"roster", "declared", "unit_report"}
    assert result.findings_total == VSSID_2021["not_on_roster"]  # done, not on their roster
    assert result.findings == ()  # names only when asked for
    listed = coverage.compute(session, vssid, plan.as_of, with_findings=True).findings
    assert len(listed) == result.findings_total
    assert (
        sum(1 for f in listed if f.unit_code == listed[0].unit_code)
        == (result.finding_counts[listed[0].unit_code])
    )
    with_roster = session.scalar(select(func.count(func.distinct(RosterEntry.unit_code))))
    assert with_roster is not None and with_roster >= 40

    issues = {
        (issue["code"], issue.get("path"))
        for _submission, state in review.queue(session)
        for issue in state.issues
    }
    assert issues == {
        ("value.constraint", "bhxh_code"),  # the 9-digit code
        ("value.constraint", "install_date"),  # the form's own rule: not after the day
        ("domain.person_two_units", "bhxh_code"),
    }
    superseded = session.scalar(
        select(func.count())
        .select_from(SubmissionStatus)
        .where(SubmissionStatus.review_state == "superseded")
    )
    assert superseded is not None and superseded >= 3
    by_state: dict[str, set[str | None]] = {}
    rows = session.execute(
        select(SubmissionStatus.review_state, Submission.instance_id).join(
            Submission, Submission.id == SubmissionStatus.submission_id
        )
    )
    for review_state, instance_id in rows:
        by_state.setdefault(review_state, set()).add(instance_id)
    assert by_state["flagged"] == set(plan.flawed) - by_state["superseded"]
    sources = set(session.scalars(select(Submission.source)))
    assert sources == {"openrosa"}

    early = coverage.compute(session, vssid, date(2021, 3, 16)).total.counts.done_pct
    middle = coverage.compute(session, vssid, date(2021, 3, 22)).total.counts.done_pct
    assert early is not None and middle is not None
    assert early < 30 < middle < total.done_pct


def _coverage(runner: FlaskCliRunner, campaign_id: str) -> Any:
    as_of = LAST_DAY[campaign_id].isoformat()
    args = ["report", "coverage", "--campaign", campaign_id, "--format", "json", "--as-of", as_of]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_demo_command__three_campaigns__plausible_coverage_documents(
    runner: FlaskCliRunner, session: Session
):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "vssid (as of 2021-03-31)" in result.output
    assert "1790/1967 Installed (91.0 %), 1454 active" in result.output

    vssid = _coverage(runner, "vssid")
    assert vssid["total"] == {
        "denominator": 1967, "done": 1790, "done_pct": 91.0, "levels": {"installed": 1790,
        "active": 1454}, "installed": 1790, "active": 1454, "installed_pct": 91.0,
        "active_pct": 73.9, "units_unknown": [], "status": "on_track",
    }  # fmt: skip

    roster_units = set(
        session.scalars(select(RosterEntry.unit_code).where(RosterEntry.campaign == "vneid"))
    )
    vneid = _coverage(runner, "vneid")
    rows = {r["unit_code"]: r for r in vneid["rows"]}
    total = vneid["total"]
    assert total["done"] > 0 and total["denominator"] >= len(roster_units) * 10
    assert 75 <= total["done_pct"] <= 97
    assert 20 <= len(roster_units) < len(rows)
    for code in roster_units:
        assert rows[code]["source"] == "roster"
        assert 0 < rows[code]["done"] <= rows[code]["denominator"]
    assert {r["source"] for r in rows.values()} <= {"roster", "declared", None}
    assert len(total["units_unknown"]) >= 5  # records, but neither roster nor headcount

    residents = _coverage(runner, "vssid_residents")
    population = {r["unit_code"]: r for r in residents["rows"] if r["denominator"]}
    assert len(population) == 14
    for row in population.values():
        assert row["source"] == "declared"
        assert 0 < row["done"] < row["levels"]["reached"] < row["denominator"]
    total = residents["total"]
    assert total["denominator"] == sum(r["denominator"] for r in population.values())
    assert 2 <= total["done_pct"] <= 20
    assert 10 <= total["reached_pct"] <= 50

    queue = {(s.form_id, i["code"]) for s, state in review.queue(session) for i in state.issues}
    assert ("vneid_level2", "domain.person_two_units") in queue
