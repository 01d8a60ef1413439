"""Recording a run's rows as the file is read: each valid row under its key, each invalid
row with its problems.

A chunk of rows goes in with a few statements for the whole chunk; only a chunk with a row
this run already holds (a resumed run) or with two rows of one opportunity goes row by
row, because only those rows need a decision. A key an earlier run holds is taken over
when that run never created its opportunity (it failed, its opportunity was deleted again
by an undo, or its run died on the way: the account's lock proves no other run is alive);
otherwise its row is that run's (``already_imported``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from importer.ledger.codec import problems_to_json, row_to_json
from importer.ledger.db import placeholders
from importer.model import Outcome, Problem, ReadyRow, RowOutcome

# States another run's key may be taken over in.
TAKEOVER = (Outcome.FAILED, Outcome.UNDONE, Outcome.PENDING, Outcome.IN_FLIGHT, Outcome.AMBIGUOUS)
# Taken over from these, a key is sent afresh: nothing of it exists any more. One caught on
# the way keeps its state, to be looked up before any resend.
ABSENT = (Outcome.FAILED, Outcome.UNDONE)
_NEW_ITEM = (
    "INSERT OR IGNORE INTO items (key, state, run_id, sheet, row, payload)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_ABSENT_NOW = f"state IN ({placeholders(ABSENT)})"
_TAKE_OVER = (
    "UPDATE items SET run_id = ?, sheet = ?, row = ?, payload = ?,"
    f" state = CASE WHEN {_ABSENT_NOW} THEN ? ELSE state END,"
    f" opportunity_id = CASE WHEN {_ABSENT_NOW} THEN NULL ELSE opportunity_id END,"
    f" lead_id = CASE WHEN {_ABSENT_NOW} THEN NULL ELSE lead_id END,"
    " message = '', problems = '[]', delete_sent_at = NULL, delete_tries = 0,"
    " delete_unclear = 0, undone_at = NULL, undo_problems = '[]'"
    f" WHERE key = ? AND run_id != ? AND state IN ({placeholders(TAKEOVER)})"
)


def add_chunk(
    tx: sqlite3.Connection,
    run_id: int,
    keyed: Sequence[ReadyRow],
    invalid: Sequence[RowOutcome],
) -> None:
    """Record one chunk's rows in the run ``run_id`` (inside the caller's transaction)."""
    tx.execute("SAVEPOINT chunk")
    before = tx.total_changes
    # The run's rows: (run, row) is unique, and so is (run, key) - an ignored row is either
    # held already or a second row of one opportunity.
    tx.executemany(
        "INSERT OR IGNORE INTO run_rows VALUES (?, ?, ?, NULL)",
        ((run_id, row.row, row.key) for row in keyed),
    )
    if tx.total_changes - before == len(keyed):
        _add_items(tx, run_id, keyed)
    else:
        tx.execute("ROLLBACK TO chunk")
        for row in keyed:
            _add_row(tx, run_id, row)
    tx.execute("RELEASE chunk")
    tx.executemany(
        "INSERT OR IGNORE INTO run_rows VALUES (?, ?, NULL, ?)",
        ((run_id, o.row, problems_to_json(o.problems)) for o in invalid),
    )


def _add_items(tx: sqlite3.Connection, run_id: int, keyed: Sequence[ReadyRow]) -> None:
    """The keys of rows new to the run: added, or taken over from an earlier run."""
    payloads = [row_to_json(row) for row in keyed]
    before = tx.total_changes
    tx.executemany(
        _NEW_ITEM,
        (
            (row.key, Outcome.PENDING, run_id, row.sheet, row.row, payload)
            for row, payload in zip(keyed, payloads, strict=True)
        ),
    )
    if tx.total_changes - before < len(keyed):  # some keys are an earlier run's
        tx.executemany(
            _TAKE_OVER,  # a no-op for the keys just added (their run is this one)
            (
                _takeover_args(run_id, row, payload)
                for row, payload in zip(keyed, payloads, strict=True)
            ),
        )


def _add_row(tx: sqlite3.Connection, run_id: int, row: ReadyRow) -> None:
    held = "SELECT row FROM run_rows WHERE run_id = ? AND "
    if tx.execute(held + "row = ?", (run_id, row.row)).fetchone():
        return  # a resumed run: the row stays as it is
    twin = tx.execute(held + "key = ?", (run_id, row.key)).fetchone()
    if twin is not None:
        problem = _twin_problem(row, int(twin[0]))
        tx.execute(
            "INSERT INTO run_rows VALUES (?, ?, NULL, ?)",
            (run_id, row.row, problems_to_json([problem])),
        )
        return
    payload = row_to_json(row)
    added = tx.execute(_NEW_ITEM, (row.key, Outcome.PENDING, run_id, row.sheet, row.row, payload))
    if added.rowcount == 0:
        tx.execute(_TAKE_OVER, _takeover_args(run_id, row, payload))
    tx.execute("INSERT INTO run_rows VALUES (?, ?, ?, NULL)", (run_id, row.row, row.key))


def _takeover_args(run_id: int, row: ReadyRow, payload: str) -> tuple[object, ...]:
    changes = (run_id, row.sheet, row.row, payload, *ABSENT, Outcome.PENDING)
    return (*changes, *ABSENT, *ABSENT, row.key, run_id, *TAKEOVER)


def _twin_problem(row: ReadyRow, twin: int) -> Problem:
    message = (
        f"Row {row.row}: the same opportunity as row {twin} (same lead and same identifying "
        "values), so it would be created twice — delete one of the two rows"
    )
    return Problem(row.sheet, row.row, None, None, "duplicate_in_file", message)
