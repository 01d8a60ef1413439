"""RunOutcomes: a run's outcomes read from the ledger a window at a time, each window once
however the report walks them (keys, values, items, or row by row)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from importer.ledger import RunOutcomes
from importer.model import Outcome, RowOutcome


class StoredOutcomes:
    """Stands in for LedgerRun.outcomes_from over the given rows, counting its reads."""

    def __init__(self, rows: list[int]) -> None:
        self.outcomes = [RowOutcome("Sheet1", row, Outcome.CREATED) for row in sorted(rows)]
        self.reads = 0

    def outcomes_from(self, first_row: int, limit: int) -> list[RowOutcome]:
        self.reads += 1
        return [o for o in self.outcomes if o.row >= first_row][:limit]


def test_values_read_each_window_once() -> None:
    ledger = StoredOutcomes(list(range(2, 27)))
    view = RunOutcomes(ledger, window=10)
    assert [o.row for o in view.values()] == list(range(2, 27))
    assert ledger.reads == 3


@given(
    rows=st.sets(st.integers(min_value=2, max_value=500), max_size=80),
    window=st.integers(min_value=1, max_value=30),
)
def test_the_view_is_the_mapping_of_row_to_outcome(rows: set[int], window: int) -> None:
    ledger = StoredOutcomes(list(rows))
    view = RunOutcomes(ledger, window=window)
    expected = {o.row: o for o in ledger.outcomes}
    assert dict(view.items()) == expected
    assert len(view) == len(expected)
    assert [view[row] for row in sorted(rows)] == [expected[row] for row in sorted(rows)]
