"""The loop every sending stage runs: keep up to ``workers`` units of work in flight on a
thread pool, hand each finished one back to the orchestrating thread, and stop cleanly.

The orchestrator (the import's sender, the undo's deleter) says what to do next and what a
finished unit means; this loop only schedules. A set ``stop`` flag submits nothing new and
lets the units in flight finish and be recorded; a first Ctrl-C acts like it (the caller
learns it as :class:`~importer.errors.Interrupted`), a second one stops at once; an error a
unit's result must stop the run with is raised once the units in flight are recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Generic, Protocol, TypeVar

from importer.errors import Interrupted

Unit = TypeVar("Unit")
Result = TypeVar("Result")
U = TypeVar("U", contravariant=True)


class Orchestrator(Protocol, Generic[Unit, Result]):
    def next_unit(self) -> Unit | None:
        """The next unit of work, or None when there is nothing to start now."""

    def work(self, unit: Unit) -> Result:
        """Runs on a worker thread."""

    def finish(self, unit: Unit, future: Future[Result]) -> BaseException | None:
        """Record a finished unit; return an error that must stop the run, if any."""


def run_work(
    orchestrator: Orchestrator[Unit, Result],
    pool: ThreadPoolExecutor,
    workers: int,
    stop: threading.Event,
    interrupted: Callable[[], Interrupted],
) -> None:
    """Run ``orchestrator``'s units until none is left (or ``stop``), then raise the first
    error that must stop the run, if any."""
    running: dict[Future[Result], Unit] = {}
    fatal: BaseException | None = None
    while True:
        while fatal is None and not stop.is_set() and len(running) < workers:
            unit = orchestrator.next_unit()
            if unit is None:
                break
            running[pool.submit(orchestrator.work, unit)] = unit
        if not running:
            break
        try:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
        except KeyboardInterrupt:
            if stop.is_set():
                raise
            stop.set()
            fatal = fatal or interrupted()
            continue
        for future in finished:
            fatal = orchestrator.finish(running.pop(future), future) or fatal
    if fatal is not None:
        raise fatal
