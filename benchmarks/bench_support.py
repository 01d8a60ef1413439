"""What several benchmarks share (no benchmark here): the repository on ``sys.path``, their
common options, the send-phase clock, a sandbox in a child process and peak memory.

Import it before anything from ``importer``: a benchmark runs as a script, so the
repository is not on ``sys.path`` until this module puts it there.
"""

from __future__ import annotations

import argparse
import resource
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from importer.model import Outcome  # noqa: E402
from importer.run import SendPlan  # noqa: E402
from importer.send.sender import Progress  # noqa: E402

MAPPING = ROOT / "mappings" / "opportunities.yaml"
SEED = 2027


def rows_parser(description: str, rows: int) -> argparse.ArgumentParser:
    """A parser with ``--rows`` (default ``rows``) and ``--seed``, for a benchmark to add
    its own options to."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--seed", type=int, default=SEED)
    return parser


class SendClock:
    """Times the send phase through ``run_import``'s progress hook: from its first call
    (the checked rows handed to the sender) to its last (the last outcome committed).
    Prints a line every ``report_every`` seconds, unless that is None."""

    def __init__(self, report_every: float | None = 10.0, window: float = 5.0) -> None:
        self.report_every = report_every
        self.window = window  # the rate limit's, for steady_rows_per_s
        self.started = self.last = self._printed = 0.0
        self.done = 0
        self.first_window: tuple[float, int] = (0.0, 0)  # last outcome in the first window

    def begin(self, plan: SendPlan) -> Progress:
        self.started = self.last = self._printed = time.perf_counter()
        if self.report_every is not None:
            print(f"  sending {plan.rows} rows", flush=True)
        return self.tick

    def tick(self, done: int, counts: Mapping[Outcome, int]) -> None:
        self.last, self.done = time.perf_counter(), done
        if self.last - self.started < self.window:
            self.first_window = (self.last, done)
        if self.report_every is not None and self.last - self._printed >= self.report_every:
            self._printed = self.last
            say_progress(self.last - self.started, done, counts)

    @property
    def seconds(self) -> float:
        return self.last - self.started

    @property
    def steady_rows_per_s(self) -> float:
        """The rate after the first window: its calls all start at once (the limiter owes
        nothing yet), which a short run would otherwise count as speed."""
        at, done = self.first_window
        return (self.done - done) / (self.last - at) if self.last > at else 0.0


def say_progress(elapsed: float, done: int, counts: Mapping[Outcome, int] | None = None) -> None:
    rate = done / elapsed if elapsed > 0 else 0.0
    line = f"  {elapsed:6.1f} s  {done:6d} rows  {rate:6.1f} rows/s"
    describe = getattr(counts, "describe", None)  # the sender's counts say what is waiting
    print(line + (f"; {describe()}" if describe else ""), flush=True)


@contextmanager
def sandbox_process(*options: str) -> Iterator[dict[str, str]]:
    """``lsq-import sandbox --port 0 OPTIONS`` in a child process (so this process's CPU
    time and memory are the client's alone); yields the environment it prints."""
    command = [sys.executable, "-m", "importer", "sandbox", "--port", "0", *options]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        env: dict[str, str] = {}
        while "LSQ_API_KEY" not in env:  # its first lines, once the account is loaded
            line = child.stdout.readline()
            if not line:
                raise SystemExit("the sandbox did not start")
            name, _, value = line.strip().partition("=")
            env[name] = shlex.split(value)[0]
        yield env
    finally:
        child.terminate()
        child.wait(timeout=30)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
