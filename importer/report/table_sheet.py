"""A table sheet written row by row: bold frozen header, filters, fitted widths, rows tinted
by outcome, the wrong cells marked and commented, dates and numbers typed where lossless."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, time
from typing import Any

from importer.report import limits
from importer.report.typed import Typed, typed_value
from importer.report.xlsx_book import Book, Kind, fit_row_height, print_setup, wrapped_lines

_MIN_WIDTH = 6
_MAX_WIDTH = 45  # wider columns would make a printed page, fitted to its width, tiny
_WRAPPED_WIDTH = 55  # columns of long text are at most this wide, their lines wrapped
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
        wrapped: Collection[int] = (),  # columns of long text: a fixed width, lines wrapped
        freeze_columns: int = 0,
        notes: Mapping[int, str] | None = None,  # a column's header comment: what it holds
    ) -> None:
        self.book = book
        self.sheet: Any = book.xlsx.add_worksheet(name)
        self.rows = 0
        self._columns = len(headers)
        self._typed = list(typed) if typed is not None else [False] * len(headers)
        self._freeze = freeze_columns
        self._wrapped = frozenset(wrapped)
        self._lines = 1  # lines the current row's wrapped cells need
        self._widths = [len(h) + 2 for h in headers]  # room for the filter button
        header = book.cell_format(header=True)
        for column, title in enumerate(headers):
            self.sheet.write_string(0, column, title, header)
        for column, note in (notes or {}).items():
            self.sheet.write_comment(0, column, note, _COMMENT_SIZE)

    def append(
        self,
        values: Sequence[Cell],
        tint: str | None = None,
        marks: Mapping[int, str] | None = None,
    ) -> None:
        """Add a row tinted ``tint``; ``marks`` maps a column to the problem of its cell."""
        self.rows += 1
        self._lines = 1
        for column, value in enumerate(values):
            mark = marks.get(column) if marks else None
            self._cell(column, value, tint, mark)
        fit_row_height(self.sheet, self.rows, self._lines)

    def close(self) -> None:
        """Widths, filters, frozen panes and print settings: XlsxWriter writes them at the
        end, so they can depend on every row."""
        for column, width in enumerate(self._widths):
            widest = _WRAPPED_WIDTH if column in self._wrapped else _MAX_WIDTH
            self.sheet.set_column(column, column, min(max(width, _MIN_WIDTH), widest))
        self.sheet.autofilter(0, 0, self.rows, max(self._columns - 1, 0))
        self.sheet.freeze_panes(1, self._freeze)
        print_setup(self.sheet)

    def _cell(self, column: int, value: Cell, tint: str | None, mark: str | None) -> None:
        kind, shown = self._shown(column, value)
        wrap = column in self._wrapped
        if wrap and isinstance(shown, str):
            self._lines = max(self._lines, wrapped_lines(shown, _WRAPPED_WIDTH))
        fmt = self.book.cell_format(kind, tint=tint, marked=mark is not None, wrap=wrap)
        if isinstance(shown, str):
            if shown:
                self.sheet.write_string(self.rows, column, shown, fmt)
            elif tint is not None or mark is not None:
                self.sheet.write_blank(self.rows, column, None, fmt)  # keeps the row's tint
        elif isinstance(shown, datetime):
            self.sheet.write_datetime(self.rows, column, shown, fmt)
        else:
            self.sheet.write_number(self.rows, column, shown, fmt)
        if mark is not None:
            self._comment(column, mark)

    def _shown(self, column: int, value: Cell) -> tuple[Kind, Typed | int]:
        """What the cell holds and its number format's kind."""
        if isinstance(value, int):
            return "integer", value
        self._fit(column, value)
        typed = typed_value(value) if self._typed[column] else value
        if isinstance(typed, str):
            return "text", typed
        if isinstance(typed, datetime):
            return ("date" if typed.time() == time() else "datetime"), typed
        return ("integer" if typed.is_integer() else "decimal"), typed

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
