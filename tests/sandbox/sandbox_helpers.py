"""Helpers for the sandbox's contract tests: a thin client over plain ``requests`` and
request bodies shaped like the seed pages' examples (imported by name: ``sandbox_helpers``)."""

from __future__ import annotations

import time
from typing import Any

import requests

from importer.sandbox.testing import RunningSandbox

SVC = "/v2/OpportunityManagement.svc"
BULK = SVC + "/Bulk/Add/ByLeadField"
LEAD = "sandbox.lead@example.com"
LEAD2 = "sandbox.lead2@example.com"


class Api:
    """Calls one sandbox with its keys in the headers."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.sandbox = sandbox
        self.session = requests.Session()
        self.session.headers.update(sandbox.headers())

    def post(self, path: str, body: Any = None, **params: str) -> requests.Response:
        return self.session.post(self.sandbox.url + path, json=body, params=params, timeout=10)

    def get(self, path: str, **params: str) -> requests.Response:
        return self.session.get(self.sandbox.url + path, params=params, timeout=10)

    def bulk(self, items: Any, search_by: str = "EmailAddress") -> requests.Response:
        return self.post(BULK, items, SearchBy=search_by)

    def capture(self, body: Any) -> requests.Response:
        return self.post(SVC + "/Capture", body)


def fields(**values: str) -> list[dict[str, str]]:
    return [{"SchemaName": k, "Value": v} for k, v in values.items()]


def course_fields(**changes: str) -> list[dict[str, str]]:
    """A valid Course Enquiry; ``changes`` override (an empty string leaves a field out)."""
    values = {
        "Status": "Open",
        "mx_Custom_1": "MBA enquiry",
        "mx_Custom_2": "Prospecting",
        "mx_Custom_3": "MBA",
        "mx_Custom_4": "Pune",
        "mx_Custom_19": "Called back",
    }
    values.update(changes)
    return fields(**{k: v for k, v in values.items() if v})


def bulk_item(email: str = LEAD, **changes: str) -> dict[str, Any]:
    return {
        "SearchByValue": email,
        "OpportunityEventCode": 12000,
        "OpportunityNote": "Add/ByEmailAddress",
        "DoNotChangeOwner": True,
        "Fields": course_fields(**changes),
    }


def capture_body(email: str, **changes: str) -> dict[str, Any]:
    return {
        "LeadDetails": [
            {"Attribute": "EmailAddress", "Value": email},
            {"Attribute": "FirstName", "Value": "New"},
            {"Attribute": "SearchBy", "Value": "EmailAddress"},
        ],
        "Opportunity": {
            "OpportunityEventCode": 12000,
            "OpportunityNote": "Opportunity capture api",
            "DoNotChangeOwner": True,
            "Fields": course_fields(**changes),
        },
    }


BY_FIELD = SVC + "/GetOpportunitiesByUniqueLeadField"
OF_LEAD = SVC + "/GetOpportunitiesOfLead"


def lookup_body(
    value: str = LEAD, name: str = "EmailAddress", page: int = 1, size: int = 25, **parts: Any
) -> dict[str, Any]:
    """GetOpportunitiesByUniqueLeadField's documented body; ``parts`` replace or add
    top-level keys (None drops one)."""
    body: dict[str, Any] = {
        "Parameter": {"LookupName": name, "LookupValue": value, "SqlOperator": "="},
        "Columns": {"Include_CSV": "mx_Custom_3,mx_Custom_4,Status"},
        "Sorting": {"ColumnName": "CreatedOn", "Direction": "1"},
        "Paging": {"PageIndex": page, "PageSize": size},
    }
    body.update(parts)
    return {k: v for k, v in body.items() if v is not None}


def async_call(api: Api, path: str, **kwargs: Any) -> requests.Response:
    """POST to the async capture path, GET any other async path."""
    return api.session.request(
        "POST" if path == "/opportunity/capture" else "GET",
        api.sandbox.url + path,
        timeout=10,
        **kwargs,
    )


def poll(api: Api, request_id: str) -> dict[str, Any]:
    """The request's status once it has left the queue."""
    for _ in range(500):
        status = async_call(api, "/opportunity/status", params={"RequestId": request_id}).json()
        if status["TaskStatus"]["Status"] != "In-Queue":
            return dict(status)
        time.sleep(0.02)
    raise AssertionError("the async request never left the queue")
