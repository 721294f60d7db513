"""The demo campaign: deterministic, shaped like ODK Collect's submissions, and plausible once
loaded through intake and counted by the coverage report."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest import campaign, forms
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

VERSIONS = {"vssid_install": "2026120601", "vssid_unit_report": "2026120601"}
COLLECT_TIME = re.compile(r"^2021-03-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00$")


@pytest.fixture(scope="module")
def specs() -> dict[str, FormSpec]:
    """The campaign's forms as published: compiled from ``forms/``."""
    compiled = [forms.compile_xlsform(p) for p in forms.xlsform_files(FORMS_DIR)]
    return {c.form_id: formspec.spec_for(c.md5, c.xml) for c in compiled}


@pytest.fixture(scope="module")
def unit_list() -> list[demo.UnitInfo]:
    rows = tabular.read_rows(DEFAULT_UNITS, units.ALIASES, ("code", "name_vi", "kind"))
    return [demo.UnitInfo(r.cells["code"], r.cells["name_vi"], r.cells["kind"]) for r in rows]


@pytest.fixture(scope="module")
def plan(unit_list: list[demo.UnitInfo], specs: dict[str, FormSpec]) -> demo.DemoPlan:
    return demo.plan(2021, unit_list, specs.values())


def _fingerprint(plan: demo.DemoPlan) -> list[tuple[object, ...]]:
    return [
        (i.payload, i.received_at, i.submitter, i.content_type, i.headers) for i in plan.submissions
    ]


def test_plan__same_seed__same_rosters_and_payloads(
    plan: demo.DemoPlan, unit_list: list[demo.UnitInfo], specs: dict[str, FormSpec]
):
    again = demo.plan(2021, list(reversed(unit_list)), list(reversed(specs.values())))
    other = demo.plan(2022, unit_list, specs.values())

    assert again.roster == plan.roster
    assert again.declared == plan.declared
    assert _fingerprint(again) == _fingerprint(plan)
    assert _fingerprint(other) != _fingerprint(plan)


def test_plan__rosters_look_like_district_10(plan: demo.DemoPlan, unit_list: list[demo.UnitInfo]):
    codes = [p.bhxh_code for p in plan.roster]
    assert 1500 <= len(codes) <= 2500
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"79[0-9]{8}", c) for c in codes)
    families = Counter(p.full_name.split()[0] for p in plan.roster)
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert set(families) <= set(people.FAMILY)
    assert all(2 <= len(p.full_name.split()) <= 4 for p in plan.roster)
    assert sum(not p.full_name.isascii() for p in plan.roster) > 0.9 * len(plan.roster)

    kinds = {u.code: u.kind for u in unit_list}
    mix: dict[str, Counter[str]] = {}
    for person in plan.roster:
        mix.setdefault(kinds[person.unit_code], Counter())[person.category] += 1
    assert mix["ward"].most_common(1)[0][0] == "cong_chuc"
    assert mix["department"].most_common(1)[0][0] == "cong_chuc"
    assert mix["public_service"].most_common(1)[0][0] == "vien_chuc"
    assert all(counts["nguoi_lao_dong"] > 0 for counts in mix.values())


def test_plan__submissions_as_collect_sends_them(plan: demo.DemoPlan):
    deprecated = 0
    forms: Counter[str] = Counter()
    for incoming in plan.submissions:
        assert incoming.source == "openrosa"
        assert incoming.content_type.startswith("multipart/form-data; boundary=")
        root = etree.fromstring(incoming.payload)
        form_id = root.get("id")
        forms[form_id] += 1
        assert root.tag == form_id and root.get("version") == VERSIONS[form_id]
        assert re.fullmatch(r"uuid:[0-9a-f-]{36}", root.findtext("meta/instanceID") or "")
        deprecated += root.find("meta/deprecatedID") is not None
        start, end = (datetime.fromisoformat(root.findtext(n) or "") for n in ("start", "end"))
        assert COLLECT_TIME.match(root.findtext("end") or "")
        assert start < end < incoming.received_at
        local = end.astimezone(campaign.LOCAL_TZ)
        assert local.weekday() < 5
        assert time(7, 30) <= local.time() <= time(17, 0)
        assert date(2021, 3, 11) <= local.date() <= date(2021, 3, 31)
        assert root.findtext("username") == incoming.submitter
    assert forms["vssid_unit_report"] >= 2
    assert forms["vssid_install"] > 1500
    assert 3 <= deprecated <= 60
    received = [i.received_at for i in plan.submissions]
    assert received == sorted(received)


def _read(incoming: intake.Incoming, specs: dict[str, FormSpec]) -> tuple[FormSpec, parse.Instance]:
    """The spec of its form and the instance, as intake reads them."""
    root = parse.read_xml(incoming.payload)
    spec = specs[root.get("id") or ""]
    return spec, parse.instance_from_xml(root, spec.repeat_paths)


