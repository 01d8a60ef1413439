"""Checking one chunk of a spreadsheet: normalise every mapped column, run the pandera
schemas, and return the clean values with every problem of every row."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from importer.mapping.loader import check_headers
from importer.mapping.model import Mapping
from importer.mapping.normalise import normalise
from importer.model import Problem
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


class Checker:
    """Checks the chunks of one sheet in order; remembers keys to find in-file duplicates."""

    def __init__(self, mapping: Mapping, sheet: str) -> None:
        self.mapping = mapping
        self.sheet = sheet
        self._fields = field_schema(mapping)
        self._rules = rules_schema(mapping)
        self._rule_columns = rule_columns(mapping)
        self._duplicate_key = duplicate_key(mapping)
        self._tracker = DuplicateTracker()
        self._describer = Describer(mapping, sheet)
        self._headers_checked = False

    def check(self, raw: pd.DataFrame) -> CheckedChunk:
        """``raw``: a reader chunk of text cells, index = spreadsheet row numbers."""
        if not self._headers_checked:
            # The columns are the same in every chunk of a file: checking once is enough.
            check_headers(self.mapping, [str(c) for c in raw.columns], self.sheet)
            self._headers_checked = True
        values = self.values(raw)
        rules = self._rules_frame(values)
        failures = pd.concat([_failures(self._fields, values), _failures(self._rules, rules)])
        problems = self._describer.problems(failures, raw, values, rules)
        return CheckedChunk(values, problems, frozenset(p.row for p in problems))

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
        keys = values[list(self._duplicate_key)]
        active = values[self.mapping.search_key].ne("")
        frame[EARLIER_ROW] = self._tracker.earlier_rows(keys, active)
        return frame


def duplicate_key(mapping: Mapping) -> tuple[str, ...]:
    """The columns that make two rows the same opportunity: the lead plus the mapping's
    ``duplicate_key`` (or, when it has none, every opportunity field)."""
    rest = mapping.duplicate_key or tuple(f.key for f in mapping.fields if f.place != "lead")
    return (mapping.search_key, *rest)


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        cases: pd.DataFrame = exc.failure_cases
        return cases[["check", "column", "index"]]
    return _NO_FAILURES
