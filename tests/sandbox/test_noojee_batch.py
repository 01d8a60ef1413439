"""Contract: the three batch modes (Noojee documents none) over real HTTP: what the reply
says and what was applied when one lead of a request is bad."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.noojee_helpers import DNC_NUMBER, Dialer, new_lead, reply

# Lead 3 of 4 is on the DNC list.
BATCH = [new_lead(1), new_lead(2), new_lead(3, MobilePhone=DNC_NUMBER), new_lead(4)]


def _applied(dialer: Dialer) -> list[str]:
    return [f"T-{n:04d}" for n in range(1, 5) if dialer.lead(f"T-{n:04d}")]


def test_all_or_nothing_refuses_the_whole_request(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory())
    assert dialer.sandbox.options.noojee_batch == "all_or_nothing"  # the default
    response = dialer.insert(BATCH)
    assert reply(response) == (400, 104, "DNC")
    assert "leads" not in response.json()
    assert _applied(dialer) == []
    assert dialer.stats()["leads_created"] == 0


def test_all_or_nothing_gives_the_first_bad_leads_code(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory())
    leads = [new_lead(1), new_lead(2, Campus="<NO CHANGE>"), new_lead(3, MobilePhone=DNC_NUMBER)]
    assert reply(dialer.insert(leads))[1] == 108


def test_all_or_nothing_sees_duplicates_inside_one_request(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory())
    twins = [new_lead(1), new_lead(2, MobilePhone=new_lead(1)["MobilePhone"])]
    assert reply(dialer.insert(twins))[1] == 105
    assert _applied(dialer) == []
    assert reply(dialer.insert(twins, allowDuplicates="true"))[1] == 0
    assert dialer.stats()["duplicates_created"] == 1


def test_until_first_bad_applies_the_leads_before_it(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_batch="until_first_bad"))
    assert reply(dialer.insert(BATCH)) == (400, 104, "DNC")
    assert _applied(dialer) == ["T-0001", "T-0002"]
    # Resending the whole request: the leads that landed now answer 112.
    assert reply(dialer.insert(BATCH))[1] == 112
    assert dialer.stats()["duplicates_created"] == 0


def test_per_lead_gives_every_lead_its_code_and_applies_the_good_ones(
    sandbox_factory: Any,
) -> None:
    dialer = Dialer(sandbox_factory(noojee_batch="per_lead"))
    response = dialer.insert(BATCH)
    assert reply(response) == (400, 104, "DNC")
    assert response.json()["leads"] == [
        {"code": 0, "message": "OK"},
        {"code": 0, "message": "OK"},
        {"code": 104, "message": "DNC"},
        {"code": 0, "message": "OK"},
    ]
    assert _applied(dialer) == ["T-0001", "T-0002", "T-0004"]


def test_per_lead_reply_of_good_leads_is_200(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_batch="per_lead"))
    response = dialer.insert([new_lead(1), new_lead(2)])
    assert reply(response) == (200, 0, "OK")
    assert [lead["code"] for lead in response.json()["leads"]] == [0, 0]


def test_per_lead_103_keeps_its_detail_and_http_500(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_batch="per_lead"))
    response = dialer.insert([new_lead(1), new_lead(2, njPriority="500")])
    status, code, message = reply(response)
    assert (status, code) == (500, 103)
    assert response.json()["leads"][1]["message"] == message
    assert message.startswith("EXCEPTION: njPriority '500'")
    assert _applied(dialer) == ["T-0001"]


@pytest.mark.parametrize("mode", ["all_or_nothing", "until_first_bad", "per_lead"])
def test_a_good_batch_is_applied_whole_in_every_mode(sandbox_factory: Any, mode: str) -> None:
    dialer = Dialer(sandbox_factory(noojee_batch=mode))
    leads = [new_lead(n) for n in range(1, 26)]
    assert reply(dialer.insert(leads))[:2] == (200, 0)
    assert dialer.stats()["leads_created"] == 25
