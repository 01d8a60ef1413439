"""Cells of the CSV files lsq-import writes, kept inert for spreadsheets and restored exactly
when such a file is read again.

A CSV cell that starts with ``= + - @``, a tab or a carriage return is a formula to Excel and
LibreOffice (``=cmd|' /C calc'!A0``), so, as OWASP recommends, the report writes it with a
leading apostrophe. For the round trip to be exact, a cell that already starts with
apostrophes followed by such a character gets one more, and exactly one is taken off on
reading. Only CSV files carrying the ``Problems`` column the report adds (its fix file and
results CSVs) are restored: a user's own CSV is read exactly as it is.
"""

from __future__ import annotations

import pandas as pd

#: The column the report adds to the files it writes; the mapping never names it, so a
#: fix file runs again as it is.
PROBLEMS_COLUMN = "Problems"

#: First characters that make a CSV cell a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_live(text: str) -> bool:
    """Whether ``text`` (after any leading apostrophes) starts like a formula."""
    return text.lstrip("'")[:1] in FORMULA_STARTS


def neutralised(text: str) -> str:
    """``text`` as the report writes it into a CSV cell."""
    return "'" + text if is_live(text) else text


def restored(text: str) -> str:
    """The cell the report was given, from ``neutralised(cell)``."""
    return text[1:] if text[:1] == "'" and is_live(text) else text


def written_by_report(file_format: str, headers: tuple[str, ...]) -> bool:
    """Whether a file's cells were neutralised: a CSV with our ``Problems`` column."""
    return file_format == "csv" and PROBLEMS_COLUMN in headers


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every neutralised cell restored (cells are text)."""
    restored_frame = frame
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        quoted = column.str.startswith("'").to_numpy(dtype=bool)
        if not quoted.any():
            continue  # the common case: no apostrophe in the whole column
        if restored_frame is frame:
            restored_frame = frame.copy()
        values = column.to_numpy(copy=True)
        values[quoted] = [restored(text) for text in values[quoted]]
        restored_frame.iloc[:, position] = values
    return restored_frame
