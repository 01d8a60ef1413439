"""Cleaning a column's cells into the form LeadSquared stores, vectorised.

``normalise`` returns, for every cell, its canonical form or, when it cannot be read, a
text ``valid`` refuses (usually the cell itself). ``valid`` is True exactly for "" and
canonical forms, so there is one source of truth: a cell is bad iff
``not valid(normalise(x))``, and canonical forms are fixed points of ``normalise`` (the
property tests check both). Both work on distinct values when a column repeats itself.

Decisions an admin can rely on (documented in mappings/opportunities.yaml):
* Number: digits with an optional "-" and decimal point; thousands commas in proper groups
  ("1,200.50") are accepted and dropped; "1.200,50" and currency signs are refused. A
  column's ``decimal``/``thousands`` marks ("12.500,50") are first swapped to that form,
  so then "12.50" (a "." not in groups of three) is refused, not read as 12.5. Canonical
  forms are fixed points of ``normalise`` only under the default marks.
* Phone: spaces, dashes, dots and brackets are dropped; "+CC NUMBER" keeps its code; "+" and
  digits starting with the mapping's code are split there; otherwise the mapping's
  ``country_code`` is prefixed (a leading trunk "0" dropped); written ``+CC-NUMBER``.
* Date/DateTime: ISO (yyyy-mm-dd [hh:mm[:ss]]) or the mapping's ``date_format``;
  DateTime is converted from the mapping's timezone to UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from importer.mapping.model import FieldSpec

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
EMAIL = rf"{_ATOM}(?:\.{_ATOM})*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{{2,}}"
NUMBER = r"-?\d+(?:\.\d+)?"
_GROUPED = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_SEPARATORS = r"[\s\-.()]"
_EXPLICIT_CC = r"\+(\d{1,3})[\s\-.]+(.*)"
# National number lengths where they are fixed, so "919803503947" (Excel dropped the "+")
# is read as +91-9803503947 and a digit too many or too few is caught.
NATIONAL_LENGTH = {"91": 10, "1": 10}
# +CC-NUMBER: a fixed length for the codes above, 6 to 14 digits for the others; E.164
# allows 15 digits in all, i.e. 17 characters with the "+" and the "-".
PHONE = (
    r"\+(?:"
    + "|".join(rf"{cc}-\d{{{n}}}" for cc, n in NATIONAL_LENGTH.items())
    + "|(?!"
    + "|".join(f"{cc}-" for cc in NATIONAL_LENGTH)
    + r")\d{1,3}-\d{6,14})"
)
_PHONE_MAX = 17
_REPEAT_FACTOR = 4  # work on distinct values when each repeats 4+ times on average
_PROBE = 1000  # first cells that tell whether a column may repeat itself
_TRUE = ("true", "yes", "y", "1", "t")
_FALSE = ("false", "no", "n", "0", "f")
DATE = "%Y-%m-%d"
DATETIME = "%Y-%m-%d %H:%M:%S"
_DATE_INPUTS = (DATE, DATETIME)  # the reader writes Excel dates with a zero time
_DATETIME_INPUTS = (DATETIME, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", DATE)
_ISO_LENGTHS = {fmt: len(pd.Timestamp(2027, 1, 15).strftime(fmt)) for fmt in _DATETIME_INPUTS}


def normalise(raw: pd.Series, spec: FieldSpec, timezone: str = "UTC") -> pd.Series:
    """The cleaned cells of one column (str, "" for empty).

    A cell that cannot be read comes back in a form ``valid`` refuses (often the text
    itself): validation, not this function, decides what is wrong.
    """
    return on_uniques(raw, lambda cells: _normalise(cells, spec, timezone))


def valid(cells: pd.Series, spec: FieldSpec) -> pd.Series:
    """True where the cell is empty or in the canonical form of ``spec.type``."""
    return on_uniques(cells, lambda unique: _valid(unique, spec))


def on_uniques(cells: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``fn(cells)``, computed once per distinct value when values repeat a lot.

    Spreadsheet columns mostly repeat (cities, stages, courses, owners, dates): working on
    the distinct values and spreading the result back is much cheaper than per cell.
    """
    # A look at the first cells spares factorising a column of distinct values (emails,
    # phones, names) only to find that it does not repeat.
    probe = cells.iloc[:_PROBE].to_numpy(dtype=object, na_value="")
    if len(pd.unique(probe)) * _REPEAT_FACTOR > len(probe) == _PROBE:
        return fn(cells)
    codes, uniques = pd.factorize(cells.to_numpy(dtype=object, na_value=""))
    if len(uniques) * _REPEAT_FACTOR > len(cells):
        return fn(cells)
    result = fn(pd.Series(uniques, dtype=object))
    return pd.Series(result.to_numpy()[codes], index=cells.index, dtype=result.dtype)


