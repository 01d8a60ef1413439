"""The reader stage: a CSV or Excel file -> chunks of text cells with spreadsheet row numbers.

>>> source = open_source("leads.xlsx", sheet="Sign-ups")      # doctest: +SKIP
>>> for chunk in source.chunks():                             # doctest: +SKIP
...     chunk.loc[2, "Email"]            # the cell the admin sees in row 2

Every problem that makes the file unreadable is an :class:`~importer.errors.InputFileError`
with a one-line message naming the file; nothing here raises for a bad *row*.

Known limits:

- A CSV row with *more* cells than the header is refused, and pandas finds it only when
  it reaches it, so the error can come from :meth:`Source.chunks` late in a pass (the dry
  run, which reads every row, always finds it before an import sends anything).
- A row whose cells hold only spaces is not "blank"; later stages trim it and report it.
- Excel display formats are not applied except zero-padding ("0000000000") found in the
  first data rows; ``.xls`` files are read without even that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from importer.errors import InputFileError
from importer.reader.csv_source import open_csv
from importer.reader.excel_source import open_excel
from importer.reader.headers import column_letter
from importer.reader.source import Source, SourceInfo

__all__ = ["Source", "SourceInfo", "column_letter", "file_format", "open_source"]

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})  # Excel's "Unicode text" is a .txt
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})


def file_format(path: str | Path) -> Literal["csv", "xlsx"]:
    """How a file will be read, by its name alone (before it is opened)."""
    return "csv" if Path(path).suffix.lower() in CSV_SUFFIXES else "xlsx"


def open_source(path: str | Path, sheet: str | int | None = None) -> Source:
    """Open a spreadsheet for reading; ``sheet`` is a name or a 0-based index (Excel only)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path} does not exist; check the file name and folder")
    if not path.is_file():
        raise InputFileError(f"{path} is a folder, not a spreadsheet file")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path.name} is empty")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return open_csv(path, sheet)
    if suffix in EXCEL_SUFFIXES:
        return open_excel(path, sheet)
    raise InputFileError(
        f"{path.name}: unsupported file type '{path.suffix or '(none)'}'; save it as .csv or .xlsx"
    )
