"""Bad cells the dry run must name one by one: every failing cell of a row, Excel error
values, NUL characters, and the mapping named once when a rule fails on a whole column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from importer.mapping import Mapping, check_headers, load_mapping
from importer.validation import Checker
from tests.test_mapping_fixtures import check, chunk, found, write_mapping


@pytest.fixture
def mapping(tmp_path: Path) -> Mapping:
    return load_mapping(write_mapping(tmp_path))


def test_every_bad_cell_of_a_row_is_reported_even_with_the_same_code(mapping: Mapping) -> None:
    result = check(mapping, {"Email": "x@y", "Owner": "boss at firm"})
    assert found(result) == [(2, "invalid_email", "Email"), (2, "invalid_email", "Owner")]


def test_the_header_check_runs_once_per_file(
    mapping: Mapping, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []

    def counted(*args: Any) -> None:
        calls.append(args)
        check_headers(*args)

    monkeypatch.setattr("importer.validation.checker.check_headers", counted)
    checker = Checker(mapping, "Enquiries")
    for first in (2, 4, 6):
        checker.check(chunk([{}, {}], first_row=first))
    assert len(calls) == 1


def test_an_excel_error_is_a_cell_error_naming_the_cell(mapping: Mapping) -> None:
    letters = {"Fee": "H", "Mobile": "B"}
    result = Checker(mapping, "Enquiries", letters).check(
        chunk([{}, {"Fee": "#DIV/0!", "Mobile": "#REF!"}])
    )
    assert found(result) == [(3, "cell_error", "Mobile"), (3, "cell_error", "Fee")]
    fee = result.problems[1]
    assert fee.sheet == "Enquiries"
    assert "cell H3 of 'Enquiries'" in fee.message
    assert "#DIV/0!" in fee.message
    assert result.invalid_rows == frozenset({3})


def test_an_error_text_in_a_text_column_is_caught_too(mapping: Mapping) -> None:
    result = check(mapping, {"Notes": "#N/A"})
    assert found(result) == [(2, "cell_error", "Notes")]


def test_a_nul_character_is_a_problem_of_its_cell(mapping: Mapping) -> None:
    result = check(mapping, {"Notes": "Pu\x00ne", "Email": "a\x00@x.com"})
    assert found(result) == [(2, "nul_character", "Email"), (2, "nul_character", "Notes")]
    assert "Pu\\x00ne" in result.problems[1].message
    assert "\x00" not in result.problems[1].message


def test_reader_problems_join_the_chunk(tmp_path: Path, mapping: Mapping) -> None:
    from importer.reader import open_source
    from importer.validation import check_source

    path = tmp_path / "leads.csv"
    chunk([{}]).to_csv(path, index=False)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("short@x.com,98765 43210\n")
    (result,) = check_source(open_source(path), mapping, 50)
    assert (3, "short_row", None) in found(result)
    assert 3 in result.invalid_rows
