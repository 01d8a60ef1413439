"""The account's rate limit, kept on our side so LeadSquared never has to say 429.

LeadSquared counts API calls per account in a window ("25 in 5 second(s)" by default;
lower on some plans and for bulk calls). :class:`RateLimiter` remembers when the last
``calls`` requests started and lets a new one start only when fewer than ``calls`` started
within the last ``seconds + margin``. The margin is slack for the jitter between our clock
and the moment the server counts the call; 0.15 s on a 5 s window costs 3 % of throughput.

When the server still says the limit was exceeded (another program shares the account,
or the plan's limit is lower than configured), :meth:`RateLimiter.throttled` pauses every
caller for one full window, so the server's count drains, and lowers the effective rate by
a fifth; each quiet window afterwards gives one call back until the configured rate is
reached again.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from importer.send.activity import Activity
from importer.settings import Rate

_EPS = 1e-9  # seconds: below any clock's resolution, above float rounding
_BACKOFF = 0.8  # after a throttle, keep this fraction of the effective calls per window


class RateLimiter:
    """Thread-safe sliding window over the start times of the last ``rate.calls`` calls."""

    def __init__(
        self,
        rate: Rate,
        margin: float = 0.15,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        activity: Activity | None = None,
    ) -> None:
        self.rate = rate
        self.activity = activity or Activity()
        self.window = rate.seconds + margin
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._starts: deque[float] = deque(maxlen=rate.calls)
        self._allowed = rate.calls  # lowered by throttled(), recovers one call per window
        self._changed = -math.inf  # when _allowed last changed
        self._paused_until = -math.inf
        self.max_in_window = 0  # most starts seen in any rate.seconds window (for tests)
        self.throttle_count = 0

    @property
    def allowed(self) -> int:
        """Calls currently allowed per window (below ``rate.calls`` after a throttle)."""
        with self._lock:
            self._recover(self._clock())
            return self._allowed

    def acquire(self) -> None:
        """Block until a call may start, then count it as started."""
        while True:
            with self._lock:
                wait = self._try_start(self._clock())
            if wait <= 0:
                return
            with self.activity.doing("waiting"):
                self._sleep(wait)

    def seed(self, wall_times: Iterable[float]) -> None:
        """Count calls made before this limiter existed (``time.time()`` values, e.g. by a
        run that was killed a moment ago), so a resumed run does not burst past the limit."""
        now_wall, now = time.time(), self._clock()
        with self._lock:
            earlier = sorted(now - (now_wall - at) for at in wall_times if at > now_wall - 3600)
            for start in earlier[-self.rate.calls :]:
                self._starts.append(start)

    def throttled(self) -> None:
        """The server said the limit was exceeded: pause all callers and slow down.

        Many workers see the same burst of 429s; only the first one outside a pause
        lowers the rate (the others were sent before it), so a storm does not collapse
        the rate to one call. Recovery starts when the pause ends.
        """
        with self._lock:
            now = self._clock()
            self.throttle_count += 1
            if now >= self._paused_until:
                self._allowed = max(1, math.floor(self._allowed * _BACKOFF))
            self._paused_until = max(self._paused_until, now + self.window)
            self._changed = self._paused_until

    def _try_start(self, now: float) -> float:
        """Record a start at ``now`` and return 0, or return how long to wait first."""
        if now < self._paused_until:
            return self._paused_until - now
        self._recover(now)
        while self._starts and self._starts[0] <= now - self.window:
            self._starts.popleft()
        if len(self._starts) >= self._allowed:
            oldest = self._starts[len(self._starts) - self._allowed]
            return max(oldest + self.window - now, 1e-6)
        self._starts.append(now)
        # Float noise aside (_EPS), two starts exactly one window apart are in two windows.
        recent = sum(1 for t in self._starts if t > now - self.rate.seconds + _EPS)
        self.max_in_window = max(self.max_in_window, recent)
        return 0.0

    def _recover(self, now: float) -> None:
        """Give back one call per full quiet window since the last change."""
        if self._allowed >= self.rate.calls:
            return
        windows = math.floor((now - self._changed) / self.window)
        if windows > 0:
            self._allowed = min(self.rate.calls, self._allowed + windows)
            self._changed += windows * self.window