def _normalise(cells: pd.Series, spec: FieldSpec, timezone: str) -> pd.Series:
    # pandas' "str" dtype: its .str methods are ~20% faster here than on object dtype.
    cells = cells.astype(str)
    if cells.hasnans:
        cells = cells.fillna("")
    if spec.trim:
        cells = cells.str.strip()
    cells = _apply_values(cells, value_map(spec))
    if spec.default is not None:
        cells = cells.mask(cells.eq(""), spec.default)
    canonical = _CANONICAL.get(spec.type)
    return cells if canonical is None else canonical(cells, spec, timezone)


def _valid(cells: pd.Series, spec: FieldSpec) -> pd.Series:
    empty = cells.eq("")
    if spec.type == "Email":
        return empty | cells.str.fullmatch(EMAIL)
    if spec.type == "Number":
        return empty | cells.str.fullmatch(NUMBER)
    if spec.type == "Boolean":
        return empty | cells.isin(("true", "false"))
    if spec.type == "Phone":
        return empty | cells.str.fullmatch(PHONE) & cells.str.len().le(_PHONE_MAX)
    if spec.type in ("Date", "DateTime"):
        fmt = DATE if spec.type == "Date" else DATETIME
        return empty | pd.to_datetime(cells, format=fmt, errors="coerce").notna()
    if spec.type == "Dropdown" and spec.options:
        return empty | cells.isin(spec.options)
    return pd.Series(True, index=cells.index)


def value_map(spec: FieldSpec) -> dict[str, str]:
    """Lower-cased raw value -> value sent: the ``values`` map, plus option spellings."""
    mapping = {o.lower(): o for o in spec.options or ()}
    mapping.update(spec.values)
    if spec.type == "Boolean":
        mapping.update({word: "true" for word in _TRUE} | {word: "false" for word in _FALSE})
    return mapping


def _apply_values(cells: pd.Series, mapping: dict[str, str]) -> pd.Series:
    if not mapping:
        return cells
    # Most cells are already spelt as sent: only the others are lower-cased and looked up.
    odd = ~cells.isin(set(mapping.values()))
    if not odd.any():
        return cells
    mapped = cells[odd].str.lower().map(mapping)
    cells = cells.copy()
    cells[odd] = mapped.where(mapped.notna(), cells[odd])
    return cells


def _email(cells: pd.Series, spec: FieldSpec, timezone: str) -> pd.Series:
    return cells.str.lower()


def _number(cells: pd.Series, spec: FieldSpec, timezone: str) -> pd.Series:
    if (spec.decimal, spec.thousands) != (".", ","):
        # "12.500,50" -> "12,500.50": then the one reading of grouped numbers applies.
        cells = cells.str.translate(_marks_to_default(spec.decimal, spec.thousands))
    compact = cells.str.replace(" ", "", regex=False)
    commas = compact.str.contains(",", regex=False)
    if commas.any():
        grouped = commas & compact.str.fullmatch(_GROUPED)
        compact[grouped] = compact[grouped].str.replace(",", "", regex=False)
    return compact.str.replace(r"^\+(?=\d)", "", regex=True)


def _marks_to_default(decimal: str, thousands: str) -> dict[int, str]:
    """A str.translate table turning the column's marks into "." and ",".

    A "." or "," that is neither of the column's marks becomes ";", which no number holds,
    so such a cell stays unreadable instead of being read the default way.
    """
    table = {ord("."): ";", ord(","): ";", ord(decimal): "."}
    if thousands in (",", ".", "'"):
        table[ord(thousands)] = ","
    table.update({0xA0: "", 0x202F: ""})  # no-break spaces, as French and Swiss write
    return table


