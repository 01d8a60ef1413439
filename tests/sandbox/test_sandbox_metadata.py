"""Contract: metadata the dry run reads, and the sandbox's own stats and reset."""

from __future__ import annotations

import json

import requests

from tests.sandbox.sandbox_helpers import LEAD, SVC, Api, bulk_item, capture_body


def test_opportunity_types_carry_event_codes(api: Api) -> None:
    types = api.get(SVC + "/GetOpportunityTypes").json()
    assert {"Name": "Course Enquiry", "EventCode": 12000}.items() <= types[0].items()
    assert [t["EventCode"] for t in types] == [12000, 12001]


def test_type_metadata_has_option_sets_as_json_strings(api: Api) -> None:
    meta = api.get(SVC + "/GetOpportunityTypeMetadata", code="12000").json()
    by_name = {f["SchemaName"]: f for f in meta["Fields"]}
    course = by_name["mx_Custom_3"]
    assert course["IsMandatory"] is True
    assert course["DataType"] == "Dropdown"
    assert "MBA" in [o["Value"] for o in json.loads(course["OptionSet"])]
    stage = by_name["mx_Custom_2"]
    assert stage["ParentField"] == "Status"
    dependent = {d["ParentValue"]: d["Options"] for d in json.loads(stage["DependentOptionSet"])}
    assert [o["Value"] for o in dependent["Won"]] == ["Enrolled"]
    assert by_name["mx_Custom_1"]["MaxFieldLength"] == 100
    assert by_name["mx_Custom_19"]["DataType"] == "String"
    assert by_name["mx_Custom_5"]["OptionSet"] == ""
    assert meta["DuplicateDetectionFields"] == ["mx_Custom_3", "mx_Custom_4"]


def test_unknown_type_code_is_refused(api: Api) -> None:
    reply = api.get(SVC + "/GetOpportunityTypeMetadata", code="99")
    assert reply.status_code == 500
    assert reply.json()["ExceptionType"] == "MXInvalidInputException"


def test_lead_metadata_marks_unique_fields(api: Api) -> None:
    fields = api.get("/v2/LeadManagement.svc/LeadsMetaData.Get").json()
    unique = {f["SchemaName"] for f in fields if f["IsUnique"]}
    assert unique == {"EmailAddress", "Phone", "Mobile"}
    assert {
        "SchemaName",
        "DisplayName",
        "DataType",
        "IsMandatory",
        "Options",
        "MaxLength",
        "ShowInImport",
    } <= set(fields[0])


def test_lead_by_email(api: Api) -> None:
    found = api.get("/v2/LeadManagement.svc/Leads.GetByEmailaddress", emailaddress=LEAD).json()
    assert found[0]["EmailAddress"] == LEAD
    assert found[0]["ProspectID"]


def test_unknown_path_is_404_with_an_error_body(api: Api) -> None:
    reply = api.get("/v2/Nope.svc/Nothing")
    assert reply.status_code == 404
    assert reply.json()["Status"] == "Error"


def test_malformed_body_is_400_and_the_server_lives_on(api: Api) -> None:
    reply = api.session.post(api.sandbox.url + SVC + "/Capture", data=b"{not json", timeout=10)
    assert reply.status_code == 400
    assert api.capture(capture_body(LEAD)).json()["Status"] == 0


def test_stats_and_reset_need_no_auth_and_do_not_count(api: Api) -> None:
    api.bulk([bulk_item()])
    api.capture(capture_body("someone.new@example.com"))
    url = api.sandbox.url
    stats = requests.get(url + "/_sandbox/stats", timeout=10).json()
    assert stats["calls"] == {"Bulk/Add/ByLeadField": 1, "Capture": 1}
    assert stats["total_opportunities"] == 2
    assert stats["leads_created"] == 1
    assert stats["max_calls_in_window"] == 2
    assert requests.post(url + "/_sandbox/reset", timeout=10).status_code == 200
    after = requests.get(url + "/_sandbox/stats", timeout=10).json()
    assert after["calls"] == {}
    assert after["total_opportunities"] == 0
    assert after["leads_created"] == 0
    assert after["max_calls_in_window"] == 0
    assert after["leads"] == stats["leads"] - 1


def test_lead_ids_survive_a_reset(api: Api) -> None:
    path = "/v2/LeadManagement.svc/Leads.GetByEmailaddress"
    before = api.get(path, emailaddress=LEAD).json()[0]["ProspectID"]
    api.sandbox.reset()
    assert api.get(path, emailaddress=LEAD).json()[0]["ProspectID"] == before


def test_garbage_content_length_is_400_and_the_server_lives_on(api: Api) -> None:
    import socket

    port = int(api.sandbox.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"POST /x HTTP/1.1\r\nHost: sandbox\r\nContent-Length: lots\r\n\r\n")
        assert raw.recv(64).startswith(b"HTTP/1.1 400")
    assert api.get(SVC + "/GetOpportunityTypes").status_code == 200
