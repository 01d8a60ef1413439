"""Checking one chunk of a spreadsheet: normalise every mapped column, run the pandera
schemas, and return the clean values with every problem of every row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from importer.mapping.loader import check_headers
from importer.mapping.model import Mapping
from importer.mapping.normalise import normalise
from importer.model import Problem
from importer.reader import Source
from importer.validation.cells import cell_failures
from importer.validation.duplicates import DuplicateTracker
from importer.validation.problems import Describer
from importer.validation.schema import EARLIER_ROW, field_schema, rule_columns, rules_schema

_NO_FAILURES = pd.DataFrame({"check": [], "column": [], "index": []})


@dataclass(frozen=True, slots=True)
class CheckedChunk:
    """The result of checking one chunk.

    ``values``: index = spreadsheet row numbers; columns = FieldSpec.key (``lead.X`` for lead
    fields, bare schema names otherwise); cleaned str values, "" = empty.
    """

    values: pd.DataFrame
    problems: tuple[Problem, ...]  # sorted by row, then by the mapping's column order
    invalid_rows: frozenset[int]
    filled: dict[str, int] = field(default_factory=dict)  # field key -> non-empty cells


class Checker:
    """Checks the chunks of one sheet in order; remembers keys to find in-file duplicates."""

    def __init__(self, mapping: Mapping, sheet: str, letters: dict[str, str] | None = None) -> None:
        self.mapping = mapping
        self.sheet = sheet
        self._fields = field_schema(mapping)
        self._rules = rules_schema(mapping)
        self._rule_columns = rule_columns(mapping)
        self._duplicate_key = duplicate_key(mapping)
        self._tracker = DuplicateTracker()
        self._describer = Describer(mapping, sheet, letters or {})
        self._headers_checked = False

    def check(self, raw: pd.DataFrame, found: Sequence[Problem] = ()) -> CheckedChunk:
        """``raw``: a reader chunk of text cells, index = spreadsheet row numbers;
        ``found``: what the reader found wrong with its rows (e.g. ``short_row``)."""
        if not self._headers_checked:
            # The columns are the same in every chunk of a file: checking once is enough.
            check_headers(self.mapping, [str(c) for c in raw.columns], self.sheet)
            self._headers_checked = True
        values = self.values(raw)
        rules = self._rules_frame(values)
        cases = [
            cell_failures(self.mapping, raw),
            _failures(self._fields, values),
            _failures(self._rules, rules),
        ]
        failures = (
            pd.concat([c for c in cases if len(c)]) if any(len(c) for c in cases) else _NO_FAILURES
        )
        problems = self._describer.problems(failures, raw, values, rules)
        if found:
            problems = tuple(sorted((*problems, *found), key=lambda p: p.row))
        filled = {f.key: _filled(raw[f.column]) for f in self.mapping.fields if f.column}
        return CheckedChunk(values, problems, frozenset(p.row for p in problems), filled)

    def values(self, raw: pd.DataFrame) -> pd.DataFrame:
        """The normalised value of every mapped column (no checks)."""
        zone = self.mapping.timezone
        columns = {
            f.key: normalise(raw[f.column], f, zone) for f in self.mapping.fields if f.column
        }
        return pd.DataFrame(columns, index=raw.index)

    def _rules_frame(self, values: pd.DataFrame) -> pd.DataFrame:
        frame = pd.DataFrame(index=values.index)
        for key in self._rule_columns:
            constant = self.mapping.constant(key)
            frame[key] = values[key] if constant is None else constant
        if not self.mapping.search_by:  # Noojee: its leads' identity finds repeats
            frame[EARLIER_ROW] = 0
            return frame
        keys = values[list(self._duplicate_key)]
        active = values[self.mapping.search_key].ne("")
        frame[EARLIER_ROW] = self._tracker.earlier_rows(keys, active)
        return frame


def check_source(
    source: Source, mapping: Mapping, rows: int, kind: type[Checker] | None = None
) -> Iterator[CheckedChunk]:
    """Every chunk of ``source`` checked (by ``kind``, another destination's Checker), with
    what the reader found wrong merged in."""
    letters = dict(zip(source.info.headers, source.info.letters, strict=True))
    checker = (kind or Checker)(mapping, source.info.sheet, letters)
    for raw in source.chunks(rows):
        yield checker.check(raw, source.problems_in(raw))


def duplicate_key(mapping: Mapping) -> tuple[str, ...]:
    """The columns that make two rows the same opportunity: the lead plus the mapping's
    ``duplicate_key`` (or, when it has none, every opportunity field)."""
    rest = mapping.duplicate_key or tuple(f.key for f in mapping.fields if f.place != "lead")
    return (mapping.search_key, *rest)


def _filled(cells: pd.Series) -> int:
    """The non-empty cells: numpy's comparison, as pandas' also looks for missing values
    (which reader chunks never hold) and cost twice as much."""
    return int(np.count_nonzero(cells.to_numpy() != ""))


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        cases: pd.DataFrame = exc.failure_cases
        return cases[["check", "column", "index"]]
    return _NO_FAILURES
