"""The trend from the daily tallies (reports.trend) gives, for every day, the numbers the trend
worked out from the person spans gave (tests/reports/trend_before.py) and the report of that
day (reports.coverage.compute); the daily tallies kept up to date equal those rebuilt.

Scenario: tests/reports/test_coverage.py's (a roster, declared headcounts, unit reports, an
edit, a flagged pair, 42 units with no denominator), then more changes in the log: an edit
that supersedes a record, a person recorded in a unit with no roster who later joins another
unit's roster, a roster re-import that moves people between units and takes one off, a first
record in a unit that so far had only its report, and a later report.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.campaigns import Campaign
from ingest.consumers import daily, tallies
from reports import coverage
from reports.trend import trend
from tests.ingest.consumers.test_tallies import post
from tests.pipeline import settle
from tests.reports import trend_before
from tests.reports.test_coverage import person, report, scenario  # noqa: F401  (a fixture)
from tests.wire import KOBO_SECRET

pytestmark = pytest.mark.usefixtures("published")

MARCH = [date(2021, 3, 1) + timedelta(days=n) for n in range(31)]


def vssid(session: Session) -> Campaign:
    return campaigns.load(session, "vssid")


def post_report(client: FlaskClient, instance_id: str, answers: dict[str, object]) -> int:
    import json

    response = client.post(
        "/kobo/submission?form_id=vssid_unit_report",
        data=json.dumps({**answers, "meta/instanceID": instance_id}, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    return response.status_code


@pytest.fixture
def changes(
    scenario: None,  # noqa: F811  (the fixture imported above)
    client: FlaskClient,
    runner: FlaskCliRunner,
    session: Session,
    tmp_path: Path,
) -> None:
    # C's record is superseded by an edit: installed from 23/03.
    edit = person("0791000003", "Lê Văn C", "27184", "vien_chuc", "account_active",
                  "2021-03-23T09:00:00+07:00")  # fmt: skip
    assert post(client, "uuid:c2", edit, **{"meta/deprecatedID": "uuid:c"}).status_code == 201
    # L, recorded in Phường 2 (no roster, no headcount), joins its first roster on 26/03.
    new = person("0795000001", "Đỗ Văn L", "27190", "cong_chuc", "account_active",
                 "2021-03-21T09:00:00+07:00")  # fmt: skip
    assert post(client, "uuid:l", new).status_code == 201
    # A first person record in Phòng Tư pháp, which had only its report: records win.
    first = person("0796000001", "Kiều Thị M", "Q10-TP", "nguoi_lao_dong", "account_active",
                   "2021-03-24T09:00:00+07:00")  # fmt: skip
    assert post(client, "uuid:m", first).status_code == 201
    # Phòng Văn hoá reports for the first time on 27/03 (no headcount, no records before).
    assert post_report(client, "uuid:r3", report("Q10-VHTT", "2021-03-27", headcount_cong_chuc=3,
                                                 installed_cong_chuc=2)) == 201  # fmt: skip
    # Re-import of Phường 1 and a first roster for Phường 2 as of 26/03: A moves to Phường 2,
    # E leaves, L joins Phường 2.
    roster = tmp_path / "moved.csv"
    roster.write_text(
        "Mã số BHXH,Họ và tên,Đối tượng,Mã đơn vị\n"
        "0791000002,Trần Thị B,Công chức,27184\n0791000003,Lê Văn C,Viên chức,27184\n"
        "0791000004,Phạm Thị D,Người lao động,27184\n"
        "0791000001,Nguyễn Văn A,Công chức,27190\n0795000001,Đỗ Văn L,Công chức,27190\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["roster", "import", str(roster), "--as-of", "2021-03-26"])
    assert result.exit_code == 0, result.output
    settle(session)


@pytest.mark.usefixtures("changes")
@pytest.mark.parametrize("category", [None, "cong_chuc", "nguoi_lao_dong"])
@pytest.mark.parametrize(
    "codes", [None, ["27184"], ["Q10-TP", "Q10-TCKH", "27190", "Q10-VHTT"], ["27193"]]
)
@pytest.mark.parametrize("period", [MARCH, MARCH[19:], MARCH[27:], MARCH[::3]])
def test_trend__equals_the_trend_from_spans_and_each_days_report(
    session: Session, category: str | None, codes: list[str] | None, period: list[date]
):
    campaign = vssid(session)
    got = trend(session, campaign, period, unit_codes=codes, category=category)
    assert got == trend_before.trend(session, campaign, period, codes, category)
    for day, rollup in got:
        report_of_day = coverage.compute(session, campaign, day, unit_codes=codes)
        if category is None:
            assert rollup == report_of_day.total, day
        else:
            (expected,) = [r for r in report_of_day.categories if r.key == category]
            assert rollup == replace(expected, key="total"), day


@pytest.mark.usefixtures("changes")
def test_trend__the_period_covers_every_kind_of_change(session: Session):
    """The scenario is not trivial: the total moves, and units change how they count."""
    got = dict(trend(session, vssid(session), MARCH))
    assert got[date(2021, 3, 1)].counts.done == 0
    # Phường 2 has a roster (A and L: its first roster stands for every earlier day).
    assert "27190" not in got[date(2021, 3, 20)].units_unknown
    # Phòng Văn hoá's report counts from 27/03 on.
    assert "Q10-VHTT" in got[date(2021, 3, 26)].units_unknown
    assert "Q10-VHTT" not in got[date(2021, 3, 27)].units_unknown
    dones = [rollup.counts.done for _day, rollup in sorted(got.items())]
    assert len(set(dones)) > 4


@pytest.mark.usefixtures("changes")
def test_daily_tallies__kept_up_to_date_equal_rebuilt(session: Session):
    session.commit()
    kept = daily.rows(session, "vssid")
    assert kept and any(people < 0 for *_key, people in kept)  # spans that ended
    tallies.rebuild(session)
    session.commit()
    assert daily.rows(session, "vssid") == kept


@pytest.mark.usefixtures("changes")
def test_reprocess__same_daily_tallies(runner: FlaskCliRunner, session: Session):
    session.commit()
    kept = daily.rows(session, "vssid")
    result = runner.invoke(args=["reprocess"])
    assert result.exit_code == 0, result.output
    session.commit()
    assert daily.rows(session, "vssid") == kept


@pytest.mark.usefixtures("changes")
def test_trend__units_summed_in_several_statements_where_sqlite_needs_it(
    session: Session, monkeypatch: pytest.MonkeyPatch
):
    from reports import queries

    campaign = vssid(session)
    expected = trend_before.trend(session, campaign, MARCH)
    monkeypatch.setattr(queries, "SQLITE_CODES", 5)  # 48 units: ten statements on SQLite
    assert trend(session, campaign, MARCH) == expected


@pytest.mark.usefixtures("changes")
@pytest.mark.parametrize("codes", [None, ["27184", "Q10-TP"]])
def test_trend__a_roster_unit_with_a_report_counts_by_its_roster_without_its_other_people(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch, codes: list[str] | None
):
    """Phường 1 has roster members all month and reports on 10/03 (a headcount the roster
    overrides); someone recorded there is not on its roster. Its people not on a roster are not
    read by day (they cannot change how it counts), and the numbers stay those of each day."""
    assert post_report(client, "uuid:r4", report("27184", "2021-03-10", headcount_cong_chuc=9,
                                                 installed_cong_chuc=7)) == 201  # fmt: skip
    settle(session)
    from reports import queries

    asked: list[list[str] | None] = []
    daily_people = queries.daily_people

    def spy(session: Session, campaign: str, last: date, on_roster: bool, codes: list[str] | None):
        if not on_roster:
            asked.append(codes)
        return daily_people(session, campaign, last, on_roster, codes)

    monkeypatch.setattr(queries, "daily_people", spy)
    campaign = vssid(session)
    got = trend(session, campaign, MARCH, unit_codes=codes)
    assert got == trend_before.trend(session, campaign, MARCH, codes)
    for day in (MARCH[8], MARCH[9], MARCH[-1]):
        assert dict(got)[day] == coverage.compute(session, campaign, day, unit_codes=codes).total
    ((others,),) = [asked]
    assert others is not None and "Q10-TP" in others and "27184" not in others
