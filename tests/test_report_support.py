"""Builders and readers shared by the report tests (no tests here)."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from importer.model import Outcome, Problem, RowOutcome
from importer.report import ResultsInput


def make_results(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    outcomes: Mapping[int, RowOutcome] | None = None,
    *,
    default: Outcome = Outcome.VALID,
    source_format: Literal["csv", "xlsx"] = "csv",
    sheet: str = "leads.csv",
    chunk_size: int = 2,
    problems: Sequence[Problem] | None = None,
    details: Sequence[tuple[str, str]] = (("Input file", "leads.csv"), ("Mapping", "m.yaml")),
    **extra: object,
) -> ResultsInput:
    """A ResultsInput over ``rows`` (spreadsheet rows 2, 3, ...) read in small chunks."""
    frame = pd.DataFrame(list(rows), columns=list(headers), index=range(2, len(rows) + 2))

    def chunks() -> Iterator[pd.DataFrame]:
        for start in range(0, len(frame), chunk_size):
            yield frame.iloc[start : start + chunk_size]

    outcomes = dict(outcomes or {})
    if problems is None:  # as in a dry run: the validation problems, also on the outcomes
        problems = [p for o in outcomes.values() for p in o.problems]
    return ResultsInput(
        source_format=source_format,
        sheet=sheet,
        headers=tuple(headers),
        rows=chunks,
        outcomes=outcomes,
        default=default,
        problems=problems,
        title="Dry run",
        details=details,
        **extra,  # type: ignore[arg-type]
    )


def problem(row: int, column: str, code: str, sheet: str = "leads.csv") -> Problem:
    return Problem(sheet, row, column, f"mx_{column}", code, f"Row {row}, column {column}: {code}")


def invalid(row: int, *problems: Problem, sheet: str = "leads.csv") -> RowOutcome:
    return RowOutcome(sheet, row, Outcome.INVALID, problems=problems)


def failed(
    row: int, column: str | None, code: str, detail: str = "", sheet: str = "leads.csv"
) -> RowOutcome:
    """A row LeadSquared refused, its problem riding on the outcome (as the runner gives it)."""
    message = f"Row {row}: LeadSquared refused this opportunity"
    found = Problem(sheet, row, column, column and f"mx_{column}", code, message, detail)
    return RowOutcome(sheet, row, Outcome.FAILED, message=message, problems=(found,))


def read_csv(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def sheet_values(path: Path, title: str) -> list[list[object]]:
    ws = load_workbook(path)[title]
    assert isinstance(ws, Worksheet)
    return [[c.value for c in row] for row in ws.iter_rows()]


def worksheet(path: Path, title: str) -> Worksheet:
    ws = load_workbook(path)[title]
    assert isinstance(ws, Worksheet)
    return ws


def sheet_xml(path: Path, index: int) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode()
