"""Contract: Add Opportunities in Bulk (seed 003)."""

from __future__ import annotations

from typing import Any

import pytest

from importer.sandbox.options import MAX_BODY_BYTES
from importer.sandbox.replies import LEAD_NOT_FOUND_WORDINGS
from importer.sandbox.testing import RunningSandbox
from tests.sandbox.sandbox_helpers import BULK, LEAD, LEAD2, Api, bulk_item


def test_seed_shaped_request_creates_each_item_with_its_row_number(api: Api) -> None:
    reply = api.bulk([bulk_item(LEAD), bulk_item(LEAD2)])
    assert reply.status_code == 200
    items = reply.json()["Response"]
    assert [i["RowNumber"] for i in items] == [1, 2]
    assert all(i["OpportunityCreated"] and i["ProspectOpportunityId"] for i in items)
    assert api.sandbox.stats()["opportunities_per_lead"] == {LEAD: 1, LEAD2: 1}


def test_search_by_and_email_are_case_insensitive(api: Api) -> None:
    reply = api.bulk([bulk_item(LEAD.upper())], search_by="emailaddress")
    assert reply.json()["Response"][0]["OpportunityCreated"] is True


@pytest.mark.parametrize(
    "body",
    [
        [bulk_item(LEAD, mx_Custom_3=c) for c in ["MBA", "BBA"] * 13],  # 26 items
        {"SearchByValue": LEAD},  # not an array
        [dict(bulk_item(), OverwriteFields=True, UpdateEmptyFields=True)],
    ],
    ids=["over-25", "not-an-array", "overwrite-and-update-empty"],
)
def test_whole_request_refused_as_invalid_input(api: Api, body: Any) -> None:
    reply = api.bulk(body)
    assert reply.status_code == 500
    assert reply.json()["Status"] == "Error"
    assert reply.json()["ExceptionType"] == "MXInvalidInputException"
    assert api.sandbox.stats()["total_opportunities"] == 0


@pytest.mark.parametrize("search_by", ["FirstName", "mx_Nothing", ""])
def test_a_search_field_that_is_not_unique_refuses_the_whole_request(
    api: Api, search_by: str
) -> None:
    reply = api.bulk([bulk_item(), bulk_item(LEAD2)], search_by=search_by)
    assert reply.status_code == 500
    assert reply.json()["ExceptionType"] == "MXInvalidInputException"
    assert f"SearchBy '{search_by}' is not a unique lead field" in reply.json()["ExceptionMessage"]
    assert "Response" not in reply.json()
    assert api.sandbox.stats()["total_opportunities"] == 0


def test_a_body_over_the_limit_is_413_and_nothing_is_written(api: Api) -> None:
    api.sandbox.reconfigure(max_body_bytes=2000)
    reply = api.bulk([bulk_item(mx_Custom_1="x" * 100) for _ in range(25)])
    assert reply.status_code == 413
    assert reply.json()["Status"] == "Error"
    assert "larger than 2000 bytes" in reply.json()["ExceptionMessage"]
    stats = api.sandbox.stats()
    assert (stats["total_opportunities"], stats["http_413"]) == (0, 1)
    assert api.bulk([bulk_item()]).json()["Response"][0]["OpportunityCreated"] is True


def test_the_default_limit_takes_a_full_request_of_long_values(api: Api) -> None:
    items = [bulk_item(mx_Custom_1="x" * 100, mx_Custom_19="y" * 500) for _ in range(25)]
    assert len(str(items)) < MAX_BODY_BYTES
    assert api.bulk(items).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/api/v2" + BULK, BULK.replace("Bulk/Add", "Bulk/Create"), "/v2/OpportunityManagement.svc"],
    ids=["host-with-a-path", "wrong-endpoint", "service-root"],
)
def test_a_wrong_path_is_404_no_such_api(api: Api, path: str) -> None:
    reply = api.post(path, [bulk_item()], SearchBy="EmailAddress")
    assert reply.status_code == 404
    assert reply.json() == {
        "Status": "Error",
        "ExceptionType": "MXNotFoundException",
        "ExceptionMessage": "No such API.",
    }
    assert api.sandbox.stats()["total_opportunities"] == 0


