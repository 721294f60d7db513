"""Access state in the database: Digest nonce counts and signed-in browsers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.access import nonces, signins
from ingest.models import DigestNonceUse, User, WebSession
from ingest.registry import accounts
from tests.conftest import REALM, make_user

NOW = datetime(2021, 3, 16, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DAY = timedelta(hours=8)


def test_nonce_count__used_once(session: Session):
    assert nonces.use(session, "n1", "00000001", LATER, NOW) is True
    assert nonces.use(session, "n1", "00000002", LATER, NOW) is True
    assert nonces.use(session, "n1", "00000001", LATER, NOW) is False
    assert nonces.use(session, "n2", "00000001", LATER, NOW) is True
    session.commit()


def test_nonce_count__a_new_nonce_forgets_expired_ones(session: Session):
    nonces.use(session, "old", "00000001", NOW, NOW - timedelta(hours=1))
    nonces.use(session, "old", "00000002", NOW, NOW - timedelta(hours=1))
    nonces.use(session, "new", "00000001", LATER + DAY, LATER)
    session.commit()
    assert session.scalars(select(DigestNonceUse.nonce)).all() == ["new"]


def user(session: Session) -> User:
    make_user(session, "lanh.dao", "manager")
    return session.scalars(select(User).where(User.username == "lanh.dao")).one()


def test_signin__found_until_closed(session: Session):
    account = user(session)
    token = signins.open_signin(session, account, DAY, NOW)
    other = signins.open_signin(session, account, DAY, NOW)
    session.commit()
    assert signins.signed_in_user(session, token, DAY, LATER) is account
    signins.close_signin(session, token)
    session.commit()
    assert signins.signed_in_user(session, token, DAY, LATER) is None
    assert signins.signed_in_user(session, other, DAY, LATER) is account


def test_signin__only_its_hash_is_kept(session: Session):
    token = signins.open_signin(session, user(session), DAY, NOW)
    session.commit()
    stored = session.scalars(select(WebSession.token_hash)).one()
    assert token not in stored and len(stored) == 64


def test_signin__ends_after_its_lifetime_and_is_then_deleted(session: Session):
    account = user(session)
    token = signins.open_signin(session, account, DAY, NOW)
    session.commit()
    assert signins.signed_in_user(session, token, DAY, NOW + DAY) is account
    assert signins.signed_in_user(session, token, DAY, NOW + DAY + timedelta(seconds=1)) is None
    signins.open_signin(session, account, DAY, NOW + DAY + timedelta(seconds=1))
    session.commit()
    assert session.scalar(select(func.count()).select_from(WebSession)) == 1


def test_signin__ends_when_the_password_changes_or_the_account_is_deactivated(
    session: Session,
):
    account = user(session)
    token = signins.open_signin(session, account, DAY, NOW)
    accounts.set_password(account, "mật-khẩu-mới-2021", REALM)
    session.commit()
    assert signins.signed_in_user(session, token, DAY, LATER) is None
    token = signins.open_signin(session, account, DAY, NOW)
    account.is_active = False
    session.commit()
    assert signins.signed_in_user(session, token, DAY, LATER) is None


def test_signin__made_up_tokens__none(session: Session):
    user(session)
    for token in ("", "x", "é" * 40, "\x00", "a" * 10_000):
        assert signins.signed_in_user(session, token, DAY, NOW) is None
