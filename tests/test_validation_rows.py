"""Valid checked rows become OpportunityRows: invalid rows left out, empties dropped,
constants and request-level values in their place."""

from __future__ import annotations

from pathlib import Path

from importer.mapping import load_mapping
from importer.pipeline import opportunity_rows
from importer.validation import Checker
from tests.test_mapping_fixtures import chunk, write_mapping


def test_rows_of_a_checked_chunk(tmp_path: Path) -> None:
    mapping = load_mapping(write_mapping(tmp_path))
    checked = Checker(mapping, "Enquiries").check(
        chunk([{"Notes": "Walk-in", "Owner": "Vik@Horizon.in"}, {"Fee": "lots"}, {"Paid": ""}])
    )
    rows = list(opportunity_rows(checked, mapping, "Enquiries"))
    assert [r.row for r in rows] == [2, 4]  # row 3 is invalid
    first = rows[0]
    assert first.sheet == "Enquiries"
    assert first.search_value == "asha0@example.com"
    assert first.lead == (
        ("EmailAddress", "asha0@example.com"),
        ("Phone", "+91-9876543210"),
        ("FirstName", "Asha"),
        ("Source", "Fair"),  # constant lead.Source
    )
    assert ("mx_Custom_7", "Spring intake") in first.fields
    assert ("Status", "Open") in first.fields
    assert not any(name.startswith("Opportunity") for name, _ in first.fields)
    assert first.note == "Walk-in"
    assert first.when == "2026-09-01 03:47:00"
    assert first.owner_email == "vik@horizon.in"
    assert rows[1].note is None  # empty values are left out
    assert all(name != "mx_Custom_8" for name, _ in rows[1].fields)
