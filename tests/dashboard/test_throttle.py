"""The failed sign-in counter (a sliding window per username and address)."""

from __future__ import annotations

from webhook.dashboard import throttle
from webhook.dashboard.throttle import SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures__locked_until_the_oldest_leaves_the_window():
    clock = Clock()
    limiter = SignInThrottle(max_failures=5, window=900, clock=clock)
    key = SignInThrottle.key(" Quan.Tri ", "10.0.0.1")
    for _ in range(4):
        limiter.failed(key)
        clock.now += 60
    assert limiter.retry_after(key) == 0
    limiter.failed(key)  # the fifth, at 1240
    assert limiter.retry_after(key) == 1000 + 900 - clock.now
    clock.now = 1000 + 900  # the first failure leaves the window
    assert limiter.retry_after(key) == 0


def test_key__username_case_and_spaces_do_not_matter_address_does():
    assert SignInThrottle.key("Quan.Tri ", "1.1.1.1") == SignInThrottle.key("quan.tri", "1.1.1.1")
    assert SignInThrottle.key("quan.tri", "1.1.1.1") != SignInThrottle.key("quan.tri", "2.2.2.2")


def test_success__clears_the_count():
    limiter = SignInThrottle(max_failures=2, window=900, clock=Clock())
    key = SignInThrottle.key("a", "b")
    limiter.failed(key)
    limiter.succeeded(key)
    limiter.failed(key)
    assert limiter.retry_after(key) == 0


def test_memory__bounded(monkeypatch):
    monkeypatch.setattr(throttle, "MAX_KEYS", 10)
    limiter = SignInThrottle(clock=Clock())
    for n in range(50):
        limiter.failed(SignInThrottle.key(f"user{n}", "1.1.1.1"))
    assert len(limiter._failures) <= 10
