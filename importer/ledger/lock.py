"""One import (or undo) at a time per account: an exclusive lock on a file beside the ledger.

The operating system releases the lock when the process ends, however it ends (a kill -9
included), so a crashed run never blocks the next one. While it is held, a second import
into the same account stops at once with exit 2 and names the running one — or, asked to
wait, waits for it.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from importer.errors import UsageError

WAIT_POLL_S = 0.5


@contextmanager
def account_lock(
    ledger: Path,
    *,
    wait: bool,
    holder: Callable[[], str],
    say: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the account's lock for the block. ``holder()`` describes the run that holds
    it (for the message); ``say`` is told once when waiting starts."""
    path = ledger.with_name(ledger.name + ".lock")
    handle = _open(path)
    try:
        told = False
        while not _try_lock(handle):
            if not wait:
                raise UsageError(
                    f"Another lsq-import is sending to this account: {holder()}. Wait for it "
                    "to finish, or run again with --wait to start when it does."
                )
            if say is not None and not told:
                say(f"Waiting for another lsq-import sending to this account: {holder()}...")
                told = True
            time.sleep(WAIT_POLL_S)
        yield
    finally:
        handle.close()  # closing the descriptor releases the lock


def _open(path: Path) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b")


def _try_lock(handle: IO[bytes]) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
