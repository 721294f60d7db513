"""The README's webhook receiver, run as written: it accepts a real signed delivery (204, so
the delivery is ``delivered``) and refuses one signed with another secret (401)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.models import HookDelivery
from ingest.outbox import Event, delivery, emit, event_id, subscriptions
from tests.server import free_port

README = Path(__file__).resolve().parents[2] / "README.md"
SECRET = "the-readme-receiver-secret"


def _receiver_code(port: int) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("A receiver that checks the signature")
    code = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert code is not None
    source = code.group(1)
    assert 'SECRET = b"the secret given to vssid hooks add"' in source
    assert len(source.strip().splitlines()) <= 12
    source = source.replace("the secret given to vssid hooks add", SECRET)
    return source.replace('HTTPServer(("", 8080)', f'HTTPServer(("127.0.0.1", {port})')


def test_readme_receiver__verifies_a_real_delivery__refuses_a_forged_one(
    session: Session, tmp_path: Path
):
    port = free_port()
    script = tmp_path / "receiver.py"
    script.write_text(_receiver_code(port), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-u", str(script)], stdout=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}/hook"
        good = subscriptions.add(session, url, SECRET, ["unit.target_reached"])
        forged = subscriptions.add(session, url, "not-the-readme-secret!", ["unit.target_reached"])
        emit(session, [Event(event_id("readme"), "unit.target_reached", "vssid",
                             {"unit_code": "Q10-NV"})])  # fmt: skip
        session.commit()
        sessions = sessionmaker(bind=session.get_bind(), expire_on_commit=False)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            delivery.deliver_due(sessions, base=0.2)
            session.rollback()
            states = dict(session.execute(select(HookDelivery.subscription_id,
                                                 HookDelivery.last_status)).all())  # fmt: skip
            if states.get(good.id) == 204:
                break
            time.sleep(0.3)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)

    assert states[good.id] == 204
    assert states[forged.id] == 401
    assert "unit.target_reached" in output
