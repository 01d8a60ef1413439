"""What the report stage is given and what it writes.

The report never holds the whole input in memory: ``ResultsInput.rows`` re-reads the
spreadsheet chunk by chunk, and outcomes are looked up by spreadsheet row number, so a
result can never land on the wrong source row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from importer.model import Outcome, Problem, RowOutcome
from importer.reader.formula_guard import PROBLEMS_COLUMN

#: Columns the Rows sheet shows first, before the input's own; an input that already
#: carries them (a re-run of our own files) has its copies dropped so no header appears twice.
RESULT_COLUMNS: tuple[str, ...] = (
    "Row",
    "Outcome",
    PROBLEMS_COLUMN,
    "Opportunity ID",
    "Lead ID",
)

#: What the Lead ID column can and cannot hold (its header's comment).
LEAD_ID_NOTE = (
    "The lead's ID where LeadSquared told it: in Capture replies and in the look-ups that "
    "check unclear sends. Add Opportunities in Bulk does not say which lead it used, so "
    "rows sent through the bulk endpoint leave it empty (find the lead by the row's "
    "search_by value)."
)

__all__ = ["LEAD_ID_NOTE", "PROBLEMS_COLUMN", "RESULT_COLUMNS", "ResultFiles", "ResultsInput"]


@dataclass(frozen=True)
class ResultsInput:
    """Everything needed to write the results workbook and the fix file."""

    source_format: Literal["csv", "xlsx"]
    sheet: str  # the sheet (xlsx) or file name (csv) that was read
    headers: tuple[str, ...]  # the input's columns, in order
    rows: Callable[[], Iterator[pd.DataFrame]]  # chunks of text cells; index = row number
    outcomes: Mapping[int, RowOutcome]  # by spreadsheet row number
    default: Outcome  # the outcome of a row absent from ``outcomes``
    problems: Sequence[Problem]  # the dry run's problems; LeadSquared's ride on ``outcomes``
    title: str  # "Dry run" / "Import"
    details: Sequence[tuple[str, str]]  # Summary key/values ("Note" ones go on top); no secret
    csv_encoding: str | None = None  # so a CSV fix file re-imports like the input
    csv_delimiter: str | None = None
    # The user's files: no output may be either of them (checked before anything is written).
    input_path: Path | None = None
    mapping_path: Path | None = None
    # Columns the mapping reads; only the others may be left out of a too-wide sheet.
    mapped_columns: frozenset[str] = frozenset()
    # The outcome every row should reach: the Summary's headline counts it ("287 of 300 ...").
    goal: Outcome = Outcome.CREATED
    # False: no fix file (an undo's rows are not to be imported again).
    fix_file: bool = True
    # Whose own words a problem's detail holds: the Problems sheet's "<server> said".
    server: str = "LeadSquared"


@dataclass(frozen=True)
class ResultFiles:
    """The files ``write_results`` wrote; ``None`` where there was nothing to write."""

    workbook: Path
    fix_file: Path | None
    spill_csv: Path | None  # every row's result, when the file is too big to list in a sheet
    problems_spill_csv: Path | None = None  # every problem, when too many for a sheet
