"""A unit with a roster and a self-report link, for the self-report tests."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.orm import Session

from ingest import campaigns
from ingest.db import utcnow
from ingest.registry import roster, tabular
from ingest.selfreport import links

UNIT = "27184"
OTHER_UNIT = "27190"
#: On UNIT's roster.
CODE, BORN, NAME = "0791234567", "1985-04-12", "Trần Thị Thu"
ROSTER = (
    "bhxh_code,full_name,birth_date,category,unit_code\n"
    f"{CODE},{NAME},12/04/1985,vien_chuc,{UNIT}\n"
    "0791234568,Lê Văn Bảy,1979-01-02,cong_chuc,27184\n"
    "0791234569,Phạm Văn Chín,1990-06-30,cong_chuc,27190\n"
)


@pytest.fixture
def rostered(session: Session, published: Any, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    defined = campaigns.load(session, "vssid")
    roster.import_roster(
        session, defined, tabular.read_rows(path, roster.aliases(defined), roster.REQUIRED),
        date(2021, 3, 1), path.name,
    )  # fmt: skip
    session.commit()


@pytest.fixture
def token(session: Session, rostered: None) -> str:
    """A link for UNIT, valid 30 days."""
    link = links.create(session, campaigns.load(session, "vssid"), UNIT, "admin", utcnow(), 30)
    session.commit()
    return link.token


def instance(
    code: str = CODE,
    born: str = BORN,
    unit: str = UNIT,
    status: str = "account_active",
    instance_id: str | None = None,
    end: str | None = None,
    form_id: str = "vssid_selfreport",
    photo: str | None = None,
) -> str:
    """A self-report as ODK Web Forms 0.22 writes it (no XML declaration, no namespace,
    non-relevant nodes left out)."""
    end = end or (utcnow() - timedelta(minutes=1)).isoformat(timespec="milliseconds")
    installed = status in {"installed_no_account", "registered_pending", "account_active"}
    answer = (
        f"<install_date>{end[:10]}</install_date>" if installed
        else "<reasons>declined</reasons>"
    )  # fmt: skip
    return (
        f'<{form_id} id="{form_id}" version="2026120702"><start>{end}</start><end>{end}</end>'
        "<deviceid>getodk.org:webforms:abc</deviceid><consent_notice/><consent>yes</consent>"
        f"<unit>{unit}</unit><full_name>{NAME}</full_name><bhxh_code>{code}</bhxh_code>"
        f"<birth_date>{born}</birth_date><category>vien_chuc</category>"
        f"<status>{status}</status>{answer}"
        f"{f'<proof_photo>{photo}</proof_photo>' if photo else ''}<note/>"
        f"<meta><instanceID>{instance_id or 'uuid:' + str(uuid4())}</instanceID>"
        f"<instanceName>{NAME} – {code}</instanceName></meta></{form_id}>"
    )
