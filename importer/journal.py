"""The crash-safe journal of one import run: a SQLite file holding every row and its state.

Why it exists: a crash, a kill -9 or a timeout must never make a re-run create an opportunity
twice or drop a row (promise 2). So a row's state is committed *before* its request goes out
(``in_flight``, with the batch id and the time it was sent) and again *after* the reply (its
outcome). A re-run opens the same file: finished rows are skipped, and rows caught
``in_flight`` or ``ambiguous`` are reconciled with the server before anything is resent.

Only the orchestrating thread writes (worker threads only do HTTP), so one connection is
enough; WAL + ``synchronous=FULL`` make each commit durable before the next request starts.
The journal stores the host but never a key (promise 6).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from importer.errors import UsageError
from importer.model import UNFINISHED, OpportunityRow, Outcome, Problem, RowOutcome

# Where a row is on its way (every state is an Outcome; these three are not final).
PENDING = Outcome.PENDING
IN_FLIGHT = Outcome.IN_FLIGHT
AMBIGUOUS = Outcome.AMBIGUOUS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    input_sha256 TEXT NOT NULL,
    mapping_digest TEXT NOT NULL,
    host TEXT NOT NULL,
    target TEXT NOT NULL,
    machine TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY,
    sheet TEXT NOT NULL,
    payload TEXT,
    state TEXT NOT NULL,
    batch_id TEXT,
    sent_at REAL,
    opportunity_id TEXT,
    lead_id TEXT,
    exception_type TEXT,
    message TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '[]',
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS rows_state ON rows (state);
"""


@dataclass(frozen=True, slots=True)
class JournalRow:
    """A row not finished yet, as the sender needs it to continue."""

    row: OpportunityRow
    state: Outcome
    sent_at: float | None  # wall-clock epoch seconds of the last send, if ever sent
    attempts: int


