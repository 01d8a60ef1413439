"""The HTTP client for LeadSquared's v2 API: keys, pacing and retries (HTTP only).

Every call waits for the :class:`~importer.send.ratelimit.RateLimiter`, then goes out once
over a pooled ``requests.Session`` with the keys in headers (never in the URL).
:mod:`importer.send.classify` says what each answer means; :func:`importer.send.paced.paced`
retries what it says to retry (backoff with full jitter; a rate-limit answer pauses every
worker through the limiter) and this module raises the rest (see :mod:`importer.errors`).

Secrets: keys are only in session headers; every message built here passes through
:meth:`Settings.scrub`, and library exceptions are not chained (their text and request
objects carry URLs and headers).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from importer import __version__
from importer.errors import Ambiguous, RetriesExhausted
from importer.model import JsonDict
from importer.send.classify import Reply, TryAgain, judge_failed_send, judge_response, parse_json
from importer.send.clock import ServerClock
from importer.send.paced import paced
from importer.send.ratelimit import RateLimiter
from importer.send.retry import RetryPolicy
from importer.settings import Settings

log = logging.getLogger(__name__)

OPPORTUNITY = "/v2/OpportunityManagement.svc"
LEAD = "/v2/LeadManagement.svc"
LOOKUP_PAGE = 50  # opportunities asked for per look-up page (every page is read)
# Columns every look-up asks for besides the identity fields: what tells whose it is.
LOOKUP_COLUMNS = ("CreatedOn", "OpportunityEvent", "RelatedProspectId")
BeforeSend = Callable[[], None]


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
        self.server_clock = ServerClock()
        self.activity = limiter.activity  # what this client and its limiter are doing

    def __repr__(self) -> str:
        return f"LsqClient({self.settings!r})"

    # -- endpoints -------------------------------------------------------------------

    def bulk_add(
        self, search_by: str, items: list[JsonDict], before_send: BeforeSend | None = None
    ) -> list[JsonDict]:
        """Add Opportunities in Bulk (≤ 25 items): the reply's ``Response`` list, as sent
        back (match items by ``RowNumber``, never by position)."""
        path = f"{OPPORTUNITY}/Bulk/Add/ByLeadField"
        params = {"SearchBy": search_by}
        reply = self.request(
            "POST", path, params=params, body=items, write=True, before_send=before_send
        )
        response = reply.body.get("Response") if isinstance(reply.body, dict) else None
        if not isinstance(response, list):
            raise Ambiguous("the bulk reply had no Response list")
        return response

    def capture(self, body: JsonDict, before_send: BeforeSend | None = None) -> JsonDict:
        """Capture Opportunities (sync): the reply as is; ``Status`` 1 is a value, not an error."""
        path = f"{OPPORTUNITY}/Capture"
        reply = self.request("POST", path, body=body, write=True, before_send=before_send)
        if not isinstance(reply.body, dict):
            raise Ambiguous("the capture reply was not a JSON object")
        return reply.body

    def delete_opportunity(
        self, opportunity_id: str, before_send: BeforeSend | None = None
    ) -> JsonDict:
        """Delete an Opportunity (``GET .../Delete?Id=``): the reply as is. A write: an
        unclear answer raises :class:`Ambiguous` (the caller asks again: a delete is
        idempotent, and "no such opportunity" afterwards means it was deleted)."""
        path = f"{OPPORTUNITY}/Delete"
        params = {"Id": opportunity_id}
        reply = self.request("GET", path, params=params, write=True, before_send=before_send)
        if not isinstance(reply.body, dict):
            raise Ambiguous("the delete reply was not a JSON object")
        return reply.body

    def opportunities_by_unique_field(
        self, search_by: str, value: str, columns: Sequence[str] = ()
    ) -> list[JsonDict]:
        """Every opportunity, of every type, of the lead whose unique field ``search_by``
        is ``value``, with ``columns`` (the documented body; every page is read)."""
        wanted = ",".join(dict.fromkeys([*columns, *LOOKUP_COLUMNS]))
        path = f"{OPPORTUNITY}/GetOpportunitiesByUniqueLeadField"
        found: list[JsonDict] = []
        for page in range(1, 10_000):
            body = {
                "Parameter": {"LookupName": search_by, "LookupValue": value, "SqlOperator": "="},
                "Columns": {"Include_CSV": wanted},
                "Sorting": {"ColumnName": "CreatedOn", "Direction": "1"},
                "Paging": {"PageIndex": page, "PageSize": LOOKUP_PAGE},
            }
            reply = self.request("POST", path, body=body)
            items, total = _items(reply.body), _record_count(reply.body)
            found += items
            if not items or (total is not None and len(found) >= total):
                break
        return found

    def server_now(self) -> float:
        """LeadSquared's clock now, as its latest reply told it (see ServerClock)."""
        return self.server_clock.now()

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
        before_send: BeforeSend | None = None,
        host: str | None = None,
        headers: Mapping[str, str] | None = None,
        accept: Collection[int] = (),
    ) -> Reply:
        """Send one call, paced and retried as the module docstring says.

        ``write=True`` marks a call that changes data: an unclear outcome then raises
        :class:`Ambiguous` instead of being retried. ``before_send`` (a write) runs once,
        after the rate limiter lets the call go and before it goes: the sender commits its
        rows in flight there, so rows waiting for the limiter are never "maybe sent".
        ``host`` replaces LSQ_HOST and ``headers`` are added (the async API: its own host
        and key); a status in ``accept`` is returned as a Reply for the caller to judge.
        """
        return paced(
            lambda: self._try_once(method, path, params, body, write, host, headers, accept),
            limiter=self.limiter,
            retry=self.retry,
            exhausted=lambda last, tries: self._exhausted(path, last, tries),
            sleep=self._sleep,
            rng=self._rng,
            before_send=before_send,
        )

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
        host: str | None = None,
        headers: Mapping[str, str] | None = None,
        accept: Collection[int] = (),
    ) -> Reply | TryAgain:
        started = time.monotonic()
        try:
            response = self._session.request(
                method,
                (host or self.settings.host) + path,
                params=params,
                json=body,
                headers=headers,
                timeout=(self.settings.connect_timeout, self.settings.timeout),
                allow_redirects=False,  # a redirect would carry the key headers elsewhere
            )
        except requests.RequestException as exc:
            log.debug("%s %s failed after %.2fs", method, path, _since(started))
            return judge_failed_send(exc, write, self.settings)
        self.server_clock.observe(response.headers.get("Date"), time.time())
        log.debug("%s %s -> %s in %.2fs", method, path, response.status_code, _since(started))
        if response.status_code in accept:
            return Reply(response.status_code, parse_json(response.text), response.text)
        return judge_response(response.status_code, response.text, write, self.settings)

    def _exhausted(self, path: str, last: TryAgain, tries: int) -> RetriesExhausted:
        what = "the account's rate limit kept being hit" if last.throttle else last.reason
        return RetriesExhausted(
            f"LeadSquared kept failing on {path.rsplit('.svc/', 1)[-1]} ({what}) after "
            f"{tries} tries. Run the same command again later: it resumes where it stopped.",
            what,
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


def _record_count(body: Any) -> int | None:
    count = body.get("RecordCount") if isinstance(body, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def _since(started: float) -> float:
    return time.monotonic() - started
