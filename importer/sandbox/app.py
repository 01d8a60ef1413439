"""The sandbox application, free of HTTP: routes a request through auth, the rate limit,
latency and faults to its endpoint, and keeps the account's state and counters."""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from importer.sandbox import endpoints_async as asyncs
from importer.sandbox import endpoints_read as reads
from importer.sandbox import endpoints_write as writes
from importer.sandbox.account import load_account
from importer.sandbox.endpoints_delete import delete_opportunity
from importer.sandbox.faults import Chaos
from importer.sandbox.noojee_app import Noojee
from importer.sandbox.options import FaultGroup, SandboxOptions, check_options, parse_rate
from importer.sandbox.ratelimit import SlidingWindow
from importer.sandbox.replies import (
    SANDBOX_INTERNAL,
    UNHANDLED,
    ApiError,
    Rejection,
    error_body,
)
from importer.sandbox.request import Request
from importer.sandbox.state import Store
from importer.sandbox.stats import Stats

Handler = Callable[["Sandbox", Request], Any]


@dataclass(frozen=True)
class Route:
    name: str  # the key in stats["calls"]
    handler: Handler
    faults: FaultGroup | None = None  # the group of faults drawn for each call
    api_key: bool = False  # the async API also needs x-api-key


_SVC = "/v2/opportunitymanagement.svc/"
ROUTES: dict[tuple[str, str], Route] = {
    ("POST", _SVC + "bulk/add/byleadfield"): Route(
        "Bulk/Add/ByLeadField", writes.bulk_add, "write"
    ),
    ("POST", _SVC + "capture"): Route("Capture", writes.capture, "write"),
    ("GET", _SVC + "delete"): Route("Delete", delete_opportunity, "write"),
    ("GET", _SVC + "getopportunitytypes"): Route("GetOpportunityTypes", reads.opportunity_types),
    ("GET", _SVC + "getopportunitytypemetadata"): Route(
        "GetOpportunityTypeMetadata", reads.opportunity_type_metadata
    ),
    ("POST", _SVC + "getopportunitiesoflead"): Route(
        "GetOpportunitiesOfLead", reads.opportunities_of_lead
    ),
    ("POST", _SVC + "getopportunitiesbyuniqueleadfield"): Route(
        "GetOpportunitiesByUniqueLeadField", reads.opportunities_by_lead_field
    ),
    ("GET", "/v2/leadmanagement.svc/leadsmetadata.get"): Route(
        "LeadsMetaData.Get", reads.leads_metadata
    ),
    ("GET", "/v2/leadmanagement.svc/leads.getbyemailaddress"): Route(
        "Leads.GetByEmailaddress", reads.lead_by_email
    ),
    ("POST", "/opportunity/capture"): Route(
        "async/capture", asyncs.async_capture, "write", api_key=True
    ),
    ("GET", "/opportunity/status"): Route(
        "async/status", asyncs.capture_status, "status", api_key=True
    ),
    ("GET", "/opportunity/capture/metrics"): Route(
        "async/metrics", asyncs.capture_metrics, api_key=True
    ),
}


# One body for every injected server error, whether or not the write was applied first.
FAULT_ERROR = Rejection(UNHANDLED, "Sandbox fault: the server failed while handling the request.")


