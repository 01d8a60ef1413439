"""``write_results``: the results workbook (Summary, Rows, Problems) and the fix file,
written in one streaming pass over the input so memory stays flat as files grow."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from itertools import chain, islice
from pathlib import Path

from openpyxl import Workbook

from importer.model import Outcome, Problem
from importer.report.cells import CellValue, fill_for
from importer.report.fixfile import FixFile
from importer.report.model import FIX_OUTCOMES, RESULT_COLUMNS, ResultFiles, ResultsInput
from importer.report.rows import RowRecord, iter_records
from importer.report.sheet import SpillingSheet, abandon, column_widths
from importer.report.summary import write_summary

PROBLEM_COLUMNS = ("Sheet", "Row", "Column", "Field", "Code", "Message")

# Column widths are decided before the first row is written (write-only sheets), from
# the header and this many leading rows.
_WIDTH_SAMPLE_ROWS = 200


def write_results(out: Path, results: ResultsInput) -> ResultFiles:
    """Write the results workbook to ``out`` and, beside it, the fix file and any
    overflow CSVs. The workbook and the fix file appear under their names only once
    complete; the workbook comes last, so its presence means the report is whole."""
    report = _Report(out, results)
    try:
        return report.write()
    except BaseException:
        report.discard()  # Ctrl-C or a failing re-read: no half-written file stays
        raise


class _Report:
    """The files of one report while they are being written."""

    def __init__(self, out: Path, results: ResultsInput) -> None:
        self.out = out
        self.results = results
        self.wb = Workbook(write_only=True)
        self.fix_file = FixFile(out, results)
        self.sheets: list[SpillingSheet] = []
        self.partial = out.with_name(out.name + ".part")

    def write(self) -> ResultFiles:
        summary_ws = self.wb.create_sheet("Summary")  # first tab, filled last: needs counts
        counts = self._write_rows()
        self._write_problems()
        spill_csv, problems_csv = (sheet.close() for sheet in self.sheets)
        notes = _spill_notes(spill_csv, problems_csv)
        write_summary(summary_ws, self.results, counts, notes)
        fix_path = self.fix_file.close()
        self.wb.save(self.partial)
        os.replace(self.partial, self.out)
        return ResultFiles(self.out, fix_path, spill_csv, problems_csv)

    def discard(self) -> None:
        for sheet in self.sheets:
            sheet.discard()
        abandon(self.wb)
        self.fix_file.discard()
        self.partial.unlink(missing_ok=True)

    def _write_rows(self) -> Counter[Outcome]:
        headers = self.results.headers
        kept = [i for i, h in enumerate(headers) if h not in RESULT_COLUMNS]
        records = iter_records(self.results)
        head = list(islice(records, _WIDTH_SAMPLE_ROWS))
        sheet = self._new_sheet(
            "Rows",
            [*(headers[i] for i in kept), *RESULT_COLUMNS],
            [_sheet_values(r, kept) for r in head],
        )
        counts: Counter[Outcome] = Counter()
        for record in chain(head, records):
            counts[record.outcome] += 1
            sheet.append(_sheet_values(record, kept), fill_for(record.outcome))
            if record.outcome in FIX_OUTCOMES:
                self.fix_file.append(record.values, record.problems)
        return counts

    def _write_problems(self) -> None:
        problems = self.results.problems
        sample = [_problem_values(p) for p in islice(problems, _WIDTH_SAMPLE_ROWS)]
        sheet = self._new_sheet("Problems", PROBLEM_COLUMNS, sample)
        for problem in problems:
            sheet.append(_problem_values(problem))

    def _new_sheet(
        self, title: str, headers: Sequence[str], sample: Sequence[Sequence[CellValue]]
    ) -> SpillingSheet:
        """An empty table sheet whose columns fit ``sample``; overflow: <stem>.<title>.csv."""
        spill = self.out.with_name(f"{self.out.stem}.{title.lower()}.csv")
        ws = self.wb.create_sheet(title)
        sheet = SpillingSheet(ws, headers, spill, column_widths(headers, sample))
        self.sheets.append(sheet)
        return sheet


def _sheet_values(record: RowRecord, kept: Sequence[int]) -> list[CellValue]:
    """The Rows sheet's cells: the kept input columns, then the result columns."""
    return [
        *(record.values[i] for i in kept),
        record.row,
        record.outcome.value,
        record.opportunity_id,
        record.lead_id,
        record.problems,
    ]


def _problem_values(problem: Problem) -> list[CellValue]:
    return [
        problem.sheet,
        problem.row,
        problem.column or "",
        problem.field or "",
        problem.code,
        problem.message,
    ]


def _spill_notes(rows_csv: Path | None, problems_csv: Path | None) -> list[str]:
    spilled = [("Rows", rows_csv), ("Problems", problems_csv)]
    return [
        f"The {sheet} sheet holds as many lines as Excel allows; the rest are in {path.name}"
        for sheet, path in spilled
        if path is not None
    ]
