"""What the progress of target ``async`` shows: rows by state, plus how many were handed to
LeadSquared's queue and how long that queue is (its metrics)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from importer.model import Outcome


@dataclass(frozen=True)
class QueueTally(Mapping[Outcome, int]):
    """Rows by state (a mapping, like every progress tally), and the queue beside them."""

    counts: Mapping[Outcome, int]
    submitted: int  # rows handed to the queue by this invocation
    server_pending: int | None = None  # PendingMessages of the latest metrics
    server_delay: float | None = None  # MaxDelayInSeconds of the latest metrics

    def __getitem__(self, outcome: Outcome) -> int:
        return self.counts[outcome]

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.counts)

    def __len__(self) -> int:
        return len(self.counts)

    def describe(self) -> str:
        """ "submitted 120, queued 35; LeadSquared's queue: 40 waiting, up to 3 s"."""
        text = f"submitted {self.submitted}, queued {self.counts.get(Outcome.QUEUED, 0)}"
        if self.server_pending is not None:
            delay = f", up to {self.server_delay:g} s" if self.server_delay else ""
            text += f"; LeadSquared's queue: {self.server_pending} waiting{delay}"
        return text
