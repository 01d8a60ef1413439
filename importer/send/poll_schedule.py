"""When each row followed by :mod:`importer.send.follow` is next due, timed from the
queue's own delay (the latest metrics' ``MaxDelayInSeconds``), never from a fixed tick:

* a request's **first poll** is due once that delay (plus :data:`SLACK`) has passed since
  it was queued - read when it falls due, so a newer metrics read moves every waiting
  request at once;
* a request still in the queue is polled again after half that delay, then twice as long
  each time, at most :data:`MAX_WAIT` apart;
* a row to **look up** (sent, its RequestID never known) is due once the delay has passed
  since it was sent, plus :data:`SLACK` more - the queue may still hold it - and only by
  metrics read after it was sent (an older read knew nothing of it).

The metrics are read every :data:`METRICS_EVERY` seconds while rows are followed, and
once early after an empty queue was seen (our first requests were not in it yet).

Not thread-safe: the follower holds its lock around every call.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from dataclasses import dataclass

from importer.model import OpportunityRow
from importer.send.async_api import QueueMetrics

MIN_WAIT = 0.5  # seconds; the shortest wait before a poll
SLACK = 0.5  # added to the queue's delay: MaxDelayInSeconds is whole seconds
MAX_WAIT = 300.0  # the longest wait between two polls of one request
METRICS_EVERY = 10.0  # seconds between two metrics reads while rows are followed
METRICS_SOON = 1.0  # after an empty queue was seen and requests were queued since


@dataclass(frozen=True, slots=True)
class Waiting:
    """One row followed: a request to poll, or (``request_id`` None) a row to look up."""

    row: OpportunityRow
    request_id: str | None
    since: float  # our monotonic clock when it was (about) sent
    sent_at: float | None = None  # the server's clock when it was sent, if known
    polls: int = 0  # polls that found it still queued
    failures: int = 0  # polls or look-ups that failed


class Schedule:
    """The rows followed and when each is due; counts of those not settled yet. A row
    already followed is not taken in twice."""

    def __init__(self, metrics: QueueMetrics, now: float = 0.0) -> None:
        self.metrics, self._metrics_at, self._soon = metrics, now, metrics.pending == 0
        self._rows: set[int] = set()  # rows followed, not settled (those being worked on too)
        self.unclear = 0  # of which rows to look up
        self._fresh: deque[Waiting] = deque()  # never polled, in the order they were queued
        self._later: list[tuple[float, int, Waiting]] = []  # (due, tiebreak, row)
        self._order = itertools.count()
        # Rows to look up for the first time, each with its due time when it is forced
        # (None: when the queue's delay has passed). Few: only unclear sends.
        self._settle: list[tuple[float | None, Waiting]] = []

    @property
    def open(self) -> int:
        return len(self._rows)

    def metrics_due(self, now: float, submitted: int) -> bool:
        """Whether the metrics should be read again (``submitted``: requests queued by
        this run so far)."""
        if not self.open:
            return False
        age = now - self._metrics_at
        soon = self._soon and submitted > 0 and age >= METRICS_SOON
        return age >= METRICS_EVERY or soon or any(self._knows_nothing_of(w) for w in self._waits())

    def read(self, metrics: QueueMetrics, asked: float, submitted: int) -> None:
        """Metrics asked for at ``asked``: they know of rows sent before that moment only
        (a row followed while the read was on its way is not in them)."""
        self.metrics, self._metrics_at = metrics, asked
        self._soon = self._soon and metrics.pending == 0 and not submitted

    def first_wait(self) -> float:
        return max(self.metrics.max_delay, MIN_WAIT) + SLACK

    def add(self, waiting: Waiting, due: float | None = None) -> None:
        """Follow a row; ``due`` overrides when a row to look up is first due."""
        if waiting.row.row in self._rows:
            return
        self._rows.add(waiting.row.row)
        if waiting.request_id is None:
            self.unclear += 1
            self._settle.append((due, waiting))
        elif self._fresh and waiting.since < self._fresh[-1].since:  # resumed, out of order
            self.again(waiting, waiting.since + self.first_wait())
        else:
            self._fresh.append(waiting)

    def again(self, waiting: Waiting, due: float) -> None:
        """Due again at ``due`` (a row taken by :meth:`due` and not settled)."""
        heapq.heappush(self._later, (due, next(self._order), waiting))

    def backoff(self, polls: int) -> float:
        """The wait after the ``polls``-th poll found the request still queued."""
        return min(MAX_WAIT, max(MIN_WAIT, self.first_wait() * 2.0 ** (polls - 2)))

    def settled(self, waiting: Waiting) -> None:
        self._rows.discard(waiting.row.row)
        self.unclear -= waiting.request_id is None

    def due(self, now: float, limit: int) -> list[Waiting]:
        """At most ``limit`` rows due by ``now``, taken off the schedule."""
        first = self.first_wait()
        found: list[Waiting] = []
        while self._fresh and len(found) < limit and self._fresh[0].since + first <= now:
            found.append(self._fresh.popleft())
        while self._later and len(found) < limit and self._later[0][0] <= now:
            found.append(heapq.heappop(self._later)[2])
        for item in list(self._settle):
            if len(found) < limit and self._settle_at(*item) <= now:
                self._settle.remove(item)
                found.append(item[1])
        return found

    def next_due(self) -> float:
        """When the next row falls due (inf: none waits)."""
        times = [self._fresh[0].since + self.first_wait()] if self._fresh else []
        times += [self._later[0][0]] if self._later else []
        times += [self._settle_at(*item) for item in self._settle]
        return min(times, default=float("inf"))

    def _settle_at(self, forced: float | None, waiting: Waiting) -> float:
        if forced is not None:
            return forced
        if self._knows_nothing_of(waiting):
            return float("inf")  # until the metrics are read again
        return waiting.since + self.first_wait() + SLACK

    def _waits(self) -> list[Waiting]:
        """Rows to look up whose time depends on the queue's delay."""
        return [w for forced, w in self._settle if forced is None]

    def _knows_nothing_of(self, waiting: Waiting) -> bool:
        return self._metrics_at <= waiting.since
