"""An .xlsx worksheet cut into slices that calamine loads one at a time.

python-calamine builds a whole worksheet in memory before it gives the first row: a
million rows of 17 columns take ~1.3 GB. Here the worksheet's XML is streamed out of the
zip and cut at row boundaries into "slice" worksheets of a few MB each, written with the
workbook's shared strings and styles into a temporary, uncompressed workbook. calamine
then reads the shared strings once and each slice on its own, so memory stays flat while
every cell is still decoded by calamine (shared strings, rich text, entities, date
formats, 1904 dates). Slices keep the rows' own ``r`` numbers, so a slice knows where it is.

The stream is also searched for what calamine does not give: error cells (``#REF!``,
which calamine reads as empty), merged ranges and the declared dimension.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_calamine import CalamineWorkbook

from importer.reader.xlsx_package import Package, SheetPart, write_frame

SLICE_BYTES = 16 * 1024 * 1024  # of worksheet XML per slice: ~35 MB once calamine has it
_BLOCK = 1024 * 1024


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b[^>]*>")
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
# XML allows either quote around attribute values; Excel writes double ones.
_ERROR_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b[^>]*?\bt=[\"']e[\"'][^>]*>")
_ERROR_TYPE = re.compile(rb"t=[\"']e[\"']")
_ERROR_TYPES = (b't="e"', b"t='e'")
ERROR_LOOKS = 64  # "e"s looked at one by one before searching with the pattern instead
_REF_ATTR = re.compile(rb"\br=[\"']([A-Z]{1,3}[0-9]+)[\"']")
# The value of the cell just opened: its <v>, not one of a later cell.
_VALUE = re.compile(rb"(?:(?!</(?:[\w.-]+:)?c>).){0,20000}?<(?:[\w.-]+:)?v>([^<]*)</", re.S)
_MERGE = re.compile(
    rb"<(?:[\w.-]+:)?mergeCell\b[^>]*\bref=[\"']([A-Z]{1,3}[0-9]+):([A-Z]{1,3}[0-9]+)[\"']"
)
_DIMENSION = re.compile(
    rb"<(?:[\w.-]+:)?dimension\b[^>]*\bref=[\"']([A-Z]{1,3}[0-9]+)(?::([A-Z]{1,3}[0-9]+))?[\"']"
)
_SHARED = re.compile(rb"<(?:[\w.-]+:)?c\b[^>]*?\bt=[\"']s[\"'][^>]*>\s*<(?:[\w.-]+:)?v>(\d+)<")


ALL_STRINGS = 2**62  # "copy the whole shared strings table"
Box = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)


@dataclass
class SheetSlices:
    """What slicing one worksheet found: slice names in order, and the cells calamine
    cannot tell about."""

    names: list[str] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "#REF!"
    merges: list[Box] = field(default_factory=list)
    dimension: Box | None = None
    strings: int = 0  # shared strings the slices use (counted only for a first look)


def cell_position(ref: str) -> tuple[int, int]:
    """``"B3"`` -> (2, 1): 0-based row and column."""
    found = _CELL_REF.fullmatch(ref)
    if not found:
        raise ValueError(f"not a cell reference: {ref!r}")
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)) - 1, column - 1


def _box(first: bytes, last: bytes | None) -> Box:
    top, left = cell_position(first.decode())
    bottom, right = cell_position((last or first).decode())
    return top, left, bottom, right


@contextmanager
def sliced(
    path: Path, sheets: Sequence[SheetPart], rows_limit: int | None = None
) -> Iterator[tuple[CalamineWorkbook, list[SheetSlices]]]:
    """The worksheets ``sheets`` of ``path``, sliced into a temporary workbook.

    ``rows_limit`` keeps only about that many first rows of each sheet (for a look at the
    headers). The temporary workbook is deleted on leaving the block.
    """
    with tempfile.TemporaryDirectory(prefix="lsq-import-") as folder:
        target = Path(folder) / "slices.xlsx"
        with zipfile.ZipFile(path) as archive, zipfile.ZipFile(target, "w") as out:
            package = Package(archive)
            found = [
                _write_slices(archive, out, sheet, number, rows_limit)
                for number, sheet in enumerate(sheets)
            ]
            needed = max((one.strings for one in found), default=0)
            strings = None if rows_limit is None or needed == ALL_STRINGS else needed
            write_frame(package, out, [name for one in found for name in one.names], strings)
        book = CalamineWorkbook.from_path(str(target))
        try:
            yield book, found
        finally:
            book.close()


def _write_slices(
    archive: zipfile.ZipFile,
    out: zipfile.ZipFile,
    sheet: SheetPart,
    number: int,
    rows_limit: int | None,
) -> SheetSlices:
    found = SheetSlices()
    if not sheet.path:
        return found
    with archive.open(sheet.path) as xml:
        pending = xml.read(_BLOCK)
        root = _ROOT.search(pending)
        if root is None:
            return found
        prefix = root.group(1) or b""
        opening = re.compile(rb"<" + re.escape(prefix) + rb"sheetData\b[^>]*?(/?)>")
        start = opening.search(pending)
        while start is None and len(pending) < 64 * _BLOCK and (more := xml.read(_BLOCK)):
            pending += more
            start = opening.search(pending)
        if start is None:
            return found
        dimension = _DIMENSION.search(pending, 0, start.start())
        if dimension:
            found.dimension = _box(dimension.group(1), dimension.group(2))
        head = b'<?xml version="1.0" encoding="UTF-8"?>\n' + root.group(0)
        head += b"<" + prefix + b"sheetData>"
        tail = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
        if start.group(1):  # <sheetData/>: no rows at all
            return found
        with ThreadPoolExecutor(1, thread_name_prefix="xlsx-slices") as writer:
            slicer = _Slicer(out, writer, found, head, tail, f"s{number}_", prefix, rows_limit)
            slicer.feed(xml, pending[start.end() :])
    return found


def _may_hold_errors(rows: bytes | bytearray, end: int) -> bool:
    """Whether ``rows[:end]`` has a cell of type ``e`` (an error such as ``#REF!``).

    Searching 16 MB for ``t="e"`` costs ~13 ms a pattern, as ``t="s"`` nearly matches
    at every cell; but with text in the shared strings an "e" is rare in the rows, and a
    single byte is found at memory speed. Many "e"s (inline text): the pattern after all.
    """
    position = rows.find(b"e", 0, end)
    for _ in range(ERROR_LOOKS):
        if position < 0:
            return False
        if rows[position - 3 : position + 2] in _ERROR_TYPES:
            return True
        position = rows.find(b"e", position + 1, end)
    return _ERROR_TYPE.search(rows, 0, end) is not None


class _Slicer:
    """Cuts a stream of ``<row>`` elements into slice worksheets written to ``out``.

    Each slice is written (to disk, with its CRC) by ``writer``, a thread, while the next
    is unzipped: both release the GIL, so on two cores the writing, whose speed depends on
    the disk, hides behind the unzipping. One slice is written at a time, in order.
    """

    def __init__(
        self,
        out: zipfile.ZipFile,
        writer: ThreadPoolExecutor,
        found: SheetSlices,
        head: bytes,
        tail: bytes,
        stem: str,
        prefix: bytes,
        rows_limit: int | None,
    ) -> None:
        self.out, self.writer, self.found = out, writer, found
        self.head, self.tail, self.stem = head, tail, stem
        self.row_end = b"</" + prefix + b"row>"
        self.data_end = b"</" + prefix + b"sheetData>"
        self.rows_left = rows_limit
        self.written: Future[None] | None = None  # the slice being written

    def feed(self, xml: IO[bytes], pending: bytes) -> None:
        """Slice the rows of ``pending`` and the rest of ``xml``."""
        try:
            self._feed(xml, pending)
        finally:
            self._wait()  # every slice is in the file (or its error raised)

    def _wait(self) -> None:
        if self.written is not None:
            self.written.result()

    def _feed(self, xml: IO[bytes], pending: bytes) -> None:
        rows = bytearray(pending)
        while True:
            last = rows.rfind(self.row_end)
            whole = last + len(self.row_end) if last >= 0 else 0  # end of the last whole row
            end = rows.find(self.data_end, whole)  # only rows can come before it
            if end >= 0:
                self._flush(rows, end)
                self._merges(bytes(rows[end:]) + xml.read())
                return
            if self.rows_left is not None and rows.count(self.row_end) >= self.rows_left:
                self._flush(rows, self._nth_row_end(rows, self.rows_left))
                return
            if len(rows) >= SLICE_BYTES and whole:
                self._flush(rows, whole)
                rows = rows[whole:]  # a new buffer: the writer still reads the old one
            block = xml.read(_BLOCK)
            if not block:  # a truncated file: keep the whole rows read so far
                self._flush(rows, whole)
                return
            rows += block

    def _nth_row_end(self, rows: bytearray, count: int) -> int:
        position = 0
        for _ in range(count):
            position = rows.find(self.row_end, position) + len(self.row_end)
        return position

    def _flush(self, rows: bytes | bytearray, end: int | None = None) -> None:
        """Hand ``rows[:end]`` to the writer as the next slice: ``rows`` must stay as it is
        until then."""
        end = len(rows) if end is None else end
        if end == 0:
            return
        if _may_hold_errors(rows, end):
            self._errors(bytes(rows[:end]))
        if self.rows_left is not None:  # a look at the first rows: few strings are needed
            used = [int(index) for index in _SHARED.findall(rows, 0, end)]
            head = bytes(rows[:end])
            if len(used) < head.count(b't="s"') + head.count(b"t='s'"):
                self.found.strings = ALL_STRINGS  # a cell the pattern missed: take them all
            else:
                self.found.strings = max([self.found.strings, *(n + 1 for n in used)])
        name = f"{self.stem}{len(self.found.names)}"
        self._wait()
        self.written = self.writer.submit(self._write, name, rows, end)
        self.found.names.append(name)

    def _write(self, name: str, rows: bytes | bytearray, end: int) -> None:
        """Write ``rows[:end]`` as slice ``name`` (in pieces: no copy of the rows)."""
        with self.out.open(f"xl/worksheets/{name}.xml", "w", force_zip64=True) as part:
            part.write(self.head)
            part.write(memoryview(rows)[:end])
            part.write(self.tail)

    def _errors(self, rows: bytes) -> None:
        for cell in _ERROR_CELL.finditer(rows):
            ref = _REF_ATTR.search(cell.group(0))
            value = None if cell.group(0).endswith(b"/>") else _VALUE.match(rows, cell.end())
            if ref and value:
                self.found.errors[cell_position(ref.group(1).decode())] = value.group(1).decode()

    def _merges(self, rest: bytes) -> None:
        self.found.merges = [_box(first, last) for first, last in _MERGE.findall(rest)]