@pytest.mark.parametrize("wording", range(len(LEAD_NOT_FOUND_WORDINGS)))
def test_a_missing_lead_is_said_in_the_chosen_wording(api: Api, wording: int) -> None:
    api.sandbox.reconfigure(lead_not_found_wording=wording)
    reply = api.bulk([bulk_item(LEAD2), bulk_item("nobody@example.com")]).json()["Response"]
    expected = LEAD_NOT_FOUND_WORDINGS[wording].rejection("EmailAddress", "nobody@example.com")
    assert reply[0]["OpportunityCreated"] is True
    failed = reply[1]
    assert (failed["RowNumber"], failed["OpportunityCreated"]) == (2, False)
    assert failed["ExceptionMessage"] == expected.message
    if expected.exception_type is None:
        assert "ExceptionType" not in failed
    else:
        assert failed["ExceptionType"] == expected.exception_type


def test_the_wordings_differ_in_type_and_text() -> None:
    types = {w.exception_type for w in LEAD_NOT_FOUND_WORDINGS}
    assert None in types
    assert "MXInvalidInputException" in types  # shared with refusals about other things
    assert len({w.template for w in LEAD_NOT_FOUND_WORDINGS}) == len(LEAD_NOT_FOUND_WORDINGS)


BAD_ITEMS = {
    "lead-not-found": (bulk_item("nobody@example.com"), "MXLeadNotFoundException"),
    "missing-mandatory": (bulk_item(mx_Custom_3=""), "MXInvalidActivityFieldsException"),
    "not-an-option": (bulk_item(mx_Custom_3="PhD Astrophysics"), "MXInvalidValueException"),
    "dependent-mismatch": (bulk_item(mx_Custom_2="Enrolled"), "MXDependentDropdownException"),
    "child-without-parent": (
        bulk_item(Status="", mx_Custom_19=""),
        "MXDependentDropdownException",
    ),
    "missing-comment": (bulk_item(mx_Custom_19=""), "MXInvalidActivityFieldsException"),
    "too-long": (bulk_item(mx_Custom_1="x" * 101), "MXInvalidActivityFieldsException"),
    "bad-number": (bulk_item(mx_Custom_5="twelve lakh"), "MXInvalidValueException"),
    "bad-date": (bulk_item(mx_Custom_6="31/12/2026"), "MXInvalidValueException"),
    "unknown-field": (bulk_item(mx_Custom_99="x"), "MXInvalidInputException"),
    "unknown-event-code": (dict(bulk_item(), OpportunityEventCode=1), "MXInvalidInputException"),
}


@pytest.mark.parametrize("name", BAD_ITEMS)
def test_bad_item_fails_alone_with_its_row_number(api: Api, name: str) -> None:
    bad, exception_type = BAD_ITEMS[name]
    reply = api.bulk([bulk_item(LEAD2), bad]).json()["Response"]
    assert reply[0]["OpportunityCreated"] is True
    assert reply[1]["RowNumber"] == 2
    assert reply[1]["OpportunityCreated"] is False
    assert reply[1]["ProspectOpportunityId"] is None
    assert reply[1]["ExceptionType"] == exception_type
    assert reply[1]["ExceptionMessage"]
    assert api.sandbox.stats()["total_opportunities"] == 1


def test_missing_comment_has_the_documented_message(api: Api) -> None:
    item = api.bulk([bulk_item(mx_Custom_19="")]).json()["Response"][0]
    assert item["ExceptionMessage"] == (
        "Field name : 'mx_Custom_19' of datatype : 'String' is mandatory."
    )


def test_child_without_parent_names_the_parent(api: Api) -> None:
    reply = api.bulk([bulk_item(Status="", mx_Custom_19="")]).json()["Response"][0]
    assert "without its parent" in reply["ExceptionMessage"]


def test_an_empty_mandatory_parent_is_refused_as_missing(
    sandbox_factory: Any, tmp_path: Any
) -> None:
    running = sandbox_factory(account=_account_with_mandatory_status(tmp_path))
    reply = Api(running).bulk([bulk_item(Status="", mx_Custom_19="")]).json()["Response"][0]
    assert reply["ExceptionType"] == "MXInvalidActivityFieldsException"


def _account_with_mandatory_status(tmp_path: Any) -> Any:
    from importer.sandbox.account import DEFAULT_ACCOUNT

    text = DEFAULT_ACCOUNT.read_text().replace(
        "{schema: Status, name: Status, type: Dropdown, mandatory: false,",
        "{schema: Status, name: Status, type: Dropdown, mandatory: true,",
    )
    path = tmp_path / "account.yaml"
    path.write_text(text.replace("leads_file: sandbox_leads.csv", ""))
    return path


