"""Contract: Delete an Opportunity (GET .../Delete?Id=), allowed per opportunity type."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.sandbox.sandbox_helpers import LEAD, SVC, Api, bulk_item, fields

DELETE = SVC + "/Delete"


def _course(api: Api, **changes: str) -> str:
    return str(api.bulk([bulk_item(**changes)]).json()["Response"][0]["ProspectOpportunityId"])


def _hostel(api: Api) -> str:
    item = {
        "SearchByValue": LEAD,
        "OpportunityEventCode": 12001,
        "Fields": fields(mx_Custom_1="Room"),
    }
    return str(api.bulk([item]).json()["Response"][0]["ProspectOpportunityId"])


def test_delete_removes_the_opportunity(api: Api) -> None:
    oid = _course(api)
    reply = api.get(DELETE, Id=oid)
    assert reply.status_code == 200
    assert reply.json() == {"Status": "Success", "Message": {"IsSuccessful": True}}
    stats = api.sandbox.stats()
    assert (stats["total_opportunities"], stats["opportunities_deleted"]) == (0, 1)
    assert api.sandbox.opportunity_state(oid) == "deleted"


def test_unknown_and_already_deleted_ids_are_refused_alike(api: Api) -> None:
    oid = _course(api)
    api.get(DELETE, Id=oid)
    again = api.get(DELETE, Id=oid)
    never = api.get(DELETE, Id="7e0d3c56-0000-0000-0000-000000000000")
    for reply in (again, never):
        assert reply.status_code == 500
        assert reply.json()["ExceptionType"] == "MXInvalidInputException"
        assert "does not exist" in reply.json()["ExceptionMessage"]
    assert api.sandbox.opportunity_state(oid) == "deleted"
    assert api.sandbox.opportunity_state("7e0d3c56-0000-0000-0000-000000000000") == "unknown"


def test_a_missing_id_is_refused(api: Api) -> None:
    assert api.get(DELETE).status_code == 500


def test_a_type_without_allow_delete_is_refused_and_kept(api: Api) -> None:
    oid = _hostel(api)
    reply = api.get(DELETE, Id=oid)
    assert reply.status_code == 500
    assert "Hostel Booking" in reply.json()["ExceptionMessage"]
    assert "cannot be deleted" in reply.json()["ExceptionMessage"]
    assert api.sandbox.opportunity_state(oid) == "live"
    assert api.sandbox.stats()["opportunities_deleted"] == 0


def test_metadata_says_which_types_can_be_deleted(api: Api) -> None:
    can = {
        code: api.get(SVC + "/GetOpportunityTypeMetadata", code=code).json()["CanDelete"]
        for code in ("12000", "12001")
    }
    assert can == {"12000": True, "12001": False}


def test_after_a_delete_the_same_opportunity_can_be_added_again(api: Api) -> None:
    api.get(DELETE, Id=_course(api))
    again = api.bulk([bulk_item()]).json()["Response"][0]
    assert again["OpportunityCreated"] is True
    assert api.sandbox.stats()["duplicates_blocked"] == 0


def test_delete_needs_the_keys_and_counts_in_the_window(api: Api) -> None:
    oid = _course(api)
    reply = requests.get(api.sandbox.url + DELETE, params={"Id": oid}, timeout=10)
    assert reply.status_code == 401
    assert api.sandbox.opportunity_state(oid) == "live"
    api.get(DELETE, Id=oid)
    stats = api.sandbox.stats()
    assert stats["calls"]["Delete"] == 2
    assert stats["max_calls_in_window"] == 2  # the Bulk and the Delete; a 401 never enters


@pytest.mark.parametrize(
    ("fault", "statuses", "state"),
    [
        ("500", {500}, "live"),
        ("reset", {None}, "live"),
        ("applied500", {500, 502}, "deleted"),
        ("applied-reset", {None}, "deleted"),
        ("badjson", {200}, "deleted"),
    ],
)
def test_faults_apply_to_delete(
    sandbox_factory: Any, fault: str, statuses: set[int | None], state: str
) -> None:
    api = Api(sandbox_factory())
    oid = _course(api)
    api.sandbox.reconfigure(faults=f"{fault}:1")
    try:
        status: int | None = api.get(DELETE, Id=oid).status_code
    except requests.ConnectionError:
        status = None
    assert status in statuses
    assert api.sandbox.opportunity_state(oid) == state
    assert api.sandbox.stats()["faults_injected"] == {fault: 1}


def test_the_state_is_readable_over_http_too(api: Api) -> None:
    oid = _course(api)
    reply = requests.get(api.sandbox.url + "/_sandbox/opportunity", params={"Id": oid}, timeout=10)
    assert reply.json() == {"Id": oid, "State": "live"}
