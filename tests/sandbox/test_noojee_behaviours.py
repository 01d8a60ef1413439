"""Contract: the Noojee side's queue (109), people editing leads (110), faults, latency,
counters and state, over real HTTP."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from importer.sandbox.app import Sandbox
from importer.sandbox.options import SandboxOptions
from importer.sandbox.request import Request
from importer.sandbox.testing import RunningSandbox, running_sandbox
from tests.sandbox.noojee_helpers import (
    CALL_BACK_LEAD,
    EDITED_LEAD,
    Dialer,
    new_lead,
    reply,
    update_of,
)


def _concurrently(dialer: Dialer, count: int) -> list[int]:
    """Insert ``count`` leads at once, one request each; their codes, sorted."""
    codes: list[int] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        code = reply(dialer.insert([new_lead(n)]))[1]
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(1, count + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(codes)


# --- the queue: 109


def test_a_request_queued_too_long_is_109_and_not_applied(sandbox_factory: Any) -> None:
    # One slot, a 2 s request holding it, a 50 ms queue: the request that arrives while
    # the other is in flight waits 50 ms for the slot and gives up.
    options = {"noojee_max_concurrent": 1, "noojee_queue_s": 0.05, "latency": "2s"}
    dialer = Dialer(sandbox_factory(**options))
    codes: list[int] = []
    first = threading.Thread(target=lambda: codes.append(reply(dialer.insert([new_lead(1)]))[1]))
    first.start()
    while dialer.stats()["in_flight"] == 0:
        time.sleep(0.005)
    codes.append(reply(dialer.insert([new_lead(2)]))[1])
    first.join()
    assert sorted(codes) == [0, 109]
    stats = dialer.stats()
    assert stats["codes"] == {"0": 1, "109": 1}
    assert stats["leads_created"] == 1
    assert stats["max_in_flight"] == 2


def test_queued_requests_wait_their_turn(sandbox_factory: Any) -> None:
    options = {"noojee_max_concurrent": 1, "noojee_queue_s": 60, "latency": "100ms"}
    dialer = Dialer(sandbox_factory(**options))
    assert _concurrently(dialer, 3) == [0, 0, 0]
    assert dialer.stats()["max_in_flight"] == 3


def test_the_109_reply(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_faults="busy:1"))
    assert reply(dialer.insert([new_lead(1)])) == (400, 109, "TIMEOUT_TOO_MANY_CONCURRENT_REQUESTS")
    assert dialer.lead("T-0001") is None
    assert dialer.stats()["faults_injected"] == {"busy": 1}


# --- people editing leads: 110


def test_conflict_fault_answers_110_and_overwrites_nothing(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_conflict=1.0))
    before = dialer.lead(CALL_BACK_LEAD)
    status, code, _ = reply(dialer.update([update_of(CALL_BACK_LEAD, Campus="Pune")]))
    assert (status, code) == (400, 110)
    assert dialer.lead(CALL_BACK_LEAD) == before
    assert dialer.stats()["resends_of_conflicted"] == 0


def test_inserts_never_conflict(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_conflict=1.0))
    assert reply(dialer.insert([new_lead(1)]))[1] == 0


def test_a_lead_found_open_stays_open_and_its_resends_are_counted(sandbox_factory: Any) -> None:
    running = sandbox_factory(noojee_conflict=1.0)
    dialer = Dialer(running)
    change = [update_of(CALL_BACK_LEAD, Campus="Pune")]
    assert reply(dialer.update(change))[1] == 110
    running.reconfigure(noojee_conflict=0.0)  # nobody else opens a lead now
    assert reply(dialer.update(change))[1] == 110  # the person is still there
    assert reply(dialer.update(change))[1] == 110
    assert dialer.stats()["resends_of_conflicted"] == 2


def test_the_account_marks_a_lead_open(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    assert reply(dialer.update([update_of(EDITED_LEAD)]))[1] == 110
    # An insert carrying the same external id is a resend of the conflicted lead too.
    dialer.insert([new_lead(1, njExternalLeadId=EDITED_LEAD)])
    assert dialer.stats()["resends_of_conflicted"] == 1


def test_a_110_for_a_whole_batch_pins_no_lead(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    batch = [update_of(CALL_BACK_LEAD), update_of(EDITED_LEAD)]
    assert reply(dialer.update(batch))[1] == 110
    assert dialer.lead(CALL_BACK_LEAD)["njDisposition"] == "Call Back"  # type: ignore[index]
    # Bisecting is fair: the client could not know which lead conflicted.
    assert reply(dialer.update(batch[:1]))[1] == 0
    assert reply(dialer.update(batch[1:]))[1] == 110
    assert dialer.stats()["resends_of_conflicted"] == 0
    dialer.update(batch[1:])  # ... but now it knows
    assert dialer.stats()["resends_of_conflicted"] == 1


def test_a_per_lead_reply_pins_the_110_on_its_lead(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_batch="per_lead"))
    batch = [update_of(CALL_BACK_LEAD), update_of(EDITED_LEAD)]
    response = dialer.update(batch)
    assert [lead["code"] for lead in response.json()["leads"]] == [0, 110]
    dialer.update(batch[:1])
    assert dialer.stats()["resends_of_conflicted"] == 0
    dialer.update(batch[1:])
    assert dialer.stats()["resends_of_conflicted"] == 1


def test_conflicts_are_seeded(sandbox_factory: Any) -> None:
    def draws() -> list[int]:
        dialer = Dialer(sandbox_factory(noojee_conflict=0.5, seed=7))
        return [reply(dialer.update([update_of(CALL_BACK_LEAD)]))[1] for _ in range(8)]

    first = draws()
    assert first == draws()
    assert 110 in first


# --- faults


def test_applied500_applies_then_answers_103(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_faults="applied500:1"))
    assert reply(dialer.insert([new_lead(1)])) == (500, 103, "EXCEPTION")
    assert dialer.lead("T-0001") is not None
    dialer.sandbox.reconfigure(noojee_faults=None)
    assert reply(dialer.insert([new_lead(1)]))[1] == 112  # the resend proves it landed
    stats = dialer.stats()
    assert stats["faults_injected"] == {"applied500": 1}
    assert stats["duplicates_created"] == 0


def test_applied500_applies_updates_too(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_faults="applied500:1"))
    assert reply(dialer.update([update_of(CALL_BACK_LEAD, Campus="Pune")]))[1] == 103
    assert dialer.lead(CALL_BACK_LEAD)["fields"]["Campus"] == "Pune"  # type: ignore[index]


def test_500_applies_nothing_and_looks_the_same(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_faults="500:1"))
    assert reply(dialer.insert([new_lead(1)])) == (500, 103, "EXCEPTION")
    assert dialer.lead("T-0001") is None


def test_reset_applies_nothing(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_faults="reset:1"))
    with pytest.raises(requests.ConnectionError):
        dialer.insert([new_lead(1)])
    assert dialer.lead("T-0001") is None


def test_ambiguous_applies_then_never_answers(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_faults="ambiguous:1", ambiguous_delay=0.2))
    with pytest.raises((requests.ConnectionError, requests.Timeout)):
        dialer.insert([new_lead(1)])
    assert dialer.lead("T-0001") is not None
    assert dialer.stats()["codes"] == {}


def test_noojee_faults_leave_leadsquared_alone(sandbox_factory: Any) -> None:
    running = sandbox_factory(noojee_faults="500:1")
    headers = running.headers()
    url = running.url + "/v2/OpportunityManagement.svc/GetOpportunityTypes"
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    assert running.stats()["faults_injected"] == {}


def test_latency_is_the_sandbox_s_own_and_drawn_once_per_request() -> None:
    sandbox = Sandbox(SandboxOptions(noojee_faults="busy:0.5"))
    drawn: list[int] = []

    def delay() -> float:
        drawn.append(1)
        return 0.0

    params = {"apikey": sandbox.noojee.account.api_key, "ftemplateid": "3"}
    params |= {"fcampaignid": "7", "fallocationid": "11"}
    path = "/servicemanager/rest/campaignapi/insertleadfast"
    for n in range(6):
        body = f'[{{"MobilePhone": "+91 97000 {n:05d}"}}]'.encode()
        sandbox.noojee.handle(path, Request("POST", path, params, {}, body), delay)
    bad_key = {**params, "apikey": "wrong"}
    sandbox.noojee.handle(path, Request("POST", path, bad_key, {}, b"[]"), delay)
    assert len(drawn) == 6  # every admitted request, whatever its fault; not the 401
    sandbox.noojee.close()
    sandbox.store.close()


# --- counters and state


def test_stats_keys(sandbox: RunningSandbox) -> None:
    stats = requests.get(sandbox.url + "/_sandbox/stats", timeout=10).json()["noojee"]
    assert set(stats) == {
        "calls",
        "calls_total",
        "codes",
        "http_401",
        "leads_created",
        "leads_updated",
        "duplicates_created",
        "duplicates_blocked",
        "resends_of_conflicted",
        "in_flight",
        "max_in_flight",
        "faults_injected",
        "leads",
        "leads_per_campaign",
        "batch_mode",
        "max_concurrent",
    }
    assert stats["leads_per_campaign"] == {"7": 5, "8": 1}
    assert stats["leads"] == 6


def test_leads_endpoint(sandbox: RunningSandbox) -> None:
    leads = requests.get(sandbox.url + "/_sandbox/noojee/leads", timeout=10).json()["leads"]
    assert leads == sandbox.noojee_leads()
    assert leads[0] == {
        "campaign_id": 7,
        "njExternalLeadId": "HZ-DL-0901",
        "njDisposition": "Call Back",
        "fields": {
            "njExternalLeadId": "HZ-DL-0901",
            "FirstName": "Meera",
            "LastName": "Iyer",
            "MobilePhone": "+91 98450 00901",
            "Email": "meera.iyer@example.com",
            "Course": "MBA",
        },
        "origin": "account",
        "editing": False,
    }


def test_state_file_keeps_noojee_leads_across_restarts(tmp_path: Path) -> None:
    options = SandboxOptions(state=tmp_path / "sandbox.sqlite")
    with running_sandbox(options) as running:
        assert reply(Dialer(running).insert([new_lead(1)]))[1] == 0
    with running_sandbox(options) as running:
        dialer = Dialer(running)
        assert dialer.lead("T-0001") is not None
        assert reply(dialer.insert([new_lead(1)]))[1] == 112
        assert dialer.campaign_size() == 6
