"""Shared test data (no tests here): a small mapping with every type and rule, and a
reader-like chunk builder and a checker of such chunks, used by the mapping and validation
tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from importer.mapping import Mapping
from importer.validation import CheckedChunk, Checker

BASE_YAML = """\
version: 1
target: auto
search_by: EmailAddress
opportunity:
  event_code: 12000
  update_empty_fields: false
  overwrite_fields: false
timezone: Asia/Kolkata
account:
  comments_on_status_change: true
  duplicate_key: [mx_Custom_3]
  dependent_dropdowns:
    - parent: Status
      child: mx_Custom_2
      options:
        Open: [Prospecting, Counselling]
        Won: [Enrolled]
constants:
  mx_Custom_7: Spring intake
  lead.Source: Fair
columns:
  Email: {to: lead.EmailAddress, type: Email, mandatory: true}
  Mobile: {to: lead.Phone, type: Phone, country_code: "91"}
  Name: {to: lead.FirstName, max_length: 10}
  Status: {to: Status, type: Dropdown, options: [Open, Won, Lost], values: {Select: ""}}
  Stage: {to: mx_Custom_2, type: Dropdown}
  Course: {to: mx_Custom_3, type: Dropdown, options: [MBA, BBA], mandatory: true}
  Comment: {to: mx_Custom_19}
  Fee: {to: mx_Custom_5, type: Number}
  Paid: {to: mx_Custom_8, type: Boolean}
  Start: {to: mx_Custom_6, type: Date, date_format: "%d/%m/%Y"}
  When: {to: OpportunityDateTime, type: DateTime}
  Notes: {to: OpportunityNote}
  Owner: {to: OpportunityOwnerEmail, type: Email}
"""

GOOD_ROW = {
    "Email": "Asha@Example.com",
    "Mobile": "98765 43210",
    "Name": "Asha",
    "Status": "open",
    "Stage": "Counselling",
    "Course": "mba",
    "Comment": "Called",
    "Fee": "1,200.50",
    "Paid": "Yes",
    "Start": "15/01/2027",
    "When": "2026-09-01 09:17",
    "Notes": "",
    "Owner": "",
}


def write_mapping(folder: Path, text: str = BASE_YAML, name: str = "map.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def chunk(rows: list[dict[str, str]], first_row: int = 2) -> pd.DataFrame:
    """A reader-like chunk: every GOOD_ROW column, object dtype, spreadsheet row numbers."""
    # Each row its own lead unless a test says otherwise, so rows are not duplicates.
    full = [{**GOOD_ROW, "Email": f"Asha{n}@Example.com", **row} for n, row in enumerate(rows)]
    index = pd.Index(range(first_row, first_row + len(full)), dtype="int64")
    return pd.DataFrame(full, index=index, dtype=object)


def check(mapping: Mapping, *rows: dict[str, str]) -> CheckedChunk:
    """``rows`` (spreadsheet rows 2, 3, ...) through the real Checker."""
    return Checker(mapping, "Enquiries").check(chunk(list(rows)))


def found(result: CheckedChunk) -> list[tuple[int, str, str | None]]:
    """Each problem as (row, code, column)."""
    return [(p.row, p.code, p.column) for p in result.problems]
