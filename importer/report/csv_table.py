"""CSV files written a chunk of columns at a time: inert in a spreadsheet, read back exactly.

Every CSV the report writes (the fix file of a CSV input, the rows and problems CSVs of a big
file) goes through here, so every one of them is neutralised against formula injection
(:mod:`importer.reader.formula_guard`). A million rows pass through in about a second and a
half: each column of a chunk is joined once and searched for the rare cells that need an
apostrophe or quotes, and only such columns are rewritten cell by cell (the csv module, cell
by cell, took twice as long).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from importer.reader.formula_guard import FORMULA_STARTS, is_live, neutralised

_SEPARATOR = "\x00"  # between a column's cells while searching it
# A cell that starts like a formula, behind the separator. A separator inside a cell can
# only raise a false alarm, which the exact cell-by-cell pass then clears.
_LIVE_AFTER_SEPARATOR = re.compile(
    re.escape(_SEPARATOR) + "'*[" + re.escape("".join(FORMULA_STARTS)) + "]"
)
_LINE_END = "\r\n"  # as the csv module and Excel write it
_SLICE_ROWS = 10_000


def csv_cells(cells: Sequence[str], delimiter: str) -> Sequence[str]:
    """``cells`` as they go between delimiters: neutralised, quoted where needed."""
    joined = _SEPARATOR.join(cells)
    if (cells and is_live(cells[0])) or _LIVE_AFTER_SEPARATOR.search(joined):
        cells = [neutralised(cell) for cell in cells]
    if delimiter in joined or '"' in joined or "\n" in joined or "\r" in joined:
        cells = [_quoted(cell, delimiter) for cell in cells]
    return cells


def _quoted(cell: str, delimiter: str) -> str:
    if delimiter in cell or '"' in cell or "\n" in cell or "\r" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


class CsvTable:
    """One CSV file: a header line, then rows appended a chunk of columns at a time."""

    def __init__(
        self,
        path: Path,
        headers: Sequence[str],
        *,
        encoding: str = "utf-8-sig",  # a BOM, so Excel opens it with the right characters
        delimiter: str = ",",
        errors: str = "strict",
    ) -> None:
        self.path = path
        self.rows = 0
        self._delimiter = delimiter
        self._file: IO[str] = path.open("w", encoding=encoding, errors=errors, newline="")
        self._write([[h] for h in headers])

    def append(self, columns: Sequence[Sequence[str]]) -> None:
        """Add the rows whose cells are ``columns`` (one list per column, equal lengths)."""
        if columns and len(columns[0]):
            self._write(columns)
            self.rows += len(columns[0])

    def close(self) -> None:
        self._file.close()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)

    def _write(self, columns: Sequence[Sequence[str]]) -> None:
        # A slice at a time, so the text of a 50,000-row chunk never sits in memory at once.
        for start in range(0, len(columns[0]), _SLICE_ROWS):
            end = start + _SLICE_ROWS
            cells = [csv_cells(column[start:end], self._delimiter) for column in columns]
            lines = map(self._delimiter.join, zip(*cells, strict=True))
            self._file.write(_LINE_END.join(lines) + _LINE_END)
