"""Progress: a bar on a terminal, plain periodic lines elsewhere, nothing when quiet."""

from __future__ import annotations

import io

from importer.cli.progress import ProgressReporter
from importer.model import Outcome


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_come_every_period_and_at_the_end() -> None:
    out, clock = io.StringIO(), Clock()
    progress = ProgressReporter(100, stream=out, every=10.0, clock=clock)
    clock.now += 2
    progress(10, {Outcome.CREATED: 10})
    progress.show()  # the ticker's call: too soon for a line
    clock.now += 10
    progress(50, {Outcome.CREATED: 45, Outcome.FAILED: 5})
    progress.show()
    clock.now += 1
    progress(100, {Outcome.CREATED: 95, Outcome.FAILED: 5})  # the last row always gets its line
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines == [
        "50/100 rows sent: created 45, failed 5; 4.0 rows/s, ETA 12s",
        "100/100 rows sent: created 95, failed 5; 8.2 rows/s, ETA 0s",
    ]


def test_quiet_prints_nothing() -> None:
    out = Terminal()
    progress = ProgressReporter(10, stream=out, quiet=True)
    progress(10, {Outcome.CREATED: 10})
    progress.close()
    assert out.getvalue() == ""


def test_a_terminal_gets_a_bar_with_the_running_totals() -> None:
    out = Terminal()
    progress = ProgressReporter(20, stream=out)
    progress(5, {Outcome.CREATED: 4, Outcome.NEEDS_REVIEW: 1})
    progress.close()
    text = out.getvalue()
    assert "5/20" in text
    assert "created 4, needs_review 1" in text
    assert "\n" not in text.rstrip("\n")  # redrawn in place, not a line per update
