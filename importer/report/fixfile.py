"""The fix file: only the rows to correct, in the input's own format and column order,
plus a last ``Problems`` column, so the admin edits it and runs it again as it is.

It is written beside the workbook under a temporary name and renamed at the end, so a
crash never leaves a half-written fix file; with no row to fix, a stale one is removed.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Protocol

from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from importer.report.cells import sheet_cell
from importer.report.model import PROBLEMS_COLUMN, ResultsInput
from importer.report.sheet import abandon


class _Writer(Protocol):
    def append(self, values: Sequence[str]) -> None: ...
    def close(self) -> None: ...
    def discard(self) -> None: ...


def fix_file_path(out: Path, source_format: str) -> Path:
    """``<out stem>.fix.csv`` or ``<out stem>.fix.xlsx``, beside the workbook."""
    return out.with_name(f"{out.stem}.fix.{source_format}")


def fix_headers(headers: Sequence[str]) -> tuple[str, ...]:
    """The input's columns minus a carried-over ``Problems`` column, plus a fresh one."""
    return (*(h for h in headers if h != PROBLEMS_COLUMN), PROBLEMS_COLUMN)


def fix_values(headers: Sequence[str], values: Sequence[str], problems: str) -> list[str]:
    """A row's cells for the fix file, matching :func:`fix_headers`."""
    kept = [v for h, v in zip(headers, values, strict=True) if h != PROBLEMS_COLUMN]
    return [*kept, problems]


class FixFile:
    """Opens the fix file at the first row to fix; :meth:`close` returns its path."""

    def __init__(self, out: Path, results: ResultsInput) -> None:
        self.path = fix_file_path(out, results.source_format)
        self._partial = self.path.with_name(self.path.name + ".part")
        self._results = results
        self._writer: _Writer | None = None
        self.rows = 0

    def append(self, values: Sequence[str], problems: str) -> None:
        if self._writer is None:
            self._writer = self._open()
        self._writer.append(fix_values(self._results.headers, values, problems))
        self.rows += 1

    def close(self) -> Path | None:
        if self._writer is None:
            self.path.unlink(missing_ok=True)  # stale, from an earlier run
            return None
        self._writer.close()
        os.replace(self._partial, self.path)
        return self.path

    def discard(self) -> None:
        """Drop a half-written fix file; a complete one from an earlier run stays."""
        if self._writer is not None:
            self._writer.discard()
        self._partial.unlink(missing_ok=True)

    def _open(self) -> _Writer:
        headers = fix_headers(self._results.headers)
        if self._results.source_format == "xlsx":
            return _XlsxWriter(self._partial, headers, self._results.sheet)
        return _CsvWriter(self._partial, headers, self._results)


class _CsvWriter:
    """Writes like the input: its delimiter and encoding (a BOM stays, UTF-16 stays)."""

    def __init__(self, path: Path, headers: Sequence[str], results: ResultsInput) -> None:
        # "replace" only ever touches our own message text: the data came in this encoding.
        self._file: IO[str] = path.open(
            "w", encoding=results.csv_encoding or "utf-8", errors="replace", newline=""
        )
        self._csv = csv.writer(self._file, delimiter=results.csv_delimiter or ",")
        self._csv.writerow(headers)

    def append(self, values: Sequence[str]) -> None:
        self._csv.writerow(values)  # verbatim: the fix file must re-import as it is

    def close(self) -> None:
        self._file.close()

    def discard(self) -> None:
        self._file.close()


class _XlsxWriter:
    """Every cell text, in a sheet named like the input's."""

    def __init__(self, path: Path, headers: Sequence[str], sheet: str) -> None:
        self._path = path
        self._wb = Workbook(write_only=True)
        self._ws: WriteOnlyWorksheet = self._wb.create_sheet(excel_sheet_name(sheet))
        self.append(headers)

    def append(self, values: Sequence[str]) -> None:
        self._ws.append([sheet_cell(self._ws, v) for v in values])

    def close(self) -> None:
        self._wb.save(self._path)

    def discard(self) -> None:
        abandon(self._wb)  # nothing reached the file yet: a write-only workbook saves at once


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def excel_sheet_name(name: str) -> str:
    """``name`` as Excel accepts a sheet title: no ``[]:*?/\\``, at most 31 characters."""
    cleaned = _BAD_SHEET_CHARS.sub("_", name).strip("'")[:31]
    return cleaned or "Sheet1"
