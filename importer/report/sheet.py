"""A streamed table sheet: bold frozen header, filters, widths, and a CSV overflow.

Excel holds 1,048,576 rows including the header; rows past that go to a CSV file with the
same columns instead of being lost or breaking the workbook.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from importer.report.cells import HEADER_FONT, CellValue, as_worksheet, sheet_cell

if TYPE_CHECKING:
    from _csv import Writer

#: Rows an Excel sheet holds, header included. Tests monkeypatch it to a small number.
MAX_SHEET_ROWS = 1_048_576

_MIN_WIDTH = 8
_MAX_WIDTH = 60


def column_widths(headers: Sequence[str], sample: Iterable[Sequence[CellValue]]) -> list[float]:
    """Widths that fit the header and the sample's values, within sensible bounds."""
    widest = [len(h) for h in headers]
    for values in sample:
        for i, value in enumerate(values):
            longest_line = max((len(line) for line in str(value or "").splitlines()), default=0)
            widest[i] = max(widest[i], longest_line)
    return [min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH) for w in widest]


class SpillingSheet:
    """Appends rows to a worksheet until Excel's limit, then to ``spill_path`` as CSV."""

    def __init__(
        self,
        ws: WriteOnlyWorksheet,
        headers: Sequence[str],
        spill_path: Path,
        widths: Sequence[float],
    ) -> None:
        self._ws = ws
        self._headers = tuple(headers)
        self._spill_path = spill_path
        self._spill: IO[str] | None = None
        self._csv: Writer | None = None
        self.rows_in_sheet = 0
        self.rows_spilled = 0
        # A write-only sheet writes its views and columns before the first row.
        for i, width in enumerate(widths, start=1):
            as_worksheet(ws).column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        ws.append([sheet_cell(ws, h, font=HEADER_FONT) for h in self._headers])

    def append(self, values: Sequence[CellValue], fill: PatternFill | None = None) -> None:
        """Add one data row, highlighted with ``fill``."""
        if self.rows_in_sheet + 1 < MAX_SHEET_ROWS:
            self._ws.append([sheet_cell(self._ws, v, fill) for v in values])
            self.rows_in_sheet += 1
        else:
            self._spill_row(values)

    def close(self) -> Path | None:
        """Put the filter over the used range; return the CSV path if rows spilled."""
        last = get_column_letter(len(self._headers))
        as_worksheet(self._ws).auto_filter.ref = f"A1:{last}{self.rows_in_sheet + 1}"
        if self._spill is None:
            self._spill_path.unlink(missing_ok=True)  # stale, from an earlier run
            return None
        self._spill.close()
        return self._spill_path

    def discard(self) -> None:
        """Drop a half-written overflow CSV."""
        if self._spill is not None:
            self._spill.close()
            self._spill_path.unlink(missing_ok=True)

    def _spill_row(self, values: Sequence[CellValue]) -> None:
        if self._csv is None:
            # utf-8-sig so Excel opens the overflow with the right characters.
            self._spill = self._spill_path.open("w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._spill)
            self._csv.writerow(self._headers)
        self._csv.writerow(["" if v is None else v for v in values])
        self.rows_spilled += 1


def abandon(wb: Workbook) -> None:
    """Close a write-only workbook that will never be saved, removing its temporary
    files (openpyxl only does that on save)."""
    for ws in wb.worksheets:
        if isinstance(ws, WriteOnlyWorksheet) and not ws.closed:
            ws.close()
            # The stubs leave out the writer that owns the temporary file.
            writer = getattr(ws, "_writer", None)
            if writer is not None:
                writer.cleanup()
