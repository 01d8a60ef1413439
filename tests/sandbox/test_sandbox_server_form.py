"""Contract: with server_form_values the sandbox stores (and every look-up returns) values
the way LeadSquared stores them, not as they were sent; off, it echoes them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer.sandbox.account import FieldDef
from importer.sandbox.server_form import phone_form, stored_value, unique_key
from tests.sandbox.sandbox_helpers import BY_FIELD, LEAD, Api, bulk_item, capture_body, lookup_body

SENT = {
    "mx_Custom_5": "50000",
    "mx_Custom_6": "2026-07-01",
    "mx_Custom_7": "  July intake  ",
    "mx_Custom_8": "Yes",
    "mx_Custom_3": "mba",
}
STORED = {
    "mx_Custom_5": "50000.00",
    "mx_Custom_6": "2026-07-01 00:00:00",
    "mx_Custom_7": "July intake",
    "mx_Custom_8": "1",
    "mx_Custom_3": "MBA",
}


def _fields_read_back(api: Api) -> dict[str, Any]:
    (item,) = api.post(BY_FIELD, lookup_body(Columns=None)).json()["List"]
    return {name: item[name] for name in SENT}


def test_look_ups_return_the_stored_form(api: Api) -> None:
    api.sandbox.reconfigure(server_form_values=True, strict_lookups=True)
    assert api.bulk([bulk_item(**SENT)]).json()["Response"][0]["OpportunityCreated"] is True
    assert _fields_read_back(api) == STORED


def test_the_lenient_look_up_sees_the_stored_form_too(api: Api) -> None:
    api.sandbox.reconfigure(server_form_values=True, strict_lookups=False)
    api.capture(capture_body(LEAD, **SENT))
    old = {"SearchBy": "EmailAddress", "SearchByValue": LEAD, "OpportunityEventCode": 12000}
    fields = api.post(BY_FIELD, old).json()["List"][0]["Fields"]
    assert {name: fields[name] for name in SENT} == STORED


def test_switched_off_values_come_back_as_sent_trimmed(api: Api) -> None:
    api.sandbox.reconfigure(strict_lookups=True, server_form_values=False)
    api.bulk([bulk_item(**SENT)])
    assert _fields_read_back(api) == dict(SENT, mx_Custom_7="July intake", mx_Custom_3="MBA")


def test_opportunity_date_time_is_stored_with_seconds(api: Api) -> None:
    api.sandbox.reconfigure(server_form_values=True, strict_lookups=True)
    api.bulk([dict(bulk_item(), OpportunityDateTime="2026-03-01 10:30")])
    (item,) = api.post(BY_FIELD, lookup_body()).json()["List"]
    assert item["CreatedOn"] == "2026-03-01 10:30:00"


def test_a_captured_lead_s_phone_is_stored_as_plus_91(api: Api) -> None:
    api.sandbox.reconfigure(server_form_values=True, strict_lookups=True)
    body = capture_body("phone.person@example.com")
    body["LeadDetails"].append({"Attribute": "Mobile", "Value": "98450 12345"})
    assert api.capture(body).json()["Status"] == 0
    reply = api.post(BY_FIELD, lookup_body("+91-9845012345", name="Mobile", Columns=None))
    assert reply.json()["List"][0]["Mobile"] == "+91-9845012345"


@pytest.mark.parametrize(
    ("kind", "sent", "stored"),
    [
        ("Date", "2026-07-01 18:45:00", "2026-07-01 00:00:00"),
        ("DateTime", "2026-07-01", "2026-07-01 00:00:00"),
        ("DateTime", "2026-07-01 18:45", "2026-07-01 18:45:00"),
        ("Number", "1e5", "100000.00"),
        ("Number", "12.345", "12.35"),
        ("Number", "-7", "-7.00"),
        ("Boolean", "false", "0"),
        ("Boolean", "TRUE", "1"),
        ("Phone", "+44 7700 900123", "+44-7700900123"),
        ("Phone", "09845012345", "+91-9845012345"),
        ("Phone", "12345", "12345"),
        ("Number", "twelve lakh", "twelve lakh"),
        ("Date", "31/12/2026", "31/12/2026"),
        ("String", "  as typed ", "as typed"),
    ],
)
def test_stored_forms(kind: str, sent: str, stored: str) -> None:
    assert stored_value(FieldDef("f", "f", kind), sent) == stored


@given(st.integers(min_value=10**9, max_value=10**10 - 1), st.sampled_from(["", "+91 ", "0"]))
def test_a_phone_keeps_its_ten_digits_whatever_its_punctuation(number: int, prefix: str) -> None:
    digits = str(number)
    spaced = f"{prefix}{digits[:5]} {digits[5:]}"
    assert phone_form(spaced) == f"+91-{digits}"
    phone = FieldDef("Phone", "Phone", "Phone")
    assert unique_key(phone, spaced) == unique_key(phone, f"+91-{digits}")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_a_number_keeps_its_value_to_the_cent(value: Any) -> None:
    stored = stored_value(FieldDef("n", "n", "Number"), str(value))
    assert stored.split(".")[1].__len__() == 2
    assert abs(float(stored) - float(value)) <= 0.005 + 1e-9 * abs(float(value))
