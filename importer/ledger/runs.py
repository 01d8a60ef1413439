"""The runs an account's ledger remembers: what was imported from which file, when, how.

A run's *identity* is the command: what it sends (the file's content, the sheet, the
mapping's meaning, the target, whether resends were asked for) and the results workbook it
writes. Running the same command again (after a crash, a Ctrl-C, or when it finished)
continues that run: its rows keep their outcomes and nothing is sent twice. Another file,
sheet, mapping or ``--out`` is a new run; its rows that an earlier run already created are
``already_imported`` (with the ID, and when and from which file), never ``created`` again.
A run that was undone is never continued: the same command after an undo is a new run,
which imports the rows again.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from importer.errors import UsageError
from importer.ledger.db import Database
from importer.model import JsonDict, Outcome, Target

RUNNING, FINISHED, STOPPED = "running", "finished", "stopped"


@dataclass(frozen=True)
class RunSpec:
    """What a run is asked to do; :attr:`identity` decides whether it continues one."""

    file: Path
    file_sha256: str
    sheet: str
    mapping: Path
    mapping_digest: str  # the mapping's meaning (importer.mapping.digest), not its bytes
    target: Target
    event_code: int
    allow_resend: bool = False
    options: JsonDict = field(default_factory=dict)  # rate, workers: shown in history
    # The results workbook: a run with another --out must not report the rows an earlier
    # run created as "created" by itself.
    out: Path | None = None

    @property
    def identity(self) -> str:
        parts = (self.file_sha256, self.sheet, self.mapping_digest, self.target)
        where = str(self.out) if self.out is not None else ""
        text = "\x1f".join((*parts, "resend" if self.allow_resend else "", where))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class UndoInfo:
    """The undo of a run (``lsq-import undo``): running, stopped part-way, or finished."""

    status: str
    started_at: str
    ended_at: str | None
    counts: Mapping[str, int]  # deleted, refused, failed, ... (importer.undo)
    pid: int
    machine: str

    @property
    def finished(self) -> bool:
        return self.status == FINISHED


@dataclass(frozen=True)
class RunInfo:
    """One run as ``lsq-import history`` shows it."""

    id: int
    status: str
    file: str
    sheet: str
    target: str
    event_code: int
    started_at: str
    ended_at: str | None
    counts: Mapping[str, int]
    pid: int
    machine: str
    mapping: str = ""
    undo: UndoInfo | None = None  # set once an undo of this run started

    def describe(self) -> str:
        """ "run 4 (pid 812 on laptop, file enquiries.xlsx, started 2026-11-29 10:02 UTC)"."""
        return (
            f"run {self.id} (pid {self.pid} on {self.machine}, file {Path(self.file).name}, "
            f"started {self.started_at} UTC)"
        )


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def start(db: Database, spec: RunSpec) -> int:
    """The run to continue for ``spec`` (its latest with the same identity, unless it was
    undone), or a new one. Call with the account's lock held: any run still marked running
    has died. An undo stopped part-way must be finished first: until then, which of its
    opportunities still exist is known only to that undo."""
    unfinished = unfinished_undo(db)
    if unfinished is not None:
        raise UsageError(
            f"The undo of run {unfinished} stopped part-way; finish it before importing "
            f"into this account again: lsq-import undo {unfinished} --yes"
        )
    with db.tx() as tx:
        tx.execute(
            "UPDATE runs SET status = ?, ended_at = COALESCE(ended_at, ?) WHERE status = ?",
            (STOPPED, now_text(), RUNNING),
        )
        found = tx.execute(
            "SELECT id FROM runs WHERE identity = ? AND id NOT IN (SELECT run_id FROM undos)"
            " ORDER BY id DESC LIMIT 1",
            (spec.identity,),
        ).fetchone()
        if found is not None:
            tx.execute(
                "UPDATE runs SET status = ?, pid = ?, machine = ?, ended_at = NULL, options = ?"
                " WHERE id = ?",
                (RUNNING, os.getpid(), socket.gethostname(), json.dumps(spec.options), found[0]),
            )
            return int(found[0])
        cursor = tx.execute(
            "INSERT INTO runs (identity, status, file, file_sha256, sheet, mapping,"
            " mapping_digest, target, event_code, options, pid, machine, started_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                spec.identity,
                RUNNING,
                str(spec.file),
                spec.file_sha256,
                spec.sheet,
                str(spec.mapping),
                spec.mapping_digest,
                spec.target,
                spec.event_code,
                json.dumps(spec.options),
                os.getpid(),
                socket.gethostname(),
                now_text(),
            ),
        )
        return int(cursor.lastrowid or 0)


def finish(db: Database, run_id: int, status: str, counts: Mapping[Outcome, int]) -> None:
    with db.tx() as tx:
        tx.execute(
            "UPDATE runs SET status = ?, ended_at = ?, counts = ? WHERE id = ?",
            (status, now_text(), json.dumps({str(k): n for k, n in counts.items()}), run_id),
        )


def mark_loaded(db: Database, run_id: int) -> None:
    with db.tx() as tx:
        tx.execute("UPDATE runs SET loaded = 1 WHERE id = ?", (run_id,))


def is_loaded(db: Database, run_id: int) -> bool:
    found = db.one("SELECT loaded FROM runs WHERE id = ?", (run_id,))
    return bool(found and found[0])


def results_digest(db: Database, run_id: int) -> JsonDict:
    """What was written for the run last time (workbook path, digest of its outcomes)."""
    found = db.one("SELECT results FROM runs WHERE id = ?", (run_id,))
    data = json.loads(found[0]) if found else {}
    return data if isinstance(data, dict) else {}


def save_results_digest(db: Database, run_id: int, results: JsonDict) -> None:
    with db.tx() as tx:
        tx.execute("UPDATE runs SET results = ? WHERE id = ?", (json.dumps(results), run_id))


_RUN_COLUMNS = (
    "SELECT r.id, r.status, r.file, r.sheet, r.target, r.event_code, r.started_at,"
    " r.ended_at, r.counts, r.pid, r.machine, r.mapping, u.status, u.started_at, u.ended_at,"
    " u.counts, u.pid, u.machine FROM runs r LEFT JOIN undos u ON u.run_id = r.id"
)


def history(db: Database, limit: int | None = None) -> list[RunInfo]:
    """The runs, newest first."""
    sql = _RUN_COLUMNS + " ORDER BY r.id DESC"
    rows = db.rows(sql + (" LIMIT ?" if limit else ""), (limit,) if limit else ())
    return [_run_info(r) for r in rows]


def find(db: Database, run_id: int) -> RunInfo | None:
    found = db.one(_RUN_COLUMNS + " WHERE r.id = ?", (run_id,))
    return _run_info(found) if found else None


def _run_info(r: tuple[Any, ...]) -> RunInfo:
    undo = None
    if r[12] is not None:
        status = _status(r[12], r[16], r[17])
        undo = UndoInfo(status, r[13], r[14], json.loads(r[15]), r[16], r[17])
    status = _status(r[1], r[9], r[10])
    return RunInfo(
        r[0], status, r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]), r[9], r[10], r[11], undo
    )


def _status(recorded: str, pid: int, machine: str) -> str:
    """``running`` only while its process lives: a run killed -9 never recorded its end."""
    if recorded != RUNNING or machine != socket.gethostname():
        return recorded
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return STOPPED
    except PermissionError:  # alive, another user's
        return recorded
    return recorded


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def unfinished_undo(db: Database) -> int | None:
    """The run whose undo started and has not finished, if any."""
    found = db.one("SELECT run_id FROM undos WHERE status != ? LIMIT 1", (FINISHED,))
    return int(found[0]) if found else None


def running(db: Database) -> str | None:
    """The import or undo marked running (the one holding the account's lock, if the lock
    is held), described for a message."""
    found = db.one("SELECT run_id FROM undos WHERE status = ? LIMIT 1", (RUNNING,))
    if found is not None:
        run = find(db, int(found[0]))
        if run is not None and run.undo is not None and run.undo.status == RUNNING:
            undo = run.undo
            return (
                f"the undo of run {run.id} (pid {undo.pid} on {undo.machine}, started "
                f"{undo.started_at} UTC)"
            )
    imports = [run for run in history(db, 20) if run.status == RUNNING]
    return imports[0].describe() if imports else None
