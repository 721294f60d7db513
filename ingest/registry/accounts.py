"""Accounts: creating users and checking their credentials.

Three secrets per account, each for one way in:

- ``password_hash``: werkzeug's salted scrypt, for dashboard sign-in and HTTP Basic;
- ``digest_ha1``: MD5(username:realm:password), which HTTP Digest (what ODK Collect uses over
  plain HTTP) needs in order to check a response without the password itself;
- ``token_hash``: SHA-256 of a random token for the token URL (``/key/<token>/``) that a QR
  code carries; the token is shown once and only its hash is kept. For an ``integration``
  account (a KoboToolbox REST Service) the token is its password, so that Kobo can send it
  as ``Authorization: Token <password>``; such passwords must be long and random.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ingest.errors import Conflict, ErrorCode, InvalidInput, NotFound
from ingest.models import ROLES, User
from ingest.registry.units import get_unit

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,149}$")
MIN_PASSWORD_LENGTH = 8
MIN_INTEGRATION_SECRET_LENGTH = 24


def digest_ha1(username: str, realm: str, password: str) -> str:
    """HA1 of RFC 7616 with MD5, the algorithm ODK Collect speaks."""
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()  # noqa: S324


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256 (tokens are long and random, no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    username: str,
    role: str,
    password: str,
    realm: str,
    unit_code: str | None = None,
    email: str | None = None,
) -> User:
    """Add an account; the caller commits."""
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(
            ErrorCode.USER_INVALID,
            reason="tên đăng nhập chỉ gồm chữ, số và . _ @ - (letters, digits and . _ @ -)",
        )
    if role not in ROLES:
        raise InvalidInput(ErrorCode.USER_INVALID, reason=f"role must be one of {', '.join(ROLES)}")
    if role == "unit" and not unit_code:
        raise InvalidInput(ErrorCode.USER_INVALID, reason="role 'unit' needs --unit CODE")
    if unit_code is not None and get_unit(session, unit_code) is None:
        raise NotFound(ErrorCode.UNIT_NOT_FOUND, code=unit_code)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(ErrorCode.USER_EXISTS, username=username)
    user = User(username=username, role=role, unit_code=unit_code,
                email=check_email(email) if email else None)  # fmt: skip
    set_password(user, password, realm)
    session.add(user)
    session.flush()
    return user


#: An e-mail address as accounts take it: one ``@``, a dot in the domain, nothing that would
#: split a header (spaces, commas, quotes, angle brackets).
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]+$")


def check_email(address: str) -> str:
    """``address`` if an account may have it (:class:`InvalidInput` otherwise)."""
    if len(address) > 320 or not EMAIL_PATTERN.match(address):
        raise InvalidInput(ErrorCode.EMAIL_INVALID, email=address.encode("unicode_escape").decode())
    return address


def set_password(user: User, password: str, realm: str) -> None:
    """Store the password's hash and its Digest HA1 for ``realm`` (and token, for integrations)."""
    minimum = MIN_INTEGRATION_SECRET_LENGTH if user.role == "integration" else MIN_PASSWORD_LENGTH
    if len(password) < minimum:
        raise InvalidInput(
            ErrorCode.USER_INVALID,
            reason=f"mật khẩu cần ít nhất {minimum} ký tự "
            f"(password needs at least {minimum} characters)",
        )
    user.password_hash = generate_password_hash(password)
    user.digest_realm = realm
    user.digest_ha1 = digest_ha1(user.username, realm, password)
    if user.role == "integration":
        user.token_hash = token_digest(password)


def issue_token(user: User) -> str:
    """Give ``user`` a new URL token (replacing any earlier one) and return it once."""
    token = secrets.token_urlsafe(32)
    user.token_hash = token_digest(token)
    return token


# Built once: every request authenticates, and building a statement costs about as much as
# running it (bench/RESULTS.md).
_BY_USERNAME = select(User).where(User.username == bindparam("username"))
_BY_TOKEN = select(User).where(User.token_hash == bindparam("digest"))


def find_user(session: Session, username: str) -> User:
    """The account called ``username``."""
    if not username.isprintable():
        raise NotFound(
            ErrorCode.USER_NOT_FOUND, username=username.encode("unicode_escape").decode()
        )
    user = session.scalar(_BY_USERNAME, {"username": username})
    if user is None:
        raise NotFound(ErrorCode.USER_NOT_FOUND, username=username)
    return user


def check_password(user: User, password: str) -> bool:
    """Whether ``password`` is the password of the account, and the account is active (slow
    on purpose: scrypt, run whether the account is active or not)."""
    right = check_password_hash(user.password_hash, password)
    return right and user.is_active


def check_no_account(password: str) -> bool:
    """Take as long as :func:`check_password` for a username that does not exist (then False),
    so that the time of a refusal does not tell which usernames exist."""
    check_password_hash(_dummy_hash(), password)
    return False


@cache
def _dummy_hash() -> str:
    # Made as set_password makes a real one: the same method and scrypt parameters.
    return generate_password_hash(secrets.token_hex(16))


def user_for_token(session: Session, token: str) -> User | None:
    """The active account whose URL token is ``token``."""
    if not token.isprintable():
        return None
    user = session.scalar(_BY_TOKEN, {"digest": token_digest(token)})
    if user is None or not user.is_active or user.token_hash is None:
        return None
    return user if hmac.compare_digest(user.token_hash, token_digest(token)) else None
