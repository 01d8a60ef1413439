"""The HTTP client over real loopback HTTP.

Two servers: a *scripted* one (below) that answers each call with the next canned reply,
to pin down how every kind of answer is classified; and the LeadSquared sandbox
(``importer.sandbox``) for the real endpoints, rate limits and injected faults.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from importer.errors import (
    Ambiguous,
    AuthError,
    ConfigError,
    RequestRejected,
    RetriesExhausted,
    RunRefused,
)
from importer.send.ratelimit import RateLimiter
from importer.send.retry import RetryPolicy
from importer.send.transport import LsqClient
from importer.settings import Rate, Settings

ACCESS = "u$rTESTaccesskey0123456789abcd"
SECRET = "TESTsecretkey0123456789abcdef0123"
FAST = RetryPolicy(attempts=4, base=0.01, cap=0.05, max_throttles=3)


@dataclass
class Canned:
    """One scripted answer. ``action``: "drop" closes the connection without a reply,
    "hang" waits ``hang`` seconds first (longer than the client's read timeout)."""

    status: int = 200
    body: Any = None
    raw: str | None = None
    action: str | None = None
    hang: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class Scripted(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies: list[Canned] = []
        self.seen: list[Seen] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def play(self, *replies: Canned) -> None:
        self.replies = list(replies)

    def next_reply(self) -> Canned:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Scripted

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.server.seen.append(Seen(self.command, self.path, dict(self.headers), body))
        reply = self.server.next_reply()
        if reply.hang:
            time.sleep(reply.hang)
        if reply.action in ("drop", "hang"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        text = reply.raw if reply.raw is not None else json.dumps(reply.body)
        data = text.encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def server() -> Iterator[Scripted]:
    scripted = Scripted()
    thread = threading.Thread(target=scripted.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield scripted
    scripted.shutdown()
    scripted.server_close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def naps() -> list[float]:
    return []


@pytest.fixture
def client(server: Scripted, clock: FakeClock, naps: list[float]) -> Iterator[LsqClient]:
    settings = Settings(server.url, ACCESS, SECRET, timeout=0.2, connect_timeout=0.5)
    limiter = RateLimiter(Rate(25, 5.0), clock=clock, sleep=clock.sleep)
    with LsqClient(settings, limiter, retry=FAST, sleep=naps.append) as lsq:
        yield lsq


def mx(kind: str, message: str) -> dict[str, str]:
    return {"Status": "Error", "ExceptionType": kind, "ExceptionMessage": message}


BULK_OK = {
    "Response": [{"ProspectOpportunityId": "o1", "RowNumber": 1, "OpportunityCreated": True}]
}


# -- what goes out ---------------------------------------------------------------------


def test_keys_travel_in_headers_and_never_in_the_url(server: Scripted, client: LsqClient) -> None:
    server.play(Canned(body=BULK_OK))
    items = [{"SearchByValue": "a@example.com", "OpportunityEventCode": 12000}]
    assert client.bulk_add("EmailAddress", items) == BULK_OK["Response"]
    seen = server.seen[0]
    assert seen.method == "POST"
    assert seen.path == "/v2/OpportunityManagement.svc/Bulk/Add/ByLeadField?SearchBy=EmailAddress"
    assert seen.headers["x-LSQ-AccessKey"] == ACCESS
    assert seen.headers["x-LSQ-SecretKey"] == SECRET
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.body == items
    assert "Key" not in seen.path


def test_every_call_waits_for_the_rate_limiter(server: Scripted, client: LsqClient) -> None:
    server.play(Canned(body=[{"EventCode": 12000}]))
    for _ in range(3):
        client.opportunity_types()
    assert client.limiter.max_in_window == 3


def test_reads_go_to_their_endpoints(server: Scripted, client: LsqClient) -> None:
    server.play(Canned(body={"Fields": []}), Canned(body=[{"SchemaName": "EmailAddress"}]))
    assert client.opportunity_type_metadata(12000) == {"Fields": []}
    assert client.leads_metadata() == [{"SchemaName": "EmailAddress"}]
    paths = [s.path for s in server.seen]
    assert paths == [
        "/v2/OpportunityManagement.svc/GetOpportunityTypeMetadata?code=12000",
        "/v2/LeadManagement.svc/LeadsMetaData.Get",
    ]


def test_a_capture_failure_is_a_value(server: Scripted, client: LsqClient) -> None:
    reply = {"Status": 1, "ExceptionType": "MXDuplicateEntryException", "ExceptionMessage": "x"}
    server.play(Canned(body=reply))
    assert client.capture({"LeadDetails": [], "Opportunity": {}}) == reply


# -- the server says no ------------------------------------------------------------------


def test_401_stops_the_run_and_points_at_keys_and_host(server: Scripted, client: LsqClient) -> None:
    server.play(Canned(401, {"Status": "Error", "ExceptionMessage": f"bad key {ACCESS}"}))
    with pytest.raises(AuthError, match=r"LSQ_ACCESS_KEY.*LSQ_HOST") as caught:
        client.opportunity_types()
    assert caught.value.exit_code == 3
    assert ACCESS not in str(caught.value)
    assert SECRET not in str(caught.value)
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, mx("MXInvalidInputException", "OverwriteFields and UpdateEmptyFields")),
        (500, mx("MXInvalidActivityFieldsException", "Field name : 'mx_Custom_19' ...")),
        (403, {"Status": "Error", "ExceptionMessage": "Not allowed for this user"}),
    ],
)
def test_refusals_of_the_data_are_not_retried(
    server: Scripted, client: LsqClient, status: int, body: dict[str, str]
) -> None:
    server.play(Canned(status, body))
    with pytest.raises(RequestRejected) as caught:
        client.bulk_add("EmailAddress", [{}])
    assert caught.value.status == status
    assert caught.value.exception_type == body.get("ExceptionType")
    assert caught.value.message == body.get("ExceptionMessage", body.get("Message"))
    assert len(server.seen) == 1


@pytest.mark.parametrize("status", [404, 413])
def test_a_refusal_no_row_can_cause_stops_the_run(
    server: Scripted, client: LsqClient, status: int
) -> None:
    """A wrong path (LSQ_HOST with a path) or a body too large is refused alike for every
    request: the run stops (exit 3) instead of failing each row with 'fix this row'."""
    server.play(Canned(status, {"Message": "Endpoint not found"}))
    with pytest.raises(RunRefused, match="no row was at fault") as caught:
        client.bulk_add("EmailAddress", [{}])
    assert caught.value.exit_code == 3
    assert len(server.seen) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_to_a_write_is_ambiguous_never_retried(
    server: Scripted, client: LsqClient, status: int
) -> None:
    """The server may have applied the write before failing: only a look-up may decide."""
    server.play(Canned(status, mx("MXUnhandledException", "Internal error")), Canned(body=BULK_OK))
    with pytest.raises(Ambiguous, match=f"HTTP {status}"):
        client.bulk_add("EmailAddress", [{}])
    assert len(server.seen) == 1


def test_a_redirect_is_a_config_error_and_is_not_followed(
    server: Scripted, client: LsqClient
) -> None:
    server.play(Canned(301, {}, headers={"Location": "https://elsewhere.example/"}))
    with pytest.raises(ConfigError, match="LSQ_HOST"):
        client.opportunity_types()


# -- passing failures --------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        Canned(502, raw="<html>Bad gateway</html>"),
        Canned(503, raw=""),
        Canned(500, mx("MXSandboxInternalException", "Something went wrong")),
        Canned(500, mx("MXUnhandledException", "the server failed before writing")),
        Canned(500, raw="Internal Server Error"),
    ],
)
def test_transient_failures_are_retried_for_reads(
    server: Scripted, client: LsqClient, naps: list[float], failure: Canned
) -> None:
    """A read changes nothing, so a 5xx to it is simply tried again (a write's is not:
    see test_a_5xx_to_a_write_is_ambiguous_never_retried)."""
    server.play(failure, failure, Canned(body=[{"EventCode": "12000"}]))
    assert client.opportunity_types() == [{"EventCode": "12000"}]
    assert len(server.seen) == 3
    assert len(naps) == 2


