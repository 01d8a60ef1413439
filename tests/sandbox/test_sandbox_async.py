"""Contract: the async API's queue — its delay and metrics, ERROR after internal retries,
forgotten requests, faults on the status endpoint — and polls counted like any call."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.sandbox.sandbox_helpers import LEAD, Api, async_call, capture_body, poll

CAPTURE, STATUS, METRICS = (
    "/opportunity/capture",
    "/opportunity/status",
    "/opportunity/capture/metrics",
)


def _submit(api: Api, email: str = LEAD) -> str:
    reply = async_call(api, CAPTURE, json=capture_body(email))
    assert reply.status_code == 200, reply.text
    return str(reply.json()["RequestID"])


def _status(api: Api, request_id: str) -> requests.Response:
    return async_call(api, STATUS, params={"RequestId": request_id})


def test_metrics_tell_the_queue_s_real_delay(api: Api) -> None:
    api.sandbox.reconfigure(async_delay="3s")
    _submit(api)
    _submit(api, "second@example.com")
    metrics = async_call(api, METRICS).json()
    assert metrics["PendingMessages"] == 2
    assert metrics["MaxDelayInSeconds"] == 3


def test_a_jittered_delay_shows_within_its_spread(api: Api) -> None:
    api.sandbox.reconfigure(async_delay="20s±10s", seed=4)
    for n in range(5):
        _submit(api, f"p{n}@example.com")
    assert 10 <= async_call(api, METRICS).json()["MaxDelayInSeconds"] <= 30


def test_an_empty_queue_has_no_delay(api: Api) -> None:
    api.sandbox.reconfigure(async_delay=0.0)
    poll(api, _submit(api))
    assert async_call(api, METRICS).json() == {
        "PendingMessages": 0,
        "MaxDelayInSeconds": 0,
        "ProcessingratePerMinute": 600,
    }


def test_async_error_ends_in_error_and_writes_nothing(api: Api) -> None:
    api.sandbox.reconfigure(async_delay=0.0, faults="async_error:1")
    done = poll(api, _submit(api))["TaskStatus"]
    assert done["Status"] == "ERROR"
    assert "internal retries" in done["StatusReason"]
    assert done["Message"] is None
    stats = api.sandbox.stats()
    assert (stats["total_opportunities"], stats["faults_injected"]) == (0, {"async_error": 1})


def test_a_finished_request_is_forgotten_after_the_ttl(api: Api) -> None:
    api.sandbox.reconfigure(async_delay=0.0)
    request_id = _submit(api)
    assert poll(api, request_id)["TaskStatus"]["Status"] == "Success"
    assert _status(api, request_id).status_code == 200  # no TTL: kept
    api.sandbox.reconfigure(async_ttl=0.0)
    reply = _status(api, request_id)
    assert reply.status_code == 404
    assert "unknown or expired" in reply.json()["ExceptionMessage"]


def test_a_queued_request_outlives_the_ttl(api: Api) -> None:
    api.sandbox.reconfigure(async_delay="1000s", async_ttl=0.0)
    request_id = _submit(api)
    assert _status(api, request_id).json()["TaskStatus"]["Status"] == "In-Queue"


def test_status500_answers_a_500_and_the_request_goes_on(api: Api) -> None:
    api.sandbox.reconfigure(async_delay=0.0)
    request_id = _submit(api)
    api.sandbox.reconfigure(faults="status500:1")
    reply = _status(api, request_id)
    assert reply.status_code == 500
    assert reply.json()["Status"] == "Error"
    api.sandbox.reconfigure(faults=None)
    assert poll(api, request_id)["TaskStatus"]["Status"] == "Success"
    assert api.sandbox.stats()["total_opportunities"] == 1


def test_status_reset_drops_the_poll(api: Api) -> None:
    api.sandbox.reconfigure(async_delay=0.0)
    request_id = _submit(api)
    api.sandbox.reconfigure(faults="status_reset:1")
    with pytest.raises(requests.ConnectionError):
        _status(api, request_id)
    assert api.sandbox.stats()["faults_injected"] == {"status_reset": 1}


def test_status_faults_spare_the_writes(api: Api) -> None:
    api.sandbox.reconfigure(faults="status500:1", async_delay=0.0)
    assert async_call(api, CAPTURE, json=capture_body(LEAD)).status_code == 200


def test_applied500_on_async_capture_queues_the_request(sandbox_factory: Any) -> None:
    api = Api(sandbox_factory(faults="applied500:1", async_delay=0.0))
    reply = async_call(api, CAPTURE, json=capture_body(LEAD))
    assert reply.status_code in (500, 502)
    assert "RequestID" not in reply.json()
    stats = api.sandbox.stats()  # processes the due request
    assert stats["total_opportunities"] == 1
    assert stats["faults_injected"] == {"applied500": 1}


def test_polls_count_towards_the_rate_limit(sandbox_factory: Any) -> None:
    api = Api(sandbox_factory(rate="3/5s", async_delay="1000s"))
    request_id = _submit(api)
    codes = [_status(api, request_id).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    stats = api.sandbox.stats()
    assert stats["calls"]["async/status"] == 3
    assert stats["max_calls_in_window"] == 4
    assert stats["http_429"] == 1
