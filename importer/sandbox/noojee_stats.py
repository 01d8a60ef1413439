"""Counters behind the ``noojee`` key of ``GET /_sandbox/stats``."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Events counted (besides calls, reply codes and faults):
EVENTS = (
    "http_401",
    "leads_created",  # inserts applied
    "leads_updated",  # leads changed by updates applied
    "duplicates_created",  # inserted while the number or external id was there (must be 0)
    "duplicates_blocked",  # leads answered 105 or 112
    "resends_of_conflicted",  # leads sent again after a reply pinned a 110 on them (must be 0)
)


class NoojeeStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._calls: Counter[str] = Counter()
            self._codes: Counter[str] = Counter()
            self._faults: Counter[str] = Counter()
            self._events: Counter[str] = Counter()
            self._in_flight = 0
            self._max_in_flight = 0

    def call(self, endpoint: str) -> None:
        self._add(self._calls, endpoint)

    def code(self, code: int) -> None:
        self._add(self._codes, str(code))

    def fault(self, kind: str) -> None:
        self._add(self._faults, kind)

    def event(self, name: str, times: int = 1) -> None:
        self._add(self._events, name, times)

    def _add(self, counter: Counter[str], key: str, times: int = 1) -> None:
        if times:
            with self._lock:
                counter[key] += times

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """A request from its arrival (queued or processed) until its reply."""
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(self._calls),
                "calls_total": sum(self._calls.values()),
                "codes": dict(self._codes),
                **{name: self._events[name] for name in EVENTS},
                "in_flight": self._in_flight,
                "max_in_flight": self._max_in_flight,
                "faults_injected": dict(self._faults),
            }
