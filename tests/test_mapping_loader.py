"""Loading mapping files: the shipped example, and one test per kind of mistake, each
asserting the one-line message names the file, the key and (for typos) the close match."""

from __future__ import annotations

from pathlib import Path

import pytest

from importer.errors import MappingError
from importer.mapping import check_headers, load_mapping
from tests.test_mapping_fixtures import BASE_YAML, write_mapping

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_example_loads() -> None:
    mapping = load_mapping(ROOT / "mappings" / "opportunities.yaml")
    assert mapping.search_by == "EmailAddress"
    assert mapping.event_code == 12000
    assert mapping.field_for("lead.EmailAddress") is not None
    assert len(mapping.digest) == 64


def test_base_mapping_is_read_exactly(tmp_path: Path) -> None:
    mapping = load_mapping(write_mapping(tmp_path))
    assert mapping.target == "auto"
    assert mapping.timezone == "Asia/Kolkata"
    assert mapping.duplicate_key == ("mx_Custom_3",)
    assert mapping.constants == (("mx_Custom_7", "Spring intake"), ("lead.Source", "Fair"))
    status = mapping.field_for("Status")
    assert status is not None
    assert status.options == ("Open", "Won", "Lost")
    assert status.values == (("select", ""),)
    rule = mapping.dependent_dropdowns[0]
    assert (rule.parent, rule.child, rule.allowed("Won")) == (
        "Status",
        "mx_Custom_2",
        ("Enrolled",),
    )
    when = mapping.field_for("OpportunityDateTime")
    assert when is not None
    assert when.place == "meta"


def test_scalars_stay_text(tmp_path: Path) -> None:
    """``[Yes, No]`` are option texts, not booleans; ``044`` keeps its zero."""
    text = BASE_YAML.replace("options: [MBA, BBA]", "options: [Yes, No, 044]")
    text = text.replace("mandatory: true}\n  Comment", "mandatory: true, default: 044}\n  Comment")
    mapping = load_mapping(write_mapping(tmp_path, text))
    course = mapping.field_for("mx_Custom_3")
    assert course is not None
    assert course.options == ("Yes", "No", "044")
    assert course.default == "044"


def _error(tmp_path: Path, old: str, new: str) -> str:
    assert old in BASE_YAML, old
    path = write_mapping(tmp_path, BASE_YAML.replace(old, new, 1))
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


