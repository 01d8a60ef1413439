"""Counters behind ``GET /_sandbox/stats``: what the importer did to the account."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    """Calls per endpoint, faults injected and the named ``events``; thread-safe."""

    # Events counted (besides calls and faults), each shown even when it never happened.
    events: tuple[str, ...] = (
        "http_429",
        "http_401",
        "http_413",
        "duplicates_created",
        "duplicates_blocked",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._calls: Counter[str] = Counter()
            self._faults: Counter[str] = Counter()
            self._events: Counter[str] = Counter()

    def call(self, endpoint: str) -> None:
        self._add(self._calls, endpoint)

    def fault(self, kind: str) -> None:
        self._add(self._faults, kind)

    def event(self, name: str, times: int = 1) -> None:
        """http_429, http_401, duplicates_created, duplicates_blocked, ..."""
        self._add(self._events, name, times)

    def _add(self, counter: Counter[str], key: str, times: int = 1) -> None:
        if times:
            with self._lock:
                counter[key] += times

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(self._calls),
                "calls_total": sum(self._calls.values()),
                **{name: self._events[name] for name in self.events},
                **self.more_counts(),
                "faults_injected": dict(self._faults),
            }

    def more_counts(self) -> dict[str, Any]:
        """What a subclass counts besides; called with the lock held."""
        return {}
