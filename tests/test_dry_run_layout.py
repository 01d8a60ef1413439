"""Files laid out unlike the mapping expects — a cover sheet first, title rows above the
header, the data on a hidden sheet, a misspelt header, a wrong date_format — get a message
that says what was read and where the columns are, or one note that blames the mapping."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from importer.dryrun import validate
from importer.errors import InputFileError, MappingError
from tests.e2e_support import MAPPING, SAMPLE_CSV, SAMPLE_XLSX, bad_rows, cli


def sample_book(tmp_path: Path, *, cover_first: bool = False, titles: int = 0) -> Path:
    book = openpyxl.load_workbook(SAMPLE_XLSX)
    if cover_first:
        book.move_sheet("Read me", offset=-book.sheetnames.index("Read me"))
    if titles:
        data = book["Enquiries"]
        data.insert_rows(1, titles)
        data["A1"] = "Horizon Institute — course enquiries, November"
    path = tmp_path / "enquiries.xlsx"
    book.save(path)
    return path


def mapping_with(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "mapping.yaml"
    text = MAPPING.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def message_of(path: Path, mapping: Path = MAPPING, **options: object) -> str:
    with pytest.raises((InputFileError, MappingError)) as caught:
        validate(path, mapping, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    assert len(message) < 500, message
    return message


def test_a_cover_sheet_first_names_both_sheets(tmp_path: Path) -> None:
    message = message_of(sample_book(tmp_path, cover_first=True))
    assert "sheet 'Read me' row 1 was read as the header" in message
    assert "sheet 'Enquiries' row 1 holds 17 of them" in message
    assert "--sheet 'Enquiries'" in message
    assert "--header-row" not in message


def test_title_rows_above_the_header_suggest_header_row(tmp_path: Path) -> None:
    path = sample_book(tmp_path, titles=2)
    message = message_of(path)
    assert "sheet 'Enquiries' row 1 was read as the header" in message
    assert "row 3 holds 17 of them" in message
    assert "--header-row 3" in message
    report = validate(path, MAPPING, header_row=3)
    assert {(p.row - 2, p.code) for p in report.problems} == set(bad_rows().items())


def test_data_on_a_hidden_sheet_is_pointed_at(tmp_path: Path) -> None:
    path = sample_book(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Enquiries"].sheet_state = "hidden"
    book.save(path)
    message = message_of(path)
    assert "sheet 'Read me' row 1 was read" in message
    assert "'Enquiries' (a hidden sheet) row 1 holds 17" in message


def test_the_mapping_names_sheet_and_header_row_and_options_win(tmp_path: Path) -> None:
    path = sample_book(tmp_path, cover_first=True, titles=2)
    mapping = mapping_with(
        tmp_path, "version: 1\n", "version: 1\nsheet: Enquiries\nheader_row: 3\n"
    )
    assert validate(path, mapping).rows_read == 300
    wrong = mapping_with(tmp_path, "version: 1\n", "version: 1\nsheet: Read me\nheader_row: 9\n")
    report = validate(path, wrong, sheet="Enquiries", header_row=3)
    assert report.valid_rows == 287


def test_a_misspelt_sheet_header_is_named_as_a_possible_cause(tmp_path: Path) -> None:
    text = SAMPLE_CSV.read_text(encoding="utf-8-sig").replace(",Mobile,", ",Mobil,", 1)
    path = tmp_path / "enquiries.csv"
    path.write_text(text, encoding="utf-8")
    message = message_of(path)
    assert "did you mean 'Mobil'?" in message
    assert "sheet's header" in message
    assert "row 1 read as the header" in message


def test_a_wrong_date_format_is_blamed_once_on_the_mapping(tmp_path: Path) -> None:
    mapping = mapping_with(tmp_path, 'date_format: "%d/%m/%Y"', 'date_format: "%d/%m/%y"')
    report = validate(SAMPLE_CSV, mapping)
    assert report.problem_counts()["bad_datetime"] >= 290
    assert len(report.suspicions) == 1
    note = report.suspicions[0]
    assert "'Start Date'" in note
    assert "date_format ('%d/%m/%y')" in note
    assert "mapping is the likely cause" in note
    assert note in report.to_dict()["warnings"]
    assert validate(SAMPLE_CSV, MAPPING).suspicions == ()  # 13 scattered bad rows: no note


def test_cli_header_row_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"Course enquiries export\r\n\r\n" + SAMPLE_CSV.read_bytes()[3:])
    out = tmp_path / "r.xlsx"
    result = cli(
        "validate", path, "--mapping", MAPPING, "--header-row", "3", "--encoding", "utf-8",
        "--out", out, "--json",
    )  # fmt: skip
    assert result.code == 1, result.stderr
    again = cli(
        "run", path, "--mapping", MAPPING, "--dry-run", "--header-row", "3", "--out", out,
    )  # fmt: skip
    assert again.code == 1, again.stderr
    refused = cli("validate", path, "--mapping", MAPPING, "--out", out)
    assert refused.code == 2
    assert "--header-row 3" in refused.stderr
    assert "Traceback" not in refused.stderr
