"""Person spans and coverage tallies (ingest.consumers.tallies): the state they give for any
day is the state docs/architecture.md §4 defines, and tallies kept up to date one change at a
time equal tallies built from scratch."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.campaigns import Campaign
from ingest.consumers import CONSUMERS, Pipeline, tallies
from ingest.consumers.tallies import Entry, Record, spans_for
from ingest.models import ConsumerCursor, PersonSpan, ReasonTally, Tally
from reports import coverage
from reports.model import Coverage
from reports.trend import trend
from tests.pipeline import settle
from tests.reports.test_coverage import person, scenario  # noqa: F401  (a fixture)
from tests.wire import KOBO_SECRET

DAY0 = date(2021, 3, 1)


def at(day: int, hour: int = 9) -> datetime:
    """Day ``day`` after DAY0 at ``hour`` o'clock in Vietnam, in UTC."""
    return datetime(2021, 3, 1, hour, tzinfo=UTC) + timedelta(days=day) - timedelta(hours=7)


def record(day: int, submission_id: int, unit: str = "U1", installed: bool = True,
           hour: int = 9, reasons: tuple[str, ...] = ()) -> Record:  # fmt: skip
    return Record(at(day, hour), submission_id, unit, "cong_chuc", installed,
                  ("active",) if installed else (), reasons)  # fmt: skip


def entry(start: int, end: int | None, unit: str = "R1", entry_id: int = 1) -> Entry:
    return Entry(
        DAY0 + timedelta(days=start),
        None if end is None else DAY0 + timedelta(days=end),
        unit,
        "vien_chuc",
        entry_id,
    )


def state_on(spans: list[tallies.Span], day: date) -> tuple[Any, ...] | None:
    found = [s for s in spans if s.day_from <= day and (s.day_to is None or s.day_to > day)]
    assert len(found) <= 1, "spans overlap"
    s = found[0] if found else None
    return None if s is None else (s.unit_code, s.category, s.on_roster, s.done,
                                   s.submission_id)  # fmt: skip


def brute_force(records: list[Record], entries: list[Entry], day: date) -> tuple[Any, ...] | None:
    """docs/architecture.md §4 read literally for one person and one day."""
    seen = [r for r in records if tallies.local_day(r.effective_at) <= day]
    effective = max(seen, key=lambda r: (r.effective_at, r.submission_id)) if seen else None
    in_force = [
        e for e in entries if e.valid_from <= day and (e.valid_to is None or e.valid_to > day)
    ]
    roster = max(in_force, key=lambda e: (e.valid_from, e.id)) if in_force else None
    if effective is None and roster is None:
        return None
    if roster is not None:
        return (roster.unit_code, roster.category, True, bool(effective and effective.done),
                effective.submission_id if effective else None)  # fmt: skip
    assert effective is not None
    return (effective.unit_code, effective.category, False, effective.done,
            effective.submission_id)  # fmt: skip


def test_record_only__one_open_span():
    (span,) = spans_for([record(2, 10)], [])
    assert (span.day_from, span.day_to, span.unit_code, span.on_roster, span.done) == (
        DAY0 + timedelta(days=2), None, "U1", False, True,
    )  # fmt: skip


def test_roster_member_without_record__counted_not_installed():
    (span,) = spans_for([], [entry(0, None)])
    assert (span.unit_code, span.category, span.on_roster, span.done, span.submission_id) == (
        "R1", "vien_chuc", True, False, None,
    )  # fmt: skip


def test_record_before_roster__moves_into_the_roster_unit_on_its_first_day():
    spans = spans_for([record(1, 10, unit="U1")], [entry(5, None, unit="R1")])
    assert [
        (s.day_from.day, s.day_to and s.day_to.day, s.unit_code, s.on_roster) for s in spans
    ] == [
        (2, 6, "U1", False),
        (6, None, "R1", True),
    ]


def test_late_collected_record__counts_from_its_collection_day_not_arrival():
    # Collected on day 3 but arriving after a day-5 record (higher submission id): the day-5
    # record stays effective from day 5; the day-3 one counts on days 3 and 4 only.
    spans = spans_for([record(5, 10, installed=False), record(3, 11)], [])
    assert [(s.day_from.day, s.day_to and s.day_to.day, s.submission_id) for s in spans] == [
        (4, 6, 11),
        (6, None, 10),
    ]


