"""Slowing down password guessing: a lock-out after repeated wrong passwords, in the sign-in
form and over HTTP Basic and Digest alike.

Attempts are counted per (username, client address) over a sliding window, in the database
(``ingest.access.attempts``), so that every worker and machine counts the same: after
``max_failures`` wrong passwords within ``window`` seconds the pair is refused (429) until the
oldest leaves the window, even with the right password. Each attempt is admitted before its
password is checked, so guesses sent in parallel cannot slip through between a check and a
count; a right password clears the count.

Behind a reverse proxy, the client address is the proxy's unless the app is told to trust
``X-Forwarded-For``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from sqlalchemy.orm import Session

from ingest.access import attempts
from webhook.database import commit_now, get_session

log = logging.getLogger(__name__)

Key = attempts.Account
#: How long an attempt waits while the account's other attempts are being checked (right
#: passwords sent in parallel take turns; scrypt takes tens of milliseconds each).
TURN_WAIT_SECONDS = 10.0
TURN_POLL_SECONDS = 0.02


class LockedOut(Exception):
    """Too many wrong passwords: ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"locked out for {retry_after:.0f} s")
        self.retry_after = retry_after


@dataclass(slots=True)
class Attempt:
    """One password being checked, admitted by the lock-out; end it with one of the three
    methods."""

    throttle: SignInThrottle
    key: Key
    attempt_id: int

    def failed(self) -> None:
        """The password was wrong: the attempt counts until it leaves the window."""
        commit_now(lambda session: attempts.failed(session, self.attempt_id))
        if self.throttle.retry_after(self.key) > 0:
            log.warning(
                "lock-out: %d wrong passwords for %r from %s; paused for up to %d minutes",
                self.throttle.max_failures, self.key.username, self.key.address,
                self.throttle.window // 60,
            )  # fmt: skip

    def succeeded(self, also: Callable[[Session], bool] | None = None) -> bool:
        """The password was right: clear the account's failures. ``also`` runs in the same
        transaction; if it returns False (e.g. a Digest nonce count already used), only
        this attempt is taken back and False is returned."""

        def work(session: Session) -> bool:
            ok = also(session) if also is not None else True
            if ok:
                attempts.succeeded(session, self.key, self.attempt_id)
            else:
                attempts.release(session, self.attempt_id)
            return ok

        return commit_now(work)

    def void(self) -> None:
        """It was no guess (a stale Digest nonce, a response for another URI): take it back."""
        commit_now(lambda session: attempts.release(session, self.attempt_id))


class SignInThrottle:
    """Wrong passwords per (username, address) in a sliding window, counted in the database."""

    def __init__(
        self, max_failures: int = 5, window: float = 15 * 60, clock: Callable[[], float] = time.time
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        #: Wall-clock seconds (every machine must agree on them); tests move it.
        self.clock = clock

    @staticmethod
    def key(username: str, address: str | None) -> Key:
        return attempts.Account.of(username, address)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _window(self) -> attempts.Window:
        return attempts.Window(self.max_failures, timedelta(seconds=self.window))

    def retry_after(self, key: Key) -> float:
        """Seconds until ``key`` may try again (0: it may now)."""
        now, window = self._now(), self._window()
        return attempts.wait(attempts.failures(get_session(), key, window, now), window, now)

    def begin(self, key: Key) -> Attempt:
        """Admit an attempt for ``key`` before its password is checked; ``LockedOut`` if
        ``key`` has had too many wrong passwords."""
        wait = self.retry_after(key)  # a read: a locked-out guesser costs no write
        if wait > 0:
            raise LockedOut(wait)
        deadline = time.monotonic() + TURN_WAIT_SECONDS
        window = self._window()

        def admit(session: Session) -> attempts.Admission:
            return attempts.admit(session, key, window, self._now())

        while True:
            admission = commit_now(admit)
            if admission.attempt_id is not None:
                return Attempt(self, key, admission.attempt_id)
            if admission.locked_for > 0:
                raise LockedOut(admission.locked_for)
            if time.monotonic() > deadline:  # the others never ended: their process died
                raise LockedOut(1.0)
            time.sleep(TURN_POLL_SECONDS)


def init_app(app: Flask) -> None:
    """The lock-out of ``app`` (``VSSID_SIGN_IN_MAX_FAILURES`` in
    ``VSSID_SIGN_IN_WINDOW_MINUTES``)."""
    app.extensions["vssid.signin_throttle"] = SignInThrottle(
        max_failures=int(app.config["SIGN_IN_MAX_FAILURES"]),
        window=float(app.config["SIGN_IN_WINDOW_MINUTES"]) * 60,
    )


def current() -> SignInThrottle:
    """The app's lock-out."""
    throttle: SignInThrottle = current_app.extensions["vssid.signin_throttle"]
    return throttle
