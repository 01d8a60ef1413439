"""Helpers shared by the undo tests: the sample imported into a sandbox through the library,
and the IDs of the opportunities it created."""

from __future__ import annotations

from pathlib import Path

from importer.run import ImportReport, RunOptions, run_import
from importer.sandbox.testing import RunningSandbox
from importer.settings import load_settings, parse_rate
from tests.e2e_support import MAPPING, SAMPLE_CSV, ledger_of, sheet_records

FAST = "1000/1s"


def import_sample(box: RunningSandbox, out: Path, source: Path = SAMPLE_CSV) -> ImportReport:
    settings = load_settings(environ=box.env())
    options = RunOptions(out=out, rate=parse_rate(FAST), ledger=ledger_of(out))
    return run_import(source, MAPPING, settings, options)


def created_ids(out: Path) -> list[str]:
    rows = sheet_records(out, "Rows")
    return [r["Opportunity ID"] for r in rows if r["Outcome"] == "created"]