@dataclass(frozen=True)
class Reply:
    """What to send. ``drop`` closes the connection without a reply (after ``delay_s``);
    ``cut`` sends the body truncated (malformed JSON)."""

    status: int
    body: Any = None
    drop: bool = False
    cut: bool = False
    delay_s: float = 0.0

    def payload(self) -> bytes:
        data = json.dumps(self.body, separators=(",", ":")).encode()
        return data[: max(1, len(data) // 2)] if self.cut else data


class Sandbox:
    def __init__(self, options: SandboxOptions | None = None) -> None:
        options = options or SandboxOptions()
        check_options(options)
        self._config_lock = threading.Lock()
        self.options = options
        self.account = load_account(options.account)
        self.store = Store(self.account, options.state)
        self.limiter = SlidingWindow(parse_rate(options.rate))
        self.chaos = Chaos(options)
        self.stats = Stats()
        self.jobs = asyncs.AsyncQueue()
        self.noojee = Noojee(options)  # Noojee Contact's endpoints, on the same server

    def configure(self, options: SandboxOptions) -> None:
        """Swap the options at run time; the state survives unless the account changes,
        the rate window unless the rate changes."""
        check_options(options)
        with self._config_lock:
            old, self.options = self.options, options
            if (old.account, old.state) != (options.account, options.state):
                self.account = load_account(options.account)
                self.store.close()
                self.store = Store(self.account, options.state)
            if old.rate != options.rate:
                self.limiter = SlidingWindow(parse_rate(options.rate))
            self.chaos = Chaos(options)
            self.noojee.configure(options)

    def reconfigure(self, **changes: Any) -> None:
        self.configure(dataclasses.replace(self.options, **changes))

    @property
    def duplicate_detection(self) -> bool:
        chosen = self.options.duplicate_detection
        return True if chosen is None else chosen

    def reset(self) -> None:
        """Back to the account as loaded: no opportunities, counters, window or jobs."""
        self.store.reset()
        self.stats.clear()
        self.jobs.clear()
        self.limiter = SlidingWindow(parse_rate(self.options.rate))
        self.chaos = Chaos(self.options)
        self.noojee.reset()

    def snapshot(self) -> dict[str, Any]:
        """``GET /_sandbox/stats``: calls (per endpoint), calls_total, http_429 (limiter
        refusals; surprise ones count under faults_injected), http_401,
        http_413, max_calls_in_window (every attempt counted, refused or not, async
        status polls included), rate_limit, opportunities_per_lead (keyed by the lead's
        email, else its first unique value), total_opportunities, orphaned_opportunities
        (seed 000), opportunities_deleted, duplicates_created (must stay 0 for
        exactly-once), duplicates_blocked, faults_injected (by kind), leads,
        leads_created (by Capture), async_pending; noojee (see noojee_app)."""
        asyncs.process_due(self)
        rate = self.limiter.rate
        return {
            **self.stats.snapshot(),
            "max_calls_in_window": self.limiter.max_seen,
            "rate_limit": {"calls": rate.calls, "window_s": rate.window_s},
            "opportunities_per_lead": self.store.opportunities_per_lead(),
            **self.store.counts(),
            "async_pending": len(self.jobs.pending()),
            "noojee": self.noojee.snapshot(),
        }

    def handle(self, req: Request) -> Reply:
        """Never raises: an error inside the sandbox becomes a 500, the server lives on."""
        try:
            asyncs.process_due(self)
            return self._dispatch(req)
        except ApiError as exc:
            return Reply(exc.status, error_body(exc.rejection))
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            message = f"Sandbox internal error: {type(exc).__name__}: {exc}"
            return Reply(500, error_body(Rejection(SANDBOX_INTERNAL, message)))

    def _dispatch(self, req: Request) -> Reply:
        path = req.path.rstrip("/").lower()
        if path == "/_sandbox/stats" and req.method == "GET":
            return Reply(200, self.snapshot())
        if path == "/_sandbox/reset" and req.method == "POST":
            self.reset()
            return Reply(200, {"Status": "Success"})
        if path == "/_sandbox/opportunity" and req.method == "GET":
            oid = req.param("Id") or ""
            return Reply(200, {"Id": oid, "State": self.store.opportunity_state(oid)})
        if self.noojee.serves(path):  # its own key, queue and faults; no LSQ rate limit
            answer = self.noojee.handle(path, req, self.chaos.delay)
            return Reply(answer.status, answer.body, drop=answer.drop, delay_s=answer.delay_s)
        route = ROUTES.get((req.method, path))
        if route is None:
            return Reply(404, error_body(Rejection("MXNotFoundException", "No such API.")))
        self.stats.call(route.name)
        if req.too_large:  # refused at the door, as a gateway would: no auth, no window
            self.stats.event("http_413")
            limit = self.options.max_body_bytes
            message = f"The request body is larger than {limit} bytes."
            return Reply(413, error_body(Rejection("MXRequestEntityTooLargeException", message)))
        if not self._authorised(req, route):
            self.stats.event("http_401")
            rejection = Rejection("MXUnAuthorizedAccessException", "Invalid access credentials.")
            return Reply(401, error_body(rejection))
        if not self.limiter.admit():
            self.stats.event("http_429")
            return self._rate_reply()
        time.sleep(self.chaos.delay())
        return self._run(route, req)

    def _authorised(self, req: Request, route: Route) -> bool:
        keys = self.account.keys

        def given(header: str, query: str) -> str | None:
            return req.headers.get(header) or req.param(query)

        ok = given("x-lsq-accesskey", "accessKey") == keys.access_key
        ok = ok and given("x-lsq-secretkey", "secretKey") == keys.secret_key
        return ok and (not route.api_key or req.headers.get("x-api-key") == keys.api_key)

    def _rate_reply(self) -> Reply:
        rejection = Rejection("MXAPIRateLimitExceededException", self.limiter.message())
        return Reply(self.options.rate_status, error_body(rejection))

    def _run(self, route: Route, req: Request) -> Reply:
        """The endpoint's reply, or what a fault (see ``faults``) makes of it."""
        fault = self.chaos.draw_fault(route.faults) if route.faults else None
        if fault == "partial" and route.name != "Capture":
            fault = None  # only Capture has a secondary action that can fail
        if fault:
            self.stats.fault(fault)
        if fault in ("reset", "status_reset"):
            return Reply(0, drop=True)
        if fault in ("500", "status500"):
            return Reply(500, error_body(FAULT_ERROR))
        if fault == "surprise429":
            return self._rate_reply()
        if fault == "partial":
            req = dataclasses.replace(req, partial=True)
        reply = Reply(200, route.handler(self, req))  # applied from here on
        if fault == "ambiguous":
            return Reply(0, drop=True, delay_s=self.options.ambiguous_delay)
        if fault == "applied-reset":
            return Reply(0, drop=True)
        if fault == "applied500":
            return Reply(self.chaos.applied_status(), error_body(FAULT_ERROR))
        return dataclasses.replace(reply, cut=fault == "badjson")