def test_same_day__the_later_record_wins():
    later = record(2, 9, hour=17, installed=False, reasons=("no_smartphone",))
    (span,) = spans_for([record(2, 10, hour=8), later], [])
    assert (span.submission_id, span.done, span.reasons) == (9, False, ("no_smartphone",))


def test_late_evening_utc_is_the_next_local_day():
    moment = datetime(2021, 3, 16, 18, 30, tzinfo=UTC)  # 01:30 on 17/03 in Vietnam
    (span,) = spans_for([Record(moment, 1, "U1", None, True, (), ())], [])
    assert span.day_from == date(2021, 3, 17) and span.category == ""


days = st.integers(min_value=0, max_value=20)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Record], list[Entry]]:
    records = [
        record(draw(days), n, unit=draw(st.sampled_from(["U1", "U2"])),
               installed=draw(st.booleans()), hour=draw(st.integers(0, 23)))
        for n in range(draw(st.integers(0, 4)))
    ]  # fmt: skip
    entries, start = [], 0
    for n in range(draw(st.integers(0, 3))):  # successive imports: closed then reopened
        start += draw(st.integers(0, 6))
        end = draw(st.one_of(st.none(), st.integers(start + 1, start + 8)))
        entries.append(entry(start, end, unit=draw(st.sampled_from(["R1", "R2"])), entry_id=n))
        if end is None:
            break
        start = end + draw(st.integers(0, 3))
    return records, entries


@settings(max_examples=300, deadline=None)
@given(histories())
def test_spans__state_on_every_day_is_the_designs(history: tuple[list[Record], list[Entry]]):
    records, entries = history
    spans = spans_for(records, entries)
    for offset in range(-1, 40):
        day = DAY0 + timedelta(days=offset)
        assert state_on(spans, day) == brute_force(records, entries, day), day
    for a, b in itertools.pairwise(spans):  # adjacent spans differ (merged otherwise)
        assert a.day_to is not None and a.day_to <= b.day_from
        assert not (a.day_to == b.day_from and a.same_state(b))


def tables(session: Session) -> tuple[set[tuple[Any, ...]], ...]:
    session.commit()
    return (
        {tuple(r) for r in session.execute(select(Tally.campaign, Tally.unit_code, Tally.category,
                                                  Tally.on_roster, Tally.measure, Tally.people)
                                           .where(Tally.people != 0))},
        {tuple(r) for r in session.execute(select(ReasonTally.campaign, ReasonTally.unit_code,
                                                  ReasonTally.on_roster,
                                                  ReasonTally.reason, ReasonTally.people)
                                           .where(ReasonTally.people != 0))},
        {tuple(r) for r in session.execute(select(PersonSpan.campaign, PersonSpan.person_key,
                                                  PersonSpan.day_from, PersonSpan.day_to,
                                                  PersonSpan.unit_code, PersonSpan.on_roster,
                                                  PersonSpan.done, PersonSpan.levels,
                                                  PersonSpan.submission_id))},
    )  # fmt: skip


def report(session: Session, day: date, **kwargs: Any) -> coverage.Coverage:
    """The coverage report after the consumers applied everything (as a server reads it)."""
    settle(session)
    return coverage.compute(session, vssid(session), day, **kwargs)


def vssid(session: Session) -> Campaign:
    return campaigns.load(session, "vssid")


