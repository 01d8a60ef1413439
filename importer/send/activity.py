"""What the send stage is doing right now, for the progress display: how many requests wait
for the rate limit, how many wait to be tried again, how many rows wait to be looked up.

The counters are written by the workers and the orchestrator and read by the display's own
thread, so every change and every read takes one small lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

Doing = Literal["waiting", "retrying"]


class Activity:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._doing: dict[Doing, int] = {"waiting": 0, "retrying": 0}
        self._checking = 0

    @contextmanager
    def doing(self, what: Doing) -> Iterator[None]:
        """Count one request as ``what`` for the length of the block."""
        with self._lock:
            self._doing[what] += 1
        try:
            yield
        finally:
            with self._lock:
                self._doing[what] -= 1

    def checking(self, rows: int) -> None:
        """``rows`` rows now wait for a look-up before anything is resent."""
        with self._lock:
            self._checking = rows

    def describe(self) -> str:
        """ "checking 3 unclear rows, waiting for the rate limit", or "" when just sending."""
        with self._lock:
            said = [f"checking {self._checking} unclear rows"] if self._checking else []
            if self._doing["retrying"]:
                said.append("retrying")
            if self._doing["waiting"]:
                said.append("waiting for the rate limit")
        return ", ".join(said)
