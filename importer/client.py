"""The HTTP client for LeadSquared's v2 API: keys, pacing, retries and what a reply means.

Every call waits for the :class:`~importer.ratelimit.RateLimiter`, then goes out once over a
pooled ``requests.Session`` with the keys in headers (never in the URL). What can come
back, and who deals with it::

    Reply                    2xx with a JSON body: the endpoint method returns its data
    ClientError              one request's outcome for the sender; the run goes on
    ├── RequestRejected      the server said no to this request's data: HTTP 400, any
    │                        other 4xx, or a 5xx whose body is an MX… validation error
    │                        (not a system error). Never retried: the sender turns it
    │                        into row outcomes or bisects a bulk request.
    └── Ambiguous            a *write* was sent and may have been applied: read timeout,
                             connection reset after sending, a truncated or malformed
                             reply. Never retried here: the sender reconciles first.
    LsqImportError           (importer.errors) the run stops, exit 3
    ├── AuthError            HTTP 401: wrong keys, or keys of another region's host
    └── RetriesExhausted     transient failures outlived RetryPolicy.attempts, or the
                             rate limit kept answering after RetryPolicy.max_throttles
    ConfigError              (exit 2) the host answered with a redirect

Handled inside, never seen by the caller:

    transient                connect errors (nothing was sent), HTTP 502/503, a 500
                             that is not an MX validation error, and for *reads* also
                             HTTP 504 (a 504 to a write is Ambiguous) and
                             everything Ambiguous → backoff with full jitter, then retry
    rate limited             HTTP 429, or 403 "API calls exceeded the limit" →
                             limiter.throttled() (pauses every worker), then retry

Secrets: keys are only in session headers; every message built here passes through
:meth:`Settings.scrub`, and library exceptions are not chained (their text and request
objects carry URLs and headers).
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from importer import __version__
from importer.config import Settings
from importer.errors import AuthError, ConfigError, RetriesExhausted
from importer.ratelimit import RateLimiter
from importer.retry import (
    Ambiguous,
    ClientError,
    RequestRejected,
    RetryPolicy,
    TryAgain,
    describe,
    exception_of,
    is_validation_error,
    nothing_sent,
)

__all__ = ["Ambiguous", "ClientError", "LsqClient", "Reply", "RequestRejected", "RetryPolicy"]

log = logging.getLogger(__name__)

OPPORTUNITY = "/v2/OpportunityManagement.svc"
LEAD = "/v2/LeadManagement.svc"
_LIMIT_TEXT = re.compile(r"exceeded the limit|too many requests|RateLimitExceeded", re.I)


@dataclass(frozen=True)
class Reply:
    """A 2xx answer: the status, the parsed JSON (None if there was no body) and the text."""

    status: int
    body: Any
    text: str


class LsqClient:
    """LeadSquared's endpoints the importer uses. Thread-safe; use one per run."""

    def __init__(
        self,
        settings: Settings,
        limiter: RateLimiter,
        *,
        pool_size: int = 32,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so sharing is safe
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.limiter = limiter
        self.retry = retry
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._session = _session(settings, pool_size)

    def __repr__(self) -> str:
        return f"LsqClient({self.settings!r})"

    # -- endpoints -------------------------------------------------------------------

    def bulk_add(self, search_by: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add Opportunities in Bulk (≤ 25 items): the reply's ``Response`` list, as sent
        back (match items by ``RowNumber``, never by position)."""
        path = f"{OPPORTUNITY}/Bulk/Add/ByLeadField"
        reply = self.request("POST", path, params={"SearchBy": search_by}, body=items, write=True)
        response = reply.body.get("Response") if isinstance(reply.body, dict) else None
        if not isinstance(response, list):
            raise Ambiguous("the bulk reply had no Response list")
        return response

    def capture(self, body: dict[str, Any]) -> dict[str, Any]:
        """Capture Opportunities (sync): the reply as is; ``Status`` 1 is a value, not an error."""
        reply = self.request("POST", f"{OPPORTUNITY}/Capture", body=body, write=True)
        if not isinstance(reply.body, dict):
            raise Ambiguous("the capture reply was not a JSON object")
        return reply.body

    def opportunities_of_lead(self, lead_id: str, event_code: int) -> list[dict[str, Any]]:
        """The lead's opportunities of one type (for reconciling an ambiguous send)."""
        params: dict[str, str | int] = {"leadId": lead_id, "opportunityType": event_code}
        reply = self.request(
            "POST", f"{OPPORTUNITY}/GetOpportunitiesOfLead", params=params, body={}
        )
        return _items(reply.body)

    def opportunities_by_unique_field(
        self, search_by: str, value: str, event_code: int
    ) -> list[dict[str, Any]]:
        """Opportunities of one type on the lead whose unique field ``search_by`` is ``value``."""
        body = {"SearchBy": search_by, "SearchByValue": value, "OpportunityEventCode": event_code}
        reply = self.request("POST", f"{OPPORTUNITY}/GetOpportunitiesByUniqueLeadField", body=body)
        return _items(reply.body)

    def opportunity_types(self) -> list[dict[str, Any]]:
        return _items(self.request("GET", f"{OPPORTUNITY}/GetOpportunityTypes").body)

    def opportunity_type_metadata(self, code: int) -> dict[str, Any]:
        path = f"{OPPORTUNITY}/GetOpportunityTypeMetadata"
        reply = self.request("GET", path, params={"code": code})
        return reply.body if isinstance(reply.body, dict) else {}

    def leads_metadata(self) -> list[dict[str, Any]]:
        return _items(self.request("GET", f"{LEAD}/LeadsMetaData.Get").body)

    # -- the one way out -------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
        write: bool = False,
    ) -> Reply:
        """Send one call, paced and retried as the module docstring says.

        ``write=True`` marks a call that changes data: an unclear outcome then raises
        :class:`Ambiguous` instead of being retried.
        """
        failures = throttles = 0
        while True:
            self.limiter.acquire()
            outcome = self._try_once(method, path, params, body, write)
            if isinstance(outcome, Reply):
                return outcome
            if outcome.throttle:
                log.info("%s: the account's rate limit was hit; pausing all requests", path)
                throttles += 1
                if throttles > self.retry.max_throttles:
                    raise self._exhausted(path, outcome, throttles)
                self.limiter.throttled()
                continue
            failures += 1
            if failures >= self.retry.attempts:
                raise self._exhausted(path, outcome, failures)
            self._sleep(self.retry.backoff(failures, self._rng.random()))

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> LsqClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- one try ---------------------------------------------------------------------

    def _try_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        body: Any,
        write: bool,
    ) -> Reply | TryAgain:
        started = time.monotonic()
        try:
            response = self._session.request(
                method,
                self.settings.host + path,
                params=params,
                json=body,
                timeout=(self.settings.connect_timeout, self.settings.timeout),
                allow_redirects=False,  # a redirect would carry the key headers elsewhere
            )
        except requests.RequestException as exc:
            return self._failed_send(exc, write)
        log.debug("%s %s -> %s in %.2fs", method, path, response.status_code, _since(started))
        return self._judge(response, write)

    def _failed_send(self, exc: requests.RequestException, write: bool) -> TryAgain:
        """No HTTP answer: retry if nothing can have reached the server, or for a read."""
        reason = self.settings.scrub(describe(exc))
        log.debug("request failed: %s", reason)
        if nothing_sent(exc) or not write:
            return TryAgain(reason)
        raise Ambiguous(reason) from None

    def _judge(self, response: requests.Response, write: bool) -> Reply | TryAgain:
        status, text = response.status_code, response.text
        body = _json(text)
        if 200 <= status < 300:
            if body is _MALFORMED or (body is None and write):
                return self._unclear("the reply was not complete JSON", write)
            return Reply(status, body, text)
        if status == 401:
            raise AuthError(
                "LeadSquared refused the API keys (HTTP 401). Check LSQ_ACCESS_KEY and "
                "LSQ_SECRET_KEY, and that LSQ_HOST is the host shown next to the keys in "
                f"LeadSquared (your account's region); the host used was {self.settings.host}."
            )
        if status == 429 or (status in (403, 500) and _LIMIT_TEXT.search(text)):
            return TryAgain(f"HTTP {status} rate limit exceeded", throttle=True)
        if 300 <= status < 400:
            raise ConfigError(
                f"{self.settings.host} answered with a redirect (HTTP {status}); set LSQ_HOST "
                "to the API host shown next to the keys in LeadSquared."
            )
        kind, message = exception_of(body, text)
        if status < 500 or is_validation_error(kind):
            raise RequestRejected(status, kind, self.settings.scrub(message))
        if status == 504:
            # A gateway gave up waiting: the server behind it may still have applied a write.
            return self._unclear("HTTP 504 gateway timeout", write)
        return TryAgain(f"HTTP {status}" + (f" {kind}" if kind else ""))

    def _unclear(self, reason: str, write: bool) -> TryAgain:
        if write:
            raise Ambiguous(reason)
        return TryAgain(reason)

    def _exhausted(self, path: str, last: TryAgain, tries: int) -> RetriesExhausted:
        what = "the account's rate limit kept being hit" if last.throttle else last.reason
        return RetriesExhausted(
            f"LeadSquared kept failing on {path.rsplit('.svc/', 1)[-1]} ({what}) after "
            f"{tries} tries. Run the same command again later: it resumes where it stopped."
        )


_MALFORMED = object()  # a body that is there but is not JSON


def _session(settings: Settings, pool_size: int) -> requests.Session:
    session = requests.Session()
    # One pool per host, as big as the sender's worker count so no connection is
    # reopened (a TLS handshake costs more than the call). urllib3 must never retry by
    # itself: it cannot tell a write that may have been applied.
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update(
        {
            "x-LSQ-AccessKey": settings.access_key,
            "x-LSQ-SecretKey": settings.secret_key,
            "Accept": "application/json",
            "User-Agent": f"lsq-import/{__version__}",
        }
    )
    return session


def _json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return _MALFORMED


def _items(body: Any) -> list[dict[str, Any]]:
    """A list reply, bare or wrapped as ``{"RecordCount": n, "List": [...]}``."""
    if isinstance(body, dict):
        body = body.get("List", next((v for v in body.values() if isinstance(v, list)), None))
    return body if isinstance(body, list) else []


def _since(started: float) -> float:
    return time.monotonic() - started
