"""Counters behind the ``noojee`` key of ``GET /_sandbox/stats``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from importer.sandbox.stats import Stats


class NoojeeStats(Stats):
    """The LeadSquared sandbox's counters, plus reply codes and requests in flight."""

    events = (
        "http_401",
        "leads_created",  # inserts applied
        "leads_updated",  # leads changed by updates applied
        "duplicates_created",  # inserted while the number or external id was there (must be 0)
        "duplicates_blocked",  # leads answered 105 or 112
        "resends_of_conflicted",  # leads sent again after a reply pinned a 110 on them (must be 0)
    )

    def clear(self) -> None:
        super().clear()
        with self._lock:
            self._codes: Counter[str] = Counter()
            self._in_flight = 0
            self._max_in_flight = 0

    def code(self, code: int) -> None:
        self._add(self._codes, str(code))

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

    def more_counts(self) -> dict[str, Any]:
        return {
            "codes": dict(self._codes),
            "in_flight": self._in_flight,
            "max_in_flight": self._max_in_flight,
        }
