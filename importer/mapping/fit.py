"""Opening a spreadsheet the way a mapping reads it, and refusing a file that does not fit.

The command line's ``--sheet`` / ``--header-row`` win over the mapping's ``sheet:`` /
``header_row:``. When the mapping's columns are not in the header that was read, the
message says which sheet and row were read and, when another sheet or row holds the
columns (a cover sheet, title rows, a hidden sheet), where they are and how to read them.
"""

from __future__ import annotations

from pathlib import Path

from importer.errors import InputFileError
from importer.mapping.loader import check_headers, missing_columns
from importer.mapping.model import Mapping
from importer.reader import Source, SourceInfo, open_source
from importer.reader.locate import HeaderSpot, best_header_spot
from importer.wording import listing, quoted


def open_for_mapping(
    path: str | Path,
    mapping: Mapping,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
) -> Source:
    """``path`` opened with the mapping's sheet and header row (unless given here), checked
    to hold every column the mapping names."""
    source = open_source(
        path,
        sheet if sheet is not None else mapping.sheet,
        header_row=header_row if header_row is not None else mapping.header_row,
        encoding=encoding,
    )
    info = source.info
    missing = missing_columns(mapping, info.headers)
    if missing:
        wanted = [f.column for f in mapping.fields if f.column is not None]
        spot = best_header_spot(info, wanted)
        if spot is not None and spot.found > len(wanted) - len(missing):
            raise InputFileError(_elsewhere(info, missing, len(wanted), spot))
        check_headers(mapping, info.headers, _read_as(info))
    return source


def _read_as(info: SourceInfo) -> str:
    """How a mapping error names what was read as the header."""
    return f"{info.path.name} ({_header_read(info)} read as the header)"


def _header_read(info: SourceInfo) -> str:
    if info.format == "csv":
        return f"row {info.header_row}"
    return f"sheet {quoted(info.sheet)} row {info.header_row}"


def _elsewhere(info: SourceInfo, missing: list[str], wanted: int, spot: HeaderSpot) -> str:
    if info.format == "csv":
        where = f"row {spot.row} holds {spot.found} of them"
        advice = f"run with --header-row {spot.row} (or put header_row: {spot.row} in the mapping)"
    else:
        hidden = "" if spot.visible else " (a hidden sheet)"
        where = f"sheet {quoted(spot.sheet)}{hidden} row {spot.row} holds {spot.found} of them"
        options = f"--sheet {quoted(spot.sheet)}"
        if spot.row != 1:
            options += f" --header-row {spot.row}"
        advice = f"run with {options} (or put sheet:/header_row: in the mapping)"
    return (
        f"{info.path.name}: {_header_read(info)} was read as the header and lacks "
        f"{len(missing)} of the mapping's {wanted} columns ({listing(missing)}); {where} — "
        f"{advice}"
    )
