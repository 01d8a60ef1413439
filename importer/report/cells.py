"""Cells that Excel shows exactly as the text we were given.

Two traps: openpyxl turns a string starting with ``=`` into a formula (and ``#N/A`` into
an error value), and the XML inside an .xlsx cannot carry most control characters, a
carriage return or a literal ``_x0041_`` (Excel decodes ``_xHHHH_`` escapes). Every string
therefore goes through :func:`excel_text`, and any string openpyxl would reinterpret is
written as an explicit text cell.
"""

from __future__ import annotations

import re
from typing import cast

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from importer.model import Outcome

#: What one cell of a report row may hold before it becomes a worksheet cell.
CellValue = str | int | None

# Characters XML 1.0 cannot hold (or that its parsers normalise away, like CR), and the
# underscore of anything that looks like an escape, so Excel decodes it back to itself.
_NEEDS_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ufffe\uffff]")

# Cells starting like this are formulas or error values to openpyxl; "+", "-" and "@"
# would be formulas to Excel if typed, so they are pinned as text as well.
_REINTERPRETED = ("=", "+", "-", "@", "#")

HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)

# Light red for the data's or the system's failures, amber for rows a person must look
# at, grey for rows the account already had; the rest stay white.
_RED = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")
_AMBER = PatternFill(fill_type="solid", start_color="FFEB9C", end_color="FFEB9C")
_GREY = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
_FILLS: dict[Outcome, PatternFill] = {
    Outcome.INVALID: _RED,
    Outcome.FAILED: _RED,
    Outcome.NEEDS_REVIEW: _AMBER,
    Outcome.PARTIAL: _AMBER,
    Outcome.DUPLICATE: _GREY,
}


def fill_for(outcome: Outcome) -> PatternFill | None:
    """The highlight of a row with this outcome, or None for no highlight."""
    return _FILLS.get(outcome)


def excel_text(value: str) -> str:
    """``value`` escaped the way Excel (and calamine) decode it back to ``value``."""
    if value and value.isspace():
        # openpyxl marks only text with non-blank content as space-preserving, so a cell
        # of nothing but spaces or newlines would read back empty; escapes survive.
        return "".join(_escape(c) for c in value)
    if not _NEEDS_ESCAPE.search(value):
        return value  # the common case: no copy
    return _NEEDS_ESCAPE.sub(lambda m: _escape(m.group()), value)


def _escape(char: str) -> str:
    return f"_x{ord(char):04X}_"


def sheet_cell(
    ws: WriteOnlyWorksheet,
    value: CellValue,
    fill: PatternFill | None = None,
    font: Font | None = None,
) -> object:
    """What to append to ``ws`` for ``value``: a plain value when openpyxl would store it
    as is (fast), otherwise a styled or text-pinned cell."""
    text = excel_text(value) if isinstance(value, str) else value
    pinned = isinstance(text, str) and text.startswith(_REINTERPRETED)
    if fill is None and font is None and not pinned:
        return None if text == "" else text
    cell = WriteOnlyCell(ws, value=None if text == "" else text)
    if pinned:
        cell.data_type = "s"  # set after the value: openpyxl infers "f" or "e" from it
    if fill is not None:
        cell.fill = fill
    if font is not None:
        cell.font = font
    return cell


def as_worksheet(ws: WriteOnlyWorksheet) -> Worksheet:
    """``ws`` typed as the Worksheet whose layout attributes (column widths, filters,
    charts) it copies at runtime; the openpyxl stubs leave them out."""
    return cast(Worksheet, ws)
