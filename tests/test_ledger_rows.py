"""Recording a run's rows in the ledger (importer.ledger.adding): a chunk goes in whole
unless a row needs a decision - a row of the same opportunity as an earlier row, a row the
run already holds, a key an earlier run holds."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing
from pathlib import Path

from importer.ledger import LedgerRun
from importer.model import OpportunityRow, Outcome, RowOutcome
from importer.pipeline import Prepared
from tests.ledger_support import add_rows, open_run, outcomes, spec
from tests.test_sender import SETTINGS, make_rows

HOST = "https://api-in21.leadsquared.com"


def twin_of(row: OpportunityRow, number: int) -> OpportunityRow:
    """Another spreadsheet row of the same opportunity (same lead, course and campus)."""
    return dataclasses.replace(row, row=number, fields=(*row.fields, ("mx_Custom_1", "again")))


def created(run: LedgerRun, rows: list[OpportunityRow]) -> None:
    run.record([RowOutcome(r.sheet, r.row, Outcome.CREATED, f"opp-{r.row}") for r in rows])


def test_a_row_of_the_same_opportunity_as_an_earlier_one_is_its_duplicate_in_any_chunk(
    tmp_path: Path,
) -> None:
    a, b, c = make_rows(3)
    with open_run(tmp_path / "l.sqlite", HOST) as run:
        add_rows(run, [a, b, twin_of(a, 10)], SETTINGS)  # a twin in the same chunk
        add_rows(run, [c, twin_of(b, 11)], SETTINGS)  # and in a later one
        found = outcomes(run)
        counts = run.state_counts()
    assert counts == {Outcome.PENDING: 3, Outcome.INVALID: 2}
    for twin, first in ((10, a.row), (11, b.row)):
        assert found[twin].outcome is Outcome.INVALID
        (problem,) = found[twin].problems
        assert problem.code == "duplicate_in_file"
        assert f"the same opportunity as row {first}" in problem.message


def test_a_resumed_run_keeps_the_rows_it_holds_as_they_are(tmp_path: Path) -> None:
    rows = make_rows(4)
    with open_run(tmp_path / "l.sqlite", HOST) as run:
        keyed = add_rows(run, rows, SETTINGS)
        created(run, keyed[:2])
        run.claim(keyed[2:3], "crashed", 0.0)
    with open_run(tmp_path / "l.sqlite", HOST) as run:  # the same command again
        add_rows(run, rows, SETTINGS)
        states = {r: o.outcome for r, o in outcomes(run).items()}
        caught = [entry.row.row for entry in run.to_check()]
    assert states == {
        2: Outcome.CREATED,
        3: Outcome.CREATED,
        4: Outcome.PENDING,
        5: Outcome.PENDING,
    }
    assert caught == [4], "the row caught in flight is still to be looked up"


def test_another_run_takes_over_the_keys_an_earlier_one_never_created(tmp_path: Path) -> None:
    rows = make_rows(5)
    with open_run(tmp_path / "l.sqlite", HOST, spec(name="first.csv")) as first:
        keyed = add_rows(first, rows[:4], SETTINGS)
        created(first, keyed[:1])
        first.record([RowOutcome("Sheet1", keyed[1].row, Outcome.FAILED, message="no")])
        first.claim(keyed[3:4], "died", 0.0)  # its run was killed with this row in flight
    moved = [dataclasses.replace(r, sheet="April", row=r.row + 100) for r in rows]
    with open_run(tmp_path / "l.sqlite", HOST, spec(name="second.csv")) as second:
        add_rows(second, moved, SETTINGS)
        found = outcomes(second)
        counts = second.state_counts()
        caught = [entry.row.row for entry in second.to_check()]
        pending = [r.row for page in second.pending() for r in page]
    assert found[102].outcome is Outcome.ALREADY_IMPORTED
    assert found[102].opportunity_id == "opp-2"
    assert "first.csv, row 2" in found[102].message
    assert pending == [103, 104, 106], "the failed, the never sent and the new row"
    assert caught == [105], "the row the dead run left in flight is looked up first"
    assert counts == {Outcome.ALREADY_IMPORTED: 1, Outcome.PENDING: 3, Outcome.IN_FLIGHT: 1}


def test_invalid_rows_are_recorded_with_their_problems(tmp_path: Path) -> None:
    (row,) = make_rows(1)
    bad = RowOutcome("Sheet1", 3, Outcome.INVALID, message="Row 3: no e-mail")
    with open_run(tmp_path / "l.sqlite", HOST) as run:
        run.add(Prepared(2, (row,), (bad,), ()), SETTINGS)
        run.add(Prepared(2, (row,), (bad,), ()), SETTINGS)  # again, as a resumed run does
        assert run.state_counts() == {Outcome.PENDING: 1, Outcome.INVALID: 1}


def test_a_ledger_written_before_runs_had_a_loaded_column_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with open_run(path, HOST) as run:
        add_rows(run, make_rows(2), SETTINGS)
    with closing(sqlite3.connect(path)) as db:
        db.execute("ALTER TABLE runs DROP COLUMN loaded")  # as the first ledgers were
    with open_run(path, HOST) as run:
        assert not run.loaded
        run.all_rows_added()
        assert run.loaded
        assert run.state_counts() == {Outcome.PENDING: 2}
