"""The undo's results workbook: every row of the run that stands for an opportunity, with
what the undo did to it (undone, kept and why, failed), written by the import's own report
code (:func:`importer.report.write_results`).

The rows come from the ledger, not from the input file: the values each row sent are stored
there, so the workbook is written even when the file was moved, edited or deleted since the
import. Its columns are the LeadSquared names the values were sent as (``lead.EmailAddress``,
``mx_Custom_3``, ...).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path

import pandas as pd

from importer.ledger import LedgerUndo, RunOutcomes
from importer.ledger.codec import opportunity_from_json
from importer.mapping.model import LEAD_PREFIX
from importer.model import OpportunityRow, Outcome, RowOutcome
from importer.report import ResultFiles, ResultsInput, write_results
from importer.undo.plan import Judged, OpportunityType, judged_rows, row_outcome

CHUNK_ROWS = 5_000
_EXTRAS = ("OpportunityNote", "OpportunityDateTime", "OpportunityOwnerEmail")


def write_undo_results(
    undo: LedgerUndo, kind: OpportunityType, out: Path, details: Sequence[tuple[str, str]]
) -> ResultFiles:
    """Write the undo's workbook to ``out`` (never over the run's input or mapping)."""
    run = undo.run
    headers = sent_columns(judged_rows(undo, kind))
    results = ResultsInput(
        source_format="xlsx",
        sheet=run.sheet,
        headers=headers,
        rows=lambda: _frames(judged_rows(undo, kind), headers),
        outcomes=RunOutcomes(_Outcomes(undo, kind)),
        default=Outcome.PENDING,
        problems=(),
        title=f"Undo of run {run.id}",
        details=details,
        input_path=Path(run.file),
        mapping_path=Path(run.mapping) if run.mapping else None,
        mapped_columns=frozenset(headers),
        goal=Outcome.UNDONE,
        fix_file=False,
    )
    return write_results(out, results)


class _Outcomes:
    """The rows' outcomes a window at a time (see :class:`importer.ledger.RunOutcomes`)."""

    def __init__(self, undo: LedgerUndo, kind: OpportunityType) -> None:
        self.undo, self.kind = undo, kind

    def outcomes_from(self, first_row: int, limit: int) -> list[RowOutcome]:
        found = islice(judged_rows(self.undo, self.kind, first_row - 1), limit)
        return [row_outcome(judged, self.undo.run) for judged in found]


def sent_columns(rows: Iterator[Judged]) -> tuple[str, ...]:
    """The names the rows' values were sent as, in first-seen order: lead fields, then the
    opportunity's, then its note, date and owner."""
    lead: dict[str, None] = {}
    fields: dict[str, None] = {}
    extras: set[str] = set()
    for judged in rows:
        sent = opportunity_from_json(judged.item.payload)
        lead.update(dict.fromkeys(LEAD_PREFIX + name for name, _ in sent.lead))
        fields.update(dict.fromkeys(name for name, _ in sent.fields))
        extras.update(name for name, value in _extras(sent) if value is not None)
    return (*lead, *fields, *(name for name in _EXTRAS if name in extras))


def _frames(rows: Iterator[Judged], headers: tuple[str, ...]) -> Iterator[pd.DataFrame]:
    """Chunks of text cells indexed by spreadsheet row, as the report reads an input."""
    while chunk := list(islice(rows, CHUNK_ROWS)):
        cells = [_cells(opportunity_from_json(judged.item.payload)) for judged in chunk]
        frame = pd.DataFrame(cells, index=[judged.row for judged in chunk], columns=headers)
        yield frame.fillna("").astype(str)


def _cells(sent: OpportunityRow) -> dict[str, str]:
    cells = {LEAD_PREFIX + name: value for name, value in sent.lead}
    cells.update(sent.fields)
    cells.update((name, value) for name, value in _extras(sent) if value is not None)
    return cells


def _extras(sent: OpportunityRow) -> tuple[tuple[str, str | None], ...]:
    return tuple(zip(_EXTRAS, (sent.note, sent.when, sent.owner_email), strict=True))
