"""Seeded misbehaviour: which call fails and how, how long each reply waits, how long an
async request stays queued, and the order of Bulk items. One seed gives the same sequence
every run, so a failing import test can be replayed exactly (with one client sending one
call at a time).

What each fault does (``--faults kind:p,...``; p is the chance per call of the kind's group):

write calls (Bulk, Capture, Delete, async Capture) — one draw per call:
  500            HTTP 500 with an LSQ error body; nothing written
  reset          the connection is reset before anything is written
  ambiguous      the write is applied, then the reply waits ``ambiguous_delay`` seconds and
                 the connection is dropped: the client cannot know whether it worked
  surprise429    the rate-limit answer although under the limit (another integration
                 sharing the account); nothing written
  badjson        the write is applied and the reply is cut short (malformed JSON)
  partial        Capture only: Status 2, the opportunity created but the activity not posted
  applied500     the write is applied, then HTTP 500 or 502 (a seeded choice) with the same
                 error body as ``500``: the body cannot tell the two apart
  applied-reset  the write is applied, then the connection is reset at once, no reply
  (A request the endpoint refuses as a whole gets its refusal: there was nothing to apply.)

async status calls (``/opportunity/status``; reads, so nothing is applied either way):
  status500      HTTP 500 with the same error body
  status_reset   the connection is reset, no reply

queued async requests — one draw when a request leaves the queue:
  async_error    the request ends ``ERROR`` ("failed after internal retries"); nothing is
                 written, as when LeadSquared gives up on a system error

Every injected fault counts under ``faults_injected`` in the stats, by kind.
"""

from __future__ import annotations

import random
import threading
from typing import TypeVar

from importer.sandbox.options import (
    FAULT_GROUPS,
    FaultGroup,
    SandboxOptions,
    faults_of,
    parse_async_delay,
    parse_faults,
    parse_latency,
)

T = TypeVar("T")

APPLIED_STATUSES = (500, 502)
# Stream -> the tag its generator is seeded with ("faults" for writes, as before the
# other groups existed, so old seeds replay the same write faults).
_STREAMS = {
    "write": "faults",
    "status": "status-faults",
    "job": "job-faults",
    "applied": "applied",
    "latency": "latency",
    "queue": "queue",
    "shuffle": "shuffle",
}


class Chaos:
    def __init__(self, options: SandboxOptions) -> None:
        faults = parse_faults(options.faults)
        self._groups = {group: faults_of(group, faults) for group in FAULT_GROUPS}
        self._latency = parse_latency(options.latency)
        self._queue_delay = parse_async_delay(options.async_delay)
        # Separate streams so adding latency (or a fault of another group) does not change
        # which calls fail.
        self._rngs = {
            stream: random.Random(f"{tag}/{options.seed}") for stream, tag in _STREAMS.items()
        }
        self._lock = threading.Lock()

    def _random(self, stream: str) -> float:
        with self._lock:
            return self._rngs[stream].random()

    def draw_fault(self, group: FaultGroup = "write") -> str | None:
        """One draw per call of the group, whatever the outcome, to keep the sequence fixed."""
        roll = self._random(group)
        for kind, probability in self._groups[group].items():
            if roll < probability:
                return kind
            roll -= probability
        return None

    def applied_status(self) -> int:
        """500 or 502 for an ``applied500`` fault."""
        return APPLIED_STATUSES[int(self._random("applied") * len(APPLIED_STATUSES))]

    def delay(self) -> float:
        return self._spread(self._latency.mean_s, self._latency.jitter_s, "latency")

    def queue_delay(self) -> float:
        """How long one async request stays queued."""
        return self._spread(self._queue_delay.mean_s, self._queue_delay.jitter_s, "queue")

    def _spread(self, mean: float, jitter: float, stream: str) -> float:
        if not mean and not jitter:
            return 0.0
        with self._lock:
            offset = self._rngs[stream].uniform(-jitter, jitter)
        return max(0.0, mean + offset)

    def shuffled(self, items: list[T]) -> list[T]:
        with self._lock:
            return self._rngs["shuffle"].sample(items, len(items))
