"""Ctrl-C during an import: the first one finishes what is in flight and stops (the run
resumes later), a second one stops at once."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def stop_on_ctrl_c(stop: threading.Event, say: Callable[[str], None]) -> Iterator[None]:
    """First Ctrl-C: set ``stop`` and say so. A second one raises KeyboardInterrupt."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        say("Stopping: finishing the requests in flight (Ctrl-C again to stop at once)...")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
