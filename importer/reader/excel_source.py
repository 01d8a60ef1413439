"""Excel workbooks (.xlsx, .xlsm, .xls) as raw chunks of text cells, via python-calamine.

calamine is several times faster than openpyxl at reading values. An .xlsx sheet is read
in slices (see :mod:`importer.reader.xlsx_slices`) so memory stays flat however long the
sheet is; an .xls (at most 65,536 rows) is read whole. The header is row ``header_row``
of the chosen sheet (1 unless said otherwise); rows above it are not data. The sheet is
re-read on each pass so nothing big is held between passes.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from importer.errors import InputFileError
from importer.reader.excel_book import Block, SheetHead, SheetRows, heads, sheet_rows
from importer.reader.excel_cells import column_texts, padded, padding_widths
from importer.reader.source import RawChunk, Source, build_source
from importer.reader.xlsx_slices import Box
from importer.wording import listing, quoted


def open_excel(path: Path, sheet: str | int | None, header_row: int = 1) -> Source:
    sheets = heads(path, header_row)
    head, warnings = _choose_sheet(path, sheets, sheet, header_row)
    header = head.rows.get(header_row - 1, [])
    table = _table(head, header, header_row)
    widths = padding_widths(path, head.name, table.first)
    return build_source(
        path,
        "xlsx",
        sheet=head.name,
        header_cells=header[table.first : table.last + 1],
        raw=lambda rows: _chunks(path, head, table, header_row, widths, rows),
        warnings=warnings,
        letter_offset=table.first,
        header_row=header_row,
    )


@dataclass(frozen=True)
class Table:
    """The columns read (0-based, inclusive) and the header's own extent inside them."""

    first: int
    last: int
    header_first: int
    header_last: int


def _table(head: SheetHead, header: list[str], header_row: int) -> Table:
    named = [n for n, cell in enumerate(header) if cell.strip()]
    below = [cells for number, cells in head.rows.items() if number >= header_row - 1]
    used = [n for cells in below for n, cell in enumerate(cells) if cell != ""]
    if head.dimension is not None:
        used += [head.dimension[1], head.dimension[3]]
    # calamine used to start at the sheet's first used column: letters must not shift.
    return Table(min(used), max(used), min(named), max(named))


def _choose_sheet(
    path: Path, sheets: list[SheetHead], sheet: str | int | None, header_row: int
) -> tuple[SheetHead, list[str]]:
    names = [one.name for one in sheets]
    if sheet is not None:
        chosen = sheets[names.index(_named_sheet(path, names, sheet))]
        if not _has_header(chosen, header_row):
            raise InputFileError(
                f"{path.name}: sheet {quoted(chosen.name)} has no header row (row "
                f"{header_row} is empty){_first_filled(chosen)}"
            )
        return chosen, []
    for candidate in sheets:
        if candidate.visible and _has_header(candidate, header_row):
            if len(sheets) == 1:
                return candidate, []
            return candidate, [
                f"{path.name}: read sheet {quoted(candidate.name)} (the first with a header "
                f"row); {_listing(names)}; choose another with --sheet"
            ]
    raise InputFileError(
        f"{path.name}: no sheet has column names in row {header_row}; {_listing(names)}"
        f"{next((_first_filled(one) for one in sheets if one.rows), '')}"
    )


def _has_header(head: SheetHead, header_row: int) -> bool:
    return any(cell.strip() for cell in head.rows.get(header_row - 1, ()))


def _first_filled(head: SheetHead) -> str:
    """Where the sheet's first non-empty row is, as advice for --header-row."""
    if not head.rows:
        return ""
    row = min(head.rows) + 1
    return (
        f"; its first filled row is {row} of sheet {quoted(head.name)} — if that is the "
        f"header, run with --sheet {quoted(head.name)} --header-row {row}"
    )


