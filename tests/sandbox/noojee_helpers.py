"""Helpers for the Noojee contract tests: a thin client over plain ``requests`` (one
connection a call, so a test never leaks a socket) and leads for campaign 7 of
sample_data/noojee_account.yaml (imported by name: ``noojee_helpers``)."""

from __future__ import annotations

from typing import Any

import requests

from importer.sandbox.testing import RunningSandbox

API = "/servicemanager/rest/CampaignAPI/"
INSERT = API + "insertLeadFast"
UPDATE = API + "updateLeadFast"
CAMPAIGN = {"fTemplateId": "3", "fCampaignId": "7", "fAllocationId": "11"}

# Leads of campaign 7 in the sample account.
CALL_BACK_LEAD = "HZ-DL-0901"  # disposition "Call Back"
NO_DISPOSITION_LEAD = "HZ-DL-0902"  # no disposition yet
EDITED_LEAD = "HZ-DL-0905"  # open in a person's screen: every update answers 110
EXISTING_MOBILE = "+91 98450 00902"
DNC_NUMBER = "+91 98450 00404"


class Dialer:
    """Calls one sandbox's Noojee endpoints with its Noojee key and campaign 7."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.sandbox = sandbox

    def post(self, path: str, body: Any, params: dict[str, str] | None = None) -> requests.Response:
        query = {"apiKey": self.sandbox.noojee_api_key, **CAMPAIGN, **(params or {})}
        return requests.post(self.sandbox.url + path, json=body, params=query, timeout=30)

    def insert(self, leads: list[dict[str, str]], **params: str) -> requests.Response:
        return self.post(INSERT, leads, params)

    def update(self, leads: list[dict[str, str]], **params: str) -> requests.Response:
        return self.post(UPDATE, leads, params)

    def stats(self) -> dict[str, Any]:
        noojee: dict[str, Any] = self.sandbox.stats()["noojee"]
        return noojee

    def lead(self, external_id: str) -> dict[str, Any] | None:
        found = [
            lead
            for lead in self.sandbox.noojee_leads()
            if lead["njExternalLeadId"] == external_id and lead["campaign_id"] == 7
        ]
        assert len(found) <= 1, found
        return found[0] if found else None

    def campaign_size(self) -> int:
        return int(self.stats()["leads_per_campaign"].get("7", 0))


def reply(response: requests.Response) -> tuple[int, int, str]:
    """(HTTP status, code, message)."""
    body = response.json()
    return response.status_code, body["code"], body["message"]


def new_lead(n: int, **changes: str) -> dict[str, str]:
    """A valid new lead for campaign 7: its own mobile and external id ``T-<n>``."""
    lead = {
        "njExternalLeadId": f"T-{n:04d}",
        "FirstName": f"Test{n}",
        "LastName": "Lead",
        "MobilePhone": f"+91 97000 {n:05d}",
        "Email": f"test{n}@example.com",
        "Course": "MBA",
        "njCallBackDate": "2027/02/05 10:30",
        "njPriority": "10",
        "njContactHours": "Kolkata Office",
    }
    lead.update(changes)
    return {k: v for k, v in lead.items() if v != "-"}  # "-" leaves a field out


def update_of(external_id: str, **changes: str) -> dict[str, str]:
    """An update that keeps the phone and sets a disposition (override with changes)."""
    lead = {"njExternalLeadId": external_id, "MobilePhone": "<NO CHANGE>"}
    lead["njDisposition"] = "Interested"
    lead.update(changes)
    return {k: v for k, v in lead.items() if v != "-"}
