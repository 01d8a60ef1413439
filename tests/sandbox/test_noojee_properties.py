"""Property: whatever leads arrive, the Noojee side answers a documented code with its
HTTP status, never an internal error, and a refused all-or-nothing request changes
nothing. In process (no HTTP) so that hypothesis can try many bodies quickly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importer.sandbox import noojee_codes as codes
from importer.sandbox.app import Sandbox
from importer.sandbox.noojee_app import Answer
from importer.sandbox.options import SandboxOptions
from importer.sandbox.request import Request

FIELDS = ["FirstName", "MobilePhone", "HomePhone", "Course", "Nickname"]
SYSTEM = ["njExternalLeadId", "njCallBackDate", "njPriority", "njContactHours", "njDisposition"]
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "<NO CHANGE>",
            "+91 98450 00404",  # DNC
            "+91 98450 00902",  # an existing lead's mobile
            "+91 97000 00001",
            "HZ-DL-0901",
            "HZ-DL-0902",
            "HZ-DL-0905",  # open in a person's screen
            "T-1",
            "2027/02/05 10:30",
            "2027-02-05",
            "10",
            "101",
            "Kolkata Office",
            "Interested",
            "Maybe",
        ]
    ),
    st.text(max_size=12),
)
LEADS = st.lists(
    st.dictionaries(st.sampled_from(FIELDS + SYSTEM), VALUES, max_size=6), min_size=1, max_size=4
)
PATHS = {
    "insert": "/servicemanager/rest/campaignapi/insertleadfast",
    "update": "/servicemanager/rest/campaignapi/updateleadfast",
}


@pytest.fixture(scope="module", params=["all_or_nothing", "until_first_bad", "per_lead"])
def app(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    sandbox = Sandbox(SandboxOptions(noojee_batch=request.param))
    yield sandbox
    sandbox.noojee.close()
    sandbox.store.close()


def _send(app: Sandbox, endpoint: str, leads: list[dict[str, str]], allow: bool) -> Answer:
    query = {"apikey": app.noojee.account.api_key, "ftemplateid": "3", "fcampaignid": "7"}
    query |= {"fallocationid": "11", "allowduplicates": str(allow).lower()}
    req = Request("POST", PATHS[endpoint], query, {}, json.dumps(leads).encode())
    return app.noojee.handle(PATHS[endpoint], req, lambda: 0.0)


@settings(max_examples=150, deadline=None)
@given(leads=LEADS, endpoint=st.sampled_from(["insert", "update"]), allow=st.booleans())
def test_every_reply_is_a_documented_code(
    app: Sandbox, leads: list[dict[str, str]], endpoint: str, allow: bool
) -> None:
    app.noojee.reset()
    before = app.noojee.leads()
    answer = _send(app, endpoint, leads, allow)
    body: dict[str, Any] = answer.body
    code = body["code"]
    assert code in codes.MESSAGES
    assert "internal error" not in body["message"]
    assert answer.status == codes.http_status(code)
    if endpoint == "insert":
        assert code not in (codes.LEAD_NOT_FOUND, codes.CONFLICT, codes.DISPOSITION_NOT_SET)
    mode = app.options.noojee_batch
    if mode == "per_lead":
        assert len(body["leads"]) == len(leads)
        first_bad = next((lead for lead in body["leads"] if lead["code"]), None)
        assert (first_bad or {"code": 0})["code"] == code
    if code and mode == "all_or_nothing":
        assert app.noojee.leads() == before
    if allow:
        assert app.noojee.stats.snapshot()["duplicates_blocked"] == 0
