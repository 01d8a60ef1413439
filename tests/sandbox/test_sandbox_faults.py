"""Every fault, its effect on what was written, and replay under a seed."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from importer.sandbox.testing import RunningSandbox
from tests.sandbox.sandbox_helpers import LEAD, SVC, Api, bulk_item, capture_body


def _faulty(sandbox_factory: Any, kind: str, **options: Any) -> Api:
    return Api(sandbox_factory(faults=f"{kind}:1", **options))


def _written(api: Api) -> int:
    return int(api.sandbox.stats()["total_opportunities"])


def test_500_writes_nothing(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "500")
    reply = api.bulk([bulk_item()])
    assert reply.status_code == 500
    assert reply.json()["Status"] == "Error"
    assert reply.json()["ExceptionType"].startswith("MX")
    assert _written(api) == 0
    assert api.sandbox.stats()["faults_injected"] == {"500": 1}


def test_reset_drops_the_connection_before_writing(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "reset")
    with pytest.raises(requests.ConnectionError):
        api.bulk([bulk_item()])
    assert _written(api) == 0
    assert api.sandbox.stats()["faults_injected"] == {"reset": 1}


def test_ambiguous_writes_then_never_answers(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "ambiguous", ambiguous_delay=0.3)
    with pytest.raises((requests.ConnectionError, requests.Timeout)):
        api.session.post(api.sandbox.url + SVC + "/Capture", json=capture_body(LEAD), timeout=5)
    assert _written(api) == 1


def test_ambiguous_reply_outlasts_a_short_client_timeout(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "ambiguous", ambiguous_delay=2.0)
    with pytest.raises(requests.Timeout):
        api.session.post(api.sandbox.url + SVC + "/Capture", json=capture_body(LEAD), timeout=0.2)
    assert _written(api) == 1


def test_surprise_429_under_the_limit_writes_nothing(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "surprise429")
    reply = api.bulk([bulk_item()])
    assert reply.status_code == 429
    assert "API calls exceeded the limit" in reply.json()["ExceptionMessage"]
    assert _written(api) == 0
    assert api.sandbox.stats()["http_429"] == 0  # not the limiter's doing


def test_surprise_rate_answer_uses_the_rate_status(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "surprise429", rate_status=403)
    assert api.bulk([bulk_item()]).status_code == 403


def test_badjson_writes_and_cuts_the_reply(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "badjson")
    reply = api.bulk([bulk_item()])
    assert reply.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        reply.json()
    assert _written(api) == 1


def test_partial_capture_is_status_2(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "partial")
    body = api.capture(capture_body(LEAD)).json()
    assert body["Status"] == 2
    assert body["CreatedOpportunityId"]
    assert _written(api) == 1


def test_faults_spare_read_endpoints(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "500")
    assert api.get(SVC + "/GetOpportunityTypes").status_code == 200
    assert api.sandbox.stats()["faults_injected"] == {}


def _outcomes(running: RunningSandbox, calls: int = 30) -> list[int]:
    api = Api(running)
    return [
        api.bulk([bulk_item(LEAD, mx_Custom_1=f"enquiry {n}")]).status_code for n in range(calls)
    ]


def test_same_seed_same_faults(sandbox_factory: Any) -> None:
    options = {"faults": "500:0.3,surprise429:0.2", "rate": "1000/5s"}
    first = _outcomes(sandbox_factory(seed=3, **options))
    assert set(first) == {200, 429, 500}
    assert _outcomes(sandbox_factory(seed=3, **options)) == first
    assert _outcomes(sandbox_factory(seed=4, **options)) != first


def test_reset_replays_the_same_faults(sandbox: RunningSandbox) -> None:
    sandbox.reconfigure(faults="500:0.5", rate="1000/5s", seed=11)
    first = _outcomes(sandbox, 12)
    sandbox.reset()
    assert _outcomes(sandbox, 12) == first


def test_reconfigure_turns_faults_off(sandbox: RunningSandbox) -> None:
    sandbox.reconfigure(faults="500:1")
    assert _outcomes(sandbox, 1) == [500]
    sandbox.reconfigure(faults=None)
    assert _outcomes(sandbox, 1) == [200]


def test_applied500_writes_then_answers_a_server_error(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "applied500")
    reply = api.bulk([bulk_item()])
    assert reply.status_code in (500, 502)
    assert reply.json()["Status"] == "Error"
    assert reply.json()["ExceptionType"].startswith("MX")
    assert _written(api) == 1
    assert api.sandbox.stats()["faults_injected"] == {"applied500": 1}


def test_applied500_and_500_bodies_cannot_be_told_apart(sandbox_factory: Any) -> None:
    before = _faulty(sandbox_factory, "500").bulk([bulk_item()]).json()
    after = _faulty(sandbox_factory, "applied500", seed=0).capture(capture_body(LEAD)).json()
    assert before == after


def test_applied500_status_is_a_seeded_choice_of_500_and_502(sandbox_factory: Any) -> None:
    options = {"faults": "applied500:1", "rate": "1000/5s", "duplicate_detection": False}
    first = _outcomes(sandbox_factory(seed=5, **options), 20)
    assert set(first) == {500, 502}
    assert _outcomes(sandbox_factory(seed=5, **options), 20) == first


def test_applied_reset_writes_then_drops_the_connection(sandbox_factory: Any) -> None:
    api = _faulty(sandbox_factory, "applied-reset")
    with pytest.raises(requests.ConnectionError):
        api.capture(capture_body(LEAD))
    assert _written(api) == 1
    assert api.sandbox.stats()["faults_injected"] == {"applied-reset": 1}


def test_a_request_refused_as_a_whole_gets_its_refusal_under_applied500(
    sandbox_factory: Any,
) -> None:
    api = _faulty(sandbox_factory, "applied500")
    reply = api.bulk([bulk_item()], search_by="FirstName")
    assert reply.status_code == 500
    assert "not a unique lead field" in reply.json()["ExceptionMessage"]
    assert _written(api) == 0


def test_old_seeds_draw_the_same_write_faults_when_other_groups_are_added(
    sandbox_factory: Any,
) -> None:
    writes = {"faults": "500:0.3,surprise429:0.2", "rate": "1000/5s"}
    alone = _outcomes(sandbox_factory(seed=3, **writes))
    more = dict(writes, faults=writes["faults"] + ",status500:0.5,async_error:0.5")
    assert _outcomes(sandbox_factory(seed=3, **more)) == alone
