"""What a mapping can now say: European number marks, and which sheet and header row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from importer.errors import MappingError
from importer.mapping import load_mapping
from importer.mapping.model import FieldSpec
from importer.mapping.normalise import normalise, valid
from importer.validation import Checker
from tests.test_mapping_fixtures import BASE_YAML, chunk, write_mapping


def number(decimal: str = ".", thousands: str = ",") -> FieldSpec:
    return FieldSpec(
        column="F",
        target="mx_Custom_5",
        place="opportunity",
        type="Number",
        decimal=decimal,
        thousands=thousands,
    )


def read(spec: FieldSpec, cell: str) -> str | None:
    """The value sent for ``cell``, or None when it is refused."""
    cleaned = normalise(pd.Series([cell], dtype=object), spec)
    return str(cleaned.iloc[0]) if bool(valid(cleaned, spec).iloc[0]) else None


@pytest.mark.parametrize(
    ("marks", "cell", "sent"),
    [
        ({"decimal": ",", "thousands": "."}, "12.500,50", "12500.50"),
        ({"decimal": ",", "thousands": "."}, "1.250.000", "1250000"),
        ({"decimal": ",", "thousands": "."}, "99,5", "99.5"),
        ({"decimal": ",", "thousands": "."}, "12.50", None),  # not a group of three
        ({"decimal": ",", "thousands": "."}, "1,250.00", None),  # the other convention
        ({"decimal": ",", "thousands": " "}, "1 250 000,75", "1250000.75"),
        ({"decimal": ",", "thousands": " "}, "1\u202f250,75", "1250.75"),
        ({"decimal": ".", "thousands": "'"}, "1'250'000.50", "1250000.50"),
        ({"decimal": ".", "thousands": ""}, "1,250", None),
        ({}, "1,250.50", "1250.50"),  # the default is unchanged
        ({}, "12.500,50", None),
    ],
)
def test_number_marks(marks: dict[str, str], cell: str, sent: str | None) -> None:
    assert read(number(**marks), cell) == sent


def replace_fee(spec: str) -> str:
    return BASE_YAML.replace("Fee: {to: mx_Custom_5, type: Number}", f"Fee: {{{spec}}}")


def test_a_mapping_reads_european_numbers(tmp_path: Path) -> None:
    text = replace_fee("to: mx_Custom_5, type: Number, decimal: ','")
    mapping = load_mapping(write_mapping(tmp_path, text))
    fee = mapping.field_for("mx_Custom_5")
    assert fee is not None
    assert (fee.decimal, fee.thousands) == (",", ".")
    result = Checker(mapping, "Enquiries").check(chunk([{"Fee": "12.500,50"}, {"Fee": "12.50"}]))
    assert result.values.loc[2, "mx_Custom_5"] == "12500.50"
    assert [(p.row, p.code) for p in result.problems] == [(3, "bad_number")]
    assert "1.200,50" in result.problems[0].message


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("to: mx_Custom_5, type: Number, decimal: ',', thousands: ','", "both ','"),
        ("to: mx_Custom_5, type: Number, thousands: '.'", "both '.'"),
        ("to: mx_Custom_5, type: Number, decimal: ';'", "not a decimal mark"),
        ("to: mx_Custom_5, type: Number, thousands: '_'", "not a thousands mark"),
        ("to: mx_Custom_5, decimal: ','", "only applies to type Number"),
    ],
)
def test_conflicting_or_unknown_marks_are_refused(tmp_path: Path, spec: str, words: str) -> None:
    with pytest.raises(MappingError) as caught:
        load_mapping(write_mapping(tmp_path, replace_fee(spec)))
    assert words in str(caught.value)
    assert "columns.Fee" in str(caught.value)


def test_the_mapping_names_its_sheet_and_header_row(tmp_path: Path) -> None:
    text = BASE_YAML.replace("version: 1\n", "version: 1\nsheet: Enquiries\nheader_row: 3\n")
    mapping = load_mapping(write_mapping(tmp_path, text))
    assert (mapping.sheet, mapping.header_row) == ("Enquiries", 3)
    assert load_mapping(write_mapping(tmp_path, BASE_YAML)).header_row is None
    with pytest.raises(MappingError, match="header_row"):
        load_mapping(write_mapping(tmp_path, text.replace("header_row: 3", "header_row: 0")))
