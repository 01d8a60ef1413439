"""Cells that cannot be sent whatever their column's type: Excel error values and NULs.

An error cell (``#REF!``, ``#DIV/0!``, ``#N/A`` …) holds no value — the formula behind it
failed, and a CSV exported from Excel keeps the error's text — and a NUL character is
invisible damage from an export. Either would be sent as it is (or as nothing) without a
word, so every mapped column is searched for them, as failure cases shaped like pandera's
(``check``, ``column``, ``index``) so they are described with the rest.
"""

from __future__ import annotations

import pandas as pd

from importer.mapping.model import Mapping

# Every error value Excel shows in a cell (and writes into a CSV as text).
EXCEL_ERRORS = frozenset(
    {
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
        "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!",
        "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!",
    }
)  # fmt: skip


def cell_failures(mapping: Mapping, raw: pd.DataFrame) -> pd.DataFrame:
    """``cell_error`` and ``nul_character`` failure cases of the mapped columns of ``raw``."""
    found: list[pd.DataFrame] = []
    for spec in mapping.fields:
        if spec.column is None:
            continue
        cells = raw[spec.column]
        # One join finds out cheaply whether the column can hold either at all.
        joined = _joined(cells)
        if "#" in joined:
            found.append(_cases("cell_error", spec.key, cells.str.strip().isin(EXCEL_ERRORS)))
        if "\x00" in joined:
            found.append(_cases("nul_character", spec.key, cells.str.contains("\x00", regex=False)))
    if not found:
        return pd.DataFrame({"check": [], "column": [], "index": []})
    return pd.concat(found, ignore_index=True)


def _joined(cells: pd.Series) -> str:
    """Every cell's text run together (a missing value as "")."""
    try:  # reader chunks hold only str: no copy to fill missing values
        return "".join(cells.to_numpy())
    except TypeError:
        return "".join(cells.to_numpy(dtype=object, na_value=""))


def _cases(code: str, key: str, hits: pd.Series) -> pd.DataFrame:
    rows = hits.index[hits.fillna(False).to_numpy(dtype=bool)]
    return pd.DataFrame({"check": code, "column": key, "index": rows.to_numpy()})
