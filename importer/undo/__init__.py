"""`lsq-import undo`: take back what one import run created — previewed, exactly once, and
only what that run created.

    api      undo_run(settings, UndoOptions(...)) -> UndoReport: the preview or the undo
    plan     what the undo does with each row (delete, or keep and why), one rule for all
    summary  the undo in numbers, and how long the deletes take at the rate limit
    results  the undo's results workbook, written from the ledger

The deletes themselves go out through :mod:`importer.send.delete`; each one is recorded in
the account's ledger before and after it is sent (:mod:`importer.ledger.undo`).
"""

from importer.undo.api import UndoOptions, UndoReport, undo_run
from importer.undo.plan import OpportunityType
from importer.undo.summary import UndoSummary

__all__ = ["OpportunityType", "UndoOptions", "UndoReport", "UndoSummary", "undo_run"]
