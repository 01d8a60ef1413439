"""What one HTTP answer (or the lack of one) means, before anything is retried.

Every try of a request ends in exactly one of::

    Reply                    2xx with a JSON body: the endpoint's data
    TryAgain                 worth another try after a wait: a connection that never opened
                             (nothing was sent); for *reads* also any 5xx and every unclear
                             answer; ``throttle`` for HTTP 429 or 403/500 "API calls exceeded
                             the limit" (proof that nothing was applied)
    RequestRejected          (raised) the server said no to this request's data: HTTP 400,
                             any other 4xx, or a 5xx whose body is an MX… validation error
    Ambiguous                (raised) a *write* whose answer is unclear: any other 5xx, no
                             reply, a reset, a truncated or malformed body — it may have been
                             applied, so it is never retried blindly (the sender looks first)
    RunRefused               (raised) a refusal no row can cause: 404 (a wrong path: LSQ_HOST
                             with a path), 405, 413, 414, 415
    AuthError                (raised) HTTP 401: wrong keys, or keys of another region's host
    ConfigError              (raised) a redirect: LSQ_HOST is not the API host (the run turns
                             it into a stop once rows were sent)

Messages pass through :meth:`Settings.scrub`: a server may echo what it was sent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import requests

from importer.errors import Ambiguous, AuthError, ConfigError, RequestRejected, RunRefused
from importer.send.recognise import WHOLE_REQUEST_STATUSES
from importer.send.retry import describe, nothing_sent
from importer.settings import Settings

# LeadSquared names validation errors MX…Exception; types that speak of the system are
# the server's own failure and worth retrying. [guess] — no list is published; the
# sandbox's injected 500 says MXUnhandledException.
_SYSTEM_ERROR = re.compile(
    r"internal|system|unknown|unhandled|unexpected|timeout|database|sql|unavailable|server",
    re.I,
)
_LIMIT_TEXT = re.compile(r"exceeded the limit|too many requests|RateLimitExceeded", re.I)
_MALFORMED = object()  # a body that is there but is not JSON


@dataclass(frozen=True)
class Reply:
    """A 2xx answer: the status, the parsed JSON (None if there was no body) and the text."""

    status: int
    body: Any
    text: str


@dataclass(frozen=True)
class TryAgain:
    """Why one try failed in a way worth repeating; ``throttle`` for a rate-limit reply."""

    reason: str
    throttle: bool = False


def judge_failed_send(exc: requests.RequestException, write: bool, settings: Settings) -> TryAgain:
    """No HTTP answer: retry if nothing can have reached the server, or for a read."""
    reason = settings.scrub(describe(exc))
    if nothing_sent(exc) or not write:
        return TryAgain(reason)
    raise Ambiguous(reason)


def judge_response(status: int, text: str, write: bool, settings: Settings) -> Reply | TryAgain:
    """One HTTP answer: the data, a reason to try again, or a raised verdict."""
    body = parse_json(text)
    if 200 <= status < 300:
        if body is _MALFORMED or (body is None and write):
            return _unclear("the reply was not complete JSON", write)
        return Reply(status, body, text)
    if status == 401:
        raise AuthError(
            "LeadSquared refused the API keys (HTTP 401). Check LSQ_ACCESS_KEY and "
            "LSQ_SECRET_KEY, and that LSQ_HOST is the host shown next to the keys in "
            f"LeadSquared (your account's region); the host used was {settings.host}."
        )
    if status == 429 or (status in (403, 500) and _LIMIT_TEXT.search(text)):
        return TryAgain(f"HTTP {status} rate limit exceeded", throttle=True)
    if 300 <= status < 400:
        raise ConfigError(
            f"{settings.host} answered with a redirect (HTTP {status}); set LSQ_HOST "
            "to the API host shown next to the keys in LeadSquared."
        )
    kind, message = exception_of(body, text)
    if status in WHOLE_REQUEST_STATUSES:
        raise RunRefused(
            f"LeadSquared refused the request itself (HTTP {status}: "
            f"{settings.scrub(message)[:200]}); no row was at fault. Check LSQ_HOST (scheme "
            "and host only, as shown next to the API keys) and the mapping's settings."
        )
    if status < 500 or is_validation_error(kind):
        raise RequestRejected(status, kind, settings.scrub(message))
    # Any other 5xx: the server may have applied a write before failing (or a gateway gave
    # up waiting for it), so only a read is simply tried again.
    return _unclear(f"HTTP {status}" + (f" {kind}" if kind else ""), write)


def _unclear(reason: str, write: bool) -> TryAgain:
    if write:
        raise Ambiguous(reason)
    return TryAgain(reason)


def is_validation_error(exception_type: str | None) -> bool:
    """An ``MX…`` exception about the data, not about LeadSquared's own health."""
    return bool(
        exception_type
        and exception_type.startswith("MX")
        and not _SYSTEM_ERROR.search(exception_type)
    )


def exception_of(body: Any, text: str) -> tuple[str | None, str]:
    """LeadSquared's ``ExceptionType`` and ``ExceptionMessage``, or the raw text."""
    if isinstance(body, dict):
        kind = body.get("ExceptionType")
        message = body.get("ExceptionMessage") or body.get("Message") or text
        return (str(kind) if kind else None), str(message)
    return None, text.strip()[:300] or "no details were given"


def parse_json(text: str) -> Any:
    """The body as JSON; None when empty; a marker when present but not JSON."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return _MALFORMED
