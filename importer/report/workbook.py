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
from importer.report.sheet import SpillingSheet, column_widths
from importer.report.summary import write_summary

PROBLEM_COLUMNS = ("Sheet", "Row", "Column", "Field", "Code", "Message")

# Column widths are decided before the first row is written (write-only sheets), from
# the header and this many leading rows.
_WIDTH_SAMPLE_ROWS = 200


def write_results(out: Path, results: ResultsInput) -> ResultFiles:
    """Write the results workbook to ``out`` and, beside it, the fix file and any
    overflow CSVs. The workbook and the fix file appear under their names only once
    complete; the workbook comes last, so its presence means the report is whole."""
    wb = Workbook(write_only=True)
    summary_ws = wb.create_sheet("Summary")  # first tab, filled last: it needs the counts
    rows_sheet, counts, fix_file = _write_rows(wb, out, results)
    problems_sheet = _write_problems(wb, out, results.problems)
    spill_csv = rows_sheet.close()
    problems_csv = problems_sheet.close()
    write_summary(summary_ws, results, counts, _spill_notes(spill_csv, problems_csv))
    fix_path = fix_file.close()
    partial = out.with_name(out.name + ".part")
    wb.save(partial)
    os.replace(partial, out)
    return ResultFiles(
        workbook=out,
        fix_file=fix_path,
        spill_csv=spill_csv,
        problems_spill_csv=problems_csv,
    )


def _write_rows(
    wb: Workbook, out: Path, results: ResultsInput
) -> tuple[SpillingSheet, Counter[Outcome], FixFile]:
    kept = [i for i, h in enumerate(results.headers) if h not in RESULT_COLUMNS]
    headers = [*(results.headers[i] for i in kept), *RESULT_COLUMNS]
    records = iter_records(results)
    head = list(islice(records, _WIDTH_SAMPLE_ROWS))
    widths = column_widths(headers, (_sheet_values(r, kept) for r in head))
    sheet = SpillingSheet(wb.create_sheet("Rows"), headers, _sibling(out, "rows"), widths)
    counts: Counter[Outcome] = Counter()
    fix_file = FixFile(out, results)
    for record in chain(head, records):
        counts[record.outcome] += 1
        sheet.append(_sheet_values(record, kept), fill_for(record.outcome))
        if record.outcome in FIX_OUTCOMES:
            fix_file.append(record.values, record.problems)
    return sheet, counts, fix_file


def _write_problems(wb: Workbook, out: Path, problems: Sequence[Problem]) -> SpillingSheet:
    sample = (_problem_values(p) for p in islice(problems, _WIDTH_SAMPLE_ROWS))
    widths = column_widths(PROBLEM_COLUMNS, sample)
    ws = wb.create_sheet("Problems")
    sheet = SpillingSheet(ws, PROBLEM_COLUMNS, _sibling(out, "problems"), widths)
    for problem in problems:
        sheet.append(_problem_values(problem))
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


def _sibling(out: Path, kind: str) -> Path:
    """``<out stem>.<kind>.csv`` beside the workbook."""
    return out.with_name(f"{out.stem}.{kind}.csv")
