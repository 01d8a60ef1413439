"""Progress of an import: a tqdm bar on a terminal, plain periodic lines otherwise.

Both tick by themselves every second (a quiet minute of waiting must not look like a hang),
count rows as they finish, say what the send stage is doing (waiting for the rate limit,
retrying, checking unclear rows), and measure speed only after the first window of the
rate limit: its calls all go at once, so counting them would promise a speed the limit
never allows. A log file or CI console gets one line every ``every`` seconds instead of a
bar redrawn with carriage returns.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TextIO

from tqdm import tqdm

from importer.cli.console import print_notes, print_plan
from importer.model import Outcome
from importer.send.activity import Activity
from importer.send.queue_tally import QueueTally

if TYPE_CHECKING:
    from importer.run import SendPlan

# What the running tally shows: the finished outcomes a sent row can end with.
SHOWN = (
    Outcome.CREATED,
    Outcome.DUPLICATE,
    Outcome.PARTIAL,
    Outcome.FAILED,
    Outcome.NEEDS_REVIEW,
    Outcome.UNDONE,
)
TICK_S = 1.0


class ProgressReporter:
    """Called by the sender with (rows done so far, counts by outcome); ticks by itself."""

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        quiet: bool = False,
        every: float = 10.0,
        window: float = 0.0,
        activity: Activity | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self._stream = stream or sys.stderr
        self._quiet = quiet
        self._every = every
        self._window = window  # the rate limit's window: speed is measured after it
        self._activity = activity or Activity()
        self._clock = clock
        self._started = clock()
        self._last_line = self._started
        self._done = 0
        self._counts: Mapping[Outcome, int] = {}
        self._mark: tuple[float, int] | None = None  # (time, done) when the window ended
        self._lock = threading.Lock()
        self._bar: tqdm[Any] | None = None
        self._ticker: threading.Thread | None = None
        self._stopped = threading.Event()
        if not quiet and self._stream.isatty():
            # A terminal that reports no size (some CI and container ttys) would get a bar
            # zero characters wide that tqdm also hides as "below the screen", so the size
            # comes from COLUMNS/LINES or a sane default then.
            size = shutil.get_terminal_size((100, 24))
            self._bar = tqdm(
                total=total,
                unit="row",
                file=self._stream,
                ncols=size.columns or 100,
                nrows=size.lines or 24,
                # tqdm's own rate and ETA count the first window's burst: ours do not.
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}{postfix}]",
            )
        if not quiet:
            self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._ticker.start()

    def __call__(self, done: int, counts: Mapping[Outcome, int]) -> None:
        # A copy: the sender goes on changing its tally while the ticker reads this one.
        kept = counts if isinstance(counts, QueueTally) else dict(counts)
        with self._lock:
            self._done, self._counts = done, kept
        if done >= self.total:
            self.show(force=True)

    def _tick(self) -> None:
        while not self._stopped.wait(TICK_S):
            self.show()

    def show(self, force: bool = False) -> None:
        """Redraw the bar, or print a line when one is due (``force``: now)."""
        if self._quiet:
            return
        now = self._clock()
        with self._lock:
            done, counts = self._done, self._counts
            self._note_window(now, done)
        if self._bar is not None:
            self._bar.n = done
            self._bar.set_postfix_str(self.status(done, counts, now), refresh=False)
            self._bar.refresh()
        elif force or now - self._last_line >= self._every:
            self._last_line = now
            print(self.line(done, counts, now), file=self._stream, flush=True)

    def _note_window(self, now: float, done: int) -> None:
        if self._mark is None and now - self._started >= self._window:
            self._mark = (now, done)

    def speed(self, done: int, now: float) -> float | None:
        """Rows per second since the first window ended; None until it can be told."""
        if self._mark is None or now - self._mark[0] < 1.0:
            return None
        since, then = self._mark
        return (done - then) / (now - since)

    def status(self, done: int, counts: Mapping[Outcome, int], now: float) -> str:
        speed = self.speed(done, now)
        parts = [_tally(counts)]
        if speed is not None and speed > 0:
            left = max(0, self.total - done)
            parts.append(f"{speed:.1f} rows/s, ETA {left / speed:.0f}s")
        doing = self._activity.describe()
        if doing:
            parts.append(doing)
        return "; ".join(parts)

    def line(self, done: int, counts: Mapping[Outcome, int], now: float) -> str:
        with self._lock:
            self._note_window(now, done)
        return f"{done}/{self.total} rows sent: {self.status(done, counts, now)}"

    def close(self) -> None:
        """Stop ticking; a bar is drawn once more as it ends."""
        self._stopped.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        if self._bar is not None:
            self.show()
            self._bar.close()


class Displays:
    """The progress displays of the sends one command starts (`status` may start several):
    each one's plan is told first, then its display runs until the command ends."""

    def __init__(self, *, quiet: bool, tell_plan: bool) -> None:
        self._quiet, self._tell_plan = quiet, tell_plan
        self._shown: list[ProgressReporter] = []

    def __call__(self, plan: SendPlan) -> ProgressReporter:
        if self._tell_plan:
            print_notes(plan.notes)
            if not self._quiet:
                print_plan(plan)
        shown = ProgressReporter(
            plan.total,
            quiet=self._quiet,
            window=plan.rate.seconds,
            activity=plan.activity,
        )
        self._shown.append(shown)
        return shown

    def __enter__(self) -> Displays:
        return self

    def __exit__(self, *exc: object) -> None:
        for shown in self._shown:
            shown.close()


def _tally(counts: Mapping[Outcome, int]) -> str:
    shown = [f"{outcome} {counts[outcome]}" for outcome in SHOWN if counts.get(outcome)]
    text = ", ".join(shown) or "nothing yet"
    # Target async: submitted / queued, and LeadSquared's queue (importer.send.follow).
    return f"{text}; {counts.describe()}" if isinstance(counts, QueueTally) else text
