"""Seeded misbehaviour: which write call fails and how, how long each reply waits, and
the order of Bulk items. One seed gives the same sequence every run, so a failing
import test can be replayed exactly (with one client sending one call at a time)."""

from __future__ import annotations

import random
import threading
from typing import TypeVar

from importer.sandbox.options import SandboxOptions, parse_faults, parse_latency

T = TypeVar("T")

# What each fault does (applied by the server to write endpoints only):
#   500          HTTP 500 with an LSQ error body; nothing written
#   reset        the connection is reset before anything is written
#   ambiguous    the write is applied, then the reply waits `ambiguous_delay` seconds and
#                the connection is dropped: the client cannot know whether it worked
#   surprise429  the rate-limit answer although under the limit (another integration
#                sharing the account); nothing written
#   badjson      the write is applied and the reply is cut short (malformed JSON)
#   partial      Capture only: Status 2, the opportunity created but the activity not posted


class Chaos:
    def __init__(self, options: SandboxOptions) -> None:
        self._faults = parse_faults(options.faults)
        self._latency = parse_latency(options.latency)
        # Separate streams so adding latency does not change which calls fail.
        self._fault_rng = random.Random(f"faults/{options.seed}")
        self._latency_rng = random.Random(f"latency/{options.seed}")
        self._shuffle_rng = random.Random(f"shuffle/{options.seed}")
        self._lock = threading.Lock()

    def draw_fault(self) -> str | None:
        """One draw per write call, whatever the outcome, to keep the sequence fixed."""
        with self._lock:
            roll = self._fault_rng.random()
        for kind, probability in self._faults.items():
            if roll < probability:
                return kind
            roll -= probability
        return None

    def delay(self) -> float:
        if not self._latency.mean_s and not self._latency.jitter_s:
            return 0.0
        with self._lock:
            jitter = self._latency_rng.uniform(-self._latency.jitter_s, self._latency.jitter_s)
        return max(0.0, self._latency.mean_s + jitter)

    def shuffled(self, items: list[T]) -> list[T]:
        with self._lock:
            return self._shuffle_rng.sample(items, len(items))
