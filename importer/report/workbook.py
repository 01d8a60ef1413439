"""``write_results``: the results workbook (Summary, Rows, Problems), the fix file and, for a
big file, every row's result as CSV, written in one streaming pass over the input.

Each file is written under a ``.part`` name and renamed once complete, the workbook last, so
its presence means the report is whole. Nothing is written if any of these names is the
input or the mapping (:mod:`importer.report.paths`).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path

from importer.model import Outcome, Problem
from importer.report import limits
from importer.report.columns import dropped_note, plan_columns
from importer.report.csv_table import CsvTable
from importer.report.fixfile import FixFile
from importer.report.model import (
    LEAD_ID_NOTE,
    PROBLEMS_COLUMN,
    RESULT_COLUMNS,
    ResultFiles,
    ResultsInput,
)
from importer.report.outcome_styles import ATTENTION_OUTCOMES, FIX_OUTCOMES, style
from importer.report.paths import OutputPaths, check_outputs, partial
from importer.report.row_results import ResultChunk, result_chunks
from importer.report.run_problems import run_problems
from importer.report.summary import SummaryFacts, write_summary
from importer.report.table_sheet import TableSheet
from importer.report.xlsx_book import Book


def problem_columns(server: str) -> tuple[str, ...]:
    """The Problems sheet's columns; the detail is ``server``'s own words."""
    return ("Row", "Column", "Code", "Message", f"{server} said", "Field", "Sheet")


_CSV_CHUNK = 50_000  # problems per write to the problems CSV


def write_results(out: Path, results: ResultsInput) -> ResultFiles:
    """Write the results workbook to ``out`` and, beside it, the fix file and, for a big
    file, the rows and problems CSVs. Raises UsageError, before writing anything, if one of
    those names is the input or the mapping file."""
    check_outputs(out, results.source_format, results.input_path, results.mapping_path)
    paths = OutputPaths.beside(out, results.source_format)
    report = _Report(paths, results)
    try:
        return report.write()
    except BaseException:
        report.discard()  # Ctrl-C or a failing re-read: no half-written file stays
        raise


class _Report:
    """The files of one report while they are being written."""

    def __init__(self, paths: OutputPaths, results: ResultsInput) -> None:
        self.paths = paths
        self.results = results
        self.found = run_problems(results)
        self.book = Book(partial(paths.workbook))
        self.summary = self.book.xlsx.add_worksheet("Summary")  # first tab, filled last
        self.columns = plan_columns(
            results.headers,
            skip=set(RESULT_COLUMNS),
            room=limits.EXCEL_COLUMNS - len(RESULT_COLUMNS),
            mapped=results.mapped_columns,
        )
        # The rows CSV is the Rows sheet with every input column: a CSV has no column limit.
        self.csv_columns = plan_columns(
            results.headers, skip=set(RESULT_COLUMNS), room=None, mapped=()
        )
        self.rows_sheet = TableSheet(
            self.book,
            "Rows",
            [*RESULT_COLUMNS, *self.columns.names],
            typed=[False] * len(RESULT_COLUMNS) + [True] * len(self.columns.names),
            wrapped=[RESULT_COLUMNS.index(PROBLEMS_COLUMN)],
            freeze_columns=2,  # Row and Outcome stay in view while scrolling right
            notes={RESULT_COLUMNS.index("Lead ID"): LEAD_ID_NOTE},
        )
        first = len(RESULT_COLUMNS)
        self.positions = {name: first + i for i, name in enumerate(self.columns.names)}
        self.fix = FixFile(partial(paths.fix_file), results, self.found)
        self.rows_csv: CsvTable | None = None
        self.problems_csv: CsvTable | None = None
        self.counts: Counter[Outcome] = Counter()
        self.attention = 0  # rows needing attention, on a big file

    def write(self) -> ResultFiles:
        chunks = result_chunks(self.results, self.found)
        head, big = _head(chunks, limits.SHEET_ROWS)
        if big:
            self.rows_csv = self._rows_csv()
        for chunk in chain(head, chunks):
            self._take(chunk, big)
        self.rows_sheet.close()
        self._write_problems()
        fixed = self.fix.close()
        if self.rows_csv is not None:
            self.rows_csv.close()
        if self.problems_csv is not None:
            self.problems_csv.close()
        facts = SummaryFacts(
            counts=self.counts,
            problems=self.found.by_code(),
            fix_file=self.paths.fix_file if fixed else None,
            notes=self._notes(),
        )
        write_summary(self.book, self.summary, self.results, facts)
        self.book.close()
        return self._put_in_place(fixed)

    def discard(self) -> None:
        self.fix.discard()
        for table in (self.rows_csv, self.problems_csv):
            if table is not None:
                table.discard()
        self.book.discard()

    def _take(self, chunk: ResultChunk, big: bool) -> None:
        self.counts.update(chunk.outcomes)
        self.fix.append(chunk, chunk.where(FIX_OUTCOMES) if self.results.fix_file else [])
        if self.rows_csv is not None:
            cells = (chunk.cells[p] for p in self.csv_columns.positions)
            self.rows_csv.append([*chunk.result_columns(), *cells])
        picks: Sequence[int] = chunk.where(ATTENTION_OUTCOMES) if big else range(len(chunk))
        self.attention += len(picks) if big else 0
        for i in picks[: max(limits.SHEET_ROWS - self.rows_sheet.rows, 0)]:
            values = [*chunk.result_cells(i), *(chunk.cells[p][i] for p in self.columns.positions)]
            marks = self.found.marks(chunk.rows[i], self.positions)
            self.rows_sheet.append(values, style(chunk.outcomes[i]).tint, marks)

    def _rows_csv(self) -> CsvTable:
        headers = [*RESULT_COLUMNS, *self.csv_columns.names]
        return CsvTable(partial(self.paths.rows_csv), headers)

    def _write_problems(self) -> None:
        problems = self.found.ordered
        columns = problem_columns(self.results.server)
        wrapped = [columns.index("Message"), columns.index(f"{self.results.server} said")]
        sheet = TableSheet(self.book, "Problems", columns, wrapped=wrapped, freeze_columns=1)
        for problem in problems[: limits.SHEET_ROWS]:
            sheet.append(_problem_cells(problem))
        sheet.close()
        if len(problems) > limits.SHEET_ROWS:
            self.problems_csv = CsvTable(partial(self.paths.problems_csv), columns)
            for start in range(0, len(problems), _CSV_CHUNK):
                self.problems_csv.append(_problem_columns(problems[start : start + _CSV_CHUNK]))

    def _notes(self) -> list[str]:
        notes = [
            dropped_note(self.columns, "Rows", limits.EXCEL_COLUMNS - len(RESULT_COLUMNS)),
            dropped_note(self.fix.columns, "fix file's", limits.EXCEL_COLUMNS - 1),
        ]
        total = sum(self.counts.values())
        if self.rows_csv is not None:
            shown = self.rows_sheet.rows
            which = (
                f"only the {shown:,} rows that need attention"
                if shown == self.attention
                else f"the first {shown:,} of the {self.attention:,} rows that need attention"
            )
            notes.append(
                f"This file has {total:,} rows, more than the {limits.SHEET_ROWS:,} a sheet "
                f"lists: the Rows sheet shows {which}; every row with its result is in "
                f"{self.paths.rows_csv.name}"
            )
        if self.problems_csv is not None:
            notes.append(
                f"The Problems sheet lists the first {limits.SHEET_ROWS:,} of "
                f"{len(self.found.ordered):,} problems; all of them are in "
                f"{self.paths.problems_csv.name}"
            )
        if self.book.uncommented:
            notes.append(
                f"Only the first {limits.COMMENTED_CELLS:,} wrong cells carry their problem "
                "as a comment; every wrong cell is filled red and the Problems column says why"
            )
        return [note for note in notes if note]

    def _put_in_place(self, fixed: bool) -> ResultFiles:
        """Rename each finished file to its name, the workbook last; remove the files an
        earlier run left under names this run did not use (never the user's: refused)."""
        written = {
            self.paths.fix_file: fixed,
            self.paths.rows_csv: self.rows_csv is not None,
            self.paths.problems_csv: self.problems_csv is not None,
        }
        for path, done in written.items():
            if done:
                os.replace(partial(path), path)
            else:
                path.unlink(missing_ok=True)
        os.replace(partial(self.paths.workbook), self.paths.workbook)
        return ResultFiles(
            workbook=self.paths.workbook,
            fix_file=self.paths.fix_file if fixed else None,
            spill_csv=self.paths.rows_csv if self.rows_csv is not None else None,
            problems_spill_csv=self.paths.problems_csv if self.problems_csv else None,
        )


def _head(chunks: Iterator[ResultChunk], limit: int) -> tuple[list[ResultChunk], bool]:
    """The first chunks, up to the one that passes ``limit`` rows; and whether one did."""
    head: list[ResultChunk] = []
    rows = 0
    for chunk in chunks:
        head.append(chunk)
        rows += len(chunk)
        if rows > limit:
            return head, True
    return head, False


def _problem_cells(problem: Problem) -> list[str | int]:
    return [
        problem.row,
        problem.column or "",
        problem.code,
        problem.message,
        problem.detail,
        problem.field or "",
        problem.sheet,
    ]


def _problem_columns(problems: Sequence[Problem]) -> list[list[str]]:
    """The CSV columns of ``problems``: the Problems sheet's cells, as text."""
    rows = map(_problem_cells, problems)
    return [[str(cell) for cell in column] for column in zip(*rows, strict=True)]
