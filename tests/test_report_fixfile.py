"""The fix file: only rows to correct, the input's format, columns, delimiter, encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from importer.model import Outcome, RowOutcome
from importer.report import write_results
from importer.report.fixfile import excel_sheet_name
from tests.test_report_support import invalid, make_results, problem

HEADERS = ("Name", "City", "Phone")
ROWS = [
    ["Asha", "Pune", "+91-9876543210"],  # 2 created
    ["Ravi", "Zürich; Süd", "=1+1"],  # 3 invalid
    ["Meena", "Line one\nline two", "-5"],  # 4 partial
    ["Kiran", 'Say "hi"', "@x"],  # 5 needs_review
    ["Dev", "", ""],  # 6 duplicate
    ["Lata", "Goa", "1"],  # 7 failed
    ["Om", "Delhi", "2"],  # 8 absent: pending by default, so not in the fix file
]


def _outcomes() -> dict[int, RowOutcome]:
    return {
        2: RowOutcome("leads.csv", 2, Outcome.CREATED, "o1", "l1"),
        3: invalid(3, problem(3, "Phone", "invalid_phone")),
        4: RowOutcome("leads.csv", 4, Outcome.PARTIAL, "o4", "l4", "Secondary action failed"),
        5: RowOutcome("leads.csv", 5, Outcome.NEEDS_REVIEW, None, "l5", "Check City"),
        6: RowOutcome("leads.csv", 6, Outcome.DUPLICATE, "o0", "l6", "Already there"),
        7: RowOutcome("leads.csv", 7, Outcome.FAILED, message="Owner not found"),
    }


EXPECTED = [
    ["Name", "City", "Phone", "Problems"],
    ["Ravi", "Zürich; Süd", "=1+1", "Row 3, column Phone: invalid_phone"],
    ["Kiran", 'Say "hi"', "@x", "Check City"],
    ["Dev", "", "", "Already there"],
    ["Lata", "Goa", "1", "Owner not found"],
]


def _read_csv(path: Path, encoding: str, delimiter: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


@pytest.mark.parametrize(
    ("encoding", "delimiter", "starts_with"),
    [
        ("utf-8-sig", ";", b"\xef\xbb\xbfName;"),
        ("utf-8", ",", b"Name,"),
        ("utf-16", "\t", b"\xff\xfeN\x00"),
        ("cp1252", "|", b"Name|"),
    ],
)
def test_csv_fix_file_like_the_input(
    tmp_path: Path, encoding: str, delimiter: str, starts_with: bytes
) -> None:
    results = make_results(
        HEADERS,
        ROWS,
        _outcomes(),
        default=Outcome.PENDING,
        csv_encoding=encoding,
        csv_delimiter=delimiter,
    )
    files = write_results(tmp_path / "results.xlsx", results)
    assert files.fix_file == tmp_path / "results.fix.csv"
    assert files.fix_file.read_bytes().startswith(starts_with)
    assert _read_csv(files.fix_file, encoding, delimiter) == EXPECTED


def test_csv_values_written_verbatim(tmp_path: Path) -> None:
    rows = [["=SUM(A1)", "a;b", "+91-98"], ['x"y', "two\nlines", " spaced "]]
    outcomes = {2: invalid(2), 3: invalid(3)}
    results = make_results(HEADERS, rows, outcomes, csv_delimiter=";")
    fix = write_results(tmp_path / "r.xlsx", results).fix_file
    assert fix is not None
    assert [r[:3] for r in _read_csv(fix, "utf-8", ";")[1:]] == rows
    text = fix.read_text(encoding="utf-8")
    assert '"a;b"' in text  # quoted only where the delimiter demands it
    assert "=SUM(A1);" in text


def test_carried_over_problems_column_is_replaced(tmp_path: Path) -> None:
    headers = ("Name", "Problems", "Email")
    rows = [["Asha", "old reason", "asha@"], ["Ravi", "older", "ravi@example.com"]]
    outcomes = {2: invalid(2, problem(2, "Email", "invalid_email"))}
    fix = write_results(tmp_path / "r.xlsx", make_results(headers, rows, outcomes)).fix_file
    assert fix is not None
    assert _read_csv(fix, "utf-8", ",") == [
        ["Name", "Email", "Problems"],
        ["Asha", "asha@", "Row 2, column Email: invalid_email"],
    ]


def test_xlsx_fix_file_text_cells_in_a_sheet_named_like_the_input(tmp_path: Path) -> None:
    results = make_results(
        HEADERS, ROWS, _outcomes(), default=Outcome.PENDING, source_format="xlsx", sheet="Enquiries"
    )
    fix = write_results(tmp_path / "results.xlsx", results).fix_file
    assert fix == tmp_path / "results.fix.xlsx"
    book = CalamineWorkbook.from_path(str(fix))
    assert book.sheet_names == ["Enquiries"]
    assert book.get_sheet_by_name("Enquiries").to_python() == EXPECTED
    ws = load_workbook(fix)["Enquiries"]
    assert {c.data_type for row in ws.iter_rows() for c in row if c.value is not None} == {"s"}


def test_no_rows_to_fix_means_no_fix_file_and_stale_one_removed(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    first = write_results(out, make_results(HEADERS, ROWS, _outcomes()))
    assert first.fix_file is not None
    assert first.fix_file.exists()
    created = {n: RowOutcome("leads.csv", n, Outcome.CREATED, f"o{n}") for n in range(2, 9)}
    second = write_results(out, make_results(HEADERS, ROWS, created))
    assert second.fix_file is None
    assert not (tmp_path / "results.fix.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.xlsx"]  # no .part left


def test_dry_run_valid_rows_stay_out_of_the_fix_file(tmp_path: Path) -> None:
    outcomes = {3: invalid(3, problem(3, "Phone", "invalid_phone"))}
    fix = write_results(tmp_path / "r.xlsx", make_results(HEADERS, ROWS, outcomes)).fix_file
    assert fix is not None
    assert [r[0] for r in _read_csv(fix, "utf-8", ",")] == ["Name", "Ravi"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Enquiries", "Enquiries"),
        ("a/b:c*d?[e]", "a_b_c_d__e_"),
        ("x" * 40, "x" * 31),
        ("", "Sheet1"),
    ],
)
def test_sheet_names_excel_accepts(name: str, expected: str) -> None:
    assert excel_sheet_name(name) == expected


def test_csv_fix_file_reads_back_with_pandas(tmp_path: Path) -> None:
    results = make_results(HEADERS, ROWS, _outcomes(), default=Outcome.PENDING)
    fix = write_results(tmp_path / "r.xlsx", results).fix_file
    assert fix is not None
    frame = pd.read_csv(io.StringIO(fix.read_text()), dtype=str, keep_default_na=False)
    assert frame.values.tolist() == EXPECTED[1:]


def test_failure_mid_write_leaves_no_partial_files(tmp_path: Path) -> None:
    many = pd.DataFrame([["Asha", "Pune", "1"]] * 300, columns=list(HEADERS), index=range(2, 302))

    def failing_rows() -> Iterator[pd.DataFrame]:
        yield many  # past the widths sample, so the fix file is already being written
        raise OSError("the input file vanished")

    results = make_results(HEADERS, ROWS, default=Outcome.INVALID)
    with pytest.raises(OSError, match="vanished"):
        write_results(tmp_path / "r.xlsx", replace(results, rows=failing_rows))
    assert list(tmp_path.iterdir()) == []