def post(client: FlaskClient, instance_id: str, answers: dict[str, Any], **extra: str) -> Any:
    document = {**answers, "meta/instanceID": instance_id, **extra}
    return client.post(
        "/kobo/submission?form_id=vssid_install",
        data=json.dumps(document, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )


@pytest.mark.usefixtures("scenario")
def test_kept_up_to_date__equals_built_from_scratch(
    client: FlaskClient, runner: FlaskCliRunner, session: Session, tmp_path: Path
):
    report(session, date(2021, 3, 20))  # tallies built
    # More changes, each in the log and applied by the consumers: an edit, a move to another
    # unit's roster, someone leaving a roster, a new person.
    edit = person("0791000003", "Lê Văn C", "27184", "vien_chuc", "account_active",
                  "2021-03-23T09:00:00+07:00")  # fmt: skip
    assert post(client, "uuid:c2", edit, **{"meta/deprecatedID": "uuid:c"}).status_code == 201
    new = person("0795000001", "Đỗ Văn L", "27190", "cong_chuc", "account_active",
                 "2021-03-24T09:00:00+07:00")  # fmt: skip
    assert post(client, "uuid:l", new).status_code == 201
    roster = tmp_path / "moved.csv"
    roster.write_text(
        "Mã số BHXH,Họ và tên,Đối tượng,Mã đơn vị\n0791000001,Nguyễn Văn A,Công chức,27190\n"
        "0795000001,Đỗ Văn L,Công chức,27190\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["roster", "import", str(roster), "--as-of", "2021-03-24"])
    assert result.exit_code == 0, result.output
    assert "Consumers:" in result.output  # the CLI applied the log's new entries
    session.commit()  # a new snapshot (SQLite's would still be the one before the posts)
    assert not Pipeline(CONSUMERS).pending(session)
    result_report = coverage.compute(session, vssid(session), date(2021, 3, 25))
    rows = {r.code: r for r in result_report.units}
    moved_to = rows["27190"]
    assert (moved_to.source, moved_to.total.denominator, moved_to.total.done) == (
        "roster", 2, 2,
    )  # fmt: skip
    assert rows["27184"].total.denominator == 4  # A moved out on 24/03
    kept = tables(session)
    assert kept[0] and kept[2]

    tallies.rebuild(session)
    assert tables(session) == kept
    assert coverage.compute(session, vssid(session), date(2021, 3, 25)) == result_report


@pytest.mark.usefixtures("scenario")
def test_no_cursor__the_consumer_rebuilds_its_tables(session: Session):
    before = report(session, date(2026, 1, 1))
    session.execute(PersonSpan.__table__.delete())
    session.execute(Tally.__table__.delete())
    session.execute(delete(ConsumerCursor).where(ConsumerCursor.consumer == "tallies"))
    session.commit()
    assert report(session, date(2026, 1, 1)) == before


@pytest.mark.usefixtures("scenario")
@pytest.mark.parametrize("category", [None, "cong_chuc", "nguoi_lao_dong"])
@pytest.mark.parametrize("codes", [None, ["27184"], ["Q10-TP", "Q10-TCKH", "27190"]])
def test_trend__one_pass_equals_a_report_per_day(
    session: Session, category: str | None, codes: list[str] | None
):
    days = [date(2021, 3, 1) + timedelta(days=n) for n in range(0, 30, 1)]
    got = trend(session, vssid(session), days, unit_codes=codes, category=category)
    expected = []
    for day in days:
        report = coverage.compute(session, vssid(session), day, unit_codes=codes)
        if category is None:
            expected.append((day, report.total))
        else:
            (rollup,) = [r for r in report.categories if r.key == category]
            expected.append((day, replace(rollup, key="total")))
    assert got == expected
    changing = {pct for _day, rollup in got for pct in [rollup.counts.done_pct]}
    assert codes == ["27190"] or len(changing) > 1  # the period covers real changes


@pytest.mark.usefixtures("scenario")
def test_concurrent_readers__apply_the_log_once(client: FlaskClient, session: Session, engine: Any):
    from concurrent.futures import ThreadPoolExecutor

    from ingest.db import make_sessionmaker

    report(session, date(2021, 3, 20))
    for n in range(40):  # forty new people, in the log
        name = "Người Mới " + "ABCDEFGHIKLMNOPQRSTU"[n % 20] + "AB"[n // 20]  # no digits
        answers = person(f"07960000{n:02d}", name, "27184", "cong_chuc", "account_active",
                         "2021-03-19T09:00:00+07:00")  # fmt: skip
        assert post(client, f"uuid:n{n}", answers).status_code == 201
    factory = make_sessionmaker(engine)

    def read(_: int) -> Coverage:
        Pipeline(CONSUMERS).settle(factory)  # each reader applies what is pending
        with factory() as own:
            return coverage.compute(own, vssid(own), date(2021, 3, 25))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(read, range(8)))
    assert all(r == results[0] for r in results)
    (ward,) = [u for u in results[0].units if u.code == "27184"]
    assert ward.total.denominator == 5 and results[0].finding_counts["27184"] == 41
    kept = tables(session)
    tallies.rebuild(session)
    assert tables(session) == kept


@pytest.mark.usefixtures("scenario")
def test_report_from_tallies__equals_report_from_spans(
    session: Session, monkeypatch: pytest.MonkeyPatch
):
    day = date(2026, 1, 1)  # after every change: the tallies answer
    from_tallies = report(session, day, with_findings=True)
    monkeypatch.setattr(tallies, "latest_change", lambda _session, _campaign: date(9999, 1, 1))
    from_spans = coverage.compute(session, vssid(session), day, with_findings=True)
    assert from_spans == from_tallies
    assert any(u.reasons for u in from_tallies.units) and from_tallies.findings
