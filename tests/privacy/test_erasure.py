"""Erasing a person (``vssid privacy erase|withdraw``): every trace gone from the log, the
projections and the media store; the counts kept; a replay gives the same tables."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import Erasure, Person, PrivacyRequest, Submission, SubmissionAttachment
from ingest.privacy import traces
from tests.pipeline import settle
from tests.privacy.conftest import COUNTS, PHOTO_CODE, media_dir, snapshot

AN = ("0791000001", "Nguyễn Văn An")  # a Kobo record and a roster entry


def erase(runner: FlaskCliRunner, identifier: str, *extra: str, command: str = "erase") -> str:
    result = runner.invoke(
        args=[
            "privacy",
            command,
            identifier,
            "--by",
            "quan.tri",
            "--reason",
            "Đơn yêu cầu xoá ngày 01/12/2026",
            "--yes",
            *extra,
        ]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_erase__roster_and_kobo_record__no_trace_left_counts_kept(
    runner: FlaskCliRunner, district: Session, app: Flask
):
    session = district
    assert traces.find(session, AN, media_dir(app))  # held before: the search finds it
    counts = snapshot(session, COUNTS)

    output = erase(runner, AN[0])

    session.rollback()
    left = traces.find(session, AN, media_dir(app))
    assert left == [], [(t.where, t.rows) for t in left]
    assert "Mã định danh không còn ở đâu" in output and "Họ tên cũng không còn ở đâu" in output
    assert snapshot(session, COUNTS) == counts
    erasure = session.scalars(select(Erasure)).one()
    person = session.get(Person, ("vssid", erasure.pseudonym))
    assert person is not None and person.full_name == "" and person.unit_code == "27184"
    request = session.scalars(select(PrivacyRequest)).one()
    assert (request.kind, request.person_ref, request.handled_by) == (
        "erase",
        erasure.pseudonym,
        "quan.tri",
    )
    assert request.reason == "Đơn yêu cầu xoá ngày 01/12/2026"
    assert erasure.counts["roster_entries"] == 1 and erasure.counts["submissions"] == 1


def test_erase__collect_record_with_photo__file_and_values_gone(
    runner: FlaskCliRunner, district: Session, app: Flask
):
    session = district
    row = session.scalars(select(Submission).where(Submission.source == "openrosa")).one()
    photo = session.scalars(select(SubmissionAttachment)).one()
    path = media_dir(app) / photo.sha256[:2] / photo.sha256
    assert path.exists() and b"0987654321" in row.payload  # the phone number, as typed
    counts = snapshot(session, COUNTS)

    erase(runner, PHOTO_CODE, command="withdraw")

    session.rollback()
    assert not path.exists()
    assert session.scalars(select(SubmissionAttachment)).all() == []
    row = session.get(Submission, row.id)
    assert row is not None
    assert PHOTO_CODE.encode() not in row.payload and b"0987654321" not in row.payload
    assert "Trần Thị Bình".encode() not in row.payload
    assert b"<status>" in row.payload and b"1615775412345.jpg" not in row.payload
    assert traces.find(session, [PHOTO_CODE, "0987654321"], media_dir(app)) == []
    assert snapshot(session, COUNTS) == counts
    assert session.scalars(select(Erasure.kind)).one() == "withdraw"


def test_reprocess_after_erasures__same_tables(
    runner: FlaskCliRunner, district: Session, app: Flask
):
    session = district
    erase(runner, AN[0])
    erase(runner, PHOTO_CODE)
    settle(session)
    before = snapshot(session)

    result = runner.invoke(args=["reprocess"])

    assert result.exit_code == 0, result.output
    session.rollback()
    assert snapshot(session) == before


def test_erase__unknown_person__clear_error(runner: FlaskCliRunner, district: Session):
    result = runner.invoke(
        args=["privacy", "erase", "0000000000", "--by", "quan.tri", "--reason", "x", "--yes"]
    )
    assert result.exit_code == 1
    assert "Không có dữ liệu nào về người có mã '0000000000'" in result.output


@pytest.mark.parametrize("account", ["lanh.dao", "phuong1", "nobody"])
def test_erase__not_an_administrator__refused(
    runner: FlaskCliRunner, district: Session, account: str
):
    result = runner.invoke(
        args=["privacy", "erase", AN[0], "--by", account, "--reason", "x", "--yes"]
    )
    assert result.exit_code != 0
    assert district.scalars(select(Erasure)).all() == []


def test_see__one_file_with_records_roster_and_who_viewed(
    runner: FlaskCliRunner, district: Session, tmp_path
):
    from openpyxl import load_workbook

    out = tmp_path / "ho-so.xlsx"
    args = ["privacy", "see", AN[0], "--by", "quan.tri", "--reason", "Đơn xin xem", "--out"]
    first = runner.invoke(args=[*args, str(out)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=[*args, str(out)])  # the first request is a viewing now
    assert second.exit_code == 0, second.output

    book = load_workbook(out)
    assert book.sheetnames == ["Yêu cầu", "Phiếu ghi nhận", "Câu trả lời", "Danh sách đơn vị",
                               "Tệp đính kèm", "Thông báo đã đồng ý", "Ai đã xem"]  # fmt: skip
    cells = {s: [[c for c in r if c is not None] for r in book[s].values] for s in book.sheetnames}
    assert ["Mã định danh / Identifier", AN[0]] in cells["Yêu cầu"]
    assert [AN[1]] == [r[2] for r in cells["Danh sách đơn vị"][1:]]
    assert any(r[1:] == ["full_name", "Họ và tên", AN[1]] for r in cells["Câu trả lời"])
    answers = {r[1]: r[3] for r in cells["Câu trả lời"][1:] if len(r) == 4}
    assert answers["status"] == "Đã có tài khoản, đang sử dụng (đăng nhập được) (account_active)"
    assert answers["consent"] == "Đồng ý (yes)"
    assert [r[4] for r in cells["Danh sách đơn vị"][1:]] == ["Công chức"]
    assert cells["Phiếu ghi nhận"][1][6:9] == ["KoboToolbox", "Được tính", "Đồng ý"]
    assert "Thông báo xử lý dữ liệu cá nhân" in cells["Thông báo đã đồng ý"][1][1]
    assert any("Yêu cầu của người có dữ liệu" in r for r in cells["Ai đã xem"][1:])
    district.rollback()
    assert [r.kind for r in district.scalars(select(PrivacyRequest))] == ["see", "see"]

    erase(runner, AN[0])  # the trail keeps that the data was seen, no longer whose
    district.rollback()
    left = traces.find(district, AN)
    assert left == [], [(t.where, t.rows) for t in left]


def test_see__the_persons_photo_is_in_their_file(
    runner: FlaskCliRunner, district: Session, tmp_path
):
    from openpyxl import load_workbook

    out = tmp_path / "ho-so.xlsx"
    result = runner.invoke(args=["privacy", "see", PHOTO_CODE, "--by", "quan.tri",
                                 "--reason", "Đơn xin xem", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["Tệp đính kèm"]
    rows = [r for r in sheet.values][1:]
    assert [(r[1], r[2]) for r in rows] == [("1615775412345.jpg", "image/jpeg")]
    assert len(sheet._images) == 1  # the photo itself, shown in its row
    assert sheet._images[0].anchor._from.row == 1  # zero-based: the first file's row
