"""Contract: Capture Opportunities, sync (seeds 000, 001) and async (seed 002)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.sandbox.sandbox_helpers import (
    LEAD,
    SVC,
    Api,
    async_call,
    capture_body,
    course_fields,
    poll,
)

DOCUMENTED_KEYS = {
    "AdditionalDetails",
    "ConflictedOpportunityId",
    "CreatedOpportunityId",
    "ExceptionMessage",
    "ExceptionType",
    "IsUnique",
    "PrimaryAction",
    "RelatedProspectId",
    "RequestId",
    "SecondaryAction",
    "Status",
}


def test_new_lead_is_created_and_opportunity_captured(api: Api) -> None:
    reply = api.capture(capture_body("new.person@example.com"))
    assert reply.status_code == 200
    body = reply.json()
    assert set(body) == DOCUMENTED_KEYS
    assert (body["Status"], body["PrimaryAction"], body["SecondaryAction"]) == (0, 1, 2)
    assert body["CreatedOpportunityId"]
    assert body["RelatedProspectId"]
    assert body["IsUnique"] is True
    assert body["ConflictedOpportunityId"] is None
    assert body["AdditionalDetails"][0]["PostDeDupActionPerformed"] == 1
    stats = api.sandbox.stats()
    assert stats["leads_created"] == 1
    assert stats["opportunities_per_lead"] == {"new.person@example.com": 1}


def test_existing_lead_is_found_case_insensitively(api: Api) -> None:
    first = api.capture(capture_body(LEAD.upper())).json()
    assert first["Status"] == 0
    assert api.sandbox.stats()["leads_created"] == 0


def test_duplicate_posts_dedup_activity_and_names_existing(api: Api) -> None:
    first = api.capture(capture_body(LEAD)).json()
    again = api.capture(capture_body(LEAD, mx_Custom_1="another name")).json()
    assert again["Status"] == 0
    assert again["CreatedOpportunityId"] is None
    assert again["ConflictedOpportunityId"] == first["CreatedOpportunityId"]
    assert again["IsUnique"] is False
    assert again["AdditionalDetails"][0]["PostDeDupActionPerformed"] == 3
    assert api.sandbox.stats()["total_opportunities"] == 1


def test_invalid_value_gives_status_0_without_prospect_id(api: Api) -> None:
    """Seed 000: the lead is created, the opportunity is not linked to it."""
    body = api.capture(capture_body("orphan@example.com", mx_Custom_5="twelve lakh")).json()
    assert body["Status"] == 0
    assert body["RelatedProspectId"] is None
    stats = api.sandbox.stats()
    assert stats["leads_created"] == 1
    assert stats["orphaned_opportunities"] == 1
    assert stats["opportunities_per_lead"] == {}


def test_missing_comment_is_the_documented_exception(api: Api) -> None:
    body = api.capture(capture_body(LEAD, mx_Custom_19="")).json()
    assert body["Status"] == 1
    assert body["ExceptionType"] == "MXInvalidActivityFieldsException"
    assert body["ExceptionMessage"] == (
        "Field name : 'mx_Custom_19' of datatype : 'String' is mandatory."
    )
    assert body["CreatedOpportunityId"] is None


def test_dependent_dropdown_mismatch_fails(api: Api) -> None:
    body = api.capture(capture_body(LEAD, mx_Custom_2="Enrolled")).json()
    assert (body["Status"], body["ExceptionType"]) == (1, "MXDependentDropdownException")


@pytest.mark.parametrize(
    "lead_details",
    [
        [{"Attribute": "FirstName", "Value": "No unique field"}],
        [{"Attribute": "EmailAddress", "Value": ""}],
        [
            {"Attribute": "mx_Unknown", "Value": "x"},
            {"Attribute": "EmailAddress", "Value": "a@b.c"},
        ],
        "not a list",
    ],
)
def test_request_without_a_usable_lead_is_refused(api: Api, lead_details: Any) -> None:
    body = capture_body(LEAD)
    body["LeadDetails"] = lead_details
    reply = api.capture(body)
    assert reply.status_code == 500
    assert reply.json()["ExceptionType"] == "MXInvalidInputException"


def test_seed_example_with_user_defined_guid(api: Api) -> None:
    """Seed 001's own request: this account refuses it (no Course), in the full shape."""
    guid = "4d03f397-49e7-4e4e-8168-5f51d591c592"
    seed = {
        "LeadDetails": [
            {"Attribute": "EmailAddress", "Value": "johndoe4633@example.com"},
            {"Attribute": "ProspectID", "Value": guid},
            {"Attribute": "SearchBy", "Value": "ProspectId"},
            {"Attribute": "__UseUserDefinedGuid__", "Value": "true"},
        ],
        "Opportunity": {
            "OpportunityEventCode": 12000,
            "OpportunityNote": "Opportunity capture api overwrite",
            "UpdateEmptyFields": True,
            "DoNotPostDuplicateActivity": True,
            "DoNotChangeOwner": True,
            "Fields": [
                {"SchemaName": "mx_Custom_1", "Value": "Opportunity-Test"},
                {"SchemaName": "mx_Custom_2", "Value": "Prospecting"},
                {"SchemaName": "mx_Custom_5", "Value": "Prospecting"},
                {"SchemaName": "Status", "Value": "Open"},
            ],
        },
    }
    refused = api.capture(seed).json()
    assert set(refused) == DOCUMENTED_KEYS
    assert refused["Status"] == 1
    seed["Opportunity"]["Fields"] = course_fields()  # type: ignore[index]
    created = api.capture(seed).json()
    assert (created["Status"], created["RelatedProspectId"]) == (0, guid)


