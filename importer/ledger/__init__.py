"""The account's ledger: one SQLite file per LeadSquared host recording every opportunity
this tool ever sent there, and every run that sent them (promise 2: nothing is created
twice, across runs).

    location  where a host's ledger lives (``--ledger`` / ``LSQ_LEDGER`` override)
    db        the SQLite file: schema, durable transactions, shared by threads
    lock      one import at a time per account
    runs      the runs: identity (continue or start), history
    items     one run's rows and each key's state, claimed one atomic step at a time
    view      a run's outcomes for the report, read a window at a time
    codec     rows and problems as stored

Secrets never enter the ledger: it holds the host, never a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from importer.errors import UsageError
from importer.ledger.db import SCHEMA_VERSION, Database
from importer.ledger.items import LedgerRun, SentRow, as_outcomes
from importer.ledger.location import ledger_path
from importer.ledger.lock import account_lock
from importer.ledger.runs import RunInfo, RunSpec, history, running, start
from importer.ledger.view import RunOutcomes

__all__ = [
    "Ledger",
    "LedgerRun",
    "RunInfo",
    "RunOutcomes",
    "RunSpec",
    "SentRow",
    "as_outcomes",
    "ledger_path",
]


class Ledger:
    """One account's ledger. Open with :meth:`open`; use as a context manager."""

    def __init__(self, db: Database, host: str) -> None:
        self.db = db
        self.host = host
        self.path = db.path

    @classmethod
    def open(cls, path: Path, host: str) -> Ledger:
        """Open (or create) the ledger at ``path`` for ``host``; a ledger of another
        account is refused rather than mixed."""
        host = safe_host(host)
        if path.exists() and not path.is_file():
            raise UsageError(f"The ledger {path} is not a file; choose one with --ledger.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise UsageError(f"Cannot create the ledger's folder {path.parent}: {reason}") from None
        ledger = cls(Database(path), host)
        ledger._claim(host)
        return ledger

    def _claim(self, host: str) -> None:
        with self.db.tx() as tx:
            tx.execute("INSERT OR IGNORE INTO ledger VALUES ('host', ?)", (host,))
            tx.execute("INSERT OR IGNORE INTO ledger VALUES ('version', ?)", (SCHEMA_VERSION,))
        found = self.db.one("SELECT value FROM ledger WHERE name = 'host'")
        if found is not None and found[0] != host:
            self.close()
            raise UsageError(
                f"The ledger {self.path} belongs to {found[0]}, not {host}; each account "
                "has its own ledger (leave --ledger out, or choose another file)."
            )

    @contextmanager
    def exclusive(self, *, wait: bool, say: Callable[[str], None] | None = None) -> Iterator[None]:
        """One import at a time into this account (see :mod:`importer.ledger.lock`)."""

        def holder() -> str:
            found = running(self.db)
            return found.describe() if found else "another lsq-import process"

        with account_lock(self.path, wait=wait, holder=holder, say=say):
            yield

    def start_run(self, spec: RunSpec) -> LedgerRun:
        """The run ``spec`` continues, or a new one (call with :meth:`exclusive` held)."""
        return LedgerRun(self.db, start(self.db, spec), self.host, spec)

    def history(self, limit: int | None = None) -> list[RunInfo]:
        return history(self.db, limit)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def safe_host(host: str) -> str:
    """The host as scheme://name[:port] - never a user:password@ part or a query string."""
    parts = urlsplit(host if "//" in host else f"//{host}")
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return f"{parts.scheme}://{netloc}" if parts.scheme else netloc
