"""Excel workbooks (.xlsx, .xlsm, .xls) as raw chunks of text cells, via python-calamine.

calamine is several times faster than openpyxl at reading values; rows are converted a
chunk at a time so the pandas frames stay small. Row 1 of the chosen sheet is the
header; the sheet is re-opened on each pass so nothing big is held between passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from importer.errors import InputFileError
from importer.reader.excel_cells import cell_text, padded, padding_widths
from importer.reader.source import Source, build_source


def open_excel(path: Path, sheet: str | int | None) -> Source:
    book = _workbook(path)
    try:
        # Loading a sheet parses all of it, so each candidate is loaded once only.
        name, warnings, chosen = _choose_sheet(path, book, sheet)
        header_row, end = _first_row(chosen), chosen.end
    finally:
        book.close()
    if header_row is None:
        raise InputFileError(
            f"{path.name}: sheet '{name}' has no header row (row 1 is empty); "
            "put the column names in row 1"
        )
    # calamine leaves out empty columns on the left; letters in messages must not shift.
    offset = (end[1] + 1 - len(header_row)) if end else 0
    widths = padding_widths(path, name, offset)
    return build_source(
        path,
        "xlsx",
        sheet=name,
        header_cells=[cell_text(value) for value in header_row],
        raw=lambda rows: _frames(path, name, widths, rows),
        warnings=warnings,
        letter_offset=offset,
    )


def _workbook(path: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine's errors share no useful base class
        if "password" in str(error).lower() or "encrypt" in str(error).lower():
            raise InputFileError(
                f"{path.name} is password-protected; save an unprotected copy"
            ) from None
        raise InputFileError(
            f"{path.name} cannot be opened as an Excel workbook (damaged, or not really "
            f"a {path.suffix} file); open it in Excel and save it again as .xlsx"
        ) from None


def _first_row(sheet: CalamineSheet) -> list[Any] | None:
    """Row 1 of the sheet, or None when row 1 is empty."""
    start = sheet.start
    if start is None or start[0] != 0:
        return None
    row: list[Any] | None = next(iter(sheet.iter_rows()), None)
    if row is None or all(cell_text(value).strip() == "" for value in row):
        return None
    return row


def _choose_sheet(
    path: Path, book: CalamineWorkbook, sheet: str | int | None
) -> tuple[str, list[str], CalamineSheet]:
    names: list[str] = list(book.sheet_names)
    if sheet is None:
        return _default_sheet(path, book, names)
    name = _named_sheet(path, names, sheet)
    return name, [], book.get_sheet_by_name(name)


def _named_sheet(path: Path, names: list[str], sheet: str | int) -> str:
    if isinstance(sheet, str) and sheet in names:
        return sheet
    if isinstance(sheet, str):
        folded = [name for name in names if name.strip().casefold() == sheet.strip().casefold()]
        if folded:
            return folded[0]
        if not sheet.strip().isdigit():
            raise InputFileError(f"{path.name} has no sheet '{sheet}'; {_listing(names)}")
    index = int(sheet)
    if not 0 <= index < len(names):
        raise InputFileError(
            f"{path.name} has no sheet number {index} (0 is the first); {_listing(names)}"
        )
    return names[index]


def _default_sheet(
    path: Path, book: CalamineWorkbook, names: list[str]
) -> tuple[str, list[str], CalamineSheet]:
    visible = {meta.name for meta in book.sheets_metadata if _is_visible_worksheet(meta)}
    for name in (name for name in names if name in visible):
        candidate = book.get_sheet_by_name(name)
        if _first_row(candidate) is not None:
            if len(names) == 1:
                return name, [], candidate
            return (
                name,
                [
                    f"{path.name}: read sheet '{name}' (the first with a header row); "
                    f"{_listing(names)}; choose another with --sheet"
                ],
                candidate,
            )
    raise InputFileError(f"{path.name}: no sheet has column names in row 1; {_listing(names)}")


def _is_visible_worksheet(meta: Any) -> bool:
    # Hidden sheets and chart sheets are never what the admin means by "the sheet".
    return bool(meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible)


def _listing(names: list[str]) -> str:
    shown = ", ".join(f"{i}: '{name}'" for i, name in enumerate(names))
    return f"its sheets are {shown}" if names else "it has no sheets"


def _frames(path: Path, sheet: str, widths: dict[int, int], rows: int) -> Iterator[pd.DataFrame]:
    book = _workbook(path)
    try:
        values = iter(book.get_sheet_by_name(sheet).iter_rows())
        next(values, None)  # row 1: the header
        batch: list[list[str]] = []
        first = 2
        for row in values:
            batch.append(_row_text(row, widths))
            if len(batch) == rows:
                yield _frame(batch, first)
                first, batch = first + len(batch), []
        if batch:
            yield _frame(batch, first)
    finally:
        book.close()


def _row_text(row: list[Any], widths: dict[int, int]) -> list[str]:
    cells = [cell_text(value) for value in row]
    for position, width in widths.items():
        if position < len(cells):
            cells[position] = padded(cells[position], row[position], width)
    return cells


def _frame(batch: list[list[str]], first: int) -> pd.DataFrame:
    index = pd.RangeIndex(first, first + len(batch))
    return pd.DataFrame(batch, index=index, dtype=object)