def _named_sheet(path: Path, names: list[str], sheet: str | int) -> str:
    if isinstance(sheet, str) and sheet in names:
        return sheet
    if isinstance(sheet, str):
        folded = [name for name in names if name.strip().casefold() == sheet.strip().casefold()]
        if folded:
            return folded[0]
        if not sheet.strip().isdigit():
            raise InputFileError(f"{path.name} has no sheet {quoted(sheet)}; {_listing(names)}")
    index = int(sheet)
    if not 0 <= index < len(names):
        raise InputFileError(
            f"{path.name} has no sheet number {index} (0 is the first); {_listing(names)}"
        )
    return names[index]


def _listing(names: list[str]) -> str:
    shown = listing((f"{i}: {quoted(name)}" for i, name in enumerate(names)), quote=False)
    return f"its sheets are {shown}" if names else "it has no sheets"


def _chunks(
    path: Path, head: SheetHead, table: Table, header_row: int, widths: dict[int, int], rows: int
) -> Iterator[RawChunk]:
    with sheet_rows(path, head) as found:
        assembler = _Assembler(path.name, found, table, header_row, widths)
        yield from assembler.chunks(rows)


class _Assembler:
    """Turns calamine's blocks of rows into raw chunks of ``rows`` text rows each."""

    def __init__(
        self,
        file_name: str,
        found: SheetRows,
        table: Table,
        header_row: int,
        widths: dict[int, int],
    ) -> None:
        self.file_name = file_name
        self.found = found
        self.table = table
        self.width = table.last - table.first + 1
        self.next_row = header_row  # 0-based: the first data row
        self.widths = widths
        self.errors = sorted(found.errors.items())
        self.titles = _title_rows(found.merges, table, header_row)

    def chunks(self, rows: int) -> Iterator[RawChunk]:
        """The data rows in chunks of exactly ``rows`` (the last one fewer): blocks are
        joined, as checking many small chunks costs more than copying rows together."""
        with closing(self.found.blocks()) as blocks:
            yield from self._joined(blocks, rows)

    def _joined(self, blocks: Iterator[Block], rows: int) -> Iterator[RawChunk]:
        texts: list[np.ndarray] = []
        numbers: list[np.ndarray] = []
        held = skipped = 0
        for top, left, block in blocks:
            text, number, gap = self._texts(top, left, block)
            skipped += gap
            texts.append(text)
            numbers.append(number)
            held += len(number)
            while held >= rows:
                frame, texts, numbers = _first_rows(texts, numbers, rows)
                held -= len(frame)
                yield RawChunk(frame, skipped)
                skipped = 0
        if held:
            frame, _, _ = _first_rows(texts, numbers, rows)
            yield RawChunk(frame, skipped)
        elif skipped:
            yield RawChunk(pd.DataFrame(np.empty((0, self.width), dtype=object)), skipped)

    def _texts(
        self, top: int, left: int, block: list[list[object]]
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """Text cells of the block's data rows, their row numbers, and rows skipped."""
        first = max(top, self.next_row)
        gap = max(0, top - self.next_row)  # rows between blocks: empty, so blank
        block = block[first - top :]
        self.next_row = max(self.next_row, first + len(block))
        if not block:
            return np.empty((0, self.width), dtype=object), np.empty(0, dtype=np.int64), gap
        values = self._aligned(first, left, block)
        texts = np.empty(values.shape, dtype=object)
        for column in range(values.shape[1]):
            texts[:, column] = column_texts(values[:, column])
            if column in self.widths:
                padded(texts[:, column], values[:, column], self.widths[column])
        self._put_errors(texts, first)
        numbers = np.arange(first + 1, first + 1 + len(block), dtype=np.int64)
        if not self.titles:
            return texts, numbers, gap
        keep = self._not_titles(texts, numbers)
        return texts[keep], numbers[keep], gap + int((~keep).sum())

    def _aligned(self, first: int, left: int, block: list[list[object]]) -> np.ndarray:
        """The block as a 2-D array over exactly the table's columns."""
        given = np.empty((len(block), len(block[0])), dtype=object)
        given[:] = block
        right = left + given.shape[1] - 1
        if left < self.table.first or right > self.table.last:
            self._refuse_outside(given, first, left)
        if (left, right) == (self.table.first, self.table.last):
            return given
        values = np.empty((len(block), self.width), dtype=object)
        values.fill("")
        low, high = max(left, self.table.first), min(right, self.table.last)
        values[:, low - self.table.first : high - self.table.first + 1] = given[
            :, low - left : high - left + 1
        ]
        return values

    def _refuse_outside(self, given: np.ndarray, first: int, left: int) -> None:
        for offset in range(given.shape[1]):
            column = left + offset
            if self.table.first <= column <= self.table.last:
                continue
            filled = np.flatnonzero(given[:, offset] != "")
            if len(filled):
                self._outside(first + int(filled[0]), column)

    def _outside(self, row: int, column: int) -> None:
        from importer.reader.headers import column_letter

        raise InputFileError(
            f"{self.file_name}: cell {column_letter(column)}{row + 1} has a value outside the "
            f"table's columns ({column_letter(self.table.first)} to "
            f"{column_letter(self.table.last)}); delete it or give its column a header"
        )

    def _put_errors(self, texts: np.ndarray, first: int) -> None:
        """calamine reads error cells as empty; put back what Excel shows (#REF!, ...)."""
        if not self.errors:
            return
        low = bisect.bisect_left(self.errors, ((first, -1), ""))
        high = bisect.bisect_left(self.errors, ((first + len(texts), -1), ""))
        for (row, column), shown in self.errors[low:high]:
            if self.table.first <= column <= self.table.last:
                texts[row - first, column - self.table.first] = shown

    def _not_titles(self, texts: np.ndarray, numbers: np.ndarray) -> np.ndarray:
        """False for merged title rows ("Day 2 — Pune" across the table): not data."""
        keep = np.ones(len(numbers), dtype=bool)
        for row, column in self.titles:
            position = row + 1 - int(numbers[0]) if len(numbers) else -1
            if 0 <= position < len(numbers):
                cells = texts[position]
                filled = [n for n, cell in enumerate(cells) if cell != ""]
                keep[position] = filled not in ([column - self.table.first], [])
        return keep


def _title_rows(merges: list[Box], table: Table, header_row: int) -> list[tuple[int, int]]:
    """(row, column) of merged ranges below the header that span the whole header."""
    return [
        (top, left)
        for top, left, _, right in merges
        if top >= header_row and left <= table.header_first and right >= table.header_last
    ]


def _first_rows(
    texts: list[np.ndarray], numbers: list[np.ndarray], rows: int
) -> tuple[pd.DataFrame, list[np.ndarray], list[np.ndarray]]:
    """A frame of the first ``rows`` rows held, and the rows left over."""
    text = np.concatenate(texts) if len(texts) > 1 else texts[0]
    number = np.concatenate(numbers) if len(numbers) > 1 else numbers[0]
    # A block per column, as pandas' CSV reader makes them (copy=False keeps them apart):
    # checking a frame held as one 2-D block was a tenth slower.
    index = _row_index(number[:rows])
    columns = {
        n: pd.Series(np.ascontiguousarray(text[:rows, n]), index=index, dtype=object, copy=False)
        for n in range(text.shape[1])
    }
    frame = pd.DataFrame(columns, copy=False)
    return frame, [text[rows:]], [number[rows:]]


def _row_index(numbers: np.ndarray) -> pd.Index:
    """The row numbers as an index; a range when they have no gap, as pandas compares and
    aligns ranges in constant time."""
    if len(numbers) and numbers[-1] - numbers[0] == len(numbers) - 1:
        return pd.RangeIndex(int(numbers[0]), int(numbers[-1]) + 1)
    index: pd.Index = pd.Index(numbers, dtype="int64")
    return index
