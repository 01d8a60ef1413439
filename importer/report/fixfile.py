"""The fix file: exactly the rows a person must correct, in the input's own format and column
order, plus a last ``Problems`` column, so the admin edits it and runs it again as it is.

A CSV input gets a CSV in its own encoding and delimiter, its cells neutralised against
formulas (the reader undoes that when it sees our ``Problems`` column). An Excel input gets a
workbook laid out like the Rows sheet: fitted widths, a bold frozen header with filters, the
wrong cells marked and commented, dates and numbers typed where that loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from importer.report import limits
from importer.report.columns import ColumnPlan, plan_columns
from importer.report.csv_table import CsvTable
from importer.report.model import PROBLEMS_COLUMN, ResultsInput
from importer.report.outcome_styles import style
from importer.report.row_results import ResultChunk
from importer.report.run_problems import RunProblems
from importer.report.table_sheet import TableSheet
from importer.report.xlsx_book import Book


def fix_columns(results: ResultsInput) -> ColumnPlan:
    """The input's columns less a carried-over ``Problems`` column (ours, from a fix file
    run again); an Excel fix file keeps one column free for the fresh one."""
    room = limits.EXCEL_COLUMNS - 1 if results.source_format == "xlsx" else None
    return plan_columns(
        results.headers, skip={PROBLEMS_COLUMN}, room=room, mapped=results.mapped_columns
    )


class FixFile:
    """Written to ``path`` (a ``.part`` name) from the first row to fix; nothing otherwise."""

    def __init__(self, path: Path, results: ResultsInput, found: RunProblems) -> None:
        self.path = path
        self.rows = 0
        self.columns = fix_columns(results)
        self._results = results
        self._found = found
        self._csv: CsvTable | None = None
        self._sheet: TableSheet | None = None
        self._positions = {name: i for i, name in enumerate(self.columns.names)}

    def append(self, chunk: ResultChunk, picks: Sequence[int]) -> None:
        """Add the rows of ``chunk`` at positions ``picks``."""
        if not picks:
            return
        cells = [chunk.cells[p] for p in self.columns.positions]
        if self._results.source_format == "csv":
            problems = [chunk.problems[i] for i in picks]
            self._csv_table().append([*([column[i] for i in picks] for column in cells), problems])
        else:
            sheet = self._table_sheet()
            for i in picks:
                values = [*(column[i] for column in cells), chunk.problems[i]]
                marks = self._found.marks(chunk.rows[i], self._positions)
                sheet.append(values, style(chunk.outcomes[i]).tint, marks)
        self.rows += len(picks)

    def close(self) -> bool:
        """Finish the file; False when there was no row to fix (and so no file)."""
        if self._csv is not None:
            self._csv.close()
        if self._sheet is not None:
            self._sheet.close()
            self._sheet.book.close()
        return self.rows > 0

    def discard(self) -> None:
        if self._csv is not None:
            self._csv.discard()
        if self._sheet is not None:
            self._sheet.book.discard()

    def _headers(self) -> tuple[str, ...]:
        return (*self.columns.names, PROBLEMS_COLUMN)

    def _csv_table(self) -> CsvTable:
        if self._csv is None:
            self._csv = CsvTable(
                self.path,
                self._headers(),
                # The data came in this encoding; "replace" can only touch our own messages.
                encoding=self._results.csv_encoding or "utf-8",
                delimiter=self._results.csv_delimiter or ",",
                errors="replace",
            )
        return self._csv

    def _table_sheet(self) -> TableSheet:
        if self._sheet is None:
            typed = [True] * len(self.columns.names) + [False]
            name = excel_sheet_name(self._results.sheet)
            headers = self._headers()
            self._sheet = TableSheet(
                Book(self.path), name, headers, typed=typed, wrapped=[len(headers) - 1]
            )
        return self._sheet


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def excel_sheet_name(name: str) -> str:
    """``name`` as Excel accepts a sheet title: no ``[]:*?/\\``, at most 31 characters."""
    cleaned = _BAD_SHEET_CHARS.sub("_", name).strip("'")[:31]
    return cleaned or "Sheet1"
