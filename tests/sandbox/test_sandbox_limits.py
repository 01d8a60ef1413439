"""Contract: authentication and the account's sliding rate-limit window."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from importer.sandbox.testing import RunningSandbox
from tests.sandbox.sandbox_helpers import SVC, Api

TYPES = SVC + "/GetOpportunityTypes"


def test_keys_in_headers_are_accepted(api: Api) -> None:
    assert api.get(TYPES).status_code == 200


def test_keys_in_query_are_accepted_url_encoded(sandbox: RunningSandbox) -> None:
    params = {"accessKey": sandbox.access_key, "secretKey": sandbox.secret_key}
    assert "$" in sandbox.access_key  # requests encodes it as %24
    assert requests.get(sandbox.url + TYPES, params=params, timeout=10).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-LSQ-AccessKey": "u$sandbox-access-key"},
        {"x-LSQ-AccessKey": "u$sandbox-access-key", "x-LSQ-SecretKey": "wrong"},
        {"x-LSQ-AccessKey": "wrong", "x-LSQ-SecretKey": "sandbox-secret-key"},
    ],
    ids=["none", "no-secret", "wrong-secret", "wrong-access"],
)
def test_wrong_or_missing_keys_are_401(sandbox: RunningSandbox, headers: dict[str, str]) -> None:
    reply = requests.get(sandbox.url + TYPES, headers=headers, timeout=10)
    assert reply.status_code == 401
    assert reply.json()["Status"] == "Error"
    assert sandbox.stats()["http_401"] == 1


def test_keys_can_be_overridden_by_the_account(sandbox_factory: Any, tmp_path: Any) -> None:
    from importer.sandbox.account import DEFAULT_ACCOUNT

    text = DEFAULT_ACCOUNT.read_text().replace("u$sandbox-access-key", "u$other-key")
    path = tmp_path / "account.yaml"
    path.write_text(text.replace("leads_file: sandbox_leads.csv", ""))
    running = sandbox_factory(account=path)
    assert running.access_key == "u$other-key"
    assert Api(running).get(TYPES).status_code == 200


def test_26th_call_in_5_seconds_is_429(api: Api) -> None:
    codes = [api.get(TYPES).status_code for _ in range(26)]
    assert codes == [200] * 25 + [429]
    reply = api.get(TYPES)
    assert reply.json()["ExceptionMessage"] == "API calls exceeded the limit of 25 in 5 second(s)"
    stats = api.sandbox.stats()
    assert stats["http_429"] == 2
    assert stats["max_calls_in_window"] == 27


def test_window_slides_and_allows_calls_again(sandbox_factory: Any) -> None:
    api = Api(sandbox_factory(rate="3/1s"))
    assert [api.get(TYPES).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "limit of 3 in 1 second(s)" in api.get(TYPES).json()["ExceptionMessage"]
    time.sleep(1.05)
    assert api.get(TYPES).status_code == 200


def test_rate_limit_can_answer_403(sandbox_factory: Any) -> None:
    api = Api(sandbox_factory(rate="1/5s", rate_status=403))
    assert [api.get(TYPES).status_code for _ in range(2)] == [200, 403]


def test_stats_and_reset_are_not_rate_limited(sandbox_factory: Any) -> None:
    running = sandbox_factory(rate="1/5s")
    for _ in range(3):
        assert requests.get(running.url + "/_sandbox/stats", timeout=10).status_code == 200
    assert Api(running).get(TYPES).status_code == 200


def test_reset_clears_the_window(api: Api) -> None:
    api.sandbox.reconfigure(rate="1/5s")
    assert [api.get(TYPES).status_code for _ in range(2)] == [200, 429]
    api.sandbox.reset()
    assert api.get(TYPES).status_code == 200
