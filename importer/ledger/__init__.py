"""The account's ledger: one SQLite file per LeadSquared host recording every opportunity
this tool ever sent there, and every run that sent them (promise 2: nothing is created
twice, across runs).

    location  where a host's ledger lives (``--ledger`` / ``LSQ_LEDGER`` override)
    db        the SQLite file: schema, durable transactions, shared by threads
    lock      one import at a time per account
    runs      the runs: identity (continue or start), history
    items     one run's rows and each key's state, claimed one atomic step at a time
    undo      taking a run back: each deletion recorded before and after it is sent
    view      a run's outcomes for the report, read a window at a time
    queued    rows in LeadSquared's async queue: their RequestIDs, the runs still waiting
    counts    a run's rows by state, in one query
    calls     the account's recent calls (a new process respects the last one's)
    codec     rows and problems as stored

Secrets never enter the ledger: it holds the host, never a key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from importer.errors import UsageError
from importer.ledger import calls
from importer.ledger.counts import as_outcomes, outcome_counts
from importer.ledger.db import SCHEMA_VERSION, Database
from importer.ledger.items import LedgerRun, SentRow
from importer.ledger.location import ledger_path
from importer.ledger.lock import account_lock
from importer.ledger.runs import RunInfo, RunSpec, UndoInfo, find, history, running, start
from importer.ledger.undo import LedgerUndo, UndoItem
from importer.ledger.view import RunOutcomes

__all__ = [
    "Ledger",
    "LedgerRun",
    "LedgerUndo",
    "RunInfo",
    "RunOutcomes",
    "RunSpec",
    "SentRow",
    "UndoInfo",
    "UndoItem",
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
            return running(self.db) or "another lsq-import process"

        with account_lock(self.path, wait=wait, holder=holder, say=say):
            yield

    # -- the account's call log (importer.ledger.calls): a new process seeds its rate
    # limiter with it, before any run or undo exists ------------------------------------

    def recent_calls(self, seconds: float) -> list[float]:
        """Wall-clock start times of the account's calls in the last ``seconds``, whoever
        made them: a process started right after another respects its calls."""
        return calls.recent_calls(self.db, seconds)

    def record_call(self, at: float) -> None:
        """Count a call made outside a claim (a read, such as the check before a run)."""
        with self.db.tx() as tx:
            calls.record_call(tx, at)

    def forget_calls_before(self, seconds_ago: float) -> None:
        calls.forget_calls_before(self.db, seconds_ago)

    def start_run(self, spec: RunSpec) -> LedgerRun:
        """The run ``spec`` continues, or a new one (call with :meth:`exclusive` held)."""
        return LedgerRun(self.db, start(self.db, spec), self.host, spec)

    def history(self, limit: int | None = None) -> list[RunInfo]:
        """The runs, newest first; a run that stopped without recording its counts (a
        kill -9) gets them counted from its rows."""
        return [_with_counts(self.db, run) for run in history(self.db, limit)]

    def run_info(self, which: int | str) -> RunInfo:
        """Run ``which`` (its id, or ``"last"``); a UsageError names what is wrong."""
        if which == "last":
            found = self.history(1)
            if not found:
                raise UsageError(f"The ledger {self.path} has no runs yet: nothing to undo.")
            return found[0]
        run = find(self.db, int(which))
        if run is None:
            raise UsageError(
                f"The ledger {self.path} has no run {which}; `lsq-import history` lists them."
            )
        return _with_counts(self.db, run)

    def undo(self, run: RunInfo) -> LedgerUndo:
        """The undo of ``run`` (to delete, call :meth:`exclusive` first)."""
        return LedgerUndo(self.db, run)

    @staticmethod
    def host_of(path: Path) -> str | None:
        """The host a ledger file belongs to, read without changing it; None if unknown."""
        if not path.is_file():
            return None
        try:
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                found = db.execute("SELECT value FROM ledger WHERE name = 'host'").fetchone()
        except sqlite3.Error:
            return None
        return str(found[0]) if found else None

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


def _with_counts(db: Database, run: RunInfo) -> RunInfo:
    if run.counts or run.status == "running":
        return run
    return replace(run, counts={str(k): n for k, n in outcome_counts(db, run.id).items()})


def safe_host(host: str) -> str:
    """The host as scheme://name[:port] - never a user:password@ part or a query string."""
    parts = urlsplit(host if "//" in host else f"//{host}")
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return f"{parts.scheme}://{netloc}" if parts.scheme else netloc
