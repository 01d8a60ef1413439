"""The HTTP client for LeadSquared's v2 API: keys, pacing and retries (HTTP only).

Every call waits for the :class:`~importer.send.ratelimit.RateLimiter`, then goes out once
over a pooled ``requests.Session`` with the keys in headers (never in the URL).
:mod:`importer.send.classify` says what each answer means; this module retries what it
says to retry (backoff with full jitter; a rate-limit answer pauses every worker through
the limiter) and raises the rest (see the tree in :mod:`importer.errors`).

Secrets: keys are only in session headers; every message built here passes through
:meth:`Settings.scrub`, and library exceptions are not chained (their text and request
objects carry URLs and headers).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from importer import __version__
from importer.errors import Ambiguous, RetriesExhausted
from importer.model import JsonDict
from importer.send.classify import Reply, TryAgain, judge_failed_send, judge_response
from importer.send.ratelimit import RateLimiter
from importer.send.retry import RetryPolicy
from importer.settings import Settings

log = logging.getLogger(__name__)

OPPORTUNITY = "/v2/OpportunityManagement.svc"
LEAD = "/v2/LeadManagement.svc"


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

    def bulk_add(self, search_by: str, items: list[JsonDict]) -> list[JsonDict]:
        """Add Opportunities in Bulk (≤ 25 items): the reply's ``Response`` list, as sent
        back (match items by ``RowNumber``, never by position)."""
        path = f"{OPPORTUNITY}/Bulk/Add/ByLeadField"
        reply = self.request("POST", path, params={"SearchBy": search_by}, body=items, write=True)
        response = reply.body.get("Response") if isinstance(reply.body, dict) else None
        if not isinstance(response, list):
            raise Ambiguous("the bulk reply had no Response list")
        return response

    def capture(self, body: JsonDict) -> JsonDict:
        """Capture Opportunities (sync): the reply as is; ``Status`` 1 is a value, not an error."""
        reply = self.request("POST", f"{OPPORTUNITY}/Capture", body=body, write=True)
        if not isinstance(reply.body, dict):
            raise Ambiguous("the capture reply was not a JSON object")
        return reply.body

    def opportunities_of_lead(self, lead_id: str, event_code: int) -> list[JsonDict]:
        """The lead's opportunities of one type (for reconciling an ambiguous send)."""
        params: dict[str, str | int] = {"leadId": lead_id, "opportunityType": event_code}
        reply = self.request(
            "POST", f"{OPPORTUNITY}/GetOpportunitiesOfLead", params=params, body={}
        )
        return _items(reply.body)

    def opportunities_by_unique_field(
        self, search_by: str, value: str, event_code: int
    ) -> list[JsonDict]:
        """Opportunities of one type on the lead whose unique field ``search_by`` is ``value``."""
        body = {"SearchBy": search_by, "SearchByValue": value, "OpportunityEventCode": event_code}
        reply = self.request("POST", f"{OPPORTUNITY}/GetOpportunitiesByUniqueLeadField", body=body)
        return _items(reply.body)

    def opportunity_types(self) -> list[JsonDict]:
        return _items(self.request("GET", f"{OPPORTUNITY}/GetOpportunityTypes").body)

    def opportunity_type_metadata(self, code: int) -> JsonDict:
        path = f"{OPPORTUNITY}/GetOpportunityTypeMetadata"
        reply = self.request("GET", path, params={"code": code})
        return reply.body if isinstance(reply.body, dict) else {}

    def leads_metadata(self) -> list[JsonDict]:
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
            log.debug("%s %s failed after %.2fs", method, path, _since(started))
            return judge_failed_send(exc, write, self.settings)
        log.debug("%s %s -> %s in %.2fs", method, path, response.status_code, _since(started))
        return judge_response(response.status_code, response.text, write, self.settings)

    def _exhausted(self, path: str, last: TryAgain, tries: int) -> RetriesExhausted:
        what = "the account's rate limit kept being hit" if last.throttle else last.reason
        return RetriesExhausted(
            f"LeadSquared kept failing on {path.rsplit('.svc/', 1)[-1]} ({what}) after "
            f"{tries} tries. Run the same command again later: it resumes where it stopped."
        )


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


def _items(body: Any) -> list[JsonDict]:
    """A list reply, bare or wrapped as ``{"RecordCount": n, "List": [...]}``."""
    if isinstance(body, dict):
        body = body.get("List", next((v for v in body.values() if isinstance(v, list)), None))
    return body if isinstance(body, list) else []


def _since(started: float) -> float:
    return time.monotonic() - started
