"""Request bodies built from send-ready rows: shapes per the API reference, and the seam from
a real mapping file (constants land where their target says, once)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from importer.mapping import load_mapping
from importer.model import OpportunityRow
from importer.pipeline import opportunity_rows, payload_problems, send_settings
from importer.send.payloads import SendSettings, bulk_item, capture_body
from importer.validation import Checker

SETTINGS = SendSettings(
    search_by="EmailAddress",
    event_code=12000,
    duplicate_key=("mx_Custom_3", "mx_Custom_4"),
    columns=(("mx_Custom_3", "Course"),),
)

ROW = OpportunityRow(
    sheet="opportunities",
    row=2,
    search_value="asha@example.com",
    lead=(("EmailAddress", "asha@example.com"), ("FirstName", "Asha")),
    fields=(("mx_Custom_1", "Asha - MBA"), ("mx_Custom_3", "MBA")),
    note="from the fair",
    when="2026-03-01 10:00:00",
    owner_email=None,
)

MAPPING = """\
version: 1
target: auto
search_by: EmailAddress
opportunity: {event_code: 12000}
constants:
  lead.Source: Education Fair        # a lead attribute: LeadDetails only
  OpportunityNote: from the fair     # a request key: never inside Fields
  mx_Custom_7: Spring 2027 intake    # an opportunity field: inside Fields
columns:
  Email: {to: lead.EmailAddress, type: Email}
  Name: {to: lead.FirstName}
  Course: {to: mx_Custom_3}
"""


def test_bulk_item_has_search_value_flags_and_the_rows_fields() -> None:
    item = bulk_item(ROW, SETTINGS)
    assert item["SearchByValue"] == "asha@example.com"
    assert item["OpportunityEventCode"] == 12000
    assert item["OpportunityNote"] == "from the fair"
    assert "OpportunityOwnerEmail" not in item
    assert item["DoNotChangeOwner"] is True
    assert item["Fields"] == [
        {"SchemaName": "mx_Custom_1", "Value": "Asha - MBA"},
        {"SchemaName": "mx_Custom_3", "Value": "MBA"},
    ]


def test_capture_body_lead_details_end_with_search_by() -> None:
    body = capture_body(ROW, SETTINGS)
    assert body["LeadDetails"] == [
        {"Attribute": "EmailAddress", "Value": "asha@example.com"},
        {"Attribute": "FirstName", "Value": "Asha"},
        {"Attribute": "SearchBy", "Value": "EmailAddress"},
    ]
    opportunity = body["Opportunity"]
    assert opportunity["OpportunityEventCode"] == 12000
    assert opportunity["OpportunityDateTime"] == "2026-03-01 10:00:00"
    assert opportunity["Fields"][-1] == {"SchemaName": "mx_Custom_3", "Value": "MBA"}


def test_capture_body_adds_missing_unique_field() -> None:
    row = OpportunityRow("s", 4, "+91-9876543210", (("FirstName", "Ravi"),), ())
    settings = SendSettings(search_by="Phone", event_code=1)
    details = capture_body(row, settings)["LeadDetails"]
    assert details[0] == {"Attribute": "Phone", "Value": "+91-9876543210"}
    assert details[-1] == {"Attribute": "SearchBy", "Value": "Phone"}


def test_constants_of_a_real_mapping_land_where_their_target_says(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    mapping = load_mapping(path)
    raw = pd.DataFrame(
        {"Email": ["asha@example.com"], "Name": ["Asha"], "Course": ["MBA"]},
        index=pd.Index([2], dtype="int64"),
    )
    chunk = Checker(mapping, "sheet").check(raw)
    [row] = opportunity_rows(chunk, mapping, "sheet")
    settings = send_settings(mapping)

    item = bulk_item(row, settings)
    body = capture_body(row, settings)
    opportunity = body["Opportunity"]
    fields = {f["SchemaName"]: f["Value"] for f in opportunity["Fields"]}
    assert fields == {"mx_Custom_3": "MBA", "mx_Custom_7": "Spring 2027 intake"}
    assert item["Fields"] == opportunity["Fields"]
    assert item["OpportunityNote"] == opportunity["OpportunityNote"] == "from the fair"
    lead = {d["Attribute"]: d["Value"] for d in body["LeadDetails"]}
    assert lead["Source"] == "Education Fair"
    assert "lead.Source" not in fields
    assert "Source" not in fields
    assert payload_problems(row, settings, "auto") == []


def test_send_settings_from_a_real_mapping(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    settings = send_settings(load_mapping(path))
    assert (settings.search_by, settings.event_code) == ("EmailAddress", 12000)
    assert settings.column_of("MX_CUSTOM_3") == "Course"
    assert settings.column_of("EmailAddress") == "Email"
    assert settings.column_of("mx_Custom_9") is None


def test_a_field_name_leadsquared_refuses_is_a_row_problem() -> None:
    row = OpportunityRow("s", 5, "x@y.z", (), (("lead.Source", "Fair"), ("mx_Custom_3", "MBA")))
    [problem] = payload_problems(row, SETTINGS, "bulk")
    assert (problem.row, problem.field, problem.code) == (5, "lead.Source", "unknown_field")


pairs = st.lists(st.tuples(st.text(max_size=8), st.text()), max_size=5).map(tuple)
optional = st.none() | st.text()


@given(fields=pairs, note=optional)
def test_bulk_item_sends_every_field_once(
    fields: tuple[tuple[str, str], ...], note: str | None
) -> None:
    row = OpportunityRow("s", 2, "x@y.z", (), fields, note=note)
    sent = [(f["SchemaName"], f["Value"]) for f in bulk_item(row, SETTINGS)["Fields"]]
    assert sent == list(fields)
    assert ("OpportunityNote" in bulk_item(row, SETTINGS)) == (note is not None)
