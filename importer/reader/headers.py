"""Turning a spreadsheet's first row into column names the rest of the pipeline can trust.

Admins' files carry BOMs, stray spaces, blank header cells and copy-pasted columns;
the mapping addresses columns by name, so every name must be clean and unique.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from importer.errors import InputFileError
from importer.wording import listing, quoted

# Characters Excel and editors leave around names: BOM, no-break and zero-width spaces.
_JUNK = "\ufeff\u00a0\u200b \t\r\n\x00"


def column_letter(position: int) -> str:
    """Spreadsheet letters for a 0-based column position: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    number = position + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def clean_header(cell: str) -> str:
    return cell.strip(_JUNK)


@dataclass(frozen=True)
class HeaderPlan:
    """Which file columns to keep (by 0-based position) and the name each one gets."""

    positions: tuple[int, ...]
    names: tuple[str, ...]
    warnings: tuple[str, ...]


def plan_headers(
    file_name: str,
    cells: Sequence[str],
    has_data: Sequence[bool],
    letter_offset: int = 0,
    header_row: int = 1,
) -> HeaderPlan:
    """Name every column; drop unnamed columns that hold nothing.

    ``has_data[i]`` says whether column ``i`` has any non-empty cell below the header
    (only consulted for unnamed columns). ``letter_offset`` shifts the letters in
    messages when the reader did not start at column A; ``header_row`` is the row read.
    """
    cleaned = [clean_header(cell) for cell in cells]
    if not any(cleaned):
        raise InputFileError(
            f"{file_name}: row {header_row} is empty; the header row must hold the column "
            "names (choose it with --header-row)"
        )
    _refuse_duplicates(file_name, cleaned, letter_offset, header_row)
    positions: list[int] = []
    names: list[str] = []
    unnamed: list[str] = []
    taken = set(cleaned)
    for position, name in enumerate(cleaned):
        if not name and not has_data[position]:
            continue  # an empty column with no header: nothing to import, nothing to say
        if not name:
            name = _free_name(f"Column {column_letter(position + letter_offset)}", taken)
            unnamed.append(name)
        positions.append(position)
        names.append(name)
    warnings = tuple(
        f"{file_name}: {name} has data but no header in row {header_row}; it is read as '{name}'"
        for name in unnamed
    )
    return HeaderPlan(tuple(positions), tuple(names), warnings)


def _free_name(wanted: str, taken: set[str]) -> str:
    # A real header might already be called "Column F"; never create a duplicate.
    name, suffix = wanted, 2
    while name in taken:
        name, suffix = f"{wanted} ({suffix})", suffix + 1
    taken.add(name)
    return name


def _refuse_duplicates(
    file_name: str, names: Sequence[str], letter_offset: int, header_row: int
) -> None:
    where: defaultdict[str, list[str]] = defaultdict(list)
    for position, name in enumerate(names):
        if name:
            where[name].append(column_letter(position + letter_offset))
    repeated = [(name, letters) for name, letters in where.items() if len(letters) > 1]
    if repeated:
        listed = listing(
            (f"{quoted(name)} in columns {', '.join(letters[:5])}" for name, letters in repeated),
            quote=False,
        )
        raise InputFileError(
            f"{file_name}: column names must be unique, but row {header_row} repeats {listed}; "
            "rename or delete the extra columns"
        )
