"""A workbook's sheets as calamine reads them: the first rows of every sheet (to choose the
sheet and its header) and, for one sheet, every row in blocks.

.xlsx and .xlsm files are read through :mod:`importer.reader.xlsx_slices` (flat memory,
error cells and merged ranges found); .xls files, and any .xlsx whose package cannot be
followed, are read whole by calamine.
"""

from __future__ import annotations

import gc
import queue
import threading
import zipfile
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from importer.errors import InputFileError
from importer.reader.excel_cells import cell_text
from importer.reader.xlsx_package import Package, SheetPart
from importer.reader.xlsx_slices import Box, SheetSlices, sliced

LOOK_ROWS = 20  # first rows of each sheet looked at for its header
AHEAD = 1  # slices parsed ahead of the one being read
Block = tuple[int, int, list[list[Any]]]  # first row, first column (0-based), rows


@dataclass(frozen=True)
class SheetHead:
    """The first rows of a sheet, as text from column A (0-based row -> cells)."""

    name: str
    visible: bool
    rows: dict[int, list[str]]
    dimension: Box | None  # the used range the sheet declares (or calamine found)
    part: SheetPart | None  # where an .xlsx keeps it; None: read it whole


@dataclass
class SheetRows:
    """Every row of one sheet, a block at a time, with what calamine cannot tell."""

    book: CalamineWorkbook
    names: list[str]
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[Box] = field(default_factory=list)

    def blocks(self) -> Generator[Block, None, None]:
        # closing(): the loading thread stops as soon as the reader does, even when an
        # error leaves this generator held by a traceback.
        with closing(_loaded_ahead(self.book, self.names)) as sheets:
            yield from self._blocks(sheets)

    def _blocks(self, sheets: Iterator[CalamineSheet]) -> Iterator[Block]:
        for sheet in sheets:
            if sheet.start is not None:
                top, left = sheet.start
                with _no_garbage_collection():
                    rows = sheet.to_python(skip_empty_area=True)
                yield top, left, rows


@contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """calamine's rows are tens of thousands of fresh lists, which set off the cyclic
    garbage collector again and again (it doubled the time to build them); they hold no
    cycles, so the collector is paused while they are built."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _loaded_ahead(book: CalamineWorkbook, names: list[str]) -> Generator[CalamineSheet, None, None]:
    """The sheets ``names``, each parsed by calamine in a thread while the one before is used.

    calamine releases the GIL while it parses, so on two cores the parse of the next slice
    overlaps the conversion and checking of this one. At most ``AHEAD`` parsed slices wait,
    which bounds memory.
    """
    ready: queue.Queue[CalamineSheet | BaseException | None] = queue.Queue(AHEAD)
    stop = threading.Event()

    def offer(item: CalamineSheet | BaseException | None) -> bool:
        """Hand ``item`` over; False when the reader has stopped listening."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def load() -> None:
        try:
            for name in names:
                if not offer(book.get_sheet_by_name(name)):
                    return
            offer(None)
        except BaseException as error:  # handed to the reading thread, which raises it
            offer(error)

    loader = threading.Thread(target=load, name="calamine-slices", daemon=True)
    loader.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        loader.join()


def heads(path: Path, header_row: int) -> list[SheetHead]:
    """Every sheet with its first ``max(LOOK_ROWS, header_row)`` rows."""
    limit = max(LOOK_ROWS, header_row)
    package = _package(path)
    if package is None:
        return _whole_heads(path, limit)
    with sliced(path, package.sheets, rows_limit=limit) as (book, found):
        return [
            SheetHead(part.name, part.visible, _head_rows(book, one, limit), one.dimension, part)
            for part, one in zip(package.sheets, found, strict=True)
        ]


@contextmanager
def sheet_rows(path: Path, head: SheetHead) -> Iterator[SheetRows]:
    if head.part is None:
        book = workbook(path)
        try:
            ranges = book.get_sheet_by_name(head.name).merged_cell_ranges or []
            merges = [(top, left, bottom, right) for (top, left), (bottom, right) in ranges]
            yield SheetRows(book, [head.name], merges=merges)
        finally:
            book.close()
        return
    with sliced(path, [head.part]) as (book, (found,)):
        yield SheetRows(book, found.names, found.errors, found.merges)


def _package(path: Path) -> Package | None:
    """The .xlsx package, or None when calamine must read the file whole."""
    if path.suffix.lower() == ".xls" or not zipfile.is_zipfile(path):
        workbook(path).close()  # refuses damaged and protected files with a clear line
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            package = Package(archive)
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
        workbook(path).close()
        return None
    return package if package.sheets else None


def _head_rows(book: CalamineWorkbook, found: SheetSlices, limit: int) -> dict[int, list[str]]:
    rows: dict[int, list[str]] = {}
    for name in found.names:
        rows.update(_text_rows(book.get_sheet_by_name(name), limit))
    return {number: cells for number, cells in rows.items() if number < limit}


def _text_rows(sheet: CalamineSheet, limit: int) -> dict[int, list[str]]:
    """Non-empty rows of ``sheet`` up to row ``limit``, as text from column A."""
    if sheet.start is None:
        return {}
    top, left = sheet.start
    rows = sheet.to_python(skip_empty_area=True, nrows=max(0, limit - top))
    texts = {
        top + n: [""] * left + [cell_text(value) for value in row] for n, row in enumerate(rows)
    }
    return {number: cells for number, cells in texts.items() if any(cells)}


def _whole_heads(path: Path, limit: int) -> list[SheetHead]:
    book = workbook(path)
    try:
        heads = []
        for meta in book.sheets_metadata:
            sheet = book.get_sheet_by_name(meta.name)
            worksheet = meta.typ == SheetTypeEnum.WorkSheet
            rows = _text_rows(sheet, limit) if worksheet else {}
            dimension = (*sheet.start, *sheet.end) if sheet.start and sheet.end else None
            visible = worksheet and meta.visible == SheetVisibleEnum.Visible
            heads.append(SheetHead(meta.name, visible, rows, dimension, None))
        return heads
    finally:
        book.close()


def workbook(path: Path) -> CalamineWorkbook:
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
