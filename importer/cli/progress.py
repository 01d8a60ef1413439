"""Progress of an import: a tqdm bar on a terminal, plain periodic lines otherwise.

A log file or CI console gets one line every ``every`` seconds instead of a bar redrawn with
carriage returns, which would turn into thousands of lines there.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from tqdm import tqdm

from importer.model import Outcome

# What the running tally shows: the finished outcomes a sent row can end with.
SHOWN = (
    Outcome.CREATED,
    Outcome.DUPLICATE,
    Outcome.PARTIAL,
    Outcome.FAILED,
    Outcome.NEEDS_REVIEW,
    Outcome.UNDONE,
)


class ProgressReporter:
    """Called by the sender with (rows done so far, counts by journal state)."""

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        quiet: bool = False,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self._stream = stream or sys.stderr
        self._quiet = quiet
        self._every = every
        self._clock = clock
        self._started = clock()
        self._last_line = self._started
        self._bar: tqdm[Any] | None = None
        if not quiet and self._stream.isatty():
            self._bar = tqdm(total=total, unit="row", file=self._stream, dynamic_ncols=True)

    def __call__(self, done: int, counts: Mapping[Outcome, int]) -> None:
        if self._quiet:
            return
        if self._bar is not None:
            self._bar.n = done
            self._bar.set_postfix_str(_tally(counts), refresh=False)
            self._bar.refresh()
            return
        now = self._clock()
        if now - self._last_line >= self._every or done >= self.total:
            self._last_line = now
            print(self.line(done, counts, now), file=self._stream, flush=True)

    def line(self, done: int, counts: Mapping[Outcome, int], now: float) -> str:
        elapsed = max(now - self._started, 1e-9)
        rate = done / elapsed
        left = (self.total - done) / rate if rate > 0 else float("inf")
        eta = f"{left:.0f}s" if left != float("inf") else "?"
        return f"{done}/{self.total} rows sent ({rate:.1f} rows/s, ETA {eta}): {_tally(counts)}"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _tally(counts: Mapping[Outcome, int]) -> str:
    shown = [f"{outcome} {counts[outcome]}" for outcome in SHOWN if counts.get(outcome)]
    return ", ".join(shown) or "nothing yet"
