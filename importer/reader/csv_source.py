"""CSV files as raw chunks of text cells, read by pandas' C parser in constant memory.

Everything stays text (``dtype=object`` with NA detection off): "007" keeps its zero and
"NA" stays "NA". pandas numbers *records*, not lines, so a quoted field holding a
newline does not shift the row numbers the admin sees in Excel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from importer.errors import InputFileError
from importer.reader.csv_sniff import (
    SAMPLE_BYTES,
    detect_delimiter,
    detect_encoding,
    read_sample,
    sample_text,
)
from importer.reader.source import Source, build_source

_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def open_csv(path: Path, sheet: str | int | None) -> Source:
    sample = read_sample(path)
    if not sample:
        raise InputFileError(f"{path.name} is empty")
    encoding = detect_encoding(path, sample)
    delimiter = detect_delimiter(
        sample_text(sample, encoding.name), complete=len(sample) < SAMPLE_BYTES
    )
    options = _read_options(encoding.name, delimiter)
    warnings = [encoding.warning] if encoding.warning else []
    if sheet is not None:
        warnings.append(f"{path.name}: a CSV file has no sheets; the sheet option is ignored")
    return build_source(
        path,
        "csv",
        sheet=path.name,
        header_cells=_header_cells(path, options),
        raw=lambda rows: _frames(path, options, rows),
        encoding=encoding.name,
        delimiter=delimiter,
        warnings=warnings,
    )


def _read_options(encoding: str, delimiter: str) -> dict[str, Any]:
    return {
        "sep": delimiter,
        "header": None,  # we name columns ourselves: pandas would rename duplicates
        "dtype": object,
        "keep_default_na": False,
        "na_filter": False,
        "skip_blank_lines": False,  # a blank line still uses up a row number
        "engine": "c",
        "encoding": encoding,
        # cp1252 leaves five bytes undefined; one of them must not stop the whole file.
        "encoding_errors": "replace" if encoding == "cp1252" else "strict",
    }


def _header_cells(path: Path, options: dict[str, Any]) -> list[str]:
    try:
        first = pd.read_csv(path, nrows=1, **options)
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{path.name} has no header row (row 1 is empty)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputFileError(_parser_message(path, error)) from None
    return [str(cell) for cell in first.iloc[0]] if len(first) else []


def _frames(path: Path, options: dict[str, Any], rows: int) -> Iterator[pd.DataFrame]:
    try:
        with pd.read_csv(path, chunksize=rows, **options) as reader:
            for frame in reader:
                # pandas counts records from 0 and the header is record 0 = row 1.
                frame.index = frame.index + 1
                yield frame.iloc[1:] if frame.index[0] == 1 else frame
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputFileError(_parser_message(path, error)) from None


def _parser_message(path: Path, error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"{path.name} contains bytes that are not valid text; save it as 'CSV UTF-8'"
    found = _FIELDS.search(str(error))
    if found:
        expected, line, saw = found.groups()
        return (
            f"{path.name}: line {line} has {saw} cells but the header row has {expected}; "
            "remove the extra delimiters or give the extra columns a header"
        )
    detail = str(error).replace("Error tokenizing data. C error: ", "").strip()
    return f"{path.name} cannot be read as CSV: {detail}"