def _phone(cells: pd.Series, spec: FieldSpec, timezone: str) -> pd.Series:
    digits = cells.str.replace(_SEPARATORS, "", regex=True)
    plus = cells.str.startswith("+")
    code = spec.country_code
    if code is None:
        out = cells.copy()  # without a code only "+CC ..." numbers can be read
    else:
        out = (f"+{code}-" + _national(digits, code)).mask(digits.eq(""), "")
    if plus.any():
        out[plus] = _international(cells[plus], digits[plus], code)
    return out


def _national(digits: pd.Series, code: str) -> pd.Series:
    """National numbers: a trunk "0" dropped; the code dropped if Excel ate the "+"."""
    national = digits.str.removeprefix("0")
    length = NATIONAL_LENGTH.get(code)
    if length is not None:
        with_code = national.str.len().eq(len(code) + length) & national.str.startswith(code)
        if with_code.any():
            national[with_code] = national[with_code].str.slice(len(code))
    return national


def _international(cells: pd.Series, digits: pd.Series, code: str | None) -> pd.Series:
    """Numbers written with "+": "+CC NUMBER" keeps its code; "+CCNUMBER" needs ``code``."""
    explicit = cells.str.extract(_EXPLICIT_CC)
    given = explicit[0].notna()
    out = cells.mask(given, "+" + explicit[0] + "-" + _strip_separators(explicit[1]))
    if code is not None:
        ours = ~given & digits.str.startswith("+" + code)
        out = out.mask(ours, f"+{code}-" + digits.str.slice(1 + len(code)))
    return out


def _strip_separators(cells: pd.Series) -> pd.Series:
    return cells.fillna("").str.replace(_SEPARATORS, "", regex=True)


def _date(cells: pd.Series, spec: FieldSpec, timezone: str) -> pd.Series:
    parsed = _parse(cells, (*_DATE_INPUTS, *_extra(spec)))
    midnight = parsed.eq(parsed.dt.normalize())
    return _format(parsed.where(midnight), "D", cells)


def _datetime(cells: pd.Series, spec: FieldSpec, timezone: str) -> pd.Series:
    parsed = _parse(cells, (*_DATETIME_INPUTS, *_extra(spec)))
    if timezone != "UTC":
        # An hour that occurs twice when clocks go back is read as standard time; one
        # that never happens (clocks go forward) moves forward: both stay importable.
        ambiguous = np.zeros(len(parsed), dtype=bool)
        local = parsed.dt.tz_localize(timezone, ambiguous=ambiguous, nonexistent="shift_forward")
        parsed = local.dt.tz_convert("UTC").dt.tz_localize(None)
    return _format(parsed, "s", cells)


def _extra(spec: FieldSpec) -> tuple[str, ...]:
    return (spec.date_format,) if spec.date_format else ()


def _parse(cells: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Datetimes read with the first format that fits each cell (NaT when none does).

    ISO formats are only tried on cells of their exact length with a "-" after the year:
    a failed attempt costs ~10x a successful one, so guessing blindly would dominate.
    """
    parsed = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[s]")
    todo = cells.ne("")
    lengths = cells.str.len()
    iso_like = cells.str.slice(4, 5).eq("-")
    for fmt in formats:
        tried = todo & iso_like & lengths.eq(_ISO_LENGTHS[fmt]) if fmt in _ISO_LENGTHS else todo
        if not tried.any():
            continue
        attempt = pd.to_datetime(cells[tried], format=fmt, errors="coerce")
        parsed[tried] = attempt.astype("datetime64[s]")
        todo &= parsed.isna()
    return parsed


def _format(parsed: pd.Series, unit: Literal["D", "s"], cells: pd.Series) -> pd.Series:
    """numpy's C formatter: ~20x faster than Series.dt.strftime."""
    stamps = parsed.to_numpy(dtype=f"datetime64[{unit}]")
    strings = np.datetime_as_string(stamps, unit=unit)  # type: ignore[call-overload]
    text = pd.Series(strings, index=parsed.index, dtype=str)
    text = text.str.replace("T", " ", regex=False)
    return text.where(parsed.notna(), cells)


_CANONICAL = {
    "Email": _email,
    "Number": _number,
    "Phone": _phone,
    "Date": _date,
    "DateTime": _datetime,
}
