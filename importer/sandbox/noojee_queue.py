"""Noojee's queue of insert/update requests: at most ``slots`` are processed at once, the
others wait; one that waits longer than ``queue_s`` answers 109
TIMEOUT_TOO_MANY_CONCURRENT_REQUESTS without being applied (the real server waits up to
60 seconds, which is why a client's timeout must be longer than that)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from importer.sandbox import noojee_codes as codes
from importer.sandbox.noojee_codes import NoojeeRefusal


class Queue:
    def __init__(self, slots: int, queue_s: float) -> None:
        self.slots = slots
        self.queue_s = queue_s
        self._free = threading.BoundedSemaphore(slots)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a processing slot; NoojeeRefusal(109) when none frees up in time."""
        if not self._free.acquire(timeout=self.queue_s):
            raise NoojeeRefusal(codes.TOO_MANY_CONCURRENT)
        try:
            yield
        finally:
            self._free.release()
