"""Every rule and problem code, one small chunk per case, through the real Checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from importer.errors import MappingError
from importer.mapping import Mapping, load_mapping
from importer.validation import CheckedChunk, Checker
from tests.test_mapping_fixtures import BASE_YAML, check, chunk, found, write_mapping


@pytest.fixture
def mapping(tmp_path: Path) -> Mapping:
    return load_mapping(write_mapping(tmp_path))


def test_good_row_has_no_problems_and_is_normalised(mapping: Mapping) -> None:
    result = check(mapping, {})
    assert result.problems == ()
    assert result.invalid_rows == frozenset()
    row = result.values.loc[2]
    assert row["lead.EmailAddress"] == "asha0@example.com"
    assert row["lead.Phone"] == "+91-9876543210"
    assert row["Status"] == "Open"
    assert row["mx_Custom_3"] == "MBA"
    assert row["mx_Custom_5"] == "1200.50"
    assert row["mx_Custom_8"] == "true"
    assert row["mx_Custom_6"] == "2027-01-15"
    assert row["OpportunityDateTime"] == "2026-09-01 03:47:00"  # Asia/Kolkata -> UTC
    assert row["OpportunityNote"] == ""


CASES = [
    # (cells of the bad row, code, column the admin must fix, words the message must hold)
    ({"Email": ""}, "missing_unique_field", "Email", ["EmailAddress"]),
    ({"Email": "rohan@gmail"}, "invalid_email", "Email", ["'rohan@gmail'", "name@example.com"]),
    ({"Owner": "boss at firm"}, "invalid_email", "Owner", ["'boss at firm'"]),
    ({"Mobile": "98765"}, "invalid_phone", "Mobile", ["'98765'", "+91-"]),
    ({"Comment": ""}, "comment_required", "Comment", ["Status is 'Open'"]),
    (
        {"Status": "Open", "Stage": "Enrolled"},
        "dependent_dropdown_mismatch",
        "Stage",
        ["'Enrolled' is not a Stage of Status 'Open'", "choose Prospecting or Counselling"],
    ),
    ({"Status": "", "Comment": ""}, "child_without_parent", "Status", ["Stage is 'Counselling'"]),
    ({"Course": "PhD"}, "not_an_option", "Course", ["'PhD'", "choose MBA or BBA"]),
    ({"When": "last Tuesday"}, "bad_datetime", "When", ["'last Tuesday'", "2027-01-15 13:45"]),
    ({"Start": "31/02/2027"}, "bad_datetime", "Start", ["'31/02/2027'", "15/01/2027"]),
    ({"Start": "2027-01-15 10:30:00"}, "bad_datetime", "Start", ["not a date"]),
    ({"Fee": "twelve lakh"}, "bad_number", "Fee", ["'twelve lakh'"]),
    ({"Fee": "1.200,50"}, "bad_number", "Fee", ["'1.200,50'"]),
    ({"Paid": "maybe"}, "bad_boolean", "Paid", ["'maybe'"]),
    ({"Name": "Bartholomew the Third"}, "too_long", "Name", ["21 characters", "at most 10"]),
    ({"Course": ""}, "mandatory_missing", "Course", ["required"]),
]


@pytest.mark.parametrize(
    ("cells", "code", "column", "words"), CASES, ids=[f"{c[1]}-{c[2]}" for c in CASES]
)
def test_each_code(
    mapping: Mapping, cells: dict[str, str], code: str, column: str, words: list[str]
) -> None:
    result = check(mapping, {}, cells)
    assert found(result) == [(3, code, column)]
    assert result.invalid_rows == frozenset({3})
    problem = result.problems[0]
    assert problem.sheet == "Enquiries"
    assert problem.message.startswith(f"Row 3, column '{column}': ")
    for word in words:
        assert word in problem.message


def test_a_long_value_says_its_length_once(mapping: Mapping) -> None:
    (problem,) = check(mapping, {}, {"Name": "B" * 151}).problems
    assert problem.message.count("151 characters") == 1, problem.message
    assert "at most 10" in problem.message


def test_missing_unique_field_is_not_also_mandatory_missing(mapping: Mapping) -> None:
    assert [c for _, c, _ in found(check(mapping, {"Email": ""}))] == ["missing_unique_field"]


def test_duplicate_names_the_earlier_row(mapping: Mapping) -> None:
    same = "asha@example.com"
    result = check(
        mapping,
        {"Email": same},
        {"Email": same, "Course": "BBA"},
        {"Email": " ASHA@example.com"},
        {"Email": same},
    )
    assert found(result) == [(4, "duplicate_in_file", None), (5, "duplicate_in_file", None)]
    assert "as row 2" in result.problems[0].message
    assert "Email and Course" in result.problems[0].message


def test_duplicate_found_across_chunks(mapping: Mapping) -> None:
    checker = Checker(mapping, "Enquiries")
    first = checker.check(chunk([{"Email": "a@example.com"}, {"Email": "b@example.com"}]))
    second = checker.check(
        chunk([{"Email": "c@example.com"}, {"Email": "A@example.com"}], first_row=4)
    )
    assert first.problems == ()
    assert found(second) == [(5, "duplicate_in_file", None)]
    assert "as row 2" in second.problems[0].message


def test_rows_without_search_value_are_not_duplicates(mapping: Mapping) -> None:
    result = check(mapping, {"Email": ""}, {"Email": ""})
    assert [c for _, c, _ in found(result)] == ["missing_unique_field"] * 2


def test_every_reason_of_a_row_is_reported_in_column_order(mapping: Mapping) -> None:
    bad = {"Email": "x@y", "Mobile": "12", "Course": "", "Fee": "lots", "Comment": ""}
    result = check(mapping, bad)
    assert [c for _, c, _ in found(result)] == [
        "invalid_email",
        "invalid_phone",
        "mandatory_missing",
        "comment_required",
        "bad_number",
    ]
    assert result.invalid_rows == frozenset({2})


def test_problems_sorted_by_row(mapping: Mapping) -> None:
    result = check(mapping, {"Fee": "x"}, {"Email": "bad"}, {"Paid": "?"})
    assert [p.row for p in result.problems] == [2, 3, 4]


def test_values_map_clears_and_options_are_case_insensitive(mapping: Mapping) -> None:
    result = check(mapping, {"Status": "SELECT", "Stage": "", "Comment": "", "Course": "bba"})
    assert result.problems == ()
    assert result.values.loc[2, "Status"] == ""
    assert result.values.loc[2, "mx_Custom_3"] == "BBA"


def test_comment_rule_off(tmp_path: Path) -> None:
    text = BASE_YAML.replace("comments_on_status_change: true", "comments_on_status_change: false")
    mapping = load_mapping(write_mapping(tmp_path, text))
    assert check(mapping, {"Comment": ""}).problems == ()


def test_status_constant_still_needs_a_comment(tmp_path: Path) -> None:
    status_line = next(line for line in BASE_YAML.splitlines(True) if "to: Status," in line)
    text = BASE_YAML.replace(status_line, "")
    text = text.replace("    - parent: Status\n", "    - parent: mx_Custom_3\n")
    text = text.replace("Open: [Prospecting, Counselling]", "MBA: [Prospecting, Counselling]")
    text = text.replace("Won: [Enrolled]", "BBA: [Enrolled]")
    text = text.replace("constants:\n", "constants:\n  Status: Won\n")
    mapping = load_mapping(write_mapping(tmp_path, text))
    result = check(mapping, {"Comment": ""})
    assert found(result) == [(2, "comment_required", "Comment")]
    assert "Status is 'Won'" in result.problems[0].message


def test_default_fills_empty_cells(tmp_path: Path) -> None:
    text = BASE_YAML.replace('values: {Select: ""}}', 'values: {Select: ""}, default: Open}')
    mapping = load_mapping(write_mapping(tmp_path, text))
    result = check(mapping, {"Status": ""})
    assert result.problems == ()
    assert result.values.loc[2, "Status"] == "Open"


def test_chunk_missing_a_mapped_column_is_a_mapping_error(mapping: Mapping) -> None:
    with pytest.raises(MappingError, match="'Mobile' is not in Enquiries"):
        Checker(mapping, "Enquiries").check(chunk([{}]).drop(columns=["Mobile"]))


def test_nan_cells_are_empty(mapping: Mapping) -> None:
    raw = chunk([{}])
    raw.loc[2, "Notes"] = None
    assert check_raw(mapping, raw).values.loc[2, "OpportunityNote"] == ""


def check_raw(mapping: Mapping, raw: object) -> CheckedChunk:
    import pandas as pd

    assert isinstance(raw, pd.DataFrame)
    return Checker(mapping, "Enquiries").check(raw)


def test_shipped_sample_reports_exactly_its_bad_rows() -> None:
    import csv

    root = Path(__file__).resolve().parent.parent
    mapping = load_mapping(root / "mappings" / "opportunities.yaml")
    with (root / "sample_data" / "opportunities.csv").open(encoding="utf-8-sig") as handle:
        records = list(csv.DictReader(handle))
    import pandas as pd

    raw = pd.DataFrame(records, index=pd.Index(range(2, len(records) + 2)), dtype=object)
    found = {(p.row, p.code) for p in Checker(mapping, "opportunities.csv").check(raw).problems}
    assert found == {
        (7, "missing_unique_field"),
        (19, "invalid_email"),
        (31, "invalid_phone"),
        (44, "comment_required"),
        (58, "dependent_dropdown_mismatch"),
        (73, "child_without_parent"),
        (89, "not_an_option"),
        (104, "bad_datetime"),
        (121, "too_long"),
        (137, "mandatory_missing"),
        (152, "bad_number"),
        (168, "bad_boolean"),
        (185, "duplicate_in_file"),
    }


def test_empty_chunk(mapping: Mapping) -> None:
    """A header-only file gives one empty chunk: no problems, no crash."""
    result = Checker(mapping, "Enquiries").check(chunk([{}]).iloc[0:0])
    assert result.problems == ()
    assert len(result.values) == 0


def test_child_under_a_parent_value_without_children(mapping: Mapping) -> None:
    """Lost is a Status option but the rule lists no stages under it."""
    result = check(mapping, {"Status": "Lost", "Stage": "Counselling"})
    assert found(result) == [(2, "dependent_dropdown_mismatch", "Stage")]
    assert result.problems[0].message.endswith("empty Stage")


def test_child_under_an_invalid_parent_is_only_not_an_option(mapping: Mapping) -> None:
    result = check(mapping, {"Status": "Pending", "Stage": "Counselling"})
    assert found(result) == [(2, "not_an_option", "Status")]