CASES = [
    # (what is wrong, old text, new text, fragments the message must hold)
    ("unknown top key", "timezone:", "timezon:", ["timezon", "did you mean 'timezone'"]),
    (
        "unknown column key",
        "country_code:",
        "contry_code:",
        ["columns.Mobile.contry_code", "did you mean 'country_code'"],
    ),
    ("missing search_by", "search_by: EmailAddress\n", "", ["'search_by' is missing"]),
    ("missing event_code", "  event_code: 12000\n", "", ["opportunity", "'event_code' is missing"]),
    ("event_code not a number", "12000", "twelve", ["opportunity.event_code", "whole number"]),
    (
        "flag not a flag",
        "update_empty_fields: false",
        "update_empty_fields: maybe",
        ["true or false"],
    ),
    (
        "options not a list",
        "options: [MBA, BBA]",
        "options: {a: b}",
        ["columns.Course.options", "list"],
    ),
    (
        "both overwrite and update_empty",
        "update_empty_fields: false\n  overwrite_fields: false",
        "update_empty_fields: true\n  overwrite_fields: true",
        ["opportunity.overwrite_fields", "both true"],
    ),
    (
        "search_by typo",
        "search_by: EmailAddress",
        "search_by: EmailAdress",
        ["did you mean 'EmailAddress'"],
    ),
    (
        "rule parent not mapped",
        "parent: Status",
        "parent: Statu",
        ["account.dependent_dropdowns[1].parent", "did you mean 'Status'"],
    ),
    (
        "rule child is a constant",
        "child: mx_Custom_2",
        "child: mx_Custom_7",
        ["dependent_dropdowns[1].child", "constant"],
    ),
    (
        "rule parent value not an option",
        "Won: [Enrolled]",
        "Wonn: [Enrolled]",
        ["dependent_dropdowns[1].options.Wonn", "did you mean 'Won'"],
    ),
    (
        "default not an option",
        'values: {Select: ""}}',
        'values: {Select: ""}, default: Pending}',
        ["columns.Status.default", "'Pending' is not one of the options"],
    ),
    (
        "unknown timezone",
        "Asia/Kolkata",
        "Asia/Kolkatta",
        ["timezone", "did you mean 'Asia/Kolkata'"],
    ),
    ("bad date directive", "%d/%m/%Y", "%d/%m/%Q", ["columns.Start.date_format", "%Q"]),
    ("date format without year", "%d/%m/%Y", "%d/%m", ["columns.Start.date_format", "year"]),
    (
        "duplicate_key unmapped",
        "duplicate_key: [mx_Custom_3]",
        "duplicate_key: [mx_Custom_33]",
        ["account.duplicate_key", "did you mean 'mx_Custom_3'"],
    ),
    ("yaml syntax", "event_code: 12000", "event_code: [12000", ["YAML syntax error", "line"]),
    (
        "type typo",
        "type: Dropdown, options: [MBA",
        "type: Dropdwon, options: [MBA",
        ["did you mean 'Dropdown'"],
    ),
    ("target typo", "to: Status,", "to: Stauts,", ["columns.Status.to", "did you mean 'Status'"]),
    (
        "meta typo",
        "to: OpportunityNote}",
        "to: OpportunityNotes}",
        ["did you mean 'OpportunityNote'"],
    ),
    ("lead prefix case", "to: lead.FirstName", "to: Lead.FirstName", ["lowercase 'lead.'"]),
    ("custom field case", "to: mx_Custom_5", "to: mx_custom_5", ["did you mean 'mx_Custom_5'"]),
    ("same column twice", "  Notes:", "  Email:", ["'Email' is given twice"]),
    (
        "two columns one target",
        "to: OpportunityNote}",
        "to: mx_Custom_19}",
        ["both go to mx_Custom_19"],
    ),
    (
        "comment field missing",
        "  Comment: {to: mx_Custom_19}\n",
        "",
        ["account.comments_on_status_change", "mx_Custom_19"],
    ),
    (
        "options on a string",
        "Comment: {to: mx_Custom_19}",
        "Comment: {to: mx_Custom_19, options: [a]}",
        ["only applies to type Dropdown"],
    ),
    (
        "constant clashes with column",
        "mx_Custom_7: Spring intake",
        "mx_Custom_5: 5",
        ["constants.mx_Custom_5", "also mapped"],
    ),
    (
        "bad country code",
        'country_code: "91"',
        'country_code: "91x"',
        ["country_code", "calling code"],
    ),
    ("version", "version: 1", "version: 2", ["version", "only 1"]),
]


@pytest.mark.parametrize(
    ("old", "new", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_mapping_error_names_key_and_close_match(
    tmp_path: Path, old: str, new: str, fragments: list[str]
) -> None:
    message = _error(tmp_path, old, new)
    for fragment in fragments:
        assert fragment in message, message


def test_error_gives_line_number(tmp_path: Path) -> None:
    message = _error(tmp_path, "timezone:", "timezon:")
    assert "(line 8)" in message


def test_missing_file_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot read"):
        load_mapping(tmp_path / "nope.yaml")


def test_empty_file_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="is empty"):
        load_mapping(write_mapping(tmp_path, ""))


def test_check_headers_names_missing_column_with_close_match(tmp_path: Path) -> None:
    mapping = load_mapping(write_mapping(tmp_path))
    headers = ["Email", "Mobiles", "Name", "Status", "Stage", "Course", "Comment", "Fee"]
    headers += ["Paid", "Start", "When", "Notes", "Owner"]
    with pytest.raises(MappingError) as caught:
        check_headers(mapping, headers, "enquiries.csv")
    message = str(caught.value)
    assert "columns.Mobile" in message
    assert "'Mobile' is not in enquiries.csv" in message
    assert "did you mean 'Mobiles'?" in message
    check_headers(mapping, [*headers, "Mobile"], "enquiries.csv")  # all present: no error