class Journal:
    """One run's journal. Open with :meth:`open`; use as a context manager or call close()."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        input_hash: str,
        mapping_digest: str,
        host: str,
        target: str,
        fresh: bool = False,
    ) -> Journal:
        """Open (or create) the journal at ``path`` for this input, mapping and host.

        An existing journal written for another input file, mapping or host is refused with
        a UsageError rather than silently mixed; ``fresh=True`` deletes it and starts over.
        """
        path = Path(path)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
        journal = cls(db, path)
        journal._claim(input_hash, mapping_digest, _safe_host(host), target)
        return journal

    def _claim(self, input_hash: str, mapping_digest: str, host: str, target: str) -> None:
        found = self._db.execute(
            "SELECT input_sha256, mapping_digest, host FROM run WHERE id = 1"
        ).fetchone()
        now = _now()
        if found is None:
            with self._tx():
                self._db.execute(
                    "INSERT INTO run VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                    (input_hash, mapping_digest, host, target, socket.gethostname(), now, now),
                )
            return
        for what, old, new in zip(
            ("input file", "mapping", "host"),
            found,
            (input_hash, mapping_digest, host),
            strict=True,
        ):
            if old != new:
                self.close()
                raise UsageError(_mismatch(self.path, what))
        with self._tx():
            self._db.execute(
                "UPDATE run SET updated_at = ?, target = ? WHERE id = 1", (now, target)
            )

    @contextmanager
    def _tx(self) -> Iterator[None]:
        """One explicit transaction: a single fsync per batch of rows, not one per row
        (the connection is in autocommit mode so nothing commits behind our back)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def add_rows(self, rows: Iterable[OpportunityRow]) -> None:
        """Add rows to send; rows already journaled (a resumed run) keep their state."""
        with self._tx():
            self._db.executemany(
                "INSERT OR IGNORE INTO rows (row, sheet, payload, state) VALUES (?, ?, ?, ?)",
                ((r.row, r.sheet, row_to_json(r), PENDING) for r in rows),
            )

    def add_invalid(self, outcomes: Iterable[RowOutcome]) -> None:
        """Record rows validation refused (never sent), keeping any state already there."""
        with self._tx():
            self._db.executemany(
                "INSERT OR IGNORE INTO rows (row, sheet, state, message, problems, exception_type)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (o.row, o.sheet, Outcome.INVALID.value, o.message, _dump(o.problems), None)
                    for o in outcomes
                ),
            )

    def unfinished(self) -> list[JournalRow]:
        """Rows still to do, in spreadsheet order: pending, in_flight and ambiguous."""
        cursor = self._db.execute(
            "SELECT payload, state, sent_at, attempts FROM rows"
            " WHERE state IN (?, ?, ?) ORDER BY row",
            UNFINISHED,
        )
        return [JournalRow(row_from_json(p), Outcome(s), t, a) for p, s, t, a in cursor]

    def mark_in_flight(self, rows: Sequence[OpportunityRow], batch_id: str) -> float:
        """Commit that these rows are about to be sent; returns the send time recorded."""
        sent_at = time.time()
        with self._tx():
            self._db.executemany(
                "UPDATE rows SET state = ?, batch_id = ?, sent_at = ?, attempts = attempts + 1"
                " WHERE row = ?",
                ((IN_FLIGHT, batch_id, sent_at, r.row) for r in rows),
            )
        return sent_at

    def mark(self, rows: Sequence[OpportunityRow], state: Outcome, message: str = "") -> None:
        """Move rows to ``pending`` (to resend) or ``ambiguous`` (to reconcile)."""
        if state not in (PENDING, AMBIGUOUS):
            raise ValueError(f"mark() is for pending/ambiguous, not {state!r}")
        with self._tx():
            self._db.executemany(
                "UPDATE rows SET state = ?, message = ? WHERE row = ?",
                ((state, message, r.row) for r in rows),
            )

    def record(self, outcomes: Iterable[RowOutcome]) -> None:
        """Commit final outcomes (created, duplicate, failed, ...) of sent rows."""
        with self._tx():
            self._db.executemany(
                "UPDATE rows SET state = ?, opportunity_id = ?, lead_id = ?, message = ?,"
                " problems = ?, exception_type = ? WHERE row = ?",
                (
                    (
                        o.outcome.value,
                        o.opportunity_id,
                        o.lead_id,
                        o.message,
                        _dump(o.problems),
                        o.problems[0].code if o.problems else None,
                        o.row,
                    )
                    for o in outcomes
                ),
            )

    def outcomes(self) -> dict[int, RowOutcome]:
        """Every journaled row's outcome by spreadsheet row number; unfinished rows are
        PENDING (an ambiguous row's message says a re-run will check it)."""
        cursor = self._db.execute(
            "SELECT row, sheet, state, opportunity_id, lead_id, message, problems FROM rows"
        )
        return {
            row: RowOutcome(sheet, row, _outcome(state), opp, lead, _message(state, msg), _load(p))
            for row, sheet, state, opp, lead, msg, p in cursor
        }

    def counts(self) -> dict[Outcome, int]:
        """Number of rows in each journal state (only states that occur)."""
        cursor = self._db.execute("SELECT state, COUNT(*) FROM rows GROUP BY state")
        return {Outcome(state): n for state, n in cursor}

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _mismatch(path: Path, what: str) -> str:
    """Why a journal is refused, and the safe way on. A changed input file is usually the
    same sheet with rows corrected: --fresh would send every row again, so say so."""
    message = (
        f"The journal {path} belongs to a run with a different {what}. "
        "Use --fresh to start over, or --journal to choose another journal file."
    )
    if what == "input file":
        message += (
            " To send rows you corrected, run the fix file written beside the workbook; "
            "--fresh sends every row again and can create duplicates."
        )
    return message


def _outcome(state: str) -> Outcome:
    return Outcome.PENDING if state in UNFINISHED else Outcome(state)


def _message(state: str, message: str) -> str:
    if state in (IN_FLIGHT, AMBIGUOUS):
        return (
            "Sent, but LeadSquared's answer never arrived; run the same command again "
            "and it will be checked before anything is resent."
        )
    return message


def _dump(problems: Sequence[Problem]) -> str:
    return json.dumps([p.to_dict() for p in problems], ensure_ascii=False)


def _load(text: str) -> tuple[Problem, ...]:
    return tuple(Problem.from_dict(p) for p in json.loads(text))


def row_to_json(row: OpportunityRow) -> str:
    """The journal's copy of a row: enough to resend it after a crash without the input file."""
    data = {
        "sheet": row.sheet,
        "row": row.row,
        "search_value": row.search_value,
        "lead": [list(p) for p in row.lead],
        "fields": [list(p) for p in row.fields],
        "note": row.note,
        "when": row.when,
        "owner_email": row.owner_email,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def row_from_json(text: str) -> OpportunityRow:
    """Inverse of :func:`row_to_json`."""
    data = json.loads(text)
    return OpportunityRow(
        sheet=data["sheet"],
        row=int(data["row"]),
        search_value=data["search_value"],
        lead=tuple((str(a), str(b)) for a, b in data["lead"]),
        fields=tuple((str(a), str(b)) for a, b in data["fields"]),
        note=data["note"],
        when=data["when"],
        owner_email=data["owner_email"],
    )


def _safe_host(host: str) -> str:
    """The host as scheme://name[:port] - never a user:password@ part or a query string."""
    parts = urlsplit(host if "//" in host else f"//{host}")
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return f"{parts.scheme}://{netloc}" if parts.scheme else netloc


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
