"""The ledger's SQLite file: schema, durable transactions, one connection shared by threads.

Every commit is durable before the next request goes out (WAL + ``synchronous=FULL``): a
row is committed ``in_flight`` before its request is sent and with its outcome after, so a
crash, a kill -9 or a power cut never leaves a sent row unrecorded. Worker threads claim
rows right before their request goes out, so the connection is shared under one lock.

The schema grows by adding: new tables are ``CREATE TABLE IF NOT EXISTS``, new columns are
listed in ``_ADDED_COLUMNS`` and added to an older ledger when it is opened (every row kept).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from importer.errors import UsageError

SCHEMA_VERSION = "2"
# The page cache: holds a big ledger's index pages, well within a run's memory budget.
CACHE_KIB = 32 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity TEXT NOT NULL,
    status TEXT NOT NULL,
    file TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    sheet TEXT NOT NULL,
    mapping TEXT NOT NULL,
    mapping_digest TEXT NOT NULL,
    target TEXT NOT NULL,
    event_code INTEGER NOT NULL,
    options TEXT NOT NULL,
    pid INTEGER NOT NULL,
    machine TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    counts TEXT NOT NULL DEFAULT '{}',
    results TEXT NOT NULL DEFAULT '{}',
    loaded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_by_identity ON runs (identity);
-- Stored in the order rows were added (rowid), found by key: a run claims and records its
-- rows in row order, so each commit touches a few pages, not one page per (random) key.
CREATE TABLE IF NOT EXISTS items (
    key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    sheet TEXT NOT NULL,
    row INTEGER NOT NULL,
    payload TEXT NOT NULL,
    batch_id TEXT,
    sent_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    unclear INTEGER NOT NULL DEFAULT 0,
    opportunity_id TEXT,
    lead_id TEXT,
    message TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '[]',
    request_id TEXT,
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS items_by_run ON items (run_id, state, row);
CREATE TABLE IF NOT EXISTS run_rows (
    run_id INTEGER NOT NULL,
    row INTEGER NOT NULL,
    key TEXT,
    problems TEXT,
    PRIMARY KEY (run_id, row)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS run_rows_key_once ON run_rows (run_id, key) WHERE key IS NOT NULL;
CREATE TABLE IF NOT EXISTS calls (at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS undos (
    run_id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    pid INTEGER NOT NULL,
    machine TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    counts TEXT NOT NULL DEFAULT '{}'
);
"""

# Columns added since version 1, by version; ALTER TABLE ADD COLUMN fills the rows of an
# older ledger with NULL or the default, which mean "never happened" for each of them.
_ADDED_COLUMNS = (
    # 2: whether every row of the run's file is in the ledger (the same command again
    # then skips reading and checking the file).
    ("runs", "loaded", "INTEGER NOT NULL DEFAULT 0"),
    # 2: the endpoint a key was last sent through ("bulk", "capture"): capture may create
    # the lead too, which an undo must list and leave alone.
    ("items", "route", "TEXT"),
    # 2: an undo's deletion of the key's opportunity. delete_sent_at is committed right
    # before the delete goes out and stays set until its answer is recorded (state undone,
    # or released), so a crash leaves it set: the delete is then simply asked again.
    ("items", "delete_sent_at", "REAL"),
    ("items", "delete_tries", "INTEGER NOT NULL DEFAULT 0"),
    ("items", "delete_unclear", "INTEGER NOT NULL DEFAULT 0"),
    ("items", "undone_at", "TEXT"),
    ("items", "undo_problems", "TEXT NOT NULL DEFAULT '[]'"),
)


class Database:
    """One SQLite connection; :meth:`tx` and :meth:`rows` hold a lock, so any thread may
    use it. The connection is in autocommit mode: nothing commits behind our back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=10000")
            # Keys are hashes, so a run looks them up all over the key index: with SQLite's
            # default 2 MB cache a big run read its pages again and again (system time).
            self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            self._db.executescript(_SCHEMA)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise UsageError(
                f"The ledger {path} cannot be used ({exc}); it is not an lsq-import ledger or "
                "it is damaged. Choose another with --ledger (or LSQ_LEDGER)."
            ) from None

    def _migrate(self) -> None:
        """Add the columns an older ledger lacks, in one transaction (two processes opening
        the same old ledger at once: the second finds them added)."""
        if not self._missing_columns():
            return
        with self.tx() as tx:
            for table, column, kind in self._missing_columns():
                tx.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            tx.execute("INSERT OR REPLACE INTO ledger VALUES ('version', ?)", (SCHEMA_VERSION,))

    def _missing_columns(self) -> list[tuple[str, str, str]]:
        have: dict[str, set[str]] = {}
        for table, _, _ in _ADDED_COLUMNS:
            if table not in have:
                found = self._db.execute(f"PRAGMA table_info({table})").fetchall()
                have[table] = {str(r[1]) for r in found}
        return [added for added in _ADDED_COLUMNS if added[1] not in have[added[0]]]

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction (a single fsync); rolled back if anything inside raises."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def one(self, sql: str, args: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            found: tuple[Any, ...] | None = self._db.execute(sql, args).fetchone()
            return found

    def many(self, sql: str, args: Iterable[Sequence[Any]]) -> None:
        """``executemany`` in one transaction."""
        with self.tx() as db:
            db.executemany(sql, args)

    def close(self) -> None:
        with self._lock:
            if hasattr(self, "_db"):
                self._db.close()


def placeholders(values: Sequence[object]) -> str:
    """``?, ?, ?`` for an ``IN (...)`` of ``values``."""
    return ", ".join("?" for _ in values)
