"""Any text a spreadsheet cell can hold comes back unchanged from the workbook and the
fix file: read as Excel reads it (calamine decodes Excel's escapes) and as CSV."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from importer.report import write_results
from importer.report.cells import excel_text
from tests.test_report_support import invalid, make_results, problem

HEADERS = ("First", "Second")
# Every character but surrogates (no decoded file holds them) and the two non-characters
# XML cannot hold (see test_report_workbook).
cells = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\ufffe\uffff"), max_size=40
)
rows_of_cells = st.lists(st.lists(cells, min_size=2, max_size=2), min_size=1, max_size=6)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _write(rows: list[list[str]], fmt: Literal["csv", "xlsx"], delimiter: str, d: str) -> Path:
    """Write every row as invalid into directory ``d``; return the workbook path."""
    outcomes = {n: invalid(n, problem(n, "First", "bad")) for n in range(2, len(rows) + 2)}
    results = make_results(
        HEADERS, rows, outcomes, source_format=fmt, sheet="Data", csv_delimiter=delimiter
    )
    out = Path(d) / "r.xlsx"
    write_results(out, results)
    return out


def _calamine_rows(path: Path, sheet: str) -> list[list[object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return [list(row) for row in rows]


@SETTINGS
@given(rows=rows_of_cells)
def test_cells_round_trip_through_the_rows_sheet(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        out = _write(rows, "csv", ",", d)
        _check_rows_sheet(out, rows)


def _check_rows_sheet(out: Path, rows: list[list[str]]) -> None:
    assert [r[:2] for r in _calamine_rows(out, "Rows")[1:]] == rows
    ws = load_workbook(out)["Rows"]
    for line, row in zip(ws.iter_rows(min_row=2, max_col=2), rows, strict=True):
        for cell, text in zip(line, row, strict=True):
            assert cell.value == (excel_text(text) or None)  # openpyxl keeps escapes as is
            assert cell.value is None or cell.data_type == "s"


@SETTINGS
@given(rows=rows_of_cells, delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_cells_round_trip_through_the_csv_fix_file(rows: list[list[str]], delimiter: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        fix = _write(rows, "csv", delimiter, d).with_name("r.fix.csv")
        with fix.open(encoding="utf-8", newline="") as f:
            back = list(csv.reader(f, delimiter=delimiter))
    assert [r[:2] for r in back[1:]] == rows


@SETTINGS
@given(rows=rows_of_cells)
def test_cells_round_trip_through_the_xlsx_fix_file(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        fix = _write(rows, "xlsx", ",", d).with_name("r.fix.xlsx")
        assert [r[:2] for r in _calamine_rows(fix, "Data")[1:]] == rows
