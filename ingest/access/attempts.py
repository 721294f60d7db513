"""Password attempts per account and address, counted over a sliding window: the lock-out.

An attempt is admitted (``admit``) before its password is checked: under a lock of the
account and address (PostgreSQL: an advisory lock; SQLite: its one writer at a time), its
wrong passwords within the window and the attempts still being checked are counted, and a
row for this one is added only if together they stay under the limit. So guesses sent in
parallel, to several workers or machines, are counted before any of them is checked, and no
more than ``max_failures`` are ever checked in a window; right passwords sent in parallel
wait their turn for a moment instead. A right password deletes its row and the account's
failures (``succeeded``); a wrong one marks its row (``failed``); one that was no guess (a
stale Digest nonce, a replay) deletes its row (``release``).

Usernames are counted as typed (case-folded), known or not, so that the answer never depends
on whether an account exists. Behind a reverse proxy the address is the proxy's unless the app
is told to trust ``X-Forwarded-For``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, insert, select, text, update
from sqlalchemy.orm import Session

from ingest.db import purge
from ingest.models import PasswordAttempt

USERNAME_LENGTH = 150
ADDRESS_LENGTH = 64
#: An attempt still unresolved after this long was abandoned (its process died): it no
#: longer holds a place.
CHECK_TIMEOUT = timedelta(seconds=30)
#: PostgreSQL advisory locks' namespace for the attempts of one account and address (the
#: log's consumers use 7_510_002).
LOCK_SPACE = 7_510_003


@dataclass(frozen=True, slots=True)
class Account:
    """Who is counted: a username as typed and the address it came from."""

    username: str
    address: str

    @classmethod
    def of(cls, username: str, address: str | None) -> Account:
        """The counted form: case and surrounding spaces of the username do not matter;
        control characters (a NUL, which PostgreSQL cannot store) are written escaped."""
        name = username.strip().casefold()
        if not name.isprintable():
            name = name.encode("unicode_escape").decode("ascii")
        return cls(name[:USERNAME_LENGTH], (address or "?")[:ADDRESS_LENGTH])

    def lock_key(self) -> int:
        digest = hashlib.blake2b(f"{self.username}\0{self.address}".encode(), digest_size=4)
        return int.from_bytes(digest.digest(), "big", signed=True)


@dataclass(frozen=True, slots=True)
class Window:
    """``max_failures`` wrong passwords within ``length``; more wait until the oldest leave."""

    max_failures: int
    length: timedelta


@dataclass(frozen=True, slots=True)
class Admission:
    """The answer of :func:`admit`: ``attempt_id`` to go on; else ``locked_for`` seconds of
    lock-out, or neither (others are being checked: ask again in a moment)."""

    attempt_id: int | None = None
    locked_for: float = 0.0


def _mine(account: Account) -> tuple[ColumnElement[bool], ...]:
    return (PasswordAttempt.username == account.username,
            PasswordAttempt.address == account.address)  # fmt: skip


def failures(session: Session, account: Account, window: Window, now: datetime) -> list[datetime]:
    """When ``account``'s wrong passwords within the window were tried, oldest first."""
    return list(
        session.scalars(
            select(PasswordAttempt.attempted_at)
            .where(
                *_mine(account),
                PasswordAttempt.failed,
                PasswordAttempt.attempted_at > now - window.length,
            )
            .order_by(PasswordAttempt.attempted_at)
        )
    )


def wait(times: list[datetime], window: Window, now: datetime) -> float:
    """Seconds until an account with wrong passwords at ``times`` may try again (0: now)."""
    over = len(times) - window.max_failures
    if over < 0:
        return 0.0
    # Below the limit again once the failure at ``over`` leaves the window.
    return max((times[over] + window.length - now).total_seconds(), 0.0)


def admit(session: Session, account: Account, window: Window, now: datetime) -> Admission:
    """Let one attempt of ``account`` be checked, if its failures and the attempts being
    checked leave room; the caller commits at once (the lock lasts the transaction).

    Attempts that have left the window (anyone's) are deleted on the way, so the table holds
    one window's worth.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"),
                        {"space": LOCK_SPACE, "key": account.lock_key()})  # fmt: skip
    # (SQLite: the caller's transaction began as the one writer, BEGIN IMMEDIATE.)
    purge(session, PasswordAttempt, PasswordAttempt.attempted_at <= now - window.length)
    # One statement, so one snapshot: an attempt marked failed meanwhile is counted once.
    rows = session.execute(
        select(PasswordAttempt.attempted_at, PasswordAttempt.failed)
        .where(*_mine(account), PasswordAttempt.attempted_at > now - window.length)
        .order_by(PasswordAttempt.attempted_at)
    ).all()
    failed = [at for at, wrong in rows if wrong]
    locked_for = wait(failed, window, now)
    if locked_for > 0:
        return Admission(locked_for=locked_for)
    checking = sum(1 for at, wrong in rows if not wrong and at > now - CHECK_TIMEOUT)
    if len(failed) + checking >= window.max_failures:
        return Admission()
    attempt_id = session.scalar(
        insert(PasswordAttempt)
        .values(username=account.username, address=account.address, attempted_at=now, failed=False)
        .returning(PasswordAttempt.id)
    )
    assert attempt_id is not None
    return Admission(attempt_id=attempt_id)


def failed(session: Session, attempt_id: int) -> None:
    """The password of attempt ``attempt_id`` was wrong: it counts until it leaves the window."""
    session.execute(update(PasswordAttempt).where(PasswordAttempt.id == attempt_id)
                    .values(failed=True))  # fmt: skip


def succeeded(session: Session, account: Account, attempt_id: int) -> None:
    """The password proved right: forget the attempt and ``account``'s failures."""
    session.execute(delete(PasswordAttempt).where(PasswordAttempt.id == attempt_id))
    session.execute(delete(PasswordAttempt).where(*_mine(account), PasswordAttempt.failed))


def release(session: Session, attempt_id: int) -> None:
    """Take back an attempt that was no guess."""
    session.execute(delete(PasswordAttempt).where(PasswordAttempt.id == attempt_id))
