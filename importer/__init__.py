"""lsq-import: dry-run, import and review spreadsheets of opportunities for LeadSquared.

The library API (the CLI is a thin layer over it)::

    from importer import validate, write_dry_run, run_import, RunOptions, load_settings

    report = validate("enquiries.xlsx", "mappings/opportunities.yaml")   # a DryRunReport
    write_dry_run(report, "review.xlsx")
    settings = load_settings()                                            # LSQ_* variables
                                          # (load_noojee_settings(): a destination: noojee mapping)
    result = run_import("enquiries.xlsx", "mappings/opportunities.yaml", settings,
                        RunOptions(out=Path("results.xlsx")))             # an ImportReport
    undone = undo_run(settings, UndoOptions(run=result.run_id, yes=True))  # an UndoReport

Errors are the tree in :mod:`importer.errors`; row problems are values, never exceptions.
Names load on first use, so ``import importer`` (and ``lsq-import --help``) stays instant.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "validate": "importer.dryrun",
    "write_dry_run": "importer.dryrun",
    "DryRunReport": "importer.dryrun",
    "run_import": "importer.run",
    "RunOptions": "importer.run",
    "ImportReport": "importer.run",
    "undo_run": "importer.undo",
    "UndoOptions": "importer.undo",
    "UndoReport": "importer.undo",
    "Settings": "importer.settings",
    "load_settings": "importer.settings",
    "Rate": "importer.settings",
    "NoojeeSettings": "importer.send.noojee.settings",
    "load_noojee_settings": "importer.send.noojee.settings",
    "parse_rate": "importer.settings",
    "Outcome": "importer.model",
    "Problem": "importer.model",
    "RowOutcome": "importer.model",
}

__all__ = [
    "DryRunReport",
    "ImportReport",
    "NoojeeSettings",
    "Outcome",
    "Problem",
    "Rate",
    "RowOutcome",
    "RunOptions",
    "Settings",
    "UndoOptions",
    "UndoReport",
    "__version__",
    "load_noojee_settings",
    "load_settings",
    "parse_rate",
    "run_import",
    "undo_run",
    "validate",
    "write_dry_run",
]

if TYPE_CHECKING:
    from importer.dryrun import DryRunReport, validate, write_dry_run
    from importer.model import Outcome, Problem, RowOutcome
    from importer.run import ImportReport, RunOptions, run_import
    from importer.send.noojee.settings import NoojeeSettings, load_noojee_settings
    from importer.settings import Rate, Settings, load_settings, parse_rate
    from importer.undo import UndoOptions, UndoReport, undo_run


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'importer' has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name]), name)
