"""A file too big to list in a sheet: the Rows sheet keeps the rows that need attention, every
row's result goes to CSV beside it, and the Summary says so; Excel's width is respected."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from importer.model import Outcome, RowOutcome
from importer.report import RESULT_COLUMNS, limits, write_results
from tests.test_report_support import failed, invalid, make_results, problem, read_csv, sheet_values

HEADERS = ("Email", "Phone")
ROWS = [[f"u{n}@example.com", "=1+2" if n == 4 else str(9876500000 + n)] for n in range(2, 9)]


def _outcomes() -> dict[int, RowOutcome]:
    return {
        2: RowOutcome("leads.csv", 2, Outcome.CREATED, "o2", "l2"),
        3: invalid(3, problem(3, "Phone", "invalid_phone")),
        4: RowOutcome("leads.csv", 4, Outcome.DUPLICATE, "o0", "l4", "Already there"),
        5: failed(5, "Email", "lead_not_found"),
        6: RowOutcome("leads.csv", 6, Outcome.CREATED, "o6", "l6"),
    }  # 7 and 8: pending


def _notes(out: Path) -> list[str]:
    return [
        str(line[0]) for line in sheet_values(out, "Summary") if str(line[0]).startswith("Note")
    ]


def test_past_the_limit_the_sheet_lists_the_rows_needing_attention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "SHEET_ROWS", 3)
    out = tmp_path / "big.xlsx"
    files = write_results(out, make_results(HEADERS, ROWS, _outcomes(), default=Outcome.PENDING))
    assert [line[:2] for line in sheet_values(out, "Rows")[1:]] == [[3, "invalid"], [5, "failed"]]
    assert files.spill_csv == tmp_path / "big.rows.csv"
    every = read_csv(files.spill_csv)
    assert every[0] == [*RESULT_COLUMNS, *HEADERS]
    assert [line[:2] for line in every[1:]] == [
        ["2", "created"],
        ["3", "invalid"],
        ["4", "duplicate"],
        ["5", "failed"],
        ["6", "created"],
        ["7", "pending"],
        ["8", "pending"],
    ]
    assert every[1][3:] == ["o2", "l2", "u2@example.com", "9876500002"]
    assert every[3][6] == "'=1+2"  # inert, like every CSV we write
    assert _notes(out) == [
        "Note: This file has 7 rows, more than the 3 a sheet lists: the Rows sheet shows only "
        "the 2 rows that need attention; every row with its result is in big.rows.csv"
    ]


def test_attention_rows_past_the_limit_are_in_the_csv_and_the_fix_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "SHEET_ROWS", 2)
    outcomes = {n: invalid(n, problem(n, "Phone", "invalid_phone")) for n in range(2, 9)}
    out = tmp_path / "big.xlsx"
    files = write_results(out, make_results(HEADERS, ROWS, outcomes))
    assert [line[0] for line in sheet_values(out, "Rows")[1:]] == [2, 3]
    assert files.fix_file is not None
    assert len(read_csv(files.fix_file, "utf-8")) == 1 + 7
    assert files.problems_spill_csv == tmp_path / "big.problems.csv"
    assert len(sheet_values(out, "Problems")) == 1 + 2
    assert len(read_csv(files.problems_spill_csv)) == 1 + 7
    assert _notes(out) == [
        "Note: This file has 7 rows, more than the 2 a sheet lists: the Rows sheet shows the "
        "first 2 of the 7 rows that need attention; every row with its result is in big.rows.csv",
        "Note: The Problems sheet lists the first 2 of 7 problems; all of them are in "
        "big.problems.csv",
    ]


def test_up_to_the_limit_every_row_is_listed_and_stale_csvs_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.xlsx"
    monkeypatch.setattr(limits, "SHEET_ROWS", 2)
    write_results(out, make_results(HEADERS, ROWS, _outcomes()))
    assert (tmp_path / "r.rows.csv").exists()
    monkeypatch.setattr(limits, "SHEET_ROWS", len(ROWS))
    files = write_results(out, make_results(HEADERS, ROWS, _outcomes()))
    assert (files.spill_csv, files.problems_spill_csv) == (None, None)
    assert len(sheet_values(out, "Rows")) == 1 + len(ROWS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.fix.csv", "r.xlsx"]


def test_only_so_many_wrong_cells_get_a_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "COMMENTED_CELLS", 1)
    outcomes = {n: invalid(n, problem(n, "Phone", "invalid_phone")) for n in (2, 3)}
    out = tmp_path / "r.xlsx"
    write_results(out, make_results(HEADERS, ROWS, outcomes))
    ws = load_workbook(out)["Rows"]
    assert ws["G2"].comment is not None
    assert ws["G3"].comment is None
    assert ws["G3"].fill.fgColor.rgb == ws["G2"].fill.fgColor.rgb  # still marked
    assert _notes(out)[0].startswith("Note: Only the first 1 wrong cells carry their problem")


def test_a_file_wider_than_excel_loses_unmapped_columns_only(tmp_path: Path) -> None:
    extra = [f"c{i}" for i in range(limits.EXCEL_COLUMNS)]
    headers = ("Email", *extra, "Phone")  # Phone, mapped, comes last
    rows = [["a@example.com", *("v" for _ in extra), "98765"]]
    outcomes = {2: invalid(2, problem(2, "Phone", "invalid_phone"))}
    results = make_results(headers, rows, outcomes, mapped_columns=frozenset({"Email", "Phone"}))
    out = tmp_path / "wide.xlsx"
    files = write_results(out, results)
    header = tuple(CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Rows").to_python()[0])
    assert len(header) == limits.EXCEL_COLUMNS
    assert header[-1] == "Phone"
    assert header[5:7] == ("Email", "c0")
    assert _notes(out) == [
        f"Note: The file is wider than the {limits.EXCEL_COLUMNS - 5:,} columns the Rows sheet "
        "has room for: 7 columns the mapping does not use were left out "
        "('c16377', 'c16378', 'c16379' and 4 more)"
    ]
    assert files.fix_file is not None  # a CSV has no width limit: every column stays
    assert len(read_csv(files.fix_file, "utf-8")[0]) == len(headers) + 1