def test_overwrite_and_update_empty_together_are_refused(api: Api) -> None:
    body = capture_body(LEAD)
    body["Opportunity"].update(OverwriteFields=True, UpdateEmptyFields=True)
    assert api.capture(body).status_code == 500


def test_async_capture_queues_then_succeeds_with_message_as_json_string(api: Api) -> None:
    api.sandbox.reconfigure(async_delay=0.1)
    accepted = async_call(api, "/opportunity/capture", json=capture_body("async@example.com"))
    assert accepted.status_code == 200
    request_id = accepted.json()["RequestID"]
    first = async_call(api, "/opportunity/status", params={"RequestId": request_id}).json()
    assert first["TaskStatus"]["Status"] == "In-Queue"
    metrics = async_call(api, "/opportunity/capture/metrics").json()
    assert set(metrics) == {"PendingMessages", "MaxDelayInSeconds", "ProcessingratePerMinute"}
    assert metrics["PendingMessages"] == 1
    done = poll(api, request_id)
    assert done["RequestId"] == request_id
    assert done["TaskStatus"]["Status"] == "Success"
    message = json.loads(done["TaskStatus"]["Message"])
    assert message["Status"] == 0
    assert message["CreatedOpportunityId"]
    assert json.loads(done["TaskStatus"]["RequestBody"])["LeadDetails"]


def test_async_validation_error_is_failure(api: Api) -> None:
    api.sandbox.reconfigure(async_delay=0.0)
    body = capture_body(LEAD, mx_Custom_19="")
    request_id = async_call(api, "/opportunity/capture", json=body).json()["RequestID"]
    done = poll(api, request_id)
    assert done["TaskStatus"]["Status"] == "FAILURE"
    assert "mx_Custom_19" in done["TaskStatus"]["StatusReason"]
    assert done["TaskStatus"]["Message"] is None


def test_async_needs_the_api_key(api: Api) -> None:
    headers = {k: v for k, v in api.sandbox.headers().items() if k != "x-api-key"}
    reply = requests.post(
        api.sandbox.url + "/opportunity/capture",
        json=capture_body(LEAD),
        headers=headers,
        timeout=10,
    )
    assert reply.status_code == 401


def test_unknown_request_id_is_404_with_an_error_body(api: Api) -> None:
    reply = async_call(api, "/opportunity/status", params={"RequestId": "nope"})
    assert reply.status_code == 404
    assert reply.json()["Status"] == "Error"
    assert "nope" in reply.json()["ExceptionMessage"]


def test_capture_path_is_case_insensitive(api: Api) -> None:
    reply = api.post(SVC.lower() + "/capture", capture_body(LEAD))
    assert reply.json()["Status"] == 0
