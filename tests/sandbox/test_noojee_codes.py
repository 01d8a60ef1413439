"""Contract: every Noojee reply code the sandbox gives for one lead, over real HTTP, and
that a refused lead changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from importer.sandbox.testing import RunningSandbox
from tests.sandbox.noojee_helpers import (
    CALL_BACK_LEAD,
    DNC_NUMBER,
    EDITED_LEAD,
    EXISTING_MOBILE,
    INSERT,
    NO_DISPOSITION_LEAD,
    UPDATE,
    Dialer,
    new_lead,
    reply,
    update_of,
)

REFUSED_INSERTS = [
    ("102-no-phone", new_lead(1, MobilePhone="-"), 102),
    ("102-empty-phones", new_lead(1, MobilePhone=" ", HomePhone=""), 102),
    ("102-phone-without-digits", new_lead(1, MobilePhone="n/a"), 102),
    ("103-unknown-field", new_lead(1, Nickname="Ash"), 103),
    ("103-call-back-iso", new_lead(1, njCallBackDate="2027-02-05 10:30"), 103),
    ("103-call-back-no-time", new_lead(1, njCallBackDate="2027/02/05"), 103),
    ("103-call-back-impossible", new_lead(1, njCallBackDate="2027/02/30 10:30"), 103),
    ("103-priority-over-100", new_lead(1, njPriority="101"), 103),
    ("103-priority-negative", new_lead(1, njPriority="-1"), 103),
    ("103-priority-words", new_lead(1, njPriority="high"), 103),
    ("104-dnc-mobile", new_lead(1, MobilePhone=DNC_NUMBER), 104),
    ("104-dnc-home-other-spelling", new_lead(1, HomePhone="+91-80-41100404"), 104),
    ("105-existing-number", new_lead(1, MobilePhone="919845000902"), 105),
    ("106-bad-disposition", new_lead(1, njDisposition="Maybe later"), 106),
    ("108-no-change", new_lead(1, Campus="<NO CHANGE>"), 108),
    ("108-no-change-any-case", new_lead(1, Campus="<No Change>"), 108),
    ("111-contact-hours", new_lead(1, njContactHours="Mars Base"), 111),
    ("112-existing-external-id", new_lead(1, njExternalLeadId="HZ-DL-0903"), 112),
]

REFUSED_UPDATES = [
    ("101-unknown-id", update_of("HZ-DL-9999"), 101),
    ("101-no-id", update_of(CALL_BACK_LEAD, njExternalLeadId="-"), 101),
    ("101-other-campaign", update_of("HZ-HB-0001"), 101),
    ("102-no-phone-field", update_of(CALL_BACK_LEAD, MobilePhone="-"), 102),
    ("103-unknown-field", update_of(CALL_BACK_LEAD, Nickname="Ash"), 103),
    ("103-call-back", update_of(CALL_BACK_LEAD, njCallBackDate="05/02/2027 10:30"), 103),
    ("103-priority", update_of(CALL_BACK_LEAD, njPriority="7.5"), 103),
    ("104-dnc", update_of(CALL_BACK_LEAD, MobilePhone=DNC_NUMBER), 104),
    ("105-number-of-another-lead", update_of(CALL_BACK_LEAD, HomePhone=EXISTING_MOBILE), 105),
    ("106-bad-disposition", update_of(CALL_BACK_LEAD, njDisposition="Maybe later"), 106),
    ("107-no-change", update_of(NO_DISPOSITION_LEAD, njDisposition="<NO CHANGE>"), 107),
    ("107-absent", update_of(NO_DISPOSITION_LEAD, njDisposition="-"), 107),
    ("110-person-editing", update_of(EDITED_LEAD), 110),
    ("111-contact-hours", update_of(CALL_BACK_LEAD, njContactHours="Mars Base"), 111),
]

# Each case once, through the call it is refused by; ids read "insert-102-no-phone".
REFUSED = [("insert", *case) for case in REFUSED_INSERTS]
REFUSED += [("update", *case) for case in REFUSED_UPDATES]


def test_insert_ok(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    before = dialer.campaign_size()
    assert reply(dialer.insert([new_lead(1)])) == (200, 0, "OK")
    assert dialer.campaign_size() == before + 1
    stored = dialer.lead("T-0001")
    assert stored is not None
    assert stored["fields"]["njCallBackDate"] == "2027/02/05 10:30"
    assert stored["origin"] == "insert"
    assert dialer.stats()["leads_created"] == 1
    assert dialer.stats()["codes"] == {"0": 1}


def test_update_ok_merges_fields_and_keeps_no_change(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    change = update_of(CALL_BACK_LEAD, Course="BBA", njDisposition="<no change>")
    assert reply(dialer.update([change])) == (200, 0, "OK")
    lead = dialer.lead(CALL_BACK_LEAD)
    assert lead is not None
    assert lead["fields"]["Course"] == "BBA"
    assert lead["fields"]["MobilePhone"] == "+91 98450 00901"  # <NO CHANGE> kept it
    assert lead["fields"]["FirstName"] == "Meera"  # not sent: kept
    assert lead["njDisposition"] == "Call Back"
    assert dialer.stats()["leads_updated"] == 1


def test_update_sets_a_disposition_on_a_lead_without_one(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    change = update_of(NO_DISPOSITION_LEAD, njDisposition="Not Interested")
    assert reply(dialer.update([change]))[1] == 0
    lead = dialer.lead(NO_DISPOSITION_LEAD)
    assert lead is not None
    assert lead["njDisposition"] == "Not Interested"


def test_update_can_move_a_lead_to_a_new_number(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    assert reply(dialer.update([update_of(CALL_BACK_LEAD, MobilePhone="+91 97000 55555")]))[1] == 0
    # The old number is free again; the new one is taken.
    assert reply(dialer.insert([new_lead(1, MobilePhone="+91 98450 00901")]))[1] == 0
    assert reply(dialer.insert([new_lead(2, MobilePhone="+91 97000 55555")]))[1] == 105


@pytest.mark.parametrize(
    ("call", "name", "lead", "code"), REFUSED, ids=[f"{c[0]}-{c[1]}" for c in REFUSED]
)
def test_a_refused_lead_gets_its_code_and_changes_nothing(
    sandbox: RunningSandbox, call: str, name: str, lead: dict[str, str], code: int
) -> None:
    dialer = Dialer(sandbox)
    before = sandbox.noojee_leads()
    send = dialer.insert if call == "insert" else dialer.update
    status, got, message = reply(send([lead]))
    assert (status, got) == (500 if code == 103 else 400, code)
    assert message.split(":")[0] == _MESSAGES[code]
    assert sandbox.noojee_leads() == before
    assert dialer.stats()["codes"] == {str(code): 1}


_MESSAGES = {
    101: "COULDNT_FIND_THE_LEAD",
    102: "NO_PHONE_FIELDS",
    103: "EXCEPTION",
    104: "DNC",
    105: "DUPLICATE",
    106: "INVALID_DISPOSTION",
    107: "DISPOSTION_ISNT_SET_AND_NOCHANGE_SPECIFIED",
    108: "IMPORT_BUT_NOCHANGE_SPECIFIED",
    110: "LEAD_NOT_UPDATED_DUE_TO_CONFLICT",
    111: "INVALID_TIMEZONE_SPECIFIED",
    112: "DUPLICATE_EXTERNAL_ID",
}


def test_duplicates_are_let_in_with_allow_duplicates_and_counted(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    same_number = new_lead(1, MobilePhone=EXISTING_MOBILE)
    same_id = new_lead(2, njExternalLeadId="HZ-DL-0903")
    assert reply(dialer.insert([same_number], allowDuplicates="true"))[1] == 0
    assert reply(dialer.insert([same_id], allowDuplicates="TRUE"))[1] == 0
    stats = dialer.stats()
    assert stats["duplicates_created"] == 2
    assert stats["duplicates_blocked"] == 0


@pytest.mark.parametrize("value", ["false", "1", "yes", ""])
def test_allow_duplicates_is_true_only_for_true(sandbox: RunningSandbox, value: str) -> None:
    dialer = Dialer(sandbox)
    lead = new_lead(1, MobilePhone=EXISTING_MOBILE)
    assert reply(dialer.insert([lead], allowDuplicates=value))[1] == 105
    assert dialer.stats()["duplicates_blocked"] == 1


def test_a_second_insert_of_the_same_lead_proves_the_first_landed(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    assert reply(dialer.insert([new_lead(1)]))[1] == 0
    assert reply(dialer.insert([new_lead(1)]))[1] == 112
    assert reply(dialer.insert([new_lead(1, njExternalLeadId="-")]))[1] == 105
    assert dialer.stats()["duplicates_created"] == 0


def test_an_update_changes_every_lead_holding_the_external_id(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    twin = new_lead(1, njExternalLeadId=CALL_BACK_LEAD)
    assert reply(dialer.insert([twin], allowDuplicates="true"))[1] == 0
    assert reply(dialer.update([update_of(CALL_BACK_LEAD, Campus="Pune")]))[1] == 0
    twins = [lead for lead in sandbox.noojee_leads() if lead["njExternalLeadId"] == CALL_BACK_LEAD]
    assert [lead["fields"]["Campus"] for lead in twins] == ["Pune", "Pune"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"fTemplateId": ""}, "fTemplateId is required"),
        ({"fCampaignId": "seven"}, "fCampaignId is required"),
        ({"fAllocationId": "12"}, "no campaign 7 with template 3 and allocation 12"),
        ({"fCampaignId": "99"}, "no campaign 99"),
    ],
)
def test_a_query_string_naming_no_campaign_is_103(
    sandbox: RunningSandbox, params: dict[str, str], detail: str
) -> None:
    status, code, message = reply(Dialer(sandbox).insert([new_lead(1)], **params))
    assert (status, code) == (500, 103)
    assert message.startswith("EXCEPTION: " + detail)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"[{", "the body is not valid JSON"),
        (b'{"FirstName": "A"}', "the body must be a JSON array of lead objects"),
        (b"[1, 2]", "the body must be a JSON array of lead objects"),
        (b"[]", "the body holds no leads"),
        (b'[{"FirstName": {"first": "A"}}]', "field 'FirstName' must be a string"),
    ],
)
def test_a_body_that_is_not_leads_is_103(sandbox: RunningSandbox, body: bytes, detail: str) -> None:
    params = {"apiKey": sandbox.noojee_api_key, "fTemplateId": "3"}
    params |= {"fCampaignId": "7", "fAllocationId": "11"}
    response = requests.post(sandbox.url + INSERT, data=body, params=params, timeout=10)
    status, code, message = reply(response)
    assert (status, code) == (500, 103)
    assert message.startswith("EXCEPTION: " + detail)


def test_scalars_are_sent_on_as_text(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    lead: dict[str, Any] = {**new_lead(1), "njPriority": 5, "Campus": None}
    assert reply(dialer.post(INSERT, [lead]))[1] == 0
    stored = dialer.lead("T-0001")
    assert stored is not None
    assert (stored["fields"]["njPriority"], stored["fields"]["Campus"]) == ("5", "")


@pytest.mark.parametrize("key", [None, "wrong", "sandbox-api-key", "u$sandbox-access-key"], ids=str)
def test_a_missing_or_wrong_api_key_is_401(sandbox: RunningSandbox, key: str | None) -> None:
    params = {"fTemplateId": "3", "fCampaignId": "7", "fAllocationId": "11"}
    if key is not None:
        params["apiKey"] = key
    for path in (INSERT, UPDATE):
        response = requests.post(sandbox.url + path, json=[new_lead(1)], params=params, timeout=10)
        assert reply(response) == (401, 401, "UNAUTHORISED: apiKey missing or not valid")
    stats = Dialer(sandbox).stats()
    assert stats["http_401"] == 2
    assert stats["leads_created"] == 0
    assert stats["codes"] == {}


def test_the_noojee_key_opens_no_leadsquared_endpoint(sandbox: RunningSandbox) -> None:
    headers = {"x-LSQ-AccessKey": sandbox.noojee_api_key, "x-LSQ-SecretKey": "x"}
    url = sandbox.url + "/v2/OpportunityManagement.svc/GetOpportunityTypes"
    assert requests.get(url, headers=headers, timeout=10).status_code == 401


def test_get_is_not_served(sandbox: RunningSandbox) -> None:
    response = requests.get(sandbox.url + INSERT, timeout=10)
    assert response.status_code == 405
    assert response.json()["code"] == 103


def test_reset_restores_the_account_leads(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    before = sandbox.noojee_leads()
    dialer.insert([new_lead(1)])
    dialer.update([update_of(NO_DISPOSITION_LEAD)])
    assert requests.post(sandbox.url + "/_sandbox/reset", timeout=10).status_code == 200
    assert sandbox.noojee_leads() == before
    assert dialer.stats()["calls_total"] == 0
