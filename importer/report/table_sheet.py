"""A table sheet written row by row: bold frozen header, filters, fitted widths, rows tinted
by outcome, the wrong cells marked and commented, dates and numbers typed where lossless."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any

from importer.report import limits
from importer.report.typed import typed_value
from importer.report.xlsx_book import Book, Kind, print_setup

_MIN_WIDTH = 6
_MAX_WIDTH = 60
_COMMENT_SIZE = {"x_scale": 2.5, "y_scale": 1.5}

Cell = str | int


class TableSheet:
    """One sheet of ``book``: a header row, then :meth:`append` one row at a time."""

    def __init__(
        self,
        book: Book,
        name: str,
        headers: Sequence[str],
        *,
        typed: Sequence[bool] | None = None,  # which columns may hold numbers and dates
        freeze_columns: int = 0,
    ) -> None:
        self.book = book
        self.sheet: Any = book.xlsx.add_worksheet(name)
        self.rows = 0
        self._columns = len(headers)
        self._typed = list(typed) if typed is not None else [False] * len(headers)
        self._freeze = freeze_columns
        self._widths = [len(h) + 2 for h in headers]  # room for the filter button
        header = book.cell_format(header=True)
        for column, name_ in enumerate(headers):
            self.sheet.write_string(0, column, name_, header)

    def append(
        self, values: Sequence[Cell], tint: str | None = None, marks: Mapping[int, str] = {}
    ) -> None:
        """Add a row tinted ``tint``; ``marks`` maps a column to the problem of its cell."""
        self.rows += 1
        for column, value in enumerate(values):
            mark = marks.get(column) if marks else None
            self._cell(column, value, tint, mark)

    def close(self) -> None:
        """Widths, filters, frozen panes and print settings: XlsxWriter writes them at the
        end, so they can depend on every row."""
        for column, width in enumerate(self._widths):
            self.sheet.set_column(column, column, min(max(width, _MIN_WIDTH), _MAX_WIDTH))
        self.sheet.autofilter(0, 0, self.rows, max(self._columns - 1, 0))
        self.sheet.freeze_panes(1, self._freeze)
        print_setup(self.sheet)

    def _cell(self, column: int, value: Cell, tint: str | None, mark: str | None) -> None:
        row = self.rows
        if isinstance(value, int):
            self._number(column, value, "integer", tint, mark)
            return
        self._fit(column, value)
        typed = typed_value(value) if self._typed[column] else value
        if isinstance(typed, str):
            fmt = self.book.cell_format("text", tint=tint, marked=mark is not None)
            if typed:
                self.sheet.write_string(row, column, typed, fmt)
            elif tint is not None or mark is not None:
                self.sheet.write_blank(row, column, None, fmt)  # keeps the row's tint
        elif isinstance(typed, datetime):
            kind: Kind = "date" if typed.time() == time() else "datetime"
            fmt = self.book.cell_format(kind, tint=tint, marked=mark is not None)
            self.sheet.write_datetime(row, column, typed, fmt)
        else:
            self._number(column, typed, "integer" if typed.is_integer() else "decimal", tint, mark)
        if mark is not None:
            self._comment(column, mark)

    def _number(
        self, column: int, value: float, kind: Kind, tint: str | None, mark: str | None
    ) -> None:
        fmt = self.book.cell_format(kind, tint=tint, marked=mark is not None)
        self.sheet.write_number(self.rows, column, value, fmt)

    def _comment(self, column: int, text: str) -> None:
        if self.book.comments < limits.COMMENTED_CELLS:
            self.book.comments += 1
            self.sheet.write_comment(self.rows, column, text, _COMMENT_SIZE)
        else:
            self.book.uncommented += 1

    def _fit(self, column: int, text: str) -> None:
        width = len(text) + 1
        if width > self._widths[column]:
            if "\n" in text:
                width = max(len(line) for line in text.splitlines()) + 1
            self._widths[column] = max(self._widths[column], width)
