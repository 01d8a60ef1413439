"""Contract: the look-ups in LeadSquared's documented shape (option strict_lookups) — only
the documented bodies, flat items, real paging — and the lenient shape kept by default."""

from __future__ import annotations

from typing import Any

import pytest

from importer.sandbox.lookups import ALWAYS, MAX_PAGE_SIZE, OPPORTUNITY_ID
from importer.sandbox.replies import LEAD_NOT_FOUND_WORDINGS
from tests.sandbox.sandbox_helpers import (
    BY_FIELD,
    LEAD,
    LEAD2,
    OF_LEAD,
    Api,
    bulk_item,
    lookup_body,
)

COURSES = ["MBA", "BBA", "B.Tech Computer Science", "M.Sc Data Science", "B.Sc Nursing"]


@pytest.fixture
def strict(api: Api) -> Api:
    api.sandbox.reconfigure(strict_lookups=True, rate="1000/5s")
    return api


def _created(api: Api, count: int, email: str = LEAD) -> list[str]:
    """``count`` opportunities on one lead (duplicates let in), in creation order."""
    api.sandbox.reconfigure(duplicate_detection=False)
    ids: list[str] = []
    while len(ids) < count:
        items = [
            bulk_item(email, mx_Custom_1=f"enquiry {len(ids) + n}", mx_Custom_3=COURSES[n % 5])
            for n in range(min(25, count - len(ids)))
        ]
        reply = api.bulk(items).json()["Response"]
        ids += [item["ProspectOpportunityId"] for item in sorted(reply, key=_row)]
    return ids


def _row(item: dict[str, Any]) -> int:
    return int(item["RowNumber"])


def test_documented_body_lists_flat_items(strict: Api) -> None:
    (oid,) = _created(strict, 1)
    reply = strict.post(BY_FIELD, lookup_body())
    assert reply.status_code == 200
    body = reply.json()
    assert body["RecordCount"] == 1
    (item,) = body["List"]
    assert item[OPPORTUNITY_ID] == oid
    assert "ProspectOpportunityId" not in item
    assert "Fields" not in item
    assert item["OpportunityEvent"] == "12000"
    assert item["RelatedProspectId"]
    assert (item["mx_Custom_3"], item["mx_Custom_4"], item["Status"]) == ("MBA", "Pune", "Open")
    assert set(item) == set(ALWAYS) | {"mx_Custom_3", "mx_Custom_4", "Status"}


def test_without_columns_every_lead_and_opportunity_column_comes_back(strict: Api) -> None:
    _created(strict, 1)
    (item,) = strict.post(BY_FIELD, lookup_body(Columns=None)).json()["List"]
    assert item["EmailAddress"] == LEAD
    assert item["FirstName"] == "Sandbox"
    assert item["mx_Custom_1"] == "enquiry 0"
    assert item["mx_Custom_5"] is None  # a field of the type left empty
    assert item["OpportunityNote"] == "Add/ByEmailAddress"


def test_columns_match_case_insensitively_and_ignore_unknown_names(strict: Api) -> None:
    _created(strict, 1)
    body = lookup_body(Columns={"Include_CSV": " MX_CUSTOM_3 , FirstName, mx_Nothing"})
    (item,) = strict.post(BY_FIELD, body).json()["List"]
    assert set(item) == set(ALWAYS) | {"mx_Custom_3", "FirstName"}


def test_every_type_of_the_lead_is_listed_the_client_filters(strict: Api) -> None:
    _created(strict, 1)
    hostel = {
        "SearchByValue": LEAD,
        "OpportunityEventCode": 12001,
        "Fields": [{"SchemaName": "mx_Custom_1", "Value": "Room"}],
    }
    assert strict.bulk([hostel]).json()["Response"][0]["OpportunityCreated"] is True
    items = strict.post(BY_FIELD, lookup_body()).json()["List"]
    assert sorted(i["OpportunityEvent"] for i in items) == ["12000", "12001"]


