"""The HTTP client for Noojee Contact's lead API: ``insertLeadFast`` / ``updateLeadFast``.

Every call goes through :func:`importer.send.paced.paced` (the rate limiter, backoff with
full jitter) over a pooled ``requests.Session``. The query string names the campaign
(``fTemplateId``, ``fCampaignId``, ``fAllocationId``), ``allowDuplicates`` and carries the
key (``apiKey``): so the URL itself is a secret. No library exception is ever chained or
quoted (their text holds the URL), every message passes through
:meth:`NoojeeSettings.scrub`, and while a client is open the ``urllib3`` loggers (which
log each URL at DEBUG) scrub it too. Redirects are not followed: they would carry the key.

What an answer means (the body is ``{"code": N, "message": "..."}``, HTTP 200 for 0,
500 for 103, 400 for the others; a ``"leads"`` list when the server answers per lead):

    code 109                 TryAgain: Noojee was busy; nothing was applied
    code 103, 5xx, no reply  Ambiguous: the server may have applied part of it
    any other code           NoojeeReply (the sender decides per lead)
    HTTP 401, 403            AuthError: the key is wrong for this server
    HTTP 3xx                 ConfigError: NOOJEE_HOST is not the API host
    HTTP 404, 405, 413-415,  RunRefused: no lead can cause it; every request would fail
    other 4xx without a code
    HTTP 429                 TryAgain (throttle)
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from importer import __version__
from importer.errors import Ambiguous, AuthError, ConfigError, RetriesExhausted, RunRefused
from importer.mapping.noojee import NoojeeSection
from importer.model import JsonDict
from importer.send.classify import TryAgain, parse_json
from importer.send.noojee.replies import EXCEPTION, TOO_MANY_CONCURRENT, Said
from importer.send.noojee.settings import NoojeeSettings
from importer.send.paced import paced
from importer.send.ratelimit import RateLimiter
from importer.send.recognise import WHOLE_REQUEST_STATUSES
from importer.send.retry import RetryPolicy, describe, nothing_sent
from importer.send.scrub_logs import scrubbed_logs

log = logging.getLogger(__name__)

API = "/servicemanager/rest/CampaignAPI/"
INSERT = API + "insertLeadFast"
UPDATE = API + "updateLeadFast"
# 109 is Noojee's normal way of saying "later": more tries than for a failure, and waits
# that grow to half a minute (its own queue already held the request up to a minute).
NOOJEE_RETRY = RetryPolicy(attempts=10, base=1.0, cap=30.0)
BeforeSend = Callable[[], None]


@dataclass(frozen=True, slots=True)
class NoojeeReply:
    """What Noojee said to one request: its code, and one per lead when it says them."""

    said: Said
    leads: tuple[Said, ...] | None = None


class NoojeeClient:
    """Noojee's lead endpoints for one campaign. Thread-safe; use one per run."""

    def __init__(
        self,
        settings: NoojeeSettings,
        section: NoojeeSection,
        limiter: RateLimiter,
        *,
        pool_size: int = 4,
        retry: RetryPolicy = NOOJEE_RETRY,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.section = section
        self.limiter = limiter
        self.retry = retry
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._session = _session(pool_size)
        self._open = ExitStack()
        self._open.enter_context(scrubbed_logs(settings.scrub))

    def __repr__(self) -> str:
        return f"NoojeeClient({self.settings!r}, campaign={self.section.campaign_id})"

    def send(
        self,
        leads: list[JsonDict],
        *,
        allow_duplicates: bool | None = None,
        before_send: BeforeSend | None = None,
    ) -> NoojeeReply:
        """Insert or update (the section's mode) ``leads``, one request; ``allow_duplicates``
        overrides the section's (a resend that must prove an earlier send landed)."""
        path = UPDATE if self.section.update else INSERT
        allow = self.section.allow_duplicates if allow_duplicates is None else allow_duplicates
        params = {
            "apiKey": self.settings.api_key,
            "fTemplateId": str(self.section.template_id),
            "fCampaignId": str(self.section.campaign_id),
            "fAllocationId": str(self.section.allocation_id),
            "allowDuplicates": "true" if allow else "false",
        }
        return paced(
            lambda: self._try_once(path, params, leads),
            limiter=self.limiter,
            retry=self.retry,
            exhausted=lambda last, tries: _exhausted(path, last, tries),
            sleep=self._sleep,
            rng=self._rng,
            before_send=before_send,
        )

    def close(self) -> None:
        self._session.close()
        self._open.close()

    def __enter__(self) -> NoojeeClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _try_once(
        self, path: str, params: dict[str, str], leads: list[JsonDict]
    ) -> NoojeeReply | TryAgain:
        started = time.monotonic()
        failure: requests.RequestException | None = None
        try:
            response = self._session.post(
                self.settings.host + path,
                params=params,
                json=leads,
                timeout=(self.settings.connect_timeout, self.settings.timeout),
                allow_redirects=False,  # a redirect would carry the key in its URL elsewhere
            )
        except requests.RequestException as exc:
            failure = exc
        # Judged outside the except block: no library exception (its text holds the URL)
        # is ever chained to what is raised.
        if failure is not None:
            log.debug("POST %s failed after %.2fs", path, time.monotonic() - started)
            return self._no_answer(failure)
        log.debug("POST %s -> %s in %.2fs", path, response.status_code, time.monotonic() - started)
        return judge(response.status_code, response.text, self.settings)

    def _no_answer(self, exc: requests.RequestException) -> TryAgain:
        reason = self.settings.scrub(describe(exc))
        if nothing_sent(exc):
            return TryAgain(reason)
        raise Ambiguous(reason)


def judge(status: int, text: str, settings: NoojeeSettings) -> NoojeeReply | TryAgain:
    """One HTTP answer from Noojee: the reply, a reason to try again, or a raised verdict."""
    said, leads = _said(parse_json(text), settings)
    if status in (401, 403):
        raise AuthError(
            f"Noojee refused the API key (HTTP {status}). Check NOOJEE_API_KEY, and that "
            f"NOOJEE_HOST is your Noojee server; the host used was {settings.host}."
        )
    if status == 429:
        return TryAgain("HTTP 429 too many requests", throttle=True)
    if 300 <= status < 400:
        raise ConfigError(
            f"{settings.host} answered with a redirect (HTTP {status}); set NOOJEE_HOST to "
            "the Noojee server's address itself (scheme and host only)."
        )
    if said is None or status in WHOLE_REQUEST_STATUSES:
        shown = settings.scrub(text.strip()[:200]) or "no details"
        if status in WHOLE_REQUEST_STATUSES or 400 <= status < 500:
            raise RunRefused(
                f"Noojee refused the request itself (HTTP {status}: {shown}); no lead was at "
                "fault. Check NOOJEE_HOST (scheme and host only) and the mapping's noojee ids."
            )
        raise Ambiguous(f"HTTP {status} without Noojee's code: {shown}")
    if said.code == TOO_MANY_CONCURRENT:
        return TryAgain(f"Noojee was busy ({said.words})")
    if said.code == EXCEPTION:
        raise Ambiguous(f"Noojee answered {said.words}")
    return NoojeeReply(said, leads)


def _said(body: Any, settings: NoojeeSettings) -> tuple[Said | None, tuple[Said, ...] | None]:
    said = _one(body, settings)
    items = body.get("leads") if isinstance(body, dict) else None
    if said is None or not isinstance(items, list):
        return said, None
    leads = [_one(item, settings) for item in items]
    if any(lead is None for lead in leads):
        return said, None
    return said, tuple(lead for lead in leads if lead is not None)


def _one(body: Any, settings: NoojeeSettings) -> Said | None:
    if not isinstance(body, dict):
        return None
    code = body.get("code")
    if isinstance(code, bool) or not isinstance(code, int):
        return None
    return Said(code, settings.scrub(str(body.get("message") or "")))


def _exhausted(path: str, last: TryAgain, tries: int) -> RetriesExhausted:
    return RetriesExhausted(
        f"Noojee kept failing on {path.rsplit('/', 1)[-1]} ({last.reason}) after {tries} "
        "tries. Run the same command again later: it resumes where it stopped.",
        last.reason,
    )


def _session(pool_size: int) -> requests.Session:
    session = requests.Session()
    # urllib3 must never retry by itself: it cannot tell a write that may have been applied.
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(1, pool_size), max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update(
        {"Accept": "application/json", "User-Agent": f"lsq-import/{__version__}"}
    )
    return session
