"""The results workbook read back with openpyxl: sheets, column order, frozen panes, tints,
the wrong cell marked, every problem on the Problems sheet, typed values, print settings."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from importer.model import Outcome, RowOutcome
from importer.report import RESULT_COLUMNS, write_results
from importer.report.outcome_styles import style
from importer.report.workbook import problem_columns
from importer.report.xlsx_book import MARKED_FILL
from tests.test_report_support import (
    failed,
    invalid,
    make_results,
    problem,
    sheet_values,
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
        6: failed(6, "Email", "lead_not_found", detail="MXLeadNotFoundException: no lead"),
    }  # row 7 is absent: it takes the default, pending


@pytest.fixture
def book(tmp_path: Path) -> Path:
    outcomes = _import_outcomes()
    # As the runner passes them: the dry run's problems only; LeadSquared's are on outcomes.
    results = make_results(
        HEADERS, ROWS, outcomes, default=Outcome.PENDING, problems=outcomes[3].problems
    )
    write_results(tmp_path / "results.xlsx", results)
    return tmp_path / "results.xlsx"


def _colour(cell: object) -> str | None:
    fill = cell.fill  # type: ignore[attr-defined]
    return str(fill.fgColor.rgb)[-6:] if fill.fill_type == "solid" else None


def test_sheets_in_order_with_a_chart(book: Path) -> None:
    with zipfile.ZipFile(book) as z:
        assert any(name.startswith("xl/charts/chart") for name in z.namelist())
    assert CalamineWorkbook.from_path(str(book)).sheet_names == ["Summary", "Rows", "Problems"]


def test_rows_sheet_puts_the_outcome_first(book: Path) -> None:
    rows = sheet_values(book, "Rows")
    assert rows[0] == ["Row", "Outcome", "Problems", "Opportunity ID", "Lead ID", *HEADERS]
    assert rows[1][:5] == [2, "created", None, "opp-1", "lead-1"]
    assert rows[1][5] == "Asha"
    assert rows[2][:3] == [
        3,
        "invalid",
        "Row 3, column Email: invalid_email; Row 3, column Phone: invalid_phone",
    ]
    assert rows[4][2] == "Already there"  # no problems: the outcome's message
    assert rows[6][:2] == [7, "pending"]


def test_header_and_first_columns_frozen_bold_and_filtered(book: Path) -> None:
    rows = worksheet(book, "Rows")
    assert rows.freeze_panes == "C2"  # Row and Outcome stay in view
    assert rows.auto_filter.ref == "A1:H7"
    assert all(c.font.bold for c in rows[1])
    assert rows.column_dimensions["C"].width > rows.column_dimensions["A"].width
    problems = worksheet(book, "Problems")
    assert problems.freeze_panes == "B2"
    assert problems.auto_filter.ref == f"A1:G{len(sheet_values(book, 'Problems'))}"


def test_rows_tinted_by_outcome_and_the_wrong_cells_marked(book: Path) -> None:
    ws = worksheet(book, "Rows")
    for line in ws.iter_rows(min_row=2):
        outcome = Outcome(str(line[1].value))
        tint = style(outcome).tint
        expected = tint[1:] if tint else None
        marked = [c for c in line if _colour(c) == MARKED_FILL[1:]]
        assert {_colour(c) for c in line if c not in marked} == {expected}, outcome
    wrong = {c.coordinate: c for c in ws[3] if _colour(c) == MARKED_FILL[1:]}
    assert set(wrong) == {"G3", "H3"}  # Email and Phone of row 3, nothing else
    comments = {name: cell.comment.text for name, cell in wrong.items() if cell.comment}
    assert comments == {
        "G3": "Row 3, column Email: invalid_email",
        "H3": "Row 3, column Phone: invalid_phone",
    }
    # LeadSquared named the Email column of row 6: that cell is marked too.
    assert _colour(ws["G6"]) == MARKED_FILL[1:]


def test_every_problem_on_the_problems_sheet_once(book: Path) -> None:
    rows = sheet_values(book, "Problems")
    assert tuple(rows[0]) == problem_columns("LeadSquared")
    by_code = {r[2]: r for r in rows[1:]}
    assert set(by_code) == {"invalid_email", "invalid_phone", "needs_review", "lead_not_found"}
    assert by_code["lead_not_found"] == [
        6,
        "Email",
        "lead_not_found",
        "Row 6: LeadSquared refused this opportunity",
        "MXLeadNotFoundException: no lead",
        "mx_Email",
        "leads.csv",
    ]
    assert by_code["needs_review"][:4] == [4, None, "needs_review", "Check Status"]
    numbers = [int(str(r[0])) for r in rows[1:]]
    assert numbers == sorted(numbers)  # by row


def test_a_row_sent_without_a_clear_answer_is_a_server_error(tmp_path: Path) -> None:
    gave_up = RowOutcome("leads.csv", 2, Outcome.FAILED, message="sent 3 times, no answer")
    write_results(tmp_path / "r.xlsx", make_results(HEADERS, ROWS[:1], {2: gave_up}))
    assert sheet_values(tmp_path / "r.xlsx", "Problems")[1][:4] == [
        2,
        None,
        "server_error",
        "sent 3 times, no answer",
    ]


def test_a_dry_runs_problems_are_listed_once(tmp_path: Path) -> None:
    outcomes = {3: invalid(3, problem(3, "Email", "invalid_email"))}
    write_results(tmp_path / "r.xlsx", make_results(HEADERS, ROWS, outcomes))  # on both
    assert len(sheet_values(tmp_path / "r.xlsx", "Problems")) == 2


def test_user_text_never_becomes_a_formula(book: Path) -> None:
    ws = worksheet(book, "Rows")
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row}
    for text in ('=HYPERLINK("x")', "+91-9876543210", "@home", "#N/A"):
        assert cells[text].data_type == "s"
    with zipfile.ZipFile(book) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets)


TYPED = {
    "2027-07-15 00:00:00": (datetime(2027, 7, 15), "yyyy-mm-dd"),
    "2026-09-01 09:17:30": (datetime(2026, 9, 1, 9, 17, 30), "yyyy-mm-dd hh:mm:ss"),
    "150000": (150000, "0"),
    "919803503947": (919803503947, "0"),
    "-12": (-12, "0"),
    "12.5": (12.5, "General"),
}
KEPT_AS_TEXT = ["044", "+91 98765 43210", "1.50", "-0", "1234567890123456", "15/01/2027", "1e5"]


def test_dates_and_numbers_are_typed_where_nothing_is_lost(tmp_path: Path) -> None:
    texts = [*TYPED, *KEPT_AS_TEXT]
    write_results(tmp_path / "r.xlsx", make_results(("Value",), [[t] for t in texts]))
    ws = worksheet(tmp_path / "r.xlsx", "Rows")
    cells = [line[5] for line in ws.iter_rows(min_row=2)]
    for cell, (value, number_format) in zip(cells, TYPED.values(), strict=False):
        assert (cell.value, cell.number_format) == (value, number_format)
    assert [c.value for c in cells[len(TYPED) :]] == KEPT_AS_TEXT
    assert {c.data_type for c in cells[len(TYPED) :]} == {"s"}


def test_every_sheet_prints_landscape_one_page_wide_with_its_header(book: Path) -> None:
    for title in ("Summary", "Rows", "Problems"):
        ws: Worksheet = worksheet(book, title)
        assert ws.page_setup.orientation == "landscape", title
        setup = ws.sheet_properties.pageSetUpPr
        assert setup is not None, title
        assert setup.fitToPage, title
        assert ws.page_setup.fitToWidth in (None, 1), title  # 1 is the default, left out
        assert ws.page_setup.fitToHeight == 0, title  # as many pages tall as needed
        assert ws.print_title_rows == "$1:$1", title


def test_our_own_columns_in_the_input_appear_once(tmp_path: Path) -> None:
    headers = ("Name", "Problems", "Outcome", "Email")
    rows = [["Asha", "old reason", "invalid", "asha@"], ["Ravi", "", "", "ravi@example.com"]]
    results = make_results(headers, rows, {2: invalid(2, problem(2, "Email", "invalid_email"))})
    write_results(tmp_path / "r.xlsx", results)
    values = sheet_values(tmp_path / "r.xlsx", "Rows")
    assert values[0] == [*RESULT_COLUMNS, "Name", "Email"]
    message = "Row 2, column Email: invalid_email"
    assert values[1] == [2, "invalid", message, None, None, "Asha", "asha@"]


def test_unstorable_characters_read_back_exactly(tmp_path: Path) -> None:
    tricky = ["a\rb", "bell\x07", "_x0041_", "x_x005F_y", "tab\there\nnext", "\x00", " ", "\n"]
    write_results(tmp_path / "r.xlsx", make_results(("Note",), [[t] for t in tricky]))
    rows = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name("Rows")
    assert [r[5] for r in rows.to_python()[1:]] == tricky
