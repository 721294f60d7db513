"""Consent as data: each record keeps whether its person agreed, to which notice (its hash)
and through which channel; a record without consent is kept but never projected."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.campaigns import notice
from ingest.consumers import projection
from ingest.consumers.projection import spec_of_version
from ingest.models import Person, PersonRecord, Submission, SubmissionStatus
from tests.dashboard.scenario import person
from tests.pipeline import settle
from tests.wire import KOBO_SECRET


def status_of(session: Session, instance_id: str) -> SubmissionStatus:
    row = session.scalars(select(Submission).where(Submission.instance_id == instance_id)).one()
    found = session.get(SubmissionStatus, row.id)
    assert found is not None
    return found


def post_kobo(client: FlaskClient, instance_id: str, answers: dict) -> None:
    response = client.post(
        "/kobo/submission?form_id=vssid_install",
        data=json.dumps({**answers, "meta/instanceID": instance_id}, ensure_ascii=False),
        content_type="application/json",
        headers={"Authorization": f"Token {KOBO_SECRET}"},
    )
    assert response.status_code == 201, response.json


def test_consent__given__notice_hash_channel_and_time_kept(district: Session):
    session = district
    state = status_of(session, "uuid:an")
    vssid = campaigns.load(session, "vssid")
    shown = notice.digest(notice.texts(vssid.privacy))
    assert (state.consent, state.channel) == ("given", "kobo")
    assert state.notice_sha256 == shown and len(shown or "") == 64  # the campaign's notice
    assert state.consented_at is not None
    assert state.consented_at.isoformat().startswith("2021-03-16T02:00")  # 09:00 +07


def test_consent__old_form_version__its_own_notice(district: Session):
    session = district
    row = session.scalars(select(Submission).where(Submission.source == "openrosa")).one()
    state = session.get(SubmissionStatus, row.id)
    spec = spec_of_version(session, "vssid_install", row.form_version or "")
    assert state is not None and spec is not None
    assert state.consent == "given"
    assert state.notice_sha256 == notice.of_form(spec, "consent_notice")  # what it showed


@pytest.mark.parametrize("answer", ["no", None])
def test_consent__refused_or_missing__kept_not_projected(
    client: FlaskClient, district: Session, answer: str | None
):
    session = district
    answers = person("0791000002", "Trần Thị Bình", "27184", "cong_chuc", "account_active",
                     "2021-03-25T09:00:00+07:00")  # fmt: skip
    if answer is None:
        answers.pop("consent")
    else:
        answers["consent"] = answer
    before = session.get(Person, ("vssid", "0791000002"))
    assert before is not None

    post_kobo(client, "uuid:binh-again", answers)
    settle(session)

    state = status_of(session, "uuid:binh-again")
    assert state.consent == ("refused" if answer else "missing")
    assert "consent.not_given" in [i["code"] for i in state.issues]
    assert session.get(PersonRecord, state.submission_id) is None
    after = session.get(Person, ("vssid", "0791000002"))
    assert after is not None and after.submission_id == before.submission_id  # unchanged
    kept = session.get(Submission, state.submission_id)
    assert kept is not None and "Trần Thị Bình".encode() in kept.payload  # every byte kept


def test_consent__collect_user_agent__channel_collect(client: FlaskClient, district: Session):
    session = district
    row = session.scalars(select(Submission).where(Submission.source == "openrosa")).one()
    state = session.get(SubmissionStatus, row.id)
    assert state is not None and state.channel == "web"  # the test client is no phone
    row.headers = {**row.headers, "User-Agent": "org.odk.collect.android/v2024.2.4"}
    session.commit()
    projection.project(session, [row.id])
    session.expire_all()
    assert session.get(SubmissionStatus, row.id).channel == "collect"  # type: ignore[union-attr]
