"""The HTTP client against the LeadSquared sandbox: real endpoints, the account's rate
limit (429 and the 403 variant) and every fault the sandbox injects into writes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from importer.errors import Ambiguous, AuthError, RequestRejected
from importer.sandbox.testing import RunningSandbox
from importer.send.ratelimit import RateLimiter
from importer.send.recognise import is_lead_missing
from importer.send.retry import RetryPolicy
from importer.send.transport import LsqClient
from importer.settings import DEFAULT_RATE, Rate, Settings, load_settings

Factory = Callable[..., RunningSandbox]
FAST = RetryPolicy(attempts=3, base=0.0, cap=0.0, max_throttles=50)
COURSE = 12000
EMAIL = "sandbox.lead@example.com"


def client_for(box: RunningSandbox, rate: Rate = DEFAULT_RATE, **changes: Any) -> LsqClient:
    settings = load_settings(environ=box.env(), **changes)
    return LsqClient(settings, RateLimiter(rate, margin=0.05), retry=FAST, pool_size=4)


@pytest.fixture
def lsq(sandbox: RunningSandbox) -> Iterator[LsqClient]:
    with client_for(sandbox) as client:
        yield client


def item(email: str = EMAIL, course: str = "MBA", campus: str = "Pune") -> dict[str, Any]:
    fields = {
        "Status": "Open",
        "mx_Custom_19": "first call",
        "mx_Custom_1": f"{course} enquiry",
        "mx_Custom_3": course,
        "mx_Custom_4": campus,
    }
    return {
        "SearchByValue": email,
        "OpportunityEventCode": COURSE,
        "Fields": [{"SchemaName": k, "Value": v} for k, v in fields.items()],
    }


def test_metadata_endpoints(lsq: LsqClient) -> None:
    assert COURSE in [t["EventCode"] for t in lsq.opportunity_types()]
    schemas = [f["SchemaName"] for f in lsq.opportunity_type_metadata(COURSE)["Fields"]]
    assert "mx_Custom_19" in schemas
    assert "EmailAddress" in [f["SchemaName"] for f in lsq.leads_metadata()]


def test_bulk_add_then_find_the_opportunity_both_ways(
    lsq: LsqClient, sandbox: RunningSandbox
) -> None:
    [created] = lsq.bulk_add("EmailAddress", [item()])
    assert created["OpportunityCreated"] is True
    found = lsq.opportunities_by_unique_field("EmailAddress", EMAIL, ["mx_Custom_3"])
    assert [o["OpportunityId"] for o in found] == [created["ProspectOpportunityId"]]
    assert found[0]["OpportunityEvent"] == str(COURSE)
    assert found[0]["mx_Custom_3"] == "MBA"
    with pytest.raises(RequestRejected) as missing:
        lsq.opportunities_by_unique_field("EmailAddress", "nobody@example.com")
    assert is_lead_missing(missing.value.exception_type, missing.value.message)
    assert sandbox.stats()["total_opportunities"] == 1


def test_a_look_up_reads_every_page(lsq: LsqClient, sandbox: RunningSandbox) -> None:
    """The sandbox gives at most 50 a page: 60 opportunities take two calls, all read."""
    courses = ("MBA", "BBA", "B.Tech Computer Science", "M.Sc Data Science", "B.Sc Nursing")
    campuses = ("Mumbai", "Pune", "Bengaluru", "Hyderabad", "Online")
    sandbox.reconfigure(duplicate_detection=False)
    for n in range(60):
        course, campus = courses[n % 5], campuses[n // 5 % 5]
        lsq.bulk_add("EmailAddress", [item(course=course, campus=campus)])
    calls = sandbox.stats()["calls"].get("GetOpportunitiesByUniqueLeadField", 0)
    found = lsq.opportunities_by_unique_field("EmailAddress", EMAIL)
    assert len(found) == 60
    assert len({o["OpportunityId"] for o in found}) == 60
    assert sandbox.stats()["calls"]["GetOpportunitiesByUniqueLeadField"] - calls == 2


def test_bulk_replies_come_back_as_sent_even_shuffled(sandbox_factory: Factory) -> None:
    box = sandbox_factory(shuffle=True, seed=3)
    items = [item(course=c) for c in ("MBA", "BBA", "B.Sc Nursing", "M.Sc Data Science")]
    items.append(item(email="missing@example.com"))
    with client_for(box) as client:
        replies = client.bulk_add("EmailAddress", items)
    assert sorted(r["RowNumber"] for r in replies) == [1, 2, 3, 4, 5]
    assert [r["RowNumber"] for r in replies] != [1, 2, 3, 4, 5]  # seed 3 does shuffle
    missing = next(r for r in replies if r["RowNumber"] == 5)
    assert missing["OpportunityCreated"] is False


def test_capture_returns_the_reply_as_a_value(lsq: LsqClient) -> None:
    body = {
        "LeadDetails": [
            {"Attribute": "EmailAddress", "Value": "new.person@example.com"},
            {"Attribute": "SearchBy", "Value": "EmailAddress"},
        ],
        "Opportunity": {"OpportunityEventCode": COURSE, "Fields": item()["Fields"]},
    }
    reply = lsq.capture(body)
    assert reply["Status"] == 0
    assert reply["CreatedOpportunityId"]


def test_a_request_refused_as_a_whole_is_rejected(lsq: LsqClient) -> None:
    with pytest.raises(RequestRejected) as caught:
        lsq.bulk_add("FirstName", [item()])  # not a unique field
    assert caught.value.exception_type == "MXInvalidInputException"
    assert "FirstName" in caught.value.message


def test_wrong_keys_stop_the_run(sandbox: RunningSandbox) -> None:
    with (
        client_for(sandbox, access_key="u$someone-else-1234") as client,
        pytest.raises(AuthError, match="LSQ_HOST"),
    ):
        client.opportunity_types()
    assert sandbox.stats()["http_401"] == 1


def test_the_limiter_keeps_under_the_sandbox_limit(sandbox_factory: Factory) -> None:
    box = sandbox_factory(rate="4/500ms")
    with client_for(box, Rate(4, 0.5)) as client:
        for _ in range(12):
            client.opportunity_types()
    stats = box.stats()
    assert stats["http_429"] == 0
    assert stats["max_calls_in_window"] <= 4


@pytest.mark.parametrize("status", [429, 403])
def test_a_limit_lower_than_configured_is_survived(sandbox_factory: Factory, status: int) -> None:
    box = sandbox_factory(rate="2/300ms", rate_status=status)
    with client_for(box, Rate(10, 0.3)) as client:  # we believe 10, the plan allows 2
        for _ in range(8):
            client.opportunity_types()
        assert client.limiter.throttle_count > 0
        assert client.limiter.allowed < 10
    assert box.stats()["http_429"] > 0
    assert box.stats()["calls"]["GetOpportunityTypes"] >= 8


@pytest.mark.parametrize(("fault", "applied"), [("500", 0), ("applied500", 1)])
def test_a_5xx_to_a_write_is_never_retried_whether_or_not_it_was_applied(
    sandbox_factory: Factory, fault: str, applied: int
) -> None:
    """Issue: a 500 after an applied write was retried blindly (50 rows -> 100)."""
    box = sandbox_factory(faults=f"{fault}:1.0")
    with client_for(box) as client, pytest.raises(Ambiguous):
        client.bulk_add("EmailAddress", [item()])
    assert box.stats()["calls"]["Bulk/Add/ByLeadField"] == 1
    assert box.stats()["total_opportunities"] == applied


def test_a_surprise_429_is_retried_until_it_goes_through(sandbox_factory: Factory) -> None:
    box = sandbox_factory(rate="100/200ms", faults="surprise429:0.5", seed=1)
    with client_for(box, Rate(100, 0.2)) as client:
        for course in ("MBA", "BBA", "B.Sc Nursing", "M.Sc Data Science"):
            client.bulk_add("EmailAddress", [item(course=course)])
        throttles = client.limiter.throttle_count
    stats = box.stats()
    assert throttles == stats["faults_injected"]["surprise429"] > 0  # seed 1 draws some
    assert stats["total_opportunities"] == 4


@pytest.mark.parametrize(
    ("fault", "applied"),
    [("ambiguous", 1), ("badjson", 1), ("reset", 0), ("applied-reset", 1)],
)
def test_an_unclear_write_is_sent_once_and_reported_ambiguous(
    sandbox_factory: Factory, fault: str, applied: int
) -> None:
    box = sandbox_factory(faults=f"{fault}:1.0", ambiguous_delay=0.1)
    with client_for(box) as client, pytest.raises(Ambiguous):
        client.bulk_add("EmailAddress", [item()])
    stats = box.stats()
    assert stats["calls"]["Bulk/Add/ByLeadField"] == 1
    assert stats["total_opportunities"] == applied  # why the sender must reconcile


def test_settings_for_the_sandbox_are_accepted(sandbox: RunningSandbox) -> None:
    settings = load_settings(environ=sandbox.env())
    assert settings == Settings(
        sandbox.url, sandbox.access_key, sandbox.secret_key, api_key=sandbox.api_key
    )
    assert sandbox.secret_key not in repr(settings)


@pytest.mark.parametrize(("configured", "plan"), [(5, 5), (12, 3)])
def test_many_threads_share_the_limit(sandbox_factory: Factory, configured: int, plan: int) -> None:
    """Workers in parallel: at the right rate nothing is refused; above the plan's rate
    the 429s are absorbed and every call still gets through."""
    box = sandbox_factory(rate=f"{plan}/300ms")
    errors: list[BaseException] = []
    with client_for(box, Rate(configured, 0.3)) as client:

        def worker() -> None:
            try:
                for _ in range(5):
                    client.opportunity_types()
            except BaseException as exc:  # handed to the test thread
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    stats = box.stats()
    assert errors == []
    assert stats["calls"]["GetOpportunityTypes"] == 30 + stats["http_429"]
    if configured == plan:
        assert stats["http_429"] == 0
        assert stats["max_calls_in_window"] <= plan