def test_backoff_grows_with_full_jitter_and_then_gives_up(
    server: Scripted, client: LsqClient, naps: list[float]
) -> None:
    server.play(Canned(503, raw=""))
    with pytest.raises(RetriesExhausted, match=r"GetOpportunityTypes \(HTTP 503\) after 4 tries"):
        client.opportunity_types()
    assert len(server.seen) == FAST.attempts
    ceilings = [min(FAST.cap, FAST.base * 2**i) for i in range(len(naps))]
    assert all(0 <= nap <= ceiling for nap, ceiling in zip(naps, ceilings, strict=True))


def test_backoff_policy_is_exponential_and_capped() -> None:
    policy = RetryPolicy(base=0.5, cap=30.0)
    assert [policy.backoff(n, 1.0) for n in (1, 2, 3, 7, 20)] == [0.5, 1.0, 2.0, 30.0, 30.0]
    assert policy.backoff(3, 0.0) == 0.0
    with pytest.raises(ValueError, match="nonsensical"):
        RetryPolicy(attempts=0)


def test_connection_refused_is_retried_even_for_writes(clock: FakeClock) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(f"http://127.0.0.1:{port}", ACCESS, SECRET, connect_timeout=0.5)
    limiter = RateLimiter(Rate(25, 5.0), clock=clock, sleep=clock.sleep)
    naps: list[float] = []
    with (
        LsqClient(settings, limiter, retry=FAST, sleep=naps.append) as lsq,
        pytest.raises(RetriesExhausted, match="could not connect") as caught,
    ):
        lsq.capture({})
    assert len(naps) == FAST.attempts - 1
    assert caught.value.__cause__ is None  # requests' text (with the URL) is not chained


