"""The runs an account's ledger remembers: what was imported from which file, when, how.

A run's *identity* is the command: what it sends (the file's content, the sheet, the
mapping's meaning, the target, whether resends were asked for) and the results workbook it
writes. Running the same command again (after a crash, a Ctrl-C, or when it finished)
continues that run: its rows keep their outcomes and nothing is sent twice. Another file,
sheet, mapping or ``--out`` is a new run; its rows that an earlier run already created are
``already_imported`` (with the ID, and when and from which file), never ``created`` again.
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

    def describe(self) -> str:
        """ "run 4 (pid 812 on laptop, file enquiries.xlsx, started 2026-11-29 10:02 UTC)"."""
        return (
            f"run {self.id} (pid {self.pid} on {self.machine}, file {Path(self.file).name}, "
            f"started {self.started_at} UTC)"
        )


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def start(db: Database, spec: RunSpec) -> int:
    """The run to continue for ``spec`` (its latest with the same identity), or a new one.
    Call with the account's lock held: any run still marked running has died."""
    with db.tx() as tx:
        tx.execute(
            "UPDATE runs SET status = ?, ended_at = COALESCE(ended_at, ?) WHERE status = ?",
            (STOPPED, now_text(), RUNNING),
        )
        found = tx.execute(
            "SELECT id FROM runs WHERE identity = ? ORDER BY id DESC LIMIT 1", (spec.identity,)
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


def history(db: Database, limit: int | None = None) -> list[RunInfo]:
    """The runs, newest first."""
    sql = (
        "SELECT id, status, file, sheet, target, event_code, started_at, ended_at, counts,"
        " pid, machine FROM runs ORDER BY id DESC"
    )
    rows = db.rows(sql + (" LIMIT ?" if limit else ""), (limit,) if limit else ())
    return [
        RunInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]), r[9], r[10])
        for r in rows
    ]


def running(db: Database) -> RunInfo | None:
    """The run marked running (the one holding the account's lock, if the lock is held)."""
    found = [run for run in history(db, 20) if run.status == RUNNING]
    return found[0] if found else None
