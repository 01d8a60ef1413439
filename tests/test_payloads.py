"""Request bodies built from mapped rows: shapes per the API reference, and journal JSON."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from importer.model import OpportunityRow
from importer.payloads import (
    SendSettings,
    bulk_item,
    capture_body,
    row_from_json,
    row_to_json,
    send_settings,
)

SETTINGS = SendSettings(
    search_by="EmailAddress",
    event_code=12000,
    duplicate_key=("mx_Custom_3", "mx_Custom_4"),
    constants=(("mx_Custom_7", "Spring 2027 intake"),),
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


def test_bulk_item_has_search_value_constants_and_flags() -> None:
    item = bulk_item(ROW, SETTINGS)
    assert item["SearchByValue"] == "asha@example.com"
    assert item["OpportunityEventCode"] == 12000
    assert item["OpportunityNote"] == "from the fair"
    assert "OpportunityOwnerEmail" not in item
    assert item["DoNotChangeOwner"] is True
    assert item["Fields"] == [
        {"SchemaName": "mx_Custom_1", "Value": "Asha - MBA"},
        {"SchemaName": "mx_Custom_3", "Value": "MBA"},
        {"SchemaName": "mx_Custom_7", "Value": "Spring 2027 intake"},
    ]


def test_row_value_wins_over_constant() -> None:
    row = OpportunityRow("s", 3, "a@b.c", (), (("mx_Custom_7", "Autumn"),))
    assert bulk_item(row, SETTINGS)["Fields"] == [{"SchemaName": "mx_Custom_7", "Value": "Autumn"}]


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
    assert opportunity["Fields"][-1] == {"SchemaName": "mx_Custom_7", "Value": "Spring 2027 intake"}


def test_capture_body_adds_missing_unique_field() -> None:
    row = OpportunityRow("s", 4, "+91-9876543210", (("FirstName", "Ravi"),), ())
    settings = SendSettings(search_by="Phone", event_code=1)
    details = capture_body(row, settings)["LeadDetails"]
    assert details[0] == {"Attribute": "Phone", "Value": "+91-9876543210"}
    assert details[-1] == {"Attribute": "SearchBy", "Value": "Phone"}


def test_send_settings_from_a_mapping_like_object() -> None:
    spec = SimpleNamespace(column="Course", target="mx_Custom_3")
    lead_spec = SimpleNamespace(column="Email", target="EmailAddress")
    mapping = SimpleNamespace(
        search_by="EmailAddress",
        event_code=12000,
        update_empty_fields=False,
        overwrite_fields=False,
        do_not_change_owner=True,
        do_not_post_duplicate_activity=False,
        duplicate_key=("mx_Custom_3",),
        constants=(("mx_Custom_7", "Spring"),),
        fields=(spec, lead_spec),
    )
    settings = send_settings(mapping)
    assert settings.constants == (("mx_Custom_7", "Spring"),)
    assert settings.column_of("MX_CUSTOM_3") == "Course"
    assert settings.column_of("EmailAddress") == "Email"
    assert settings.column_of("mx_Custom_9") is None


pairs = st.lists(st.tuples(st.text(max_size=8), st.text()), max_size=5).map(tuple)
optional = st.none() | st.text()


@given(
    row=st.builds(
        OpportunityRow,
        sheet=st.text(),
        row=st.integers(min_value=2, max_value=2_000_000),
        search_value=st.text(),
        lead=pairs,
        fields=pairs,
        note=optional,
        when=optional,
        owner_email=optional,
    )
)
def test_journal_json_round_trips_any_row(row: OpportunityRow) -> None:
    assert row_from_json(row_to_json(row)) == row


@given(fields=pairs, note=optional)
def test_bulk_item_sends_every_field_once(
    fields: tuple[tuple[str, str], ...], note: str | None
) -> None:
    row = OpportunityRow("s", 2, "x@y.z", (), fields, note=note)
    sent = [(f["SchemaName"], f["Value"]) for f in bulk_item(row, SETTINGS)["Fields"]]
    assert sent[: len(fields)] == list(fields)
    assert ("OpportunityNote" in bulk_item(row, SETTINGS)) == (note is not None)