# -- unclear outcomes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Canned(action="drop"), "connection broke"),
        (Canned(action="hang", hang=0.4), "read timeout"),
        (Canned(raw='{"Response": [{"RowNu'), "not complete JSON"),
        (Canned(raw=""), "not complete JSON"),
        (Canned(body={"Message": "ok"}), "no Response list"),
        (Canned(504, raw="gateway timeout"), "504"),
    ],
)
def test_an_unclear_write_is_ambiguous_and_sent_only_once(
    server: Scripted, client: LsqClient, reply: Canned, reason: str
) -> None:
    server.play(reply, Canned(body=BULK_OK))
    with pytest.raises(Ambiguous, match=reason):
        client.bulk_add("EmailAddress", [{}])
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Canned(action="drop"),
        Canned(action="hang", hang=0.4),
        Canned(raw="[{"),
        Canned(504, raw="gateway timeout"),
    ],
)
def test_an_unclear_read_is_retried(server: Scripted, client: LsqClient, reply: Canned) -> None:
    found = {"RecordCount": 1, "List": [{"OpportunityId": "o1"}]}
    server.play(reply, Canned(body=found))
    assert client.opportunities_by_unique_field("EmailAddress", "a@b.c") == [
        {"OpportunityId": "o1"}
    ]
    assert len(server.seen) == 2


# -- the rate limit ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [(429, "Too Many Requests"), (403, "API calls exceeded the limit of 25 in 5 second(s)")],
)
def test_a_rate_limit_reply_pauses_everyone_and_does_not_use_up_a_try(
    server: Scripted, client: LsqClient, clock: FakeClock, status: int, message: str
) -> None:
    limited = Canned(status, {"Status": "Error", "ExceptionMessage": message})
    server.play(*[limited] * FAST.max_throttles, Canned(body=BULK_OK))
    client.retry = RetryPolicy(attempts=1, max_throttles=FAST.max_throttles)  # no retry left
    assert client.bulk_add("EmailAddress", [{}]) == BULK_OK["Response"]
    assert client.limiter.throttle_count == FAST.max_throttles
    assert client.limiter.allowed < 25
    assert clock.now >= 5.0  # at least one whole window of pause


def test_a_rate_limit_that_never_lifts_ends_the_run(server: Scripted, client: LsqClient) -> None:
    server.play(Canned(429, {"Status": "Error", "ExceptionMessage": "exceeded the limit"}))
    with pytest.raises(RetriesExhausted, match="rate limit"):
        client.opportunity_types()
    assert len(server.seen) == FAST.max_throttles + 1


# -- secrets -----------------------------------------------------------------------------


def test_keys_appear_in_no_message_repr_or_log(
    server: Scripted, client: LsqClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"key {ACCESS} / {SECRET} / u%24rTESTaccesskey0123456789abcd"
    texts = [repr(client), str(client.settings)]
    server.play(
        Canned(400, mx("MXInvalidInputException", echo)),
        Canned(500, raw=echo),
        Canned(action="drop"),
    )
    for _ in range(2):  # a rejection echoing the keys, then a 500 and a broken connection
        with pytest.raises(Exception) as caught:  # noqa: PT011 - any kind; the text matters
            client.capture({})
        texts += [str(caught.value), repr(caught.value)]
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        for secret in (ACCESS, SECRET, "u%24rTEST", "TESTaccess", "TESTsecret"):
            assert secret not in text
