"""Finding rows that repeat an earlier row's lead and opportunity key, across chunks.

Only a 64-bit hash of each key and the row that first had it are kept (16 bytes a key,
16 MB for a million rows), in sorted numpy arrays merged in linear time per chunk. Two
different keys sharing a hash is a one-in-10^7 event at a million rows; the cost would be
one row wrongly flagged, which the admin sees named with its "earlier" row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class DuplicateTracker:
    """Remembers every key seen so far and the first row that had it."""

    def __init__(self) -> None:
        self._hashes = np.empty(0, dtype=np.uint64)
        self._rows = np.empty(0, dtype=np.int64)

    def earlier_rows(self, keys: pd.DataFrame, active: pd.Series) -> pd.Series:
        """For each row, the earlier row with the same key, or 0 (rows not ``active``: 0)."""
        result = pd.Series(0, index=keys.index, dtype=np.int64)
        live = keys[active.to_numpy()]
        if live.empty:
            return result
        hashes = pd.util.hash_pandas_object(live, index=False).to_numpy()
        rows = live.index.to_numpy(dtype=np.int64)
        order = np.argsort(rows, kind="stable")  # first occurrence = smallest row number
        hashes, rows = hashes[order], rows[order]
        unique, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        first_rows = rows[first]
        known, pos = self._lookup(unique)
        first_rows[known] = self._rows[pos[known]]
        self._remember(unique[~known], first_rows[~known])
        earliest = first_rows[inverse]
        result.loc[pd.Index(rows)] = np.where(earliest < rows, earliest, 0)
        return result

    def _lookup(self, unique: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self._hashes):
            return np.zeros(len(unique), dtype=bool), np.zeros(len(unique), dtype=np.intp)
        pos = np.searchsorted(self._hashes, unique)
        clipped = np.minimum(pos, len(self._hashes) - 1)
        known = (pos < len(self._hashes)) & (self._hashes[clipped] == unique)
        return known, clipped

    def _remember(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        # ``hashes`` is sorted (from np.unique), so one insert keeps the store sorted.
        pos = np.searchsorted(self._hashes, hashes)
        self._hashes = np.insert(self._hashes, pos, hashes)
        self._rows = np.insert(self._rows, pos, rows)
