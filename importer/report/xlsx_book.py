"""Every workbook lsq-import writes: XlsxWriter in constant-memory mode, formats made once.

XlsxWriter writes each row to disk as soon as the next one starts, so memory stays flat
however many rows a sheet gets, and it is several times faster than openpyxl. Its options
are set so that no text is ever reinterpreted: a user's ``=cmd|' /C calc'!A0`` is written
as text (``write_string``), never as a formula, number or link.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any, Literal

import xlsxwriter

OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

Kind = Literal["text", "integer", "decimal", "date", "datetime", "count", "percent"]

_NUMBER_FORMATS: dict[Kind, str] = {
    "text": "@",  # what a user types into the cell stays text too (e.g. 044 in a fix file)
    "integer": "0",  # never 9.19803E+11 for a 12-digit number
    "decimal": "General",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "count": "#,##0",
    "percent": "0.0%",
}

MARKED_FILL = "#FF8B8B"  # the very cell that is wrong, inside a tinted row
_MARKED_BORDER = "#C00000"
HEADER_FILL = "#D9D9D9"
LINE_HEIGHT = 15  # points, for the default 11-point font
_MAX_LINES = 12  # a row taller than this shows the rest when the cell is selected


class Book:
    """One workbook being written; :meth:`close` saves it, :meth:`discard` drops it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.xlsx = xlsxwriter.Workbook(str(path), OPTIONS)
        self._formats: dict[tuple[object, ...], Any] = {}
        self.comments = 0  # cells commented so far, up to limits.COMMENTED_CELLS
        self.uncommented = 0  # wrong cells past that limit: marked without a comment

    def cell_format(
        self,
        kind: Kind = "text",
        *,
        tint: str | None = None,
        marked: bool = False,
        bold: bool = False,
        header: bool = False,
        size: int | None = None,
        wrap: bool = False,
        centre: bool = False,
    ) -> Any:
        """The format of a cell; each distinct one is made once (Excel caps their number)."""
        key = (kind, tint, marked, bold, header, size, wrap, centre)
        found = self._formats.get(key)
        if found is None:
            found = self.xlsx.add_format(_properties(*key))
            self._formats[key] = found
        return found

    def close(self) -> None:
        self.xlsx.close()

    def discard(self) -> None:
        """Give up: XlsxWriter has no way to abandon a workbook but to finish it, which
        also removes its temporary files; the half-written file is then deleted."""
        with suppress(Exception):
            self.xlsx.close()
        self.path.unlink(missing_ok=True)


def _properties(
    kind: Kind,
    tint: str | None,
    marked: bool,
    bold: bool,
    header: bool,
    size: int | None,
    wrap: bool,
    centre: bool,
) -> dict[str, object]:
    props: dict[str, object] = {"num_format": _NUMBER_FORMATS[kind], "valign": "top"}
    if tint is not None:
        props |= {"pattern": 1, "bg_color": tint}
    if marked:
        props |= {"pattern": 1, "bg_color": MARKED_FILL, "border": 1}
        props |= {"border_color": _MARKED_BORDER, "bold": True}
    if header:
        props |= {"bold": True, "pattern": 1, "bg_color": HEADER_FILL, "bottom": 1}
    if bold:
        props["bold"] = True
    if size is not None:
        props["font_size"] = size
    if wrap:
        props["text_wrap"] = True
    if centre:
        props["align"] = "center"
    return props


def wrapped_lines(text: str, width: float) -> int:
    """About how many lines ``text`` takes in a wrapped cell ``width`` characters wide."""
    # Column widths count digit widths; average text is narrower, about 1.2 letters a digit.
    per_line = max(int(width * 1.2), 1)
    return sum(-(-len(line) // per_line) or 1 for line in text.split("\n"))


def fit_row_height(sheet: Any, row: int, lines: int) -> None:
    """Make ``row`` tall enough for ``lines`` lines: neither Excel nor LibreOffice does it
    when opening a file, so wrapped text would otherwise overlap the rows below."""
    if lines > 1:
        sheet.set_row(row, LINE_HEIGHT * min(lines, _MAX_LINES))


def print_setup(sheet: Any, *, repeat_header: bool = True) -> None:
    """Landscape A4, as wide as one page, the header row on every page, page numbers."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer("&L&A&RPage &P of &N")
    if repeat_header:
        sheet.repeat_rows(0)
