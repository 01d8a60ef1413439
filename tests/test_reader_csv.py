"""CSV reading: encodings, delimiters, row numbers, blank rows, chunking, bad files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importer.errors import InputFileError
from importer.reader import csv_sniff, open_source, reopen


def write(tmp_path: Path, content: str | bytes, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read_all(path: Path, rows: int = 50_000) -> pd.DataFrame:
    return pd.concat(list(open_source(path).chunks(rows)))


def test_utf8_bom_is_stripped_from_the_first_header(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffEmail,Phone\r\na@x.com,98765\r\n")
    source = open_source(path)
    assert source.info.headers == ("Email", "Phone")
    assert source.info.encoding == "utf-8-sig"
    assert source.info.warnings == ()
    assert read_all(path).loc[2, "Email"] == "a@x.com"


def test_plain_utf8_keeps_accents_without_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,City\nJosé,São Paulo\n")
    source = open_source(path)
    assert source.info.encoding == "utf-8"
    assert list(read_all(path).loc[2]) == ["José", "São Paulo"]


def test_cp1252_falls_back_with_a_warning_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, "Name;City\nJosé;Zürich – Süd\n".encode("cp1252"))
    source = open_source(path)
    assert source.info.encoding == "cp1252"
    assert len(source.info.warnings) == 1
    assert "Windows-1252" in source.info.warnings[0]
    assert "leads.csv" in source.info.warnings[0]
    assert list(read_all(path).loc[2]) == ["José", "Zürich – Süd"]


def test_non_utf8_byte_far_from_the_start_is_still_detected(tmp_path: Path) -> None:
    body = "Name,Note\n" + "a,plain\n" * 20_000 + "b,caf\xe9\n"
    path = write(tmp_path, body.encode("cp1252"))
    assert open_source(path).info.encoding == "cp1252"
    assert read_all(path).iloc[-1].tolist() == ["b", "café"]


def test_utf16_unicode_text_from_excel(tmp_path: Path) -> None:
    text = "Name\tPhone\r\nRavi\t0091 98\r\nAnaïs\t\r\n"
    path = write(tmp_path, text.encode("utf-16"), name="export.txt")
    source = open_source(path)
    assert (source.info.encoding, source.info.delimiter) == ("utf-16", "\t")
    assert source.info.headers == ("Name", "Phone")
    assert read_all(path).to_dict("index") == {
        2: {"Name": "Ravi", "Phone": "0091 98"},
        3: {"Name": "Anaïs", "Phone": ""},
    }


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "Name,Phone\r\nZoë,98\r\n".encode(encoding))
    source = open_source(path)
    assert source.info.encoding == encoding
    assert read_all(path).to_dict("index") == {2: {"Name": "Zoë", "Phone": "98"}}


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    rows = [["Name", "Amount", "Note"], ["A", "1,5", "x;y|z"], ["B", "2", "tab\there"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL).writerows(rows)
    path = write(tmp_path, buffer.getvalue())
    source = open_source(path)
    assert source.info.delimiter == delimiter
    assert read_all(path).to_numpy().tolist() == rows[1:]


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    path = write(tmp_path, "Name;Amount;Rate\nA;1,5;2,25\nB;3;4,0\n")
    assert open_source(path).info.delimiter == ";"
    assert read_all(path).loc[2, "Rate"] == "2,25"


def test_single_column_file(tmp_path: Path) -> None:
    path = write(tmp_path, "Email\na@x.com\nb@x.com\n")
    assert read_all(path)["Email"].tolist() == ["a@x.com", "b@x.com"]


def test_values_stay_text(tmp_path: Path) -> None:
    path = write(tmp_path, "Id,Flag,Phone,Big\n007,NA,+91 98765,1e5\n,null,00,TRUE\n")
    frame = read_all(path)
    assert frame.to_numpy().tolist() == [
        ["007", "NA", "+91 98765", "1e5"],
        ["", "null", "00", "TRUE"],
    ]
    assert all(pd.api.types.is_object_dtype(dtype) for dtype in frame.dtypes)


def test_embedded_newlines_do_not_shift_row_numbers(tmp_path: Path) -> None:
    body = 'Name,Note\nA,"line one\nline two\r\nline three"\nB,plain\n\nC,"x\n\ny"\nD,end\n'
    path = write(tmp_path, body)
    frame = read_all(path)
    assert frame.index.tolist() == [2, 3, 5, 6]
    assert frame.loc[2, "Note"] == "line one\nline two\r\nline three"
    assert frame.loc[6, "Name"] == "D"


def test_blank_rows_are_skipped_counted_and_keep_their_number(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Phone\nA,1\n\n,\nB,2\n,\n\nC,3\n")
    source = open_source(path)
    frames = list(source.chunks())
    assert pd.concat(frames).index.tolist() == [2, 5, 8]
    assert source.blank_rows == 4
    assert frames[0].index.dtype == "int64"


def test_short_rows_are_filled_with_empty_text(tmp_path: Path) -> None:
    path = write(tmp_path, "A,B,C\n1\n2,3\n")
    assert read_all(path).to_numpy().tolist() == [["1", "", ""], ["2", "3", ""]]


def test_row_longer_than_the_header_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "A,B\n1,2\n3,4,5\n")
    with pytest.raises(InputFileError, match=r"leads\.csv: line 3 has 3 cells.*header row has 2"):
        read_all(path)


def test_trailing_problems_column_is_just_a_column(tmp_path: Path) -> None:
    path = write(tmp_path, "Email,Problems\na@x,row 2: bad email\n")
    assert open_source(path).info.headers == ("Email", "Problems")


def test_header_only_file_gives_zero_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "Email,Phone\n")
    source = open_source(path)
    frames = list(source.chunks())
    assert len(frames) == 1
    assert frames[0].empty
    assert frames[0].columns.tolist() == ["Email", "Phone"]
    assert source.blank_rows == 0


def test_chunking_gives_the_same_data_as_one_chunk(tmp_path: Path) -> None:
    lines = ["Name,Phone"] + [f"n{i},{i:05d}" if i % 7 else "," for i in range(1, 101)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    whole = read_all(path)
    for rows in (1, 2, 3, 10, 99, 100, 101):
        chunks = list(open_source(path).chunks(rows))
        assert all(len(chunk) <= rows for chunk in chunks)
        pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    assert whole.index[0] == 2
    assert whole.index[-1] == 101


def test_chunks_can_be_read_again(tmp_path: Path) -> None:
    path = write(tmp_path, "Name\nA\n\nB\n")
    source = open_source(path)
    first = pd.concat(list(source.chunks()))
    second = pd.concat(list(source.chunks()))
    pd.testing.assert_frame_equal(first, second)
    assert source.blank_rows == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"leads\.csv is empty"),
        (b"\n\n\n", r"leads\.csv.*row 1"),
        (b",,,\n1,2,3,4\n", r"leads\.csv.*row 1"),
        (bytes(range(256)) * 20, r"leads\.csv does not contain text"),
        (b"PK\x03\x04" + b"\x00" * 100, r"leads\.csv is an Excel workbook"),
        (b'Name\n"unclosed\n', r"leads\.csv cannot be read as CSV"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(InputFileError, match=message):
        read_all(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope\.csv does not exist"):
        open_source(tmp_path / "nope.csv")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b\n", name="leads.pdf")
    with pytest.raises(InputFileError, match=r"leads\.pdf: unsupported file type '\.pdf'"):
        open_source(path)


def test_sheet_option_on_a_csv_is_ignored_with_a_warning(tmp_path: Path) -> None:
    source = open_source(write(tmp_path, "a\n1\n"), sheet="Sheet1")
    assert source.info.sheet == "leads.csv"
    assert "ignored" in source.info.warnings[0]


# Any printable text plus newlines and tabs; other control characters are what tells a
# binary file from a CSV, so they are not "any text" here.
_cell = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from('\n\t\r"')
    ),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    bom=st.booleans(),
)
def test_any_text_round_trips(
    tmp_path: Path, rows: list[list[str]], delimiter: str, bom: bool
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerows([["First", "Second", "Third"], *rows])
    path = write(tmp_path, buffer.getvalue().encode("utf-8-sig" if bom else "utf-8"))
    source = open_source(path)
    frame = pd.concat(list(source.chunks(3)))
    kept = [(number, row) for number, row in enumerate(rows, start=2) if any(row)]
    assert frame.index.tolist() == [number for number, _ in kept]
    assert frame.to_numpy().tolist() == [row for _, row in kept]
    assert source.blank_rows == len(rows) - len(kept)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ("Name,City\nJosé,São Paulo\n".encode(), "utf-8"),
        ("Name,City\nJosé,São Paulo\n".encode("cp1252"), "cp1252"),
        ("Name,Phone\r\nZoë,98\r\n".encode("utf-16"), "utf-16"),
        ("Name,Phone\r\nZoë,98\r\n".encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_reading_again_uses_the_encoding_found_and_does_not_scan_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, named: str
) -> None:
    path = write(tmp_path, data)
    scans: list[Path] = []
    real = csv_sniff._first_non_utf8

    def counted(scanned: Path) -> int | None:
        scans.append(scanned)
        return real(scanned)

    monkeypatch.setattr(csv_sniff, "_first_non_utf8", counted)
    first = open_source(path)
    before = len(scans)
    again = reopen(first.info)
    assert len(scans) == before  # the whole file is not read again for its encoding
    assert again.info.encoding == first.info.encoding == named
    assert pd.concat(list(again.chunks(10))).equals(pd.concat(list(first.chunks(10))))


def test_an_explicit_utf16_without_bom_is_not_called_binary(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,Phone\r\nZoë,98\r\n".encode("utf-16-le"))
    source = open_source(path, encoding="utf-16-le")
    assert pd.concat(list(source.chunks(10))).to_dict("index") == {
        2: {"Name": "Zoë", "Phone": "98"}
    }
