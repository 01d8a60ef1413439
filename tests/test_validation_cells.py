"""Bad cells the dry run must name one by one: every failing cell of a row, Excel error
values, NUL characters, and the mapping named once when a rule fails on a whole column."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_mapping_fixtures import chunk, write_mapping

from importer.mapping import Mapping, load_mapping
from importer.validation import CheckedChunk, Checker
from importer.validation import checker as checker_module


@pytest.fixture
def mapping(tmp_path: Path) -> Mapping:
    return load_mapping(write_mapping(tmp_path))


def check(mapping: Mapping, *rows: dict[str, str]) -> CheckedChunk:
    return Checker(mapping, "Enquiries").check(chunk(list(rows)))


def found(result: CheckedChunk) -> list[tuple[int, str, str | None]]:
    return [(p.row, p.code, p.column) for p in result.problems]


def test_every_bad_cell_of_a_row_is_reported_even_with_the_same_code(mapping: Mapping) -> None:
    result = check(mapping, {"Email": "x@y", "Owner": "boss at firm"})
    assert found(result) == [(2, "invalid_email", "Email"), (2, "invalid_email", "Owner")]


def test_the_header_check_runs_once_per_file(
    mapping: Mapping, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    original = checker_module.check_headers
    monkeypatch.setattr(
        checker_module, "check_headers", lambda *a, **k: calls.append(a) or original(*a, **k)
    )
    checker = Checker(mapping, "Enquiries")
    for first in (2, 4, 6):
        checker.check(chunk([{}, {}], first_row=first))
    assert len(calls) == 1
