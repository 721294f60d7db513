"""Migration 0014 (personal data): on a database with records, the projection and the
consumers after it rebuild, so that a record without consent stops counting and every record
gets its consent, notice and channel; the outbox sends nothing again. Down and up again."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import insert, select, text
from sqlalchemy.orm import sessionmaker

from ingest.campaigns.publish import publish_folder
from ingest.consumers import CONSUMERS, Pipeline
from ingest.db import make_engine
from ingest.models import ConsumerCursor, Form, PersonRecord, Submission, SubmissionStatus
from ingest.registry import tabular, units
from tests.conftest import DEFAULT_UNITS
from webhook import migrate

FORMS = Path(__file__).resolve().parents[1] / "forms"


def _record(number: int, consent: str, version: str) -> dict[str, object]:
    answers = {"consent": consent, "unit": "27184", "full_name": f"Người {number}",
               "bhxh_code": f"079100000{number}", "category": "cong_chuc",
               "status": "account_active", "install_date": "2021-03-16",
               "end": "2021-03-16T09:00:00+07:00",
               "meta/instanceID": f"uuid:m{number}"}  # fmt: skip
    payload = json.dumps(answers, ensure_ascii=False).encode()
    digest = hashlib.sha256(payload).hexdigest()
    return {"source": "kobo", "content_type": "application/json", "payload": payload,
            "payload_sha256": digest, "content_sha256": digest, "headers": {},
            "received_at": datetime(2021, 3, 16, 2, tzinfo=UTC), "form_id": "vssid_install",
            "form_version": version, "instance_id": f"uuid:m{number}",
            "root_id": f"uuid:m{number}", "person_key": f"079100000{number}",
            "verdict": "accepted", "issues": [], "attachments_expected": 0,
            "collected_at": datetime(2021, 3, 16, 2, tzinfo=UTC)}  # fmt: skip


def test_migration_0014__records_rebuilt_with_consent(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    sessions = sessionmaker(bind=engine)
    try:
        migrate.upgrade(engine, "0013")
        with sessions() as session:
            units.import_units(session, tabular.read_rows(DEFAULT_UNITS, units.ALIASES,
                                                          ("code", "name_vi", "kind")))  # fmt: skip
            assert all(r.error is None for r in publish_folder(session, FORMS))
            session.commit()
            version = session.scalar(
                select(Form.current_version).where(Form.form_id == "vssid_install")
            )
        with engine.begin() as connection:
            connection.execute(insert(Submission), [_record(1, "yes", version),
                                                    _record(2, "no", version)])  # fmt: skip
            # As 0013's projection left them: both counted, no consent known.
            for number in (1, 2):  # submission_status has no consent columns yet
                connection.execute(
                    text("INSERT INTO submission_status (submission_id, review_state, issues, "
                         "unit_code, campaign) VALUES (:id, 'accepted', '[]', '27184', 'vssid')"),
                    {"id": number},
                )  # fmt: skip
            connection.execute(insert(ConsumerCursor), [
                {"consumer": "projection", "stream": "submission", "tx": 0, "position": 2,
                 "applied": 2}])  # fmt: skip

        migrate.upgrade(engine, "head")
        Pipeline(CONSUMERS).run_until_idle(sessions, wait=True)

        with sessions() as session:
            states = {s.submission_id: s for s in session.scalars(select(SubmissionStatus))}
            assert (states[1].consent, states[1].channel) == ("given", "kobo")
            assert states[1].notice_sha256 is not None
            assert states[2].consent == "refused"
            assert [r.submission_id for r in session.scalars(select(PersonRecord))] == [1]

        config = migrate.alembic_config(engine)
        command.downgrade(config, "0013")
        command.upgrade(config, "head")
    finally:
        engine.dispose()
