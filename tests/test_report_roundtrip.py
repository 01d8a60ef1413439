"""Any text a cell can hold comes back unchanged: from the Rows sheet as Excel reads it, and
from either fix file as the next run's reader reads it (the CSV one made inert against
formulas on the way), and text becomes a number or a date only when that loses nothing."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Literal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from importer.reader import open_source
from importer.reader.excel_cells import cell_text
from importer.reader.formula_guard import FORMULA_STARTS, neutralised, restored
from importer.report import write_results
from importer.report.csv_table import csv_cells
from tests.test_report_support import invalid, make_results, problem

HEADERS = ("First", "Second")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Every character but surrogates (no decoded file holds them) and the two non-characters
# XML cannot hold.
any_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\ufffe\uffff"), max_size=40
)
# What a CSV reader accepts as text: no NUL and no other control character in bulk (it takes
# such a file for a binary one), but every character that matters to CSV and to formulas.
csv_text = st.text(
    st.one_of(
        st.sampled_from([*FORMULA_STARTS, "'", '"', ",", ";", "|", "\n", " ", "0", "1", "."]),
        st.characters(min_codepoint=32, exclude_categories=["Cs"]),
    ),
    max_size=30,
)
# Text that looks like the numbers and dates the reader hands over, and near misses.
typed_looking = st.one_of(
    st.from_regex(r"-?[0-9]{1,17}(\.[0-9]{1,6})?", fullmatch=True),
    st.from_regex(
        r"[0-9]{4}-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]", fullmatch=True
    ),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


def _write(rows: list[list[str]], fmt: Literal["csv", "xlsx"], delimiter: str, d: str) -> Path:
    """Write every row as invalid into directory ``d``; return the workbook path."""
    outcomes = {n: invalid(n, problem(n, "First", "bad")) for n in range(2, len(rows) + 2)}
    results = make_results(
        HEADERS, rows, outcomes, source_format=fmt, sheet="Data", csv_delimiter=delimiter
    )
    out = Path(d) / "r.xlsx"
    write_results(out, results)
    return out


def _rows_sheet_texts(out: Path) -> list[list[str]]:
    """The user's cells of the Rows sheet as the reader would see them."""
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Rows").to_python()
    return [[cell_text(c) for c in line[5:7]] for line in sheet[1:]]


def _reread(path: Path) -> list[list[str]]:
    frame = pd.concat(list(open_source(path).chunks()))
    return frame[list(HEADERS)].values.tolist()


@SETTINGS
@given(rows=st.lists(st.lists(any_text, min_size=2, max_size=2), min_size=1, max_size=6))
def test_cells_round_trip_through_the_rows_sheet(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        assert _rows_sheet_texts(_write(rows, "csv", ",", d)) == rows


@SETTINGS
@given(rows=st.lists(st.lists(typed_looking, min_size=2, max_size=2), min_size=1, max_size=6))
def test_typed_cells_read_back_as_the_same_text(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        assert _rows_sheet_texts(_write(rows, "csv", ",", d)) == rows


@SETTINGS
@given(
    rows=st.lists(st.lists(csv_text, min_size=2, max_size=2), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_csv_fix_file_reads_back_exactly_and_holds_no_formula(
    rows: list[list[str]], delimiter: str
) -> None:
    with tempfile.TemporaryDirectory() as d:
        fix = _write(rows, "csv", delimiter, d).with_name("r.fix.csv")
        assert _reread(fix) == rows


@SETTINGS
@given(rows=st.lists(st.lists(any_text, min_size=2, max_size=2), min_size=1, max_size=6))
def test_xlsx_fix_file_reads_back_exactly(rows: list[list[str]]) -> None:
    rows = [r for r in rows if any(r)] or [["x", ""]]  # the reader skips blank rows
    with tempfile.TemporaryDirectory() as d:
        fix = _write(rows, "xlsx", ",", d).with_name("r.fix.xlsx")
        assert _reread(fix) == rows


@given(text=any_text)
def test_neutralised_text_is_inert_and_restores_exactly(text: str) -> None:
    assert neutralised(text)[:1] not in FORMULA_STARTS
    assert restored(neutralised(text)) == text


@given(cells=st.lists(csv_text, max_size=8), delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_a_column_is_written_like_its_cells(cells: list[str], delimiter: str) -> None:
    # The column-at-a-time shortcut must agree with the csv module, cell by cell.
    line = delimiter.join([*csv_cells(cells, delimiter), "end"])
    parsed = next(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter))
    assert parsed == [*(neutralised(c) for c in cells), "end"]