def test_plan__the_form_accepts_every_submission_but_the_flawed_ones(
    plan: demo.DemoPlan, specs: dict[str, FormSpec], unit_list: list[demo.UnitInfo]
):
    """The form's validation, in the context intake gives it: not a single issue (not even an
    informational one), except on the submissions made to be flagged."""
    units_csv = frozenset(u.code for u in unit_list)
    found: dict[str, set[tuple[str, str | None]]] = {}
    for incoming in plan.submissions:
        spec, instance = _read(incoming, specs)
        assert instance.collected_at is not None and instance.instance_id is not None
        context = validate.Context(
            today=instance.collected_at.astimezone(campaign.LOCAL_TZ).date(),
            now=instance.collected_at,
            external_choices={"units.csv": units_csv},
        )
        issues = validate.validate(spec, instance.values, context)
        if issues:
            found[instance.instance_id] = {(i.code, i.path) for i in issues}

    stories = Counter(plan.flawed.values())
    assert stories[generate.TYPO] == 2  # one of them fixed by an edit
    assert stories[generate.LATE] == 1
    assert stories[generate.TWO_UNITS] == 2
    expected = {
        generate.TYPO: {("value.constraint", "bhxh_code")},
        generate.LATE: {("value.constraint", "install_date")},
    }
    assert found == {i: expected[why] for i, why in plan.flawed.items() if why in expected}


def test_plan__answers_as_the_form_asks_for_them(
    plan: demo.DemoPlan, specs: dict[str, FormSpec], unit_list: list[demo.UnitInfo]
):
    """Relevance and calculations are the form's: spot checks of what Collect keeps."""
    names = {u.code: u.name_vi for u in unit_list}
    app_states: Counter[str] = Counter()
    for incoming in plan.submissions:
        spec, instance = _read(incoming, specs)
        values = instance.values
        if spec.form_id == "vssid_install":
            app_state = values["status"]
            app_states[app_state] += 1
            assert ("install_date" in values) == (app_state in campaign.INSTALLED_APP_STATES)
            assert ("reasons" in values) == (app_state != "account_active")
            other = "other" in (values.get("reasons") or "").split()
            assert ("reason_other" in values) == other
            assert bool(values.get("reason_other")) == other
            assert "consent_declined" not in values
            assert instance.instance_name == f"{values['full_name']} – {values['bhxh_code']}"
        else:
            parts = {p: sum(int(values[f"{p}_{c}"]) for c in campaign.CATEGORIES)
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


def test_plan__scenario_names_an_answer_the_form_lacks__refused(
    unit_list: list[demo.UnitInfo], specs: dict[str, FormSpec]
):
    scenario = dataclasses.replace(
        demo.DISTRICT_10, installed={"account_active": 1, "uninstalled": 1}
    )
    with pytest.raises(ValueError, match="status: uninstalled"):
        demo.plan(2021, unit_list, specs.values(), scenario=scenario)


def test_plan__as_of__only_what_was_collected_by_then(
    unit_list: list[demo.UnitInfo], specs: dict[str, FormSpec]
):
    early = demo.plan(2021, unit_list, specs.values(), as_of=date(2021, 3, 15))
    ends = {
        datetime.fromisoformat(etree.fromstring(i.payload).findtext("end") or "").date()
        for i in early.submissions
    }
    assert ends and max(ends) <= date(2021, 3, 15)
    assert set(early.flawed) <= {etree.fromstring(i.payload).findtext("meta/instanceID")
                                 for i in early.submissions}  # fmt: skip
    assert demo.plan(2021, unit_list, specs.values(), as_of=date(2021, 3, 10)).submissions == ()


def test_load__a_plausible_campaign_through_intake(session: Session, tmp_path: Path):
    assert len(demo.ensure_units(session, DEFAULT_UNITS)) == 48
    assert set(demo.ensure_forms(session, FORMS_DIR)) == set(VERSIONS)
    created = demo.ensure_accounts(session, REALM)
    session.commit()
    assert [name for name, _role, _password in created] == [a[0] for a in demo.ACCOUNTS]
    assert demo.ensure_units(session, DEFAULT_UNITS) == []
    assert demo.ensure_accounts(session, REALM) == []

    plan = demo.plan(2021, demo.unit_infos(session), demo.form_specs(session))
    outcomes: Counter[str] = Counter()
    for _done in demo.load(session, plan, MediaStore(tmp_path / "media"), outcomes):
        session.commit()

    assert outcomes["accepted"] > 1500
    assert outcomes["flagged"] >= 3
    assert set(outcomes) <= {"accepted", "flagged"}
    settle(session)
    result = coverage.compute(session, plan.as_of)
    total = result.total.counts
    assert total.installed_pct is not None and 80 <= total.installed_pct <= 97
    assert result.total.units_unknown == ()
    pcts = {r.code: r.total.installed_pct for r in result.units}
    assert any(p is not None and p < 60 for p in pcts.values())
    assert any(r.progress == "reached" for r in result.units)
    assert {r.source for r in result.units} == {"roster", "declared", "unit_report"}
    assert result.findings_total >= 2  # installed, not on their unit's roster
    assert result.findings == ()  # names only when asked for
    listed = coverage.compute(session, plan.as_of, with_findings=True).findings
    assert len(listed) == result.findings_total
    assert (
        sum(1 for f in listed if f.unit_code == listed[0].unit_code)
        == (result.finding_counts[listed[0].unit_code])
    )
    with_roster = session.scalar(select(func.count(func.distinct(RosterEntry.unit_code))))
    assert with_roster is not None and with_roster >= 40

    issues = {
        str(issue["code"]) for _submission, state in review.queue(session) for issue in state.issues
    }
    assert {"domain.install_after_collection", "domain.bhxh_code_two_units"} <= issues
    assert "value.constraint" in issues  # the 9-digit code
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

    early = coverage.compute(session, date(2021, 3, 16)).total.counts.installed_pct
    middle = coverage.compute(session, date(2021, 3, 22)).total.counts.installed_pct
    assert early is not None and middle is not None
    assert early < 30 < middle < total.installed_pct
