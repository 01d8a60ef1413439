"""The same command again, once every row of its run is in the ledger: it reads the ledger,
not the file's rows (issue 13: a re-run that sends nothing must cost a tenth of the run at
most), and still writes the very same results when it has to write them again."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

import importer.run
from importer.run import CALL_LOG_S, ImportReport, RunOptions, run_import
from importer.sandbox.testing import RunningSandbox
from importer.settings import load_settings, parse_rate
from tests.e2e_support import MAPPING, SAMPLE_CSV, sheet_records

Factory = Callable[..., RunningSandbox]
FAST = "1000/1s"


def run_sample(box: RunningSandbox, tmp_path: Path) -> ImportReport:
    options = RunOptions(out=tmp_path / "r.xlsx", rate=parse_rate(FAST))
    return run_import(SAMPLE_CSV, MAPPING, load_settings(environ=box.env()), options)


def test_a_finished_run_again_does_not_check_the_rows_and_rewrites_the_same_results(
    sandbox_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = sandbox_factory(rate=FAST)
    first = run_sample(box, tmp_path)
    written = {name: sheet_records(first.files.workbook, name) for name in ("Rows", "Problems")}
    fix_file = first.files.fix_file
    assert fix_file is not None
    fixes = fix_file.read_bytes()
    first.files.workbook.unlink()
    fix_file.unlink()

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the rows were read and checked again")

    monkeypatch.setattr(importer.run, "prepared_chunks", no_reading)
    again = run_sample(box, tmp_path)
    assert (again.counts, again.sent_now, again.rewritten) == (first.counts, 0, True)
    for name, records in written.items():
        assert sheet_records(again.files.workbook, name) == records, name
    assert fix_file.read_bytes() == fixes


def test_the_call_log_keeps_the_last_hour_only(sandbox_factory: Factory, tmp_path: Path) -> None:
    box = sandbox_factory(rate=FAST)
    first = run_sample(box, tmp_path)
    with closing(sqlite3.connect(first.ledger)) as db, db:
        db.execute("INSERT INTO calls VALUES (?)", (time.time() - 2 * CALL_LOG_S,))
        logged = db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    run_sample(box, tmp_path)
    with closing(sqlite3.connect(first.ledger)) as db:
        kept = db.execute("SELECT COUNT(*), MIN(at) FROM calls").fetchone()
    # The old call is forgotten; the second run's one call (its key check) is logged.
    assert kept[0] == logged - 1 + 1, "the old call is forgotten, the recent ones kept"
    assert kept[1] > time.time() - CALL_LOG_S


def test_a_run_again_that_sends_nothing_keeps_the_workbook_as_it_is(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST)
    first = run_sample(box, tmp_path)
    written = first.files.workbook.stat().st_mtime_ns
    again = run_sample(box, tmp_path)
    assert (again.sent_now, again.rewritten) == (0, False)
    assert again.files == first.files
    assert first.files.workbook.stat().st_mtime_ns == written
