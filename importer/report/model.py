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

#: Columns the report adds after the input's own; an input that already carries them
#: (a re-run of our own fix file) has its copies dropped so no header appears twice.
RESULT_COLUMNS: tuple[str, ...] = ("Row", "Outcome", "Opportunity ID", "Lead ID", "Problems")

#: The column the fix file appends; the reader ignores it when the fix file is run again.
PROBLEMS_COLUMN = "Problems"

#: Outcomes whose rows go into the fix file (see :attr:`Outcome.to_fix`).
FIX_OUTCOMES: frozenset[Outcome] = frozenset(o for o in Outcome if o.to_fix)


@dataclass(frozen=True)
class ResultsInput:
    """Everything needed to write the results workbook and the fix file."""

    source_format: Literal["csv", "xlsx"]
    sheet: str  # the sheet (xlsx) or file name (csv) that was read
    headers: tuple[str, ...]  # the input's columns, in order
    rows: Callable[[], Iterator[pd.DataFrame]]  # chunks of text cells; index = row number
    outcomes: Mapping[int, RowOutcome]  # by spreadsheet row number
    default: Outcome  # the outcome of a row absent from ``outcomes``
    problems: Sequence[Problem]  # every problem of the run
    title: str  # "Dry run" / "Import"
    details: Sequence[tuple[str, str]]  # Summary key/values; must hold no secret
    csv_encoding: str | None = None  # so a CSV fix file re-imports like the input
    csv_delimiter: str | None = None


@dataclass(frozen=True)
class ResultFiles:
    """The files ``write_results`` wrote; ``None`` where there was nothing to write."""

    workbook: Path
    fix_file: Path | None
    spill_csv: Path | None  # Rows beyond Excel's limit
    problems_spill_csv: Path | None = None  # Problems beyond Excel's limit
