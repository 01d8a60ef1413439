"""A run's outcomes as a read-only mapping from spreadsheet row to :class:`RowOutcome`,
fetched from the ledger a window at a time: the report walks the rows in order, so a
million-row run never holds a million outcomes in memory."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

from importer.model import RowOutcome

WINDOW_ROWS = 5_000


class OutcomeSource(Protocol):
    def outcomes_from(self, first_row: int, limit: int) -> list[RowOutcome]: ...


class RunOutcomes(Mapping[int, RowOutcome]):
    """Row -> outcome for every row the run holds (valid or not)."""

    def __init__(self, source: OutcomeSource, window: int = WINDOW_ROWS) -> None:
        self._source = source
        self._window = window
        self._first = self._last = 0  # rows [first, last] are cached
        self._cached: dict[int, RowOutcome] = {}

    def __getitem__(self, row: int) -> RowOutcome:
        if not self._first <= row <= self._last:
            self._fetch(row)
        return self._cached[row]

    def _fetch(self, row: int) -> list[RowOutcome]:
        found = self._source.outcomes_from(row, self._window)
        self._cached = {o.row: o for o in found}
        self._first = row
        # A full window ends at its last row; a short one covers everything after ``row``.
        self._last = found[-1].row if len(found) == self._window else 2**62
        return found

    def __iter__(self) -> Iterator[int]:
        # The window just read stays cached: ``values()`` and ``items()`` look each row up
        # right after it is yielded, and must not read the ledger a second time.
        start = 0
        while True:
            found = self._fetch(start)
            yield from (o.row for o in found)
            if len(found) < self._window:
                return
            start = found[-1].row + 1

    def __len__(self) -> int:
        return sum(1 for _ in self)
