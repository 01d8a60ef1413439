"""The ledger's side of `undo`, without HTTP: a ledger of schema 1 gains the new columns and
keeps its rows; each deletion is claimed before it is sent and only once; an undone key is
imported again by a new run; an undone run is never continued; an import waits for an undo
stopped part-way to be finished."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from importer.errors import UsageError
from importer.ledger import Ledger, LedgerRun, LedgerUndo
from importer.model import OpportunityRow, Outcome, RowOutcome
from importer.send.payloads import SendSettings
from tests.ledger_support import add_rows, open_run, outcomes, spec

HOST = "https://api-in21.leadsquared.com"
SETTINGS = SendSettings(search_by="EmailAddress", event_code=12000)
# The columns schema 2 added (importer.ledger.db): a schema-1 ledger lacks them.
ADDED = ("route", "delete_sent_at", "delete_tries", "delete_unclear", "undone_at", "undo_problems")


def rows(count: int = 3) -> list[OpportunityRow]:
    return [
        OpportunityRow(
            sheet="rows.csv",
            row=2 + i,
            search_value=f"lead{i}@example.com",
            lead=(("EmailAddress", f"lead{i}@example.com"),),
            fields=(("mx_Custom_1", f"Enquiry {i}"),),
        )
        for i in range(count)
    ]


def create_all(run: LedgerRun, count: int = 3) -> list[OpportunityRow]:
    """Record ``count`` rows as sent through capture and created (opportunity o<row>)."""
    keyed = add_rows(run, rows(count), SETTINGS)
    run.claim(keyed, "batch", 0.0, "capture")
    created = [
        RowOutcome(r.sheet, r.row, Outcome.CREATED, f"o{r.row}", f"lead-{r.row}") for r in keyed
    ]
    run.record(created)
    return keyed


def undo_of(ledger: Ledger, run_id: int) -> LedgerUndo:
    return ledger.undo(ledger.run_info(run_id))


@contextmanager
def after_a_run(tmp_path: Path) -> Iterator[tuple[Ledger, list[OpportunityRow]]]:
    """The ledger, opened again, of a run 1 that created three rows; and those rows."""
    path = tmp_path / "ledger.sqlite"
    with open_run(path, HOST) as run:
        keyed = create_all(run)
    with Ledger.open(path, HOST) as ledger:
        yield ledger, keyed


def begun_undo(ledger: Ledger) -> LedgerUndo:
    """The undo of run 1, begun."""
    undo = undo_of(ledger, 1)
    undo.begin()
    return undo


def test_a_schema_1_ledger_gains_the_new_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with open_run(path, HOST) as run:
        create_all(run)
    with closing(sqlite3.connect(path)) as db:  # back to what schema 1 wrote
        for column in ADDED:
            db.execute(f"ALTER TABLE items DROP COLUMN {column}")
        db.execute("DROP TABLE undos")
        db.execute("UPDATE ledger SET value = '1' WHERE name = 'version'")
        db.commit()

    with Ledger.open(path, HOST) as ledger:
        undo = undo_of(ledger, 1)
        items = [item for page in undo.items() for item in page]
        assert [(i.row, i.state, i.opportunity_id, i.route) for i in items] == [
            (2, Outcome.CREATED, "o2", None),
            (3, Outcome.CREATED, "o3", None),
            (4, Outcome.CREATED, "o4", None),
        ]
        assert ledger.db.one("SELECT value FROM ledger WHERE name = 'version'") == ("2",)
        assert ledger.history()[0].undo is None


def test_a_deletion_is_claimed_once_and_recorded(tmp_path: Path) -> None:
    with after_a_run(tmp_path) as (ledger, keyed):
        undo = begun_undo(ledger)
        first, second, third = (row.key for row in keyed)
        assert undo.claim(first)
        undo.deleted(first)
        assert not undo.claim(first), "an undone key is never deleted again"
        assert undo.claim(second)  # ... and a crash: it stays claimed, to be asked again
        assert undo.claim(third)
        undo.release(third)  # proven not applied
        items = {i.key: i for page in undo.items() for i in page}
        assert (items[first].state, items[first].delete_sent) == (Outcome.UNDONE, False)
        assert (items[second].state, items[second].delete_sent) == (Outcome.CREATED, True)
        assert (items[third].state, items[third].delete_sent) == (Outcome.CREATED, False)
        undo.finish(False, {"deleted": 1})
        info = ledger.run_info(1).undo
        assert info is not None
        assert (info.status, dict(info.counts)) == ("stopped", {"deleted": 1})


def test_an_undone_key_is_imported_again_by_a_new_run(tmp_path: Path) -> None:
    with after_a_run(tmp_path) as (ledger, keyed):
        undo = begun_undo(ledger)
        for row in keyed[:2]:
            undo.claim(row.key)
            undo.deleted(row.key)
        undo.finish(True, {})
        again = ledger.start_run(spec())  # the very same command
        assert again.id == 2, "an undone run is never continued"
        add_rows(again, rows(), SETTINGS)
        found = outcomes(again)
        assert [found[n].outcome for n in (2, 3, 4)] == [
            Outcome.PENDING,
            Outcome.PENDING,
            Outcome.ALREADY_IMPORTED,
        ]
        assert found[2].opportunity_id is None, "the deleted opportunity's ID is forgotten"
        assert [len(page) for page in again.pending()] == [2]


def test_an_import_waits_for_an_unfinished_undo(tmp_path: Path) -> None:
    with after_a_run(tmp_path) as (ledger, _):
        begun_undo(ledger)  # then killed: never finished
        with pytest.raises(UsageError, match=r"undo of run 1 stopped part-way.*undo 1 --yes"):
            ledger.start_run(spec(name="other.csv"))
        undo_of(ledger, 1).finish(True, {})
        assert ledger.start_run(spec(name="other.csv")).id == 2


def test_run_references(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path, HOST) as ledger:
        with pytest.raises(UsageError, match="no runs yet"):
            ledger.run_info("last")
        ledger.start_run(spec())
        ledger.start_run(spec(name="second.csv"))
        assert ledger.run_info("last").id == 2
        with pytest.raises(UsageError, match="no run 7; `lsq-import history` lists them"):
            ledger.run_info(7)
    assert Ledger.host_of(path) == HOST
    assert Ledger.host_of(tmp_path / "missing.sqlite") is None
