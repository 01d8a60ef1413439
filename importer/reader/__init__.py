"""The reader stage: a CSV or Excel file -> chunks of text cells with spreadsheet row numbers.

>>> source = open_source("leads.xlsx", sheet="Sign-ups")      # doctest: +SKIP
>>> for chunk in source.chunks():                             # doctest: +SKIP
...     chunk.loc[2, "Email"]            # the cell the admin sees in row 2

Every problem that makes the file unreadable is an :class:`~importer.errors.InputFileError`
with a one-line message naming the file; nothing here raises for a bad *row*.

Known limits:

- A CSV row with *more* cells than the header is refused, and pandas finds it only when
  it reaches it, so the error can come from :meth:`Source.chunks` late in a pass (the dry
  run, which reads every row, always finds it before an import sends anything). A row with
  *fewer* cells is read padded and reported (``short_row``, see :meth:`Source.problems_in`).
- A row whose cells hold only spaces is not "blank"; later stages trim it and report it.
- Excel display formats are not applied except zero-padding ("0000000000") found in the
  first data rows; ``.xls`` files are read without even that, and their error cells
  (``#REF!``) read as empty: only .xlsx/.xlsm show them as the error's text.
- An .xlsx cell outside the table's columns (the sheet's declared dimension and the first
  rows) is refused when it is reached.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Literal

from importer.errors import InputFileError
from importer.reader.csv_source import open_csv
from importer.reader.excel_source import open_excel
from importer.reader.headers import column_letter
from importer.reader.source import Source, SourceInfo

__all__ = ["Source", "SourceInfo", "column_letter", "file_format", "open_source", "reopen"]

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})  # Excel's "Unicode text" is a .txt
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})


def file_format(path: str | Path) -> Literal["csv", "xlsx"]:
    """How a file will be read, by its name alone (before it is opened)."""
    return "csv" if Path(path).suffix.lower() in CSV_SUFFIXES else "xlsx"


def open_source(
    path: str | Path,
    sheet: str | int | None = None,
    *,
    header_row: int | None = None,
    encoding: str | None = None,
) -> Source:
    """Open a spreadsheet for reading.

    ``sheet`` is a name or a 0-based index (Excel only); ``header_row`` the 1-based row
    holding the column names (default 1; rows above it are not data); ``encoding`` the
    text encoding of a CSV (default: guessed — UTF-8 with or without BOM, UTF-16 or
    Windows-1252).
    """
    path = Path(path)
    _refuse_non_file(path)
    row = 1 if header_row is None else header_row
    if row < 1:
        raise InputFileError(f"the header row must be 1 or more (got {row})")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return open_csv(path, sheet, row, encoding)
    if suffix in EXCEL_SUFFIXES:
        return open_excel(path, sheet, row)
    raise InputFileError(
        f"{path.name}: unsupported file type '{path.suffix or '(none)'}'; save it as .csv or .xlsx"
    )


def reopen(info: SourceInfo) -> Source:
    """The same file read the same way again (same sheet, header row and encoding: the
    encoding found the first time is given, so the file is not scanned for it again)."""
    return open_source(
        info.path,
        info.sheet if info.format == "xlsx" else None,
        header_row=info.header_row,
        encoding=info.encoding if info.format == "csv" else None,
    )


_KINDS = (
    (stat.S_ISFIFO, "a pipe (fifo)"),
    (stat.S_ISCHR, "a terminal or device"),
    (stat.S_ISBLK, "a disk device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse_non_file(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputFileError(f"{path} does not exist; check the file name and folder") from None
    except OSError as error:
        raise InputFileError(f"{path} cannot be read ({error.strerror})") from None
    if stat.S_ISDIR(mode):
        raise InputFileError(f"{path} is a folder, not a spreadsheet file")
    for test, kind in _KINDS:
        if test(mode):
            raise InputFileError(
                f"{path} is {kind}, not a spreadsheet file; the file is read more than once, "
                "so save the data to a .csv or .xlsx file and give that file"
            )
    if path.stat().st_size == 0:
        raise InputFileError(f"{path.name} is empty")
