"""HTTP Basic: scrypt runs once per password, and a changed password or a deactivated
account takes effect at once."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.models import User
from ingest.registry import accounts
from tests.conftest import PASSWORD, REALM
from webhook import auth

pytestmark = pytest.mark.usefixtures("published")


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords ``check_password`` was asked about (scrypt runs)."""
    seen: list[str] = []

    def counting(user: User, password: str) -> bool:
        seen.append(password)
        return accounts.check_password(user, password)

    monkeypatch.setattr(auth, "check_password", counting)
    return seen


def test_basic__scrypt_once_per_password(client: FlaskClient, collector: str, checks: list[str]):
    for _ in range(3):
        assert client.get("/formList", auth=(collector, PASSWORD)).status_code == 200
    assert checks == [PASSWORD]


def test_basic__wrong_password_checked_every_time(
    client: FlaskClient, collector: str, checks: list[str]
):
    for _ in range(2):
        assert client.get("/formList", auth=(collector, "wrong-password")).status_code == 401
    assert checks == ["wrong-password", "wrong-password"]


def test_basic__password_change_takes_effect_at_once(
    client: FlaskClient, session: Session, collector: str, checks: list[str]
):
    assert client.get("/formList", auth=(collector, PASSWORD)).status_code == 200
    user = session.scalars(select(User).where(User.username == collector)).one()
    accounts.set_password(user, "a-new-password-2021", REALM)
    session.commit()
    assert client.get("/formList", auth=(collector, PASSWORD)).status_code == 401
    assert client.get("/formList", auth=(collector, "a-new-password-2021")).status_code == 200


def test_basic__deactivated_account_refused_at_once(
    client: FlaskClient, session: Session, collector: str, checks: list[str]
):
    assert client.get("/formList", auth=(collector, PASSWORD)).status_code == 200
    user = session.scalars(select(User).where(User.username == collector)).one()
    user.is_active = False
    session.commit()
    assert client.get("/formList", auth=(collector, PASSWORD)).status_code == 401