def test_phone_lookup_finds_the_lead_by_digits(strict: Api) -> None:
    _created(strict, 1)
    for phone in ("+91-9000000001", "9000000001", "+91 90000 00001"):
        body = lookup_body(phone, name="Phone")
        assert strict.post(BY_FIELD, body).json()["RecordCount"] == 1, phone


def test_pages_are_capped_and_record_count_is_the_total(strict: Api) -> None:
    ids = _created(strict, 60)
    first = strict.post(BY_FIELD, lookup_body(size=100)).json()
    assert first["RecordCount"] == 60
    assert len(first["List"]) == MAX_PAGE_SIZE
    second = strict.post(BY_FIELD, lookup_body(page=2, size=100)).json()
    assert len(second["List"]) == 60 - MAX_PAGE_SIZE
    past = strict.post(BY_FIELD, lookup_body(page=3, size=100)).json()
    assert past == {"RecordCount": 60, "List": []}
    seen = [i[OPPORTUNITY_ID] for i in first["List"] + second["List"]]
    assert seen == list(reversed(ids))  # most recent first, ties in creation order


def test_direction_0_is_oldest_first(strict: Api) -> None:
    ids = _created(strict, 30)
    body = lookup_body(size=10, Sorting={"ColumnName": "CreatedOn", "Direction": "0"})
    pages = [
        strict.post(BY_FIELD, dict(body, Paging={"PageIndex": p, "PageSize": 10}))
        for p in (1, 2, 3)
    ]
    assert [i[OPPORTUNITY_ID] for page in pages for i in page.json()["List"]] == ids


def test_paging_and_sorting_may_be_left_out(strict: Api) -> None:
    _created(strict, 30)
    body = strict.post(BY_FIELD, lookup_body(Paging=None, Sorting=None)).json()
    assert (body["RecordCount"], len(body["List"])) == (30, 25)


OLD_BODY = {"SearchBy": "EmailAddress", "SearchByValue": LEAD, "OpportunityEventCode": 12000}
BAD_SHAPES = {
    "the-old-sandbox-body": OLD_BODY,
    "old-keys-added": dict(lookup_body(), SearchBy="EmailAddress"),
    "event-code-filter": dict(lookup_body(), OpportunityEventCode=12000),
    "no-parameter": lookup_body(Parameter=None),
    "parameter-not-an-object": lookup_body(Parameter="EmailAddress"),
    "no-operator": lookup_body(Parameter={"LookupName": "EmailAddress", "LookupValue": LEAD}),
    "lower-case-keys": {"parameter": lookup_body()["Parameter"]},
    "value-not-a-string": lookup_body(
        Parameter={"LookupName": "EmailAddress", "LookupValue": 5, "SqlOperator": "="}
    ),
    "page-size-text": lookup_body(Paging={"PageIndex": 1, "PageSize": "25"}),
    "page-zero": lookup_body(page=0),
    "paging-half": lookup_body(Paging={"PageIndex": 1}),
    "direction-asc": lookup_body(Sorting={"ColumnName": "CreatedOn", "Direction": "asc"}),
    "columns-as-list": lookup_body(Columns={"Include_CSV": ["mx_Custom_3"]}),
    "an-array": [lookup_body()],
    "no-body": None,
}


@pytest.mark.parametrize("name", BAD_SHAPES)
def test_any_other_body_is_refused_as_a_bad_request(strict: Api, name: str) -> None:
    _created(strict, 1)
    reply = strict.post(BY_FIELD, BAD_SHAPES[name])
    assert reply.status_code == 400
    assert reply.json()["Status"] == "Error"
    assert reply.json()["ExceptionType"] == "MXInvalidInputException"
    assert "List" not in reply.json()


