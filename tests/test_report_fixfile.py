"""The fix file: exactly the rows to correct, in the input's format, columns, delimiter and
encoding, inert in a spreadsheet, laid out like the Rows sheet when it is a workbook, and
read back by the reader exactly as it was given."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from importer.model import Outcome, RowOutcome
from importer.reader import open_source
from importer.report import write_results
from importer.report.fixfile import excel_sheet_name
from importer.report.xlsx_book import MARKED_FILL
from tests.test_report_support import failed, invalid, make_results, problem, read_csv, worksheet

HEADERS = ("Name", "City", "Phone")
ROWS = [
    ["Asha", "Pune", "+91-9876543210"],  # 2 created
    ["Ravi", "Zürich; Süd", "=1+1"],  # 3 invalid
    ["Meena", "Line one\nline two", "-5"],  # 4 partial
    ["Kiran", 'Say "hi"', "@x"],  # 5 needs_review
    ["Dev", "", ""],  # 6 duplicate
    ["Lata", "Goa", "1"],  # 7 failed
    ["Om", "Delhi", "2"],  # 8 absent: pending by default
]


def _outcomes() -> dict[int, RowOutcome]:
    return {
        2: RowOutcome("leads.csv", 2, Outcome.CREATED, "o1", "l1"),
        3: invalid(3, problem(3, "Phone", "invalid_phone")),
        4: RowOutcome("leads.csv", 4, Outcome.PARTIAL, "o4", "l4", "Secondary action failed"),
        5: RowOutcome("leads.csv", 5, Outcome.NEEDS_REVIEW, None, "l5", "Check City"),
        6: RowOutcome("leads.csv", 6, Outcome.DUPLICATE, "o0", "l6", "Already there"),
        7: failed(7, "City", "rejected_value"),
    }


# Exactly the rows a person must correct: invalid, needs_review and failed.
TO_FIX = [
    ["Ravi", "Zürich; Süd", "=1+1", "Row 3, column Phone: invalid_phone"],
    ["Kiran", 'Say "hi"', "@x", "Check City"],
    ["Lata", "Goa", "1", "Row 7: LeadSquared refused this opportunity"],
]
# The same in the CSV file itself: formulas made inert with OWASP's apostrophe.
TO_FIX_ON_DISK = [
    ["Ravi", "Zürich; Süd", "'=1+1", TO_FIX[0][3]],
    ["Kiran", 'Say "hi"', "'@x", "Check City"],
    TO_FIX[2],
]


def _reread(path: Path) -> list[list[str]]:
    """The fix file as the next run reads it."""
    frames = list(open_source(path).chunks())
    return pd.concat(frames).values.tolist()


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
    assert read_csv(files.fix_file, encoding, delimiter) == [
        [*HEADERS, "Problems"],
        *TO_FIX_ON_DISK,
    ]
    assert _reread(files.fix_file) == TO_FIX


def test_csv_cells_quoted_only_where_needed_and_never_live(tmp_path: Path) -> None:
    rows = [["=SUM(A1)", "a;b", "+91-98"], ['x"y', "two\nlines", " spaced "]]
    rows += [["@cmd", "\tx", "\rz"], ["'=already", "-", "''+x"]]
    outcomes = {n: invalid(n) for n in range(2, 6)}
    fix = write_results(
        tmp_path / "r.xlsx", make_results(HEADERS, rows, outcomes, csv_delimiter=";")
    ).fix_file
    assert fix is not None
    text = fix.read_text(encoding="utf-8")
    assert '"a;b"' in text  # quoted only where the delimiter demands it
    assert "'=SUM(A1);" in text
    cells = [c for line in read_csv(fix, "utf-8", ";")[1:] for c in line[:3]]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert [r[:3] for r in _reread(fix)] == rows


def test_carried_over_problems_column_is_replaced(tmp_path: Path) -> None:
    headers = ("Name", "Problems", "Email")
    rows = [["Asha", "old reason", "asha@"], ["Ravi", "older", "ravi@example.com"]]
    outcomes = {2: invalid(2, problem(2, "Email", "invalid_email"))}
    fix = write_results(tmp_path / "r.xlsx", make_results(headers, rows, outcomes)).fix_file
    assert fix is not None
    assert read_csv(fix, "utf-8") == [
        ["Name", "Email", "Problems"],
        ["Asha", "asha@", "Row 2, column Email: invalid_email"],
    ]


def test_xlsx_fix_file_is_laid_out_like_the_rows_sheet(tmp_path: Path) -> None:
    results = make_results(
        HEADERS, ROWS, _outcomes(), default=Outcome.PENDING, source_format="xlsx", sheet="Enquiries"
    )
    fix = write_results(tmp_path / "results.xlsx", results).fix_file
    assert fix == tmp_path / "results.fix.xlsx"
    ws = worksheet(fix, "Enquiries")
    assert [[c.value for c in line] for line in ws.iter_rows()] == [
        [*HEADERS, "Problems"],
        *TO_FIX[:2],
        ["Lata", "Goa", 1, TO_FIX[2][3]],  # a number stays a number
    ]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D4"
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["B"].width >= len("Zürich; Süd")
    assert ws.page_setup.orientation == "landscape"
    wrong = ws["C2"]  # row 3's Phone
    assert str(wrong.fill.fgColor.rgb).endswith(MARKED_FILL[1:])
    assert wrong.comment is not None
    assert wrong.comment.text == "Row 3, column Phone: invalid_phone"
    assert ws["C2"].data_type == "s"  # "=1+1" is text, not a formula
    assert _reread(fix) == TO_FIX


def test_no_rows_to_fix_means_no_fix_file_and_a_stale_one_removed(tmp_path: Path) -> None:
    out = tmp_path / "results.xlsx"
    first = write_results(out, make_results(HEADERS, ROWS, _outcomes()))
    assert first.fix_file is not None
    assert first.fix_file.exists()
    created = {n: RowOutcome("leads.csv", n, Outcome.CREATED, f"o{n}") for n in range(2, 9)}
    second = write_results(out, make_results(HEADERS, ROWS, created))
    assert second.fix_file is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.xlsx"]  # no .part left


def test_dry_run_valid_rows_stay_out_of_the_fix_file(tmp_path: Path) -> None:
    outcomes = {3: invalid(3, problem(3, "Phone", "invalid_phone"))}
    fix = write_results(tmp_path / "r.xlsx", make_results(HEADERS, ROWS, outcomes)).fix_file
    assert fix is not None
    assert [r[0] for r in read_csv(fix, "utf-8")] == ["Name", "Ravi"]


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


@pytest.mark.parametrize("source_format", ["csv", "xlsx"])
def test_failure_mid_write_leaves_no_partial_files(tmp_path: Path, source_format: str) -> None:
    many = pd.DataFrame([["Asha", "Pune", "1"]] * 300, columns=list(HEADERS), index=range(2, 302))

    def failing_rows() -> Iterator[pd.DataFrame]:
        yield many  # every row is to fix, so the fix file is already being written
        raise OSError("the input file vanished")

    results = make_results(
        HEADERS,
        ROWS,
        default=Outcome.INVALID,
        source_format=source_format,  # type: ignore[arg-type]
    )
    with pytest.raises(OSError, match="vanished"):
        write_results(tmp_path / "r.xlsx", replace(results, rows=failing_rows))
    assert list(tmp_path.iterdir()) == []
