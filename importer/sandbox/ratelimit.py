"""LeadSquared's rate limit: N calls in a sliding window, for the whole account."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from importer.sandbox.options import Rate


class SlidingWindow:
    """Admits a call when fewer than ``rate.calls`` were admitted in the last window.

    Refused calls do not use up the allowance (a client that waits gets in again once
    the window slides), but every attempt counts towards ``max_seen`` so a test can prove
    the importer never even tried to cross the limit.
    """

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._lock = threading.Lock()
        self._admitted: deque[float] = deque()
        self._attempts: deque[float] = deque()
        self.max_seen = 0

    def admit(self) -> bool:
        with self._lock:
            now = self._clock()
            self._slide(self._admitted, now)
            self._slide(self._attempts, now)
            self._attempts.append(now)
            self.max_seen = max(self.max_seen, len(self._attempts))
            if len(self._admitted) >= self.rate.calls:
                return False
            self._admitted.append(now)
            return True

    def _slide(self, stamps: deque[float], now: float) -> None:
        while stamps and stamps[0] <= now - self.rate.window_s:
            stamps.popleft()

    def message(self) -> str:
        window = self.rate.window_s
        shown = int(window) if window == int(window) else window
        return f"API calls exceeded the limit of {self.rate.calls} in {shown} second(s)"
