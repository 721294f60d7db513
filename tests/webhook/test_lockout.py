"""The lock-out: failed attempts per username and address in a sliding window, counted in
the database (``webhook.lockout`` over ``ingest.access.attempts``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.models import PasswordAttempt
from webhook.lockout import LockedOut, SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(app: Flask, clock: Clock) -> Iterator[SignInThrottle]:
    with app.test_request_context():
        yield SignInThrottle(max_failures=5, window=900, clock=clock)


def fail(limiter: SignInThrottle, key: object) -> None:
    limiter.begin(key).failed()  # type: ignore[arg-type]


def test_five_failures__locked_until_the_oldest_leaves_the_window(
    limiter: SignInThrottle, clock: Clock
):
    key = SignInThrottle.key(" Quan.Tri ", "10.0.0.1")
    for _ in range(4):
        fail(limiter, key)
        clock.now += 60
    assert limiter.retry_after(key) == 0
    fail(limiter, key)  # the fifth, 240 s after the first
    assert limiter.retry_after(key) == 900 - 240
    with pytest.raises(LockedOut) as locked:
        limiter.begin(key)
    assert locked.value.retry_after == 900 - 240
    clock.now += 900 - 240  # the first failure leaves the window
    assert limiter.retry_after(key) == 0
    limiter.begin(key).succeeded()


def test_refused_attempts__do_not_extend_the_pause(limiter: SignInThrottle, clock: Clock):
    key = SignInThrottle.key("a", "b")
    for _ in range(5):
        fail(limiter, key)
    for _ in range(10):
        clock.now += 60
        with pytest.raises(LockedOut):
            limiter.begin(key)
    clock.now += 300
    assert limiter.retry_after(key) == 0


def test_key__username_case_and_spaces_do_not_matter_address_does():
    assert SignInThrottle.key("Quan.Tri ", "1.1.1.1") == SignInThrottle.key("quan.tri", "1.1.1.1")
    assert SignInThrottle.key("quan.tri", "1.1.1.1") != SignInThrottle.key("quan.tri", "2.2.2.2")


def test_key__control_characters_counted_escaped(limiter: SignInThrottle):
    """PostgreSQL cannot store a NUL: a username holding one is counted, not a 500."""
    key = SignInThrottle.key("quan\x00tri", "1.1.1.1")
    assert key.username == "quan\\x00tri"
    for _ in range(5):
        fail(limiter, key)
    assert limiter.retry_after(key) > 0


def test_success__clears_the_count(limiter: SignInThrottle):
    key = SignInThrottle.key("a", "b")
    for _ in range(4):
        fail(limiter, key)
    limiter.begin(key).succeeded()
    for _ in range(4):
        fail(limiter, key)
    assert limiter.retry_after(key) == 0


def test_void__no_guess_is_not_counted(limiter: SignInThrottle):
    key = SignInThrottle.key("a", "b")
    for _ in range(10):
        limiter.begin(key).void()
    assert limiter.retry_after(key) == 0


def test_success_with_a_condition_that_fails__only_takes_the_attempt_back(
    limiter: SignInThrottle,
):
    key = SignInThrottle.key("a", "b")
    for _ in range(4):
        fail(limiter, key)
    assert limiter.begin(key).succeeded(lambda _session: False) is False
    fail(limiter, key)  # the fifth: the four before still count
    assert limiter.retry_after(key) > 0


def test_table__holds_one_window_of_attempts(
    limiter: SignInThrottle, clock: Clock, session: Session
):
    for n in range(50):
        fail(limiter, SignInThrottle.key(f"user{n}", "1.1.1.1"))
    clock.now += 901
    fail(limiter, SignInThrottle.key("late", "1.1.1.1"))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PasswordAttempt)) == 1
