"""Excel reading through calamine: numbers, formats, dates, sheets, bad workbooks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importer.errors import InputFileError
from importer.reader import open_source
from importer.reader.excel_cells import cell_text, column_texts, number_text

Rows = Sequence[Sequence[Any]]


def workbook(tmp_path: Path, sheets: dict[str, Rows], name: str = "leads.xlsx") -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    path = tmp_path / name
    book.save(path)
    return path


def read_all(path: Path, sheet: str | int | None = None, rows: int = 50_000) -> pd.DataFrame:
    return pd.concat(list(open_source(path, sheet).chunks(rows)))


def test_number_phones_are_written_in_full(tmp_path: Path) -> None:
    path = workbook(
        tmp_path, {"Leads": [["Phone", "Amount"], [919876543210, 2500.5], [9.18e11, 12]]}
    )
    frame = read_all(path)
    assert frame["Phone"].tolist() == ["919876543210", "918000000000"]
    assert frame["Amount"].tolist() == ["2500.5", "12"]
    assert all(pd.api.types.is_object_dtype(dtype) for dtype in frame.dtypes)


def test_zero_padded_number_format_keeps_leading_zeros(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"Leads": [["Mobile", "Pin"], [9876543210, 1234], [12345, 7]]})
    book = openpyxl.load_workbook(path)
    for row in book.active.iter_rows(min_row=2):  # type: ignore[union-attr]
        row[0].number_format = "00000000000"
        row[1].number_format = "000000"
    book.save(path)
    frame = read_all(path)
    assert frame["Mobile"].tolist() == ["09876543210", "00000012345"]
    assert frame["Pin"].tolist() == ["001234", "000007"]


def test_dates_times_and_booleans(tmp_path: Path) -> None:
    rows: Rows = [
        ["When", "Day", "At", "Flag", "Took"],
        [datetime(2024, 3, 5, 14, 30, 9), date(2024, 3, 5), time(9, 5), True, timedelta(hours=26)],
        [datetime(2024, 12, 31), date(1999, 1, 1), time(23, 59, 59), False, timedelta(minutes=5)],
    ]
    frame = read_all(workbook(tmp_path, {"Leads": rows}))
    assert list(frame.loc[2]) == [
        "2024-03-05 14:30:09", "2024-03-05 00:00:00", "09:05:00", "TRUE", "26:00:00",
    ]  # fmt: skip
    assert list(frame.loc[3]) == [
        "2024-12-31 00:00:00", "1999-01-01 00:00:00", "23:59:59", "FALSE", "00:05:00",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (919876543210.0, "919876543210"),
        (1e20, "100000000000000000000"),
        (0.1 + 0.2, "0.3"),
        (1e-05, "0.00001"),
        (-2.5, "-2.5"),
        (3.0, "3"),
        (123456789.123, "123456789.123"),
    ],
)
def test_number_text(value: float, text: str) -> None:
    assert number_text(value) == text


def test_cell_text_of_text_and_empty() -> None:
    assert cell_text("007") == "007"
    assert cell_text(None) == ""
    assert cell_text(5) == "5"


def test_text_cells_stay_as_typed(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"Leads": [["Id", "Note"], ["007", "NA"], ["=not a formula", ""]]})
    book = openpyxl.load_workbook(path)
    book.active["A3"].data_type = "s"  # type: ignore[index]
    book.save(path)
    frame = read_all(path)
    assert list(frame.loc[2]) == ["007", "NA"]


def test_blank_rows_skipped_counted_and_numbers_kept(tmp_path: Path) -> None:
    rows: Rows = [
        ["Name", "Phone"], ["A", 1], [None, None], ["", ""], ["B", 2], [None, None], ["C", 3],
    ]  # fmt: skip
    source = open_source(workbook(tmp_path, {"Leads": rows}))
    frame = pd.concat(list(source.chunks()))
    assert frame.index.tolist() == [2, 5, 7]
    assert frame.index.dtype == "int64"
    assert source.blank_rows == 3


def test_chunking_and_re_reading_give_the_same_data(tmp_path: Path) -> None:
    rows = [["N", "Code"]] + [[i, f"c{i}"] if i % 5 else [None, None] for i in range(1, 60)]
    path = workbook(tmp_path, {"Leads": rows})
    source = open_source(path)
    whole = pd.concat(list(source.chunks()))
    for size in (1, 4, 59, 100):
        chunks = list(source.chunks(size))
        assert all(len(chunk) <= size for chunk in chunks)
        pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    assert source.blank_rows == 11


def test_default_sheet_is_the_first_with_a_header_and_is_named(tmp_path: Path) -> None:
    path = workbook(
        tmp_path, {"Notes": [], "Blank top": [[None], ["x"]], "Leads": [["Email"], ["a@x"]]}
    )
    source = open_source(path)
    assert source.info.sheet == "Leads"
    assert source.info.format == "xlsx"
    assert any("'Leads'" in warning for warning in source.info.warnings)


def test_single_sheet_needs_no_warning(tmp_path: Path) -> None:
    source = open_source(workbook(tmp_path, {"Leads": [["Email"], ["a@x"]]}))
    assert source.info.warnings == ()
    assert (source.info.encoding, source.info.delimiter) == (None, None)


def test_hidden_sheets_are_not_the_default(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"Lookup": [["Code"], ["1"]], "Leads": [["Email"], ["a@x"]]})
    book = openpyxl.load_workbook(path)
    book["Lookup"].sheet_state = "hidden"
    book.save(path)
    assert open_source(path).info.sheet == "Leads"


@pytest.mark.parametrize("choice", ["Second", 1, "1", " second "])
def test_sheet_by_name_or_index(tmp_path: Path, choice: str | int) -> None:
    path = workbook(tmp_path, {"First": [["A"], ["1"]], "Second": [["B"], ["2"]]})
    source = open_source(path, sheet=choice)
    assert source.info.sheet == "Second"
    assert read_all(path, choice).to_dict("index") == {2: {"B": "2"}}


@pytest.mark.parametrize(
    ("choice", "message"),
    [("Missing", r"no sheet 'Missing'.*0: 'First' and 1: 'Second'"), (5, r"no sheet number 5")],
)
def test_unknown_sheet_lists_the_sheets(tmp_path: Path, choice: str | int, message: str) -> None:
    path = workbook(tmp_path, {"First": [["A"]], "Second": [["B"]]})
    with pytest.raises(InputFileError, match=message):
        open_source(path, sheet=choice)


def test_chosen_sheet_without_header_row(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"Leads": [["A"]], "Empty": []})
    with pytest.raises(InputFileError, match=r"sheet 'Empty' has no header row"):
        open_source(path, sheet="Empty")


def test_workbook_without_any_header_row(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no sheet has column names in row 1"):
        open_source(workbook(tmp_path, {"Empty": []}))


def test_header_only_sheet_gives_zero_rows(tmp_path: Path) -> None:
    source = open_source(workbook(tmp_path, {"Leads": [["Email", "Phone"]]}))
    frames = list(source.chunks())
    assert len(frames) == 1
    assert frames[0].empty
    assert frames[0].columns.tolist() == ["Email", "Phone"]


def test_duplicated_and_unnamed_headers(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"'Email' in columns A, C"):
        open_source(workbook(tmp_path, {"Leads": [["Email", "Phone", "Email"], [1, 2, 3]]}))
    path = workbook(tmp_path, {"Leads": [["Email", None, "Phone"], ["a", "x", "1"]]}, "b.xlsx")
    source = open_source(path)
    assert source.info.headers == ("Email", "Column B", "Phone")


def test_columns_not_starting_at_a_keep_their_letters(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"Leads": [[None, "Email", None, "Email"], [None, "a", None, "b"]]})
    with pytest.raises(InputFileError, match=r"columns B, D"):
        open_source(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.xlsx", b"Email,Phone\na,1\n", r"fake\.xlsx cannot be opened as an Excel workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0 not really", r"old\.xls cannot be opened"),
        ("empty.xlsx", b"", r"empty\.xlsx is empty"),
    ],
)
def test_broken_workbooks(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        open_source(path)


def test_xlsm_is_read_like_xlsx(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"Leads": [["Email"], ["a@x"]]}, name="macro.xlsm")
    assert read_all(path)["Email"].tolist() == ["a@x"]


# What calamine gives for a cell: text, numbers, booleans, dates, times, durations.
_moments = st.datetimes(datetime(1900, 1, 1), datetime(2100, 12, 31))
_kinds = [
    st.text(max_size=8),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**16), 10**16).map(float),  # whole numbers, some past 15 digits
    st.sampled_from([50_000.0, 9876543210.0, 0.1, -0.0]),  # repeated, as fees are
    st.booleans(),
    _moments,
    _moments.map(datetime.date),
    st.times(),
    st.timedeltas(timedelta(days=-3), timedelta(days=3)),
]


@settings(max_examples=80, deadline=None)
@given(
    cells=st.one_of(
        *(st.lists(kind, max_size=30) for kind in _kinds),  # columns of one kind
        st.lists(st.one_of(*_kinds), max_size=30),  # mixed columns
    )
)
def test_column_texts_is_cell_text_of_every_cell(cells: list[Any]) -> None:
    values = np.empty(len(cells), dtype=object)
    values[:] = cells
    assert list(column_texts(values)) == [cell_text(cell) for cell in cells]


def test_a_repeating_text_column_keeps_its_texts() -> None:
    texts = [f"city {n % 7}" for n in range(2_000)]
    values = np.empty(len(texts), dtype=object)
    values[:] = ["".join(text) for text in texts]  # fresh objects, as calamine makes them
    assert list(column_texts(values)) == texts
