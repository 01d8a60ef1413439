"""An undo of one run in the account's ledger: the run's rows as the undo judges them
(:mod:`importer.undo.plan`), and each deletion recorded before and after it is sent.

A key's opportunity is deleted one committed step at a time::

    created ──claim──> created + delete_sent_at     committed right before the delete goes out
        ├─ deleted / "no such opportunity" ──> undone (its row may be imported again)
        ├─ no clear answer ──> stays claimed (delete_unclear + 1): asked again
        ├─ LeadSquared refused ──> created, released, with the refusal in undo_problems
        └─ proven not applied (401, a refused request) ──> created, released

A kill -9 leaves at most the deletes in flight claimed; the next undo asks them again (a
delete is idempotent) and reads "no such opportunity" as deleted. The undo itself is one row
of ``undos`` per run: running, stopped part-way, or finished.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from importer.ledger import runs
from importer.ledger.calls import record_call
from importer.ledger.codec import problems_from_json, problems_to_json
from importer.ledger.db import Database, placeholders
from importer.ledger.runs import RunInfo, now_text
from importer.model import Outcome, Problem

PAGE_ROWS = 5_000
# A key in one of these states stands for an opportunity its run created; an undo may take
# it back. (Partial: Capture created it, only its follow-up activity failed.)
DELETABLE = (Outcome.CREATED, Outcome.PARTIAL)


@dataclass(frozen=True, slots=True)
class UndoItem:
    """One row of the run being undone (a row with a key: it was valid) and its key."""

    row: int  # the run's spreadsheet row
    key: str
    state: Outcome  # the key's state
    owner: int  # the run the key belongs to (another one: this row was already_imported)
    opportunity_id: str | None
    lead_id: str | None
    route: str | None  # the endpoint the key was last sent through; None in older ledgers
    payload: str  # the row as sent (importer.ledger.codec)
    delete_sent: bool  # a delete went out (or was about to) and its answer is not recorded
    undone_at: str | None  # when its deletion was recorded (UTC)
    problems: tuple[Problem, ...]  # what its last deletion came to, if not plainly deleted


class LedgerUndo:
    """The ledger as the undo of run ``run`` sees it. Thread-safe (see :class:`Database`)."""

    def __init__(self, db: Database, run: RunInfo) -> None:
        self.db, self.run = db, run

    # -- what the undo reads ------------------------------------------------------------

    def items(self, after_row: int = 0, page: int = PAGE_ROWS) -> Iterator[list[UndoItem]]:
        """The run's valid rows in spreadsheet order, a page at a time (memory stays flat)."""
        last = after_row
        while True:
            found = self.db.rows(
                "SELECT r.row, r.key, i.state, i.run_id, i.opportunity_id, i.lead_id, i.route,"
                " i.payload, i.delete_sent_at IS NOT NULL, i.undone_at, i.undo_problems"
                " FROM run_rows r JOIN items i ON i.key = r.key"
                " WHERE r.run_id = ? AND r.row > ? ORDER BY r.row LIMIT ?",
                (self.run.id, last, page),
            )
            if not found:
                return
            last = int(found[-1][0])
            yield [_item(*record) for record in found]

    def row_count(self) -> int:
        """Rows of the run, valid or not."""
        found = self.db.one("SELECT COUNT(*) FROM run_rows WHERE run_id = ?", (self.run.id,))
        return int(found[0]) if found else 0

    # -- the undo as a whole -------------------------------------------------------------

    def begin(self) -> None:
        """Record the undo as running (again, when it continues one). Call with the
        account's lock held."""
        with self.db.tx() as tx:
            tx.execute(
                "INSERT INTO undos (run_id, status, pid, machine, started_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET"
                " status = excluded.status, pid = excluded.pid, machine = excluded.machine,"
                " ended_at = NULL",
                (self.run.id, runs.RUNNING, os.getpid(), socket.gethostname(), now_text()),
            )

    def finish(self, complete: bool, counts: Mapping[str, int]) -> None:
        """``complete``: every row was dealt with (deleted, refused or failed); else the
        undo stopped part-way and must be run again before the next import."""
        status = runs.FINISHED if complete else runs.STOPPED
        with self.db.tx() as tx:
            tx.execute(
                "UPDATE undos SET status = ?, ended_at = ?, counts = ? WHERE run_id = ?",
                (status, now_text(), json.dumps(dict(counts)), self.run.id),
            )

    # -- each deletion --------------------------------------------------------------------

    def claim(self, key: str) -> bool:
        """Commit the key's delete as sent, right before it goes out; False if the key is
        no longer this run's opportunity (one atomic step)."""
        with self.db.tx() as tx:
            moved = tx.execute(
                "UPDATE items SET delete_sent_at = ?, delete_tries = delete_tries + 1"
                f" WHERE key = ? AND run_id = ? AND state IN ({placeholders(DELETABLE)})",
                (time.time(), key, self.run.id, *DELETABLE),
            )
            record_call(tx)
        return moved.rowcount == 1

    def deleted(self, key: str, problems: Sequence[Problem] = ()) -> None:
        """Its opportunity is gone: the key is ``undone`` (``problems``: how, if unusual)."""
        with self.db.tx() as tx:
            tx.execute(
                "UPDATE items SET state = ?, undone_at = ?, undo_problems = ?,"
                " delete_sent_at = NULL"
                f" WHERE key = ? AND run_id = ? AND state IN ({placeholders(DELETABLE)})",
                (
                    *(Outcome.UNDONE, now_text(), problems_to_json(problems)),
                    *(key, self.run.id, *DELETABLE),
                ),
            )

    def unclear(self, key: str) -> None:
        """No clear answer: the key stays claimed, so a crash now still asks again."""
        with self.db.tx() as tx:
            tx.execute(
                "UPDATE items SET delete_unclear = delete_unclear + 1"
                f" WHERE key = ? AND run_id = ? AND state IN ({placeholders(DELETABLE)})",
                (key, self.run.id, *DELETABLE),
            )

    def release(self, key: str, problems: Sequence[Problem] = ()) -> None:
        """Not deleted: LeadSquared refused (``problems`` say why), or the request was
        proven not applied (no problems: it is simply asked again next time)."""
        with self.db.tx() as tx:
            tx.execute(
                "UPDATE items SET delete_sent_at = NULL, undo_problems = ?"
                f" WHERE key = ? AND run_id = ? AND state IN ({placeholders(DELETABLE)})",
                (problems_to_json(problems), key, self.run.id, *DELETABLE),
            )


def _item(
    row: int,
    key: str,
    state: str,
    owner: int,
    opportunity_id: str | None,
    lead_id: str | None,
    route: str | None,
    payload: str,
    delete_sent: int,
    undone_at: str | None,
    problems: str,
) -> UndoItem:
    return UndoItem(
        row,
        key,
        Outcome(state),
        owner,
        opportunity_id or None,
        lead_id or None,
        route,
        payload,
        bool(delete_sent),
        undone_at,
        problems_from_json(problems),
    )
