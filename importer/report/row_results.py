"""The input re-read chunk by chunk, each row joined to its outcome by row number.

Kept column by column (a list per column) rather than an object per row: a million rows
then cost a few list comprehensions instead of a million objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd

from importer.model import Outcome
from importer.report.model import ResultsInput
from importer.report.run_problems import RunProblems


@dataclass(frozen=True)
class ResultChunk:
    rows: list[int]  # spreadsheet row numbers (header = 1)
    outcomes: list[Outcome]
    problems: list[str]  # what the Problems column says
    opportunity_ids: list[str]
    lead_ids: list[str]
    cells: list[list[str]]  # every input column, in the input's order

    def __len__(self) -> int:
        return len(self.rows)

    def where(self, wanted: Collection[Outcome]) -> list[int]:
        """Positions of the rows whose outcome is in ``wanted``."""
        return [i for i, outcome in enumerate(self.outcomes) if outcome in wanted]

    def result_columns(self) -> list[Sequence[str]]:
        """Row, Outcome, Problems, Opportunity ID, Lead ID, as text (for CSV)."""
        rows = list(map(str, self.rows))
        # An Outcome is a str whose text is its value: no conversion needed.
        return [rows, self.outcomes, self.problems, self.opportunity_ids, self.lead_ids]

    def result_cells(self, i: int) -> list[str | int]:
        """Row ``i``'s result columns, for a sheet (the row number as a number)."""
        return [
            self.rows[i],
            self.outcomes[i].value,
            self.problems[i],
            self.opportunity_ids[i],
            self.lead_ids[i],
        ]


def result_chunks(results: ResultsInput, found: RunProblems) -> Iterator[ResultChunk]:
    """Every source row of ``results`` with its outcome, a chunk at a time."""
    for frame in results.rows():
        rows = frame.index.tolist()
        count = len(rows)
        chunk = ResultChunk(
            rows=rows,
            outcomes=[results.default] * count,
            problems=[""] * count,
            opportunity_ids=[""] * count,
            lead_ids=[""] * count,
            cells=_text_columns(frame, results.headers),
        )
        # Most rows of a dry run have no outcome of their own: fill in only those that do.
        lookup = results.outcomes.get
        for i, row in enumerate(rows):
            outcome = lookup(row)
            if outcome is not None:
                chunk.outcomes[i] = outcome.outcome
                chunk.opportunity_ids[i] = outcome.opportunity_id or ""
                chunk.lead_ids[i] = outcome.lead_id or ""
            if outcome is not None or row in found.by_row:
                chunk.problems[i] = found.text(row, outcome)
        yield chunk


def _text_columns(frame: pd.DataFrame, headers: Sequence[str]) -> list[list[str]]:
    """The frame's cells column by column, in ``headers`` order (the reader gives text,
    never NaN; a column missing from the frame reads as empty)."""
    if tuple(frame.columns) != tuple(headers):
        frame = frame.reindex(columns=list(headers), fill_value="")
    columns: list[list[str]] = frame.to_numpy(dtype=object).T.tolist()
    return columns
