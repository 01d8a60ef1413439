"""CSV files as raw chunks of text cells, read by pandas' C parser in constant memory.

Everything stays text (``dtype=object`` with NA detection off): "007" keeps its zero and
"NA" stays "NA". pandas numbers *records*, not lines, so a quoted field holding a
newline does not shift the row numbers the admin sees in Excel.

pandas pads a record with fewer cells than the header without saying so, and such a row
usually has its values in the wrong columns (a delimiter went missing). The standard
``csv`` module reads the same records alongside and tells each one's cell count, so
those rows become ``short_row`` problems instead of silently shifted values.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from importer.errors import InputFileError
from importer.model import Problem
from importer.reader.csv_sniff import (
    SAMPLE_BYTES,
    detect_delimiter,
    detect_encoding,
    read_sample,
    sample_text,
)
from importer.reader.source import RawChunk, Source, build_source

_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def open_csv(
    path: Path, sheet: str | int | None, header_row: int = 1, encoding: str | None = None
) -> Source:
    sample = read_sample(path)
    if not sample:
        raise InputFileError(f"{path.name} is empty")
    chosen = detect_encoding(path, sample, encoding)
    text = sample_text(sample, chosen.name)
    delimiter = detect_delimiter(text, complete=len(sample) < SAMPLE_BYTES, skip=header_row - 1)
    options = _read_options(chosen.name, delimiter, header_row)
    warnings = [chosen.warning] if chosen.warning else []
    if sheet is not None:
        warnings.append(f"{path.name}: a CSV file has no sheets; the sheet option is ignored")
    header = _header_cells(path, options, header_row)
    return build_source(
        path,
        "csv",
        sheet=path.name,
        header_cells=header,
        raw=lambda rows: _chunks(path, options, rows, len(header), header_row),
        encoding=chosen.name,
        delimiter=delimiter,
        warnings=warnings,
        header_row=header_row,
    )


def _read_options(encoding: str, delimiter: str, header_row: int) -> dict[str, Any]:
    return {
        "sep": delimiter,
        "header": None,  # we name columns ourselves: pandas would rename duplicates
        "dtype": object,
        "keep_default_na": False,
        "na_filter": False,
        "skip_blank_lines": False,  # a blank line still uses up a row number
        "skiprows": header_row - 1,  # title lines above the header are not data
        "engine": "c",
        "encoding": encoding,
        # cp1252 leaves five bytes undefined; one of them must not stop the whole file.
        "encoding_errors": "replace" if encoding == "cp1252" else "strict",
    }


def _header_cells(path: Path, options: dict[str, Any], header_row: int) -> list[str]:
    try:
        first = pd.read_csv(path, nrows=1, **options)
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{path.name} has no header row (row {header_row} is empty)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputFileError(_parser_message(path, error, options)) from None
    return [str(cell) for cell in first.iloc[0]] if len(first) else []


def _chunks(
    path: Path, options: dict[str, Any], rows: int, width: int, header_row: int
) -> Iterator[RawChunk]:
    first = header_row  # pandas' record 0 is the header, i.e. spreadsheet row header_row
    try:
        with (
            pd.read_csv(path, chunksize=rows, **options) as reader,
            _CellCounts(path, options) as counts,
        ):
            for frame in reader:
                frame.index = frame.index + first
                short = counts.short_rows(frame.index, width, header_row)
                data = frame.iloc[1:] if frame.index[0] == header_row else frame
                yield RawChunk(data, problems=short)
            counts.finish()
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputFileError(_parser_message(path, error, options)) from None


class _CellCounts:
    """The cell count of each record, read by the csv module in step with pandas."""

    def __init__(self, path: Path, options: dict[str, Any]) -> None:
        self.name = path.name
        self.handle = path.open(
            encoding=options["encoding"], errors=options["encoding_errors"], newline=""
        )
        for _ in range(options["skiprows"]):  # pandas skips lines; titles rarely span two
            self.handle.readline()
        self.records = csv.reader(self.handle, delimiter=options["sep"], strict=False)

    def __enter__(self) -> _CellCounts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def short_rows(self, numbers: pd.Index, width: int, header_row: int) -> tuple[Problem, ...]:
        found = []
        for number, record in zip(numbers, self.records, strict=False):
            cells = len(record)
            if 0 < cells < width and number > header_row:
                found.append(self._problem(int(number), cells, width))
        return tuple(found)

    def _problem(self, row: int, cells: int, width: int) -> Problem:
        line = self.records.line_num
        return Problem(
            self.name,
            row,
            None,
            None,
            "short_row",
            f"Row {row} (line {line} of the file) has {cells} cells but the header has "
            f"{width}: a delimiter is probably missing, so its values may be in the wrong "
            "columns — fix the line",
        )

    def finish(self) -> None:
        # Both parsers must have seen the same records, or row numbers could be off.
        if next(self.records, None) is not None:
            raise InputFileError(
                f"{self.name}: its records cannot be counted consistently (an unusual "
                "quote?); save it again from Excel as 'CSV UTF-8'"
            )


def _parser_message(path: Path, error: Exception, options: dict[str, Any]) -> str:
    if isinstance(error, UnicodeDecodeError):
        return (
            f"{path.name} contains bytes that are not valid {options['encoding']} text; "
            "save it as 'CSV UTF-8' or name its encoding with --encoding"
        )
    found = _FIELDS.search(str(error))
    if found:
        expected, line, saw = found.groups()
        return (
            f"{path.name}: line {int(line) + options['skiprows']} has {saw} cells but the "
            f"header row has {expected}; remove the extra delimiters or give the extra "
            "columns a header"
        )
    detail = str(error).replace("Error tokenizing data. C error: ", "").strip()
    return f"{path.name} cannot be read as CSV: {detail}"
