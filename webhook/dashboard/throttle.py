"""Slowing down password guessing: a lock-out after repeated failed sign-ins.

Failures are counted per (username, client address) over a sliding window: after
``max_failures`` within ``window`` seconds the pair is refused (429) until its oldest failure
leaves the window, even with the right password; a successful sign-in clears the count.

The count lives in this process's memory. That is enough for one district's dashboard, with
two limits: each gunicorn worker counts on its own (``w`` workers allow up to ``w ×
max_failures`` guesses per window), and a restart forgets. A national deployment would keep
the counts in the database or Redis behind the same three methods. Behind a reverse proxy,
the client address is the proxy's unless the app is told to trust ``X-Forwarded-For``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

#: Most (username, address) pairs remembered; beyond it the oldest are forgotten, so that a
#: flood of made-up usernames cannot exhaust memory.
MAX_KEYS = 10_000

Key = tuple[str, str]


class SignInThrottle:
    """Failed sign-ins per (username, address) in a sliding window."""

    def __init__(
        self,
        max_failures: int = 5,
        window: float = 15 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[Key, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, address: str | None) -> Key:
        return (username.strip().casefold(), address or "?")

    def retry_after(self, key: Key) -> float:
        """Seconds until ``key`` may try again (0: it may now)."""
        with self._lock:
            recent = self._recent(key)
            if len(recent) < self.max_failures:
                return 0.0
            return max(recent[0] + self.window - self.clock(), 0.0)

    def failed(self, key: Key) -> None:
        """Count a failed attempt."""
        with self._lock:
            recent = self._recent(key)
            recent.append(self.clock())
            self._failures[key] = recent
            if len(self._failures) > MAX_KEYS:
                self._forget_oldest()

    def succeeded(self, key: Key) -> None:
        """Clear ``key``'s failures."""
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: Key) -> deque[float]:
        recent = self._failures.get(key, deque())
        horizon = self.clock() - self.window
        while recent and recent[0] <= horizon:
            recent.popleft()
        return recent

    def _forget_oldest(self) -> None:
        horizon = self.clock() - self.window
        for key in [k for k, times in self._failures.items() if not times or times[-1] <= horizon]:
            del self._failures[key]
        while len(self._failures) > MAX_KEYS:
            del self._failures[next(iter(self._failures))]
