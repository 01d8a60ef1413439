"""Counters behind ``GET /_sandbox/stats``: what the importer did to the account."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
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

    def event(self, name: str) -> None:
        """http_429, http_401, duplicates_created, duplicates_blocked, ..."""
        self._add(self._events, name)

    def _add(self, counter: Counter[str], key: str) -> None:
        with self._lock:
            counter[key] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(self._calls),
                "calls_total": sum(self._calls.values()),
                "http_429": self._events["http_429"],
                "http_401": self._events["http_401"],
                "http_413": self._events["http_413"],
                "duplicates_created": self._events["duplicates_created"],
                "duplicates_blocked": self._events["duplicates_blocked"],
                "faults_injected": dict(self._faults),
            }
