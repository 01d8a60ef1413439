"""When one rule fails on (nearly) every row of a column, the mapping is the likely cause.

A ``date_format`` of ``%d/%m/%y`` for ``15/01/2027`` marks all 300 rows invalid with "'15/01/
2027' is not a date": every row is reported, and the admin may start correcting 300 cells.
A tally over the whole file says it once, as a note, naming the mapping key to check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping as ReadOnly
from collections.abc import Sequence
from dataclasses import dataclass, field

from importer.mapping.model import Mapping
from importer.model import Problem
from importer.wording import quoted

SHARE = 0.95  # of the column's cells that fail one rule
AT_LEAST = 10  # cells: a few rows prove nothing
# Where to look in the mapping, by problem code.
_HINTS = {
    "bad_datetime": "its date_format{fmt} and the cells' form",
    "bad_number": "its decimal/thousands marks",
    "invalid_phone": "its country_code",
    "not_an_option": "its options and values",
    "bad_boolean": "its type (Boolean) and values",
    "invalid_email": "whether it is the right column",
    "too_long": "its max_length",
    "mandatory_missing": "whether it is the right column",
}


@dataclass
class ColumnTally:
    """Cells and failures per mapped column, added up chunk by chunk."""

    rows: int = 0
    filled: Counter[str] = field(default_factory=Counter)  # field key -> non-empty cells
    failed: Counter[tuple[str, str]] = field(default_factory=Counter)  # (column, code)
    example: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, rows: int, filled: ReadOnly[str, int], problems: Sequence[Problem]) -> None:
        """One checked chunk: its rows, non-empty cells per field key, and problems."""
        self.rows += rows
        self.filled.update(filled)
        for problem in problems:
            if problem.column is None or problem.code not in _HINTS:
                continue
            key = (problem.column, problem.code)
            self.failed[key] += 1
            self.example.setdefault(key, problem.message)

    def notes(self, mapping: Mapping) -> tuple[str, ...]:
        """One note per column whose cells (nearly) all fail the same rule."""
        found = []
        by_column = {spec.column: spec for spec in mapping.fields if spec.column is not None}
        for (column, code), failed in self.failed.items():
            spec = by_column[column]
            empty_rule = code == "mandatory_missing"
            cells = self.rows if empty_rule else self.filled.get(spec.key, 0)
            if failed < AT_LEAST or failed < SHARE * cells:
                continue
            fmt = f" ({quoted(spec.date_format)})" if spec.date_format else ""
            example = self.example[(column, code)].partition(": ")[2]
            found.append(
                f"column {quoted(spec.label)}: {failed} of {cells} cells fail {code} "
                f"(e.g. {example}); when a rule fails on nearly every row the mapping is the "
                f"likely cause — check columns.{spec.label} in {mapping.path.name}: "
                + _HINTS[code].format(fmt=fmt)
            )
        return tuple(found)
