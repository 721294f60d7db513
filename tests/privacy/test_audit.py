"""The audit trail's core (``ingest.privacy.audit``) and its command line (``vssid audit``):
rows written, searched by every filter, pruned after the retention period, an identifier
rewritten when a person's data is erased, the rows that concern one person."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from ingest.db import utcnow
from ingest.models import AccessLog
from ingest.privacy import audit
from tests.privacy.conftest import rows
from webhook.audit import cli_account

WHERE = {"address": "203.0.113.7", "path": "/units/27184"}


def add(session: Session, at: datetime, **values: object) -> AccessLog:
    """A row written at ``at`` (the trail writes now; tests need other times)."""
    fields: dict[str, object] = {"account": "quan.tri", "role": "admin",
                                 "action": "unit_people", **WHERE, **values}  # fmt: skip
    entry = audit.record(session, **fields)  # type: ignore[arg-type]
    entry.at = at
    session.flush()
    return entry


def test_record__writes_what_was_seen_and_nothing_else(app: object, session: Session):
    audit.record(session, account="phuong1", role="unit", action="submission",
                 address="198.51.100.2", path="/review/submission/7", campaign="vssid",
                 unit_code="27184", submission_id=7, person_key="0791000004", rows=1)  # fmt: skip
    session.commit()

    (entry,) = rows(session)
    assert (entry.account, entry.role, entry.action, entry.campaign, entry.unit_code,
            entry.submission_id, entry.person_key, entry.rows, entry.masked, entry.address,
            entry.path) == ("phuong1", "unit", "submission", "vssid", "27184", 7, "0791000004",
                            1, False, "198.51.100.2", "/review/submission/7")  # fmt: skip
    assert entry.at.tzinfo is not None and utcnow() - entry.at < timedelta(minutes=1)


def test_record__unknown_action__refused(app: object, session: Session):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(session, account="a", role="admin", action="peeked", **WHERE)


def test_record__overlong_text__cut_not_refused(app: object, session: Session):
    audit.record(session, account="x" * 400, role="admin", action="audit_view",
                 address="a" * 100, path="/" + "p" * 900, person_key="9" * 100,
                 unit_code="u" * 100, campaign="c" * 100)  # fmt: skip
    session.commit()

    (entry,) = rows(session)
    assert (len(entry.account), len(entry.address), len(entry.path)) == (150, 64, 500)
    assert (len(entry.person_key or ""), len(entry.unit_code or ""), len(entry.campaign or "")) == (
        64, 64, 32
    )  # fmt: skip


def test_search__each_filter__newest_first(app: object, session: Session):
    day = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
    add(session, day, account="lanh.dao", role="manager", action="review_queue", masked=True)
    add(session, day + timedelta(days=1), unit_code="27184", rows=4)
    add(session, day + timedelta(days=2), action="submission", person_key="0791000004",
        submission_id=5, unit_code="27190")  # fmt: skip
    # 23:30 on 3/12 in Vietnam is 16:30 UTC: still the 3rd where the reader lives.
    add(session, datetime(2026, 12, 3, 16, 30, tzinfo=UTC), action="audit_view")
    session.commit()

    def actions(filters: audit.Filters | None = None, **page: int) -> list[str]:
        return [e.action for e in audit.search(session, filters or audit.Filters(), **page)]

    assert actions() == ["audit_view", "submission", "unit_people", "review_queue"]
    assert audit.count(session) == 4
    assert actions(audit.Filters(account="lanh.dao")) == ["review_queue"]
    assert actions(audit.Filters(action="review_queue")) == ["review_queue"]
    assert actions(audit.Filters(unit_code="27184")) == ["unit_people"]
    assert actions(audit.Filters(person_key="0791000004")) == ["submission"]
    third = date(2026, 12, 3)
    assert actions(audit.Filters.of_days(third, third)) == ["audit_view", "submission"]
    assert audit.count(session, audit.Filters.of_days(date(2026, 12, 2), None)) == 3
    assert audit.count(session, audit.Filters.of_days(None, date(2026, 12, 1))) == 1
    assert actions(limit=1, offset=1) == ["submission"]


def test_prune__only_rows_older_than_the_period(app: object, session: Session):
    now = utcnow()
    add(session, now - timedelta(days=1826), rows=1)
    add(session, now - timedelta(days=1824), rows=2)
    add(session, now, rows=3)
    session.commit()

    assert audit.older_than(session, now - timedelta(days=1825)) == 1
    assert audit.prune(session, now - timedelta(days=1825)) == 1
    session.commit()

    assert [e.rows for e in rows(session)] == [2, 3]


def test_pseudonymize__rewrites_the_identifier_only(app: object, session: Session):
    add(session, utcnow(), action="submission", person_key="0791000004", submission_id=5)
    add(session, utcnow(), action="api_submission", person_key="0791000004", submission_id=5)
    add(session, utcnow(), action="submission", person_key="0791000001", submission_id=1)
    session.commit()

    assert audit.pseudonymize(session, "0791000004", "erased:1") == 2
    session.commit()

    assert [(e.person_key, e.submission_id) for e in rows(session)] == [
        ("erased:1", 5), ("erased:1", 5), ("0791000001", 1)
    ]  # fmt: skip
    assert audit.search(session, audit.Filters(person_key="0791000004")) == []


def test_about__by_identifier_submission_or_a_list_of_their_unit(app: object, session: Session):
    now = utcnow()
    mine = [
        add(session, now, action="submission", person_key="0791000004", submission_id=5).id,
        add(session, now, action="api_submission", submission_id=9).id,  # an earlier version
        add(session, now, action="unit_people", unit_code="27184", rows=4).id,
        add(session, now, action="export_names", unit_code=None, rows=7).id,  # every unit
    ]
    add(session, now, action="unit_people", unit_code="27190", rows=2)  # another unit's list
    add(session, now, action="submission", person_key="0791000001", submission_id=1)
    add(session, now, action="review_queue", unit_code="27184", rows=3)  # not a list of names
    session.commit()

    found = audit.about(session, "0791000004", submission_ids=[5, 9], unit_codes=["27184"])

    assert sorted(e.id for e in found) == sorted(mine)


def test_cli_list__filters__table_and_csv__recorded(runner: FlaskCliRunner, session: Session):
    add(session, utcnow() - timedelta(days=3), account="lanh.dao", role="manager",
        action="review_queue", rows=2, masked=True)  # fmt: skip
    add(session, utcnow(), action="submission", person_key="=HYPERLINK(1)", submission_id=5)
    session.commit()

    table = runner.invoke(args=["audit", "list", "--account", "lanh.dao"])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert len(lines) == 2 and lines[-1] == "1 rows"
    assert "lanh.dao\tmanager\treview_queue" in lines[0] and "có (yes)" in lines[0]

    exported = runner.invoke(args=["audit", "list", "--action", "submission", "--format", "csv"])
    assert exported.exit_code == 0, exported.output
    records = list(csv.reader(io.StringIO(exported.output.lstrip("\ufeff"))))
    assert records[0][1] == "Thời điểm (Time)" and len(records) == 2
    assert "'=HYPERLINK(1)" in records[1]  # a typed value is never a formula

    dated = runner.invoke(args=["audit", "list", "--from", "2000-01-01", "--to", "2000-01-02"])
    assert dated.output.splitlines()[-1] == "0 rows"
    bad = runner.invoke(args=["audit", "list", "--from", "31/12/2026"])
    assert bad.exit_code == 2

    written = [e for e in rows(session) if e.role == "cli"]
    assert [(e.action, e.rows) for e in written] == [
        ("audit_view", 1), ("audit_export", 1), ("audit_view", 0)
    ]  # fmt: skip
    assert {(e.account, e.address) for e in written} == {(cli_account(), "local")}
    assert cli_account().startswith("cli:") and written[0].path.endswith("audit list")


def test_cli_prune__keeps_the_retention_period__dry_run_deletes_nothing(
    runner: FlaskCliRunner, session: Session
):
    now = utcnow()
    add(session, now - timedelta(days=1830), rows=1)
    add(session, now - timedelta(days=1820), rows=2)
    session.commit()

    dry = runner.invoke(args=["audit", "prune", "--dry-run"])
    assert dry.exit_code == 0 and "Would delete 1 audit rows older than 1825 days" in dry.output
    assert len(rows(session)) == 2

    done = runner.invoke(args=["audit", "prune"])
    assert done.exit_code == 0 and "Deleted 1 audit rows" in done.output
    assert [e.rows for e in rows(session)] == [2]
