"""The results workbook read back with openpyxl: sheets, counts, fills, filters, text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from importer.model import Outcome, RowOutcome
from importer.report import sheet as sheet_module
from importer.report import write_results
from tests.test_report_support import (
    invalid,
    make_results,
    problem,
    sheet_values,
    sheet_xml,
    worksheet,
)

HEADERS = ("Name", "Email", "Phone")
ROWS = [
    ["Asha", "asha@example.com", "+91-9876543210"],
    ['=HYPERLINK("x")', "not-an-email", "-12"],
    ["Ravi", "ravi@example.com", "@home"],
    ["Meena", "meena@example.com", "#N/A"],
    ["Kiran", "kiran@example.com", "9876543210"],
    ["Dev", "dev@example.com", "9876500000"],
]


def _import_outcomes() -> dict[int, RowOutcome]:
    bad = problem(3, "Email", "invalid_email")
    return {
        2: RowOutcome("leads.csv", 2, Outcome.CREATED, "opp-1", "lead-1"),
        3: invalid(3, bad, problem(3, "Phone", "invalid_phone")),
        4: RowOutcome("leads.csv", 4, Outcome.NEEDS_REVIEW, None, "lead-3", "Check Status"),
        5: RowOutcome("leads.csv", 5, Outcome.DUPLICATE, "opp-0", "lead-4", "Already there"),
        6: RowOutcome("leads.csv", 6, Outcome.FAILED, message="LeadSquared refused the owner"),
    }  # row 7 is absent: it takes the default, pending


@pytest.fixture
def book(tmp_path: Path) -> Path:
    results = make_results(HEADERS, ROWS, _import_outcomes(), default=Outcome.PENDING)
    write_results(tmp_path / "results.xlsx", results)
    return tmp_path / "results.xlsx"


def test_sheets_in_order(book: Path) -> None:
    with zipfile.ZipFile(book) as z:
        assert any(name.startswith("xl/charts/chart") for name in z.namelist())
    assert CalamineWorkbook.from_path(str(book)).sheet_names == ["Summary", "Rows", "Problems"]


def test_summary_counts_outcomes_and_problem_codes(book: Path) -> None:
    lines = {row[0]: row[1:] for row in sheet_values(book, "Summary") if row[0]}
    assert lines["Dry run"] == [None, None]
    assert lines["Input file"][0] == "leads.csv"
    for outcome in ("created", "invalid", "needs_review", "duplicate", "failed", "pending"):
        assert lines[outcome][0] == 1
    assert "valid" not in lines
    assert "partial" not in lines
    assert lines["Total rows"][0] == 6
    assert lines["invalid_email"] == [1, "Row 3, column Email: invalid_email"]
    assert lines["invalid_phone"][0] == 1


def test_summary_chart_present(book: Path) -> None:
    assert len(worksheet(book, "Summary")._charts) == 1  # type: ignore[attr-defined]


def test_rows_sheet_columns_and_values(book: Path) -> None:
    rows = sheet_values(book, "Rows")
    assert rows[0] == [*HEADERS, "Row", "Outcome", "Opportunity ID", "Lead ID", "Problems"]
    assert rows[1][3:7] == [2, "created", "opp-1", "lead-1"]
    assert rows[2][3:5] == [3, "invalid"]
    assert rows[2][7] == "Row 3, column Email: invalid_email; Row 3, column Phone: invalid_phone"
    assert rows[4][7] == "Already there"  # no problems: the outcome's message
    assert rows[6][3:5] == [7, "pending"]


def test_rows_highlighted_by_outcome(book: Path) -> None:
    ws = worksheet(book, "Rows")
    colours = {}
    for row in ws.iter_rows(min_row=2):
        fill = row[0].fill
        colours[row[4].value] = fill.fgColor.rgb if fill.fill_type == "solid" else None
        assert {c.fill.fgColor.rgb for c in row} == {row[0].fill.fgColor.rgb}  # whole row
    assert colours == {
        "created": None,
        "pending": None,
        "invalid": "00FFC7CE",
        "failed": "00FFC7CE",
        "needs_review": "00FFEB9C",
        "duplicate": "00D9D9D9",
    }


def test_header_bold_frozen_and_filtered(book: Path) -> None:
    rows = worksheet(book, "Rows")
    assert rows.freeze_panes == "A2"
    assert rows.auto_filter.ref == "A1:H7"
    assert all(c.font.bold for c in rows[1])
    assert rows.column_dimensions["A"].width >= 8
    problems = worksheet(book, "Problems")
    assert problems.freeze_panes == "A2"
    assert problems.auto_filter.ref == "A1:F3"


def test_problems_sheet_one_line_per_problem(book: Path) -> None:
    rows = sheet_values(book, "Problems")
    assert rows[0] == ["Sheet", "Row", "Column", "Field", "Code", "Message"]
    assert rows[1] == [
        "leads.csv",
        3,
        "Email",
        "mx_Email",
        "invalid_email",
        "Row 3, column Email: invalid_email",
    ]
    assert len(rows) == 3


def test_formula_looking_values_are_text(book: Path) -> None:
    ws = worksheet(book, "Rows")
    cells = {c.value: c for row in ws.iter_rows(min_row=2, max_col=3) for c in row}
    for text in ('=HYPERLINK("x")', "+91-9876543210", "-12", "@home", "#N/A"):
        assert cells[text].data_type == "s"
    assert "<f>" not in sheet_xml(book, 2)
    assert "<f " not in sheet_xml(book, 2)


def test_rerun_of_fix_file_has_one_problems_column(tmp_path: Path) -> None:
    headers = ("Name", "Problems", "Outcome", "Email")
    rows = [["Asha", "old reason", "invalid", "asha@"], ["Ravi", "", "", "ravi@example.com"]]
    results = make_results(headers, rows, {2: invalid(2, problem(2, "Email", "invalid_email"))})
    write_results(tmp_path / "r.xlsx", results)
    values = sheet_values(tmp_path / "r.xlsx", "Rows")
    assert values[0] == ["Name", "Email", "Row", "Outcome", "Opportunity ID", "Lead ID", "Problems"]
    assert values[1] == ["Asha", "asha@", 2, "invalid", None, None, values[1][6]]
    assert values[1][6] == "Row 2, column Email: invalid_email"


def test_unstorable_characters_read_back_exactly(tmp_path: Path) -> None:
    tricky = ["a\rb", "bell\x07", "_x0041_", "x_x005F_y", "tab\there\nnext", "\x00", " ", "\n"]
    tricky.append("\uffff")
    # U+FFFF is a non-character XML cannot hold: it stays visible as Excel's escape.
    expected = [*tricky[:-1], "_xFFFF_"]
    results = make_results(("Note",), [[t] for t in tricky])
    write_results(tmp_path / "r.xlsx", results)
    rows = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name("Rows")
    assert [r[0] for r in rows.to_python()[1:]] == expected


def test_rows_past_the_limit_spill_into_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_module, "MAX_SHEET_ROWS", 4)  # header + 3 data rows
    out = tmp_path / "big.xlsx"
    files = write_results(out, make_results(HEADERS, ROWS))
    assert files.spill_csv == tmp_path / "big.rows.csv"
    assert len(sheet_values(out, "Rows")) == 4
    spilled = files.spill_csv.read_text(encoding="utf-8-sig").splitlines()
    assert spilled[0] == "Name,Email,Phone,Row,Outcome,Opportunity ID,Lead ID,Problems"
    assert spilled[1:] == [
        "Meena,meena@example.com,#N/A,5,valid,,,",
        "Kiran,kiran@example.com,9876543210,6,valid,,,",
        "Dev,dev@example.com,9876500000,7,valid,,,",
    ]
    notes = [r[1] for r in sheet_values(out, "Summary") if r[0] == "Note"]
    assert notes == [
        "The Rows sheet holds as many lines as Excel allows; the rest are in big.rows.csv"
    ]
    monkeypatch.setattr(sheet_module, "MAX_SHEET_ROWS", 1_048_576)
    assert write_results(out, make_results(HEADERS, ROWS)).spill_csv is None
    assert not (tmp_path / "big.rows.csv").exists()  # the stale spill is gone


def test_problems_past_the_limit_spill_into_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_module, "MAX_SHEET_ROWS", 2)  # header + 1 problem
    outcomes = {3: invalid(3, problem(3, "Email", "invalid_email"), problem(3, "Phone", "x"))}
    files = write_results(tmp_path / "r.xlsx", make_results(HEADERS, ROWS, outcomes))
    assert files.problems_spill_csv == tmp_path / "r.problems.csv"
    assert len(sheet_values(tmp_path / "r.xlsx", "Problems")) == 2
    spilled = files.problems_spill_csv.read_text(encoding="utf-8-sig").splitlines()
    assert spilled == [
        "Sheet,Row,Column,Field,Code,Message",
        'leads.csv,3,Phone,mx_Phone,x,"Row 3, column Phone: x"',
    ]
