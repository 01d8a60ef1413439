"""One record per source row: its cells, its outcome and why, keyed by row number."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd

from importer.model import Outcome, Problem, RowOutcome
from importer.report.model import ResultsInput


@dataclass(frozen=True, slots=True)
class RowRecord:
    """A source row as the report shows it."""

    row: int  # spreadsheet row number (header = 1)
    values: tuple[str, ...]  # every input column, in the input's order
    outcome: Outcome
    opportunity_id: str
    lead_id: str
    problems: str  # the row's problem messages, or the outcome's message


def messages_by_row(problems: Iterable[Problem]) -> dict[int, list[str]]:
    """Each row's problem messages, in the order they were found."""
    by_row: defaultdict[int, list[str]] = defaultdict(list)
    for problem in problems:
        by_row[problem.row].append(problem.message)
    return dict(by_row)


def problems_text(found: Sequence[str], outcome: RowOutcome | None) -> str:
    """The messages of the row's problems joined with "; ", or its outcome's message."""
    messages = list(found)
    if outcome is not None:
        messages += [p.message for p in outcome.problems]
    unique = list(dict.fromkeys(m for m in messages if m))  # same message once
    if unique:
        return "; ".join(unique)
    return outcome.message if outcome is not None else ""


def iter_records(results: ResultsInput) -> Iterator[RowRecord]:
    """Every source row of ``results``, re-read from the input, with its outcome."""
    found = messages_by_row(results.problems)
    for chunk in results.rows():
        yield from _chunk_records(_in_header_order(chunk, results.headers), results, found)


def _chunk_records(
    chunk: pd.DataFrame, results: ResultsInput, found: dict[int, list[str]]
) -> Iterator[RowRecord]:
    for row, cells in zip(chunk.index, chunk.itertuples(index=False, name=None), strict=True):
        number = int(row)
        outcome = results.outcomes.get(number)
        yield RowRecord(
            row=number,
            values=tuple(_text(c) for c in cells),
            outcome=outcome.outcome if outcome is not None else results.default,
            opportunity_id=(outcome.opportunity_id or "") if outcome is not None else "",
            lead_id=(outcome.lead_id or "") if outcome is not None else "",
            problems=problems_text(found.get(number, ()), outcome),
        )


def _in_header_order(chunk: pd.DataFrame, headers: tuple[str, ...]) -> pd.DataFrame:
    if tuple(chunk.columns) == headers:
        return chunk
    return chunk.reindex(columns=list(headers))  # a missing column reads as empty


def _text(cell: object) -> str:
    """The reader gives text; an empty cell may still arrive as None or NaN."""
    if isinstance(cell, str):
        return cell
    if cell is None or cell != cell:  # NaN is the one value not equal to itself
        return ""
    return str(cell)
