"""Excel cell values -> the text the admin sees in the cell.

calamine gives typed values (float, bool, datetime, ...) but no number formats, so a
phone typed as a number would become ``9.18E+11`` or ``919876543210.0`` and a
zero-padded ID would lose its zeros. Numbers are written out in full here, and the
columns whose cells use a zero-padding format ("0000000000") are found with openpyxl.

Limit: only the pure zero-padding formats of the first data rows are honoured; other
display formats (``000-000-0000``, currency, percentages) give the plain stored value.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import openpyxl
import pandas as pd

FORMAT_ROWS = 20  # data rows whose number formats are sampled
_PADDING = re.compile(r"^0{2,}$")
_PADDING_IN_STYLES = re.compile(rb'formatCode="0{2,}"')


def cell_text(value: object) -> str:
    """The cell as text: numbers in full, dates as ``yyyy-mm-dd hh:mm:ss``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return f"{value.isoformat()} 00:00:00"
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, timedelta):
        return _duration_text(value)
    return "" if value is None else str(value)


def number_text(value: float) -> str:
    """Never scientific notation, never a trailing ".0", Excel's 15 significant digits."""
    if not np.isfinite(value):
        return str(value)
    # Excel shows 15 significant digits, so a stored 0.30000000000000004 reads as 0.3.
    shown = float(f"{value:.15g}")
    if shown.is_integer():
        return str(int(shown))
    return np.format_float_positional(shown, trim="-")


def _duration_text(value: timedelta) -> str:
    seconds = round(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def column_texts(values: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """:func:`cell_text` of every cell of one column, vectorised for the common kinds.

    Most columns hold only text (returned as they are) or numbers and dates, converted in
    bulk; anything else (booleans, times, durations) goes through :func:`cell_text` one
    cell at a time.
    """
    kind = pd.api.types.infer_dtype(values, skipna=False)
    if kind == "string":
        return _shared(values)
    # Columns of one kind (phones, fees, dates) skip the cell-by-cell sorting by type.
    if kind == "floating":
        return _float_texts(values.astype(np.float64))
    if kind in ("datetime", "date"):  # calamine gives datetime.datetime and date only
        return _stamp_texts(values)
    # Mixed columns: cells grouped by their exact type (a bool is not an int, a datetime
    # not a date) in one pass, as factorising the types is cheaper than comparing them.
    codes, kinds = pd.factorize(np.asarray(_type_of(values), dtype=object))
    out = values.copy()
    for number, kind in enumerate(kinds):
        if kind is str:
            continue
        where = codes == number
        if kind is float:
            out[where] = _float_texts(values[where].astype(np.float64))
        elif kind in (datetime, date):
            out[where] = _stamp_texts(values[where])
        else:
            out[where] = [cell_text(value) for value in values[where]]
    return out


_type_of = np.frompyfunc(type, 1, 1)
_PROBE = 1000  # cells that tell whether a column repeats itself


def _shared(texts: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """The texts, one object per distinct text when the column repeats itself.

    calamine builds a fresh str for every cell, row after row, so a column's cells lie
    scattered in memory and every later pass over them (normalising, counting, looking for
    error values) misses the cache at each cell. A column that repeats itself (cities,
    stages, courses: judged by its first cells) is rebuilt from its distinct values: the
    factorisation costs less than it saves later, and frees memory.
    """
    probe = texts[:_PROBE]
    if len(pd.unique(probe)) * 4 > len(probe):
        return texts
    codes, uniques = pd.factorize(texts)
    return uniques[codes]


def _stamp_texts(values: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Dates and date-times as ``yyyy-mm-dd hh:mm:ss``, each distinct one formatted once."""
    codes, uniques = pd.factorize(values)
    try:
        moments = pd.to_datetime(pd.Index(uniques)).to_numpy(dtype="datetime64[s]")
    except (ValueError, OverflowError):  # outside what numpy can hold: one at a time
        return np.array([cell_text(value) for value in values], dtype=object)
    texts = np.char.replace(np.datetime_as_string(moments, unit="s"), "T", " ")
    return texts.astype(object)[codes]


def _float_texts(numbers: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    """Each distinct number written once: fees, amounts and codes repeat a lot."""
    codes, uniques = pd.factorize(numbers)
    out = np.empty(len(uniques), dtype=object)
    whole = np.isfinite(uniques) & (np.abs(uniques) < 1e15) & (uniques == np.round(uniques))
    # str() of Python ints: a third of the time of numpy's int -> str -> object route.
    out[whole] = list(map(str, uniques[whole].astype(np.int64).tolist()))
    for position in np.flatnonzero(~whole):
        out[position] = number_text(float(uniques[position]))
    return out[codes]


def padded(texts: npt.NDArray[np.object_], values: npt.NDArray[np.object_], width: int) -> None:
    """Zero-pad to ``width``, in place, the texts of cells that held a whole number."""
    for position, value in enumerate(values):
        if isinstance(value, int | float) and not isinstance(value, bool):
            text = texts[position]
            if text.lstrip("-").isdigit():
                texts[position] = text.zfill(width)


def padding_widths(path: Path, sheet: str, letter_offset: int) -> dict[int, int]:
    """Column position -> width, for columns whose numbers use a "000..." format.

    Positions are relative to the first column calamine returns (``letter_offset``).
    """
    if path.suffix.lower() == ".xls" or not _styles_mention_padding(path):
        return {}  # the cheap check: no such format anywhere, no need to open the sheet
    widths: dict[int, int] = {}
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it does not read (data validation,
        # conditional formats); they do not matter for number formats.
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = book[sheet].iter_rows(min_row=2, max_row=FORMAT_ROWS + 1)
            for row in rows:
                for cell in row:
                    _note_width(widths, cell, letter_offset)
        finally:
            book.close()
    return widths


def _note_width(widths: dict[int, int], cell: object, letter_offset: int) -> None:
    number_format = getattr(cell, "number_format", None)
    column = getattr(cell, "column", None)
    if not isinstance(number_format, str) or not isinstance(column, int):
        return  # an empty cell in read-only mode has neither
    if _PADDING.match(number_format):
        position = column - 1 - letter_offset
        widths[position] = max(widths.get(position, 0), len(number_format))


def _styles_mention_padding(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            styles = archive.read("xl/styles.xml")
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    return _PADDING_IN_STYLES.search(styles) is not None