def test_duplicate_rule_refuses_second_and_names_the_first(api: Api) -> None:
    first = api.bulk([bulk_item()]).json()["Response"][0]
    again = api.bulk(
        [bulk_item(LEAD, mx_Custom_1="other name", Status="Won", mx_Custom_2="Enrolled")]
    ).json()["Response"][0]
    assert again["OpportunityCreated"] is False
    assert again["ExceptionType"] == "MXDuplicateEntryException"
    assert again["ConflictedOpportunityId"] == first["ProspectOpportunityId"]
    stats = api.sandbox.stats()
    assert (stats["duplicates_created"], stats["duplicates_blocked"]) == (0, 1)


def test_duplicate_within_one_request_is_caught(api: Api) -> None:
    reply = api.bulk([bulk_item(), bulk_item()]).json()["Response"]
    assert [i["OpportunityCreated"] for i in reply] == [True, False]


def test_other_campus_is_not_a_duplicate(api: Api) -> None:
    reply = api.bulk([bulk_item(), bulk_item(mx_Custom_4="Online")]).json()["Response"]
    assert [i["OpportunityCreated"] for i in reply] == [True, True]


def test_duplicates_counted_when_detection_is_off(api: Api) -> None:
    api.sandbox.reconfigure(duplicate_detection=False)
    reply = api.bulk([bulk_item(), bulk_item()]).json()["Response"]
    assert [i["OpportunityCreated"] for i in reply] == [True, True]
    assert api.sandbox.stats()["duplicates_created"] == 1


def test_shuffle_keeps_row_numbers_and_is_seeded(sandbox_factory: Any) -> None:
    items = [
        bulk_item(LEAD, mx_Custom_1=f"enquiry {n}", mx_Custom_4=c)
        for n, c in enumerate(["Mumbai", "Pune", "Bengaluru", "Hyderabad", "Online"])
    ]
    orders = []
    for _ in range(2):
        running = sandbox_factory(shuffle=True, seed=7)
        reply = Api(running).bulk(items).json()["Response"]
        orders.append([i["RowNumber"] for i in reply])
    assert sorted(orders[0]) == [1, 2, 3, 4, 5]
    assert orders[0] == orders[1]


def test_all_or_nothing_refuses_whole_request_naming_the_row(api: Api) -> None:
    api.sandbox.reconfigure(bulk_all_or_nothing=True)
    reply = api.bulk([bulk_item(), bulk_item(LEAD2, mx_Custom_3="PhD")])
    assert reply.status_code == 500
    assert reply.json()["ExceptionType"] == "MXInvalidInputException"
    assert reply.json()["ExceptionMessage"].startswith("Row 2:")
    assert api.sandbox.stats()["total_opportunities"] == 0
    assert api.bulk([bulk_item()]).json()["Response"][0]["OpportunityCreated"] is True


def test_lenient_look_ups_return_fields_for_reconciling(api: Api, sandbox: RunningSandbox) -> None:
    sandbox.reconfigure(strict_lookups=False, server_form_values=False)
    created = api.bulk([bulk_item(mx_Custom_5="600000")]).json()["Response"][0]
    by_field = api.post(
        "/v2/OpportunityManagement.svc/GetOpportunitiesByUniqueLeadField",
        {"SearchBy": "EmailAddress", "SearchByValue": LEAD, "OpportunityEventCode": 12000},
    ).json()
    assert by_field["RecordCount"] == 1
    opp = by_field["List"][0]
    assert opp["ProspectOpportunityId"] == created["ProspectOpportunityId"]
    assert opp["OpportunityEventCode"] == 12000
    assert opp["Fields"]["mx_Custom_3"] == "MBA"
    assert opp["Fields"]["mx_Custom_5"] == "600000"
    assert opp["CreatedOn"]
    of_lead = api.post(
        "/v2/OpportunityManagement.svc/GetOpportunitiesOfLead",
        leadId=by_field["RelatedProspectId"],
        opportunityType="12000",
    ).json()
    assert of_lead["List"] == by_field["List"]
    other_type = api.post(
        "/v2/OpportunityManagement.svc/GetOpportunitiesOfLead",
        leadId=by_field["RelatedProspectId"],
        opportunityType="12001",
    ).json()
    assert other_type == {"RecordCount": 0, "List": []}


def test_a_body_of_megabytes_is_read_and_refused_the_connection_lives_on(api: Api) -> None:
    url = api.sandbox.url + BULK + "?SearchBy=EmailAddress"
    body = b"[" + b" " * (2 * MAX_BODY_BYTES) + b"]"
    assert api.session.post(url, data=body, timeout=30).status_code == 413
    assert api.bulk([bulk_item()]).status_code == 200
