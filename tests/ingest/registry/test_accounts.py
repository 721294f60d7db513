"""Accounts: the three secrets each user has (password hash, Digest HA1, URL token)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.errors import Conflict, InvalidInput, NotFound
from ingest.models import User
from ingest.registry import accounts, units
from tests.conftest import PASSWORD, REALM, make_user


def stored_user(session: Session, username: str) -> User:
    session.expire_all()
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def test_create_user__stores_salted_hash_and_digest_ha1__never_the_password(session: Session):
    accounts.create_user(session, "thu.nguyen", "collector", PASSWORD, REALM)
    session.commit()

    user = stored_user(session, "thu.nguyen")
    assert user.role == "collector"
    assert user.is_active
    assert user.unit_code is None
    assert user.token_hash is None
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert user.digest_realm == REALM
    expected = hashlib.md5(f"thu.nguyen:{REALM}:{PASSWORD}".encode()).hexdigest()
    assert user.digest_ha1 == expected


def test_create_user__same_password_twice__different_salts(session: Session):
    make_user(session, "an.le", "collector")
    make_user(session, "binh.tran", "collector")

    assert (
        stored_user(session, "an.le").password_hash
        != stored_user(session, "binh.tran").password_hash
    )


def test_digest_ha1__rfc2617_example__matches():
    # RFC 2617 section 3.5: Mufasa / testrealm@host.com / Circle Of Life.
    assert (
        accounts.digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life")
        == "939e7578ed9e3c518a452acee763bce9"
    )


@pytest.mark.parametrize(
    ("password", "ok"),
    [(PASSWORD, True), ("mật-khẩu-thử-2", False), ("", False), (PASSWORD.upper(), False)],
)
def test_check_password__given_password__true_only_for_the_right_one(
    session: Session, password: str, ok: bool
):
    make_user(session, "thu.nguyen", "collector")

    assert accounts.check_password(stored_user(session, "thu.nguyen"), password) is ok


def test_check_password__inactive_user__false(session: Session):
    make_user(session, "thu.nguyen", "collector")
    user = stored_user(session, "thu.nguyen")
    user.is_active = False
    session.commit()

    assert accounts.check_password(stored_user(session, "thu.nguyen"), PASSWORD) is False


def test_set_password__new_password__old_one_stops_working(session: Session):
    make_user(session, "thu.nguyen", "collector")
    user = stored_user(session, "thu.nguyen")

    accounts.set_password(user, "mật-khẩu-mới-99", REALM)
    session.commit()

    user = stored_user(session, "thu.nguyen")
    assert accounts.check_password(user, "mật-khẩu-mới-99")
    assert not accounts.check_password(user, PASSWORD)
    assert user.digest_ha1 == accounts.digest_ha1("thu.nguyen", REALM, "mật-khẩu-mới-99")


def test_create_user__duplicate_username__conflict(session: Session):
    make_user(session, "thu.nguyen", "collector")

    with pytest.raises(Conflict) as caught:
        accounts.create_user(session, "thu.nguyen", "admin", "another-password", REALM)

    assert caught.value.code == "user.exists"
    assert "thu.nguyen" in caught.value.message_vi
    assert "thu.nguyen" in caught.value.message_en


@pytest.mark.parametrize(
    ("username", "role", "password", "unit_code", "error", "code", "words"),
    [
        ("thu nguyen", "collector", PASSWORD, None, InvalidInput, "user.invalid", "letters"),
        ("thu/nguyen", "collector", PASSWORD, None, InvalidInput, "user.invalid", "letters"),
        ("thư", "collector", PASSWORD, None, InvalidInput, "user.invalid", "letters"),
        ("t", "collector", PASSWORD, None, InvalidInput, "user.invalid", "letters"),
        ("", "collector", PASSWORD, None, InvalidInput, "user.invalid", "letters"),
        (".thu", "collector", PASSWORD, None, InvalidInput, "user.invalid", "letters"),
        ("x" * 151, "collector", PASSWORD, None, InvalidInput, "user.invalid", "letters"),
        ("thu.nguyen", "superuser", PASSWORD, None, InvalidInput, "user.invalid", "role"),
        ("thu.nguyen", "unit", PASSWORD, None, InvalidInput, "user.invalid", "--unit"),
        ("thu.nguyen", "unit", PASSWORD, "NOPE", NotFound, "unit.not_found", "NOPE"),
        ("thu.nguyen", "collector", PASSWORD, "NOPE", NotFound, "unit.not_found", "NOPE"),
        ("thu.nguyen", "collector", "1234567", None, InvalidInput, "user.invalid", "8"),
        ("thu.nguyen", "collector", "", None, InvalidInput, "user.invalid", "8"),
    ],
    ids=[
        "space-in-username",
        "slash-in-username",
        "non-ascii-username",
        "one-letter-username",
        "empty-username",
        "username-starting-with-dot",
        "username-too-long",
        "unknown-role",
        "unit-role-without-unit",
        "unit-role-unknown-unit",
        "collector-unknown-unit",
        "short-password",
        "empty-password",
    ],
)
def test_create_user__bad_input__refused_with_its_code_and_nothing_stored(
    session: Session,
    username: str,
    role: str,
    password: str,
    unit_code: str | None,
    error: type[Exception],
    code: str,
    words: str,
):
    with pytest.raises(error) as caught:
        accounts.create_user(session, username, role, password, REALM, unit_code)

    assert caught.value.code == code
    assert words in caught.value.message_en
    session.rollback()
    assert session.scalars(select(User)).all() == []


@pytest.mark.parametrize("username", ["thu.nguyen", "an_le-2", "kobo@bhxh.q10", "ab", "A1"])
def test_create_user__good_username__accepted(session: Session, username: str):
    accounts.create_user(session, username, "collector", PASSWORD, REALM)
    session.commit()

    assert stored_user(session, username).username == username


def test_create_user__unit_role_with_known_unit__linked(
    session: Session, default_units: units.ImportReport
):
    make_user(session, "phuong1", "unit", unit_code="27184")

    assert stored_user(session, "phuong1").unit_code == "27184"


def test_issue_token__stores_only_its_sha256__and_finds_the_user(session: Session):
    make_user(session, "thu.nguyen", "collector")
    user = stored_user(session, "thu.nguyen")

    token = accounts.issue_token(user)
    session.commit()

    user = stored_user(session, "thu.nguyen")
    assert len(token) >= 32
    assert user.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in user.token_hash
    found = accounts.user_for_token(session, token)
    assert found is not None
    assert found.username == "thu.nguyen"


def test_issue_token__again__old_token_stops_working(session: Session):
    make_user(session, "thu.nguyen", "collector")
    first = accounts.issue_token(stored_user(session, "thu.nguyen"))
    session.commit()

    second = accounts.issue_token(stored_user(session, "thu.nguyen"))
    session.commit()

    assert second != first
    assert accounts.user_for_token(session, first) is None
    found = accounts.user_for_token(session, second)
    assert found is not None
    assert found.username == "thu.nguyen"


def test_user_for_token__two_users__each_token_finds_its_own(session: Session):
    make_user(session, "an.le", "collector")
    make_user(session, "binh.tran", "collector")
    tokens = {}
    for name in ("an.le", "binh.tran"):
        tokens[name] = accounts.issue_token(stored_user(session, name))
        session.commit()

    for name, token in tokens.items():
        found = accounts.user_for_token(session, token)
        assert found is not None
        assert found.username == name


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
def test_user_for_token__unknown_token__nobody(session: Session, token: str):
    make_user(session, "thu.nguyen", "collector")
    accounts.issue_token(stored_user(session, "thu.nguyen"))
    session.commit()

    assert accounts.user_for_token(session, token) is None


def test_user_for_token__inactive_user__nobody(session: Session):
    make_user(session, "thu.nguyen", "collector")
    user = stored_user(session, "thu.nguyen")
    token = accounts.issue_token(user)
    user.is_active = False
    session.commit()

    assert accounts.user_for_token(session, token) is None


def test_find_user__unknown__not_found(session: Session):
    with pytest.raises(NotFound) as caught:
        accounts.find_user(session, "nobody")

    assert caught.value.code == "user.not_found"
    assert "nobody" in caught.value.message_en