@pytest.mark.parametrize(
    "parameter",
    [
        {"LookupName": "FirstName", "LookupValue": "Sandbox", "SqlOperator": "="},
        {"LookupName": "EmailAddress", "LookupValue": LEAD, "SqlOperator": "LIKE"},
    ],
    ids=["not-a-unique-field", "operator-like"],
)
def test_a_question_the_account_cannot_answer_is_a_500(
    strict: Api, parameter: dict[str, str]
) -> None:
    reply = strict.post(BY_FIELD, lookup_body(Parameter=parameter))
    assert reply.status_code == 500
    assert reply.json()["ExceptionType"] == "MXInvalidInputException"


@pytest.mark.parametrize("wording", range(len(LEAD_NOT_FOUND_WORDINGS)))
def test_an_unknown_lead_is_an_error_in_the_chosen_wording(strict: Api, wording: int) -> None:
    strict.sandbox.reconfigure(lead_not_found_wording=wording)
    reply = strict.post(BY_FIELD, lookup_body("nobody@example.com"))
    assert reply.status_code == 500
    expected = LEAD_NOT_FOUND_WORDINGS[wording].rejection("EmailAddress", "nobody@example.com")
    assert reply.json().get("ExceptionType") == expected.exception_type
    assert reply.json()["ExceptionMessage"] == expected.message


def _lead_id(api: Api, email: str = LEAD) -> str:
    found = api.get("/v2/LeadManagement.svc/Leads.GetByEmailaddress", emailaddress=email)
    return str(found.json()[0]["ProspectID"])


def test_of_lead_is_paged_and_filtered_by_type(strict: Api) -> None:
    ids = _created(strict, 30)
    _created(strict, 1, LEAD2)
    lead_id = _lead_id(strict)
    paging = {"PageIndex": 2, "PageSize": 20}
    body = {"Paging": paging, "Sorting": {"ColumnName": "CreatedOn", "Direction": "0"}}
    reply = strict.post(OF_LEAD, body, leadId=lead_id, opportunityType="12000").json()
    assert reply["RecordCount"] == 30
    assert [i[OPPORTUNITY_ID] for i in reply["List"]] == ids[20:]
    assert all(i["RelatedProspectId"] == lead_id for i in reply["List"])
    other = strict.post(OF_LEAD, {}, leadId=lead_id, opportunityType="12001").json()
    assert other == {"RecordCount": 0, "List": []}


def test_of_lead_takes_no_body_at_all(strict: Api) -> None:
    _created(strict, 1)
    reply = strict.session.post(
        strict.sandbox.url + OF_LEAD, params={"leadId": _lead_id(strict)}, timeout=10
    )
    assert reply.json()["RecordCount"] == 1


def test_of_lead_refuses_other_keys_and_unknown_leads(strict: Api) -> None:
    lead_id = _lead_id(strict)
    assert strict.post(OF_LEAD, {"OpportunityEventCode": 1}, leadId=lead_id).status_code == 400
    unknown = strict.post(OF_LEAD, {}, leadId="00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 500
    assert "00000000-0000-0000-0000-000000000000" in unknown.json()["ExceptionMessage"]


def test_lenient_the_old_body_still_answers(api: Api) -> None:
    api.sandbox.reconfigure(strict_lookups=False)
    _created(api, 1)
    body = api.post(BY_FIELD, OLD_BODY).json()
    assert body["RecordCount"] == 1
    assert body["List"][0]["Fields"]["mx_Custom_3"] == "MBA"


def test_lenient_answers_the_documented_body_the_documented_way(api: Api) -> None:
    api.sandbox.reconfigure(strict_lookups=False)
    (oid,) = _created(api, 1)
    (item,) = api.post(BY_FIELD, lookup_body()).json()["List"]
    assert item[OPPORTUNITY_ID] == oid
    paged = api.post(OF_LEAD, {"Paging": {"PageIndex": 1, "PageSize": 5}}, leadId=_lead_id(api))
    assert paged.json()["List"][0][OPPORTUNITY_ID] == oid
    old = api.post(OF_LEAD, {}, leadId=_lead_id(api)).json()
    assert old["List"][0]["ProspectOpportunityId"] == oid
